from django.urls import path

from skolkvalitet.quality import report_views, views
from skolkvalitet.quality.plans import views as plan_views
from skolkvalitet.quality.practices import views as practice_views

urlpatterns = [
    path("", views.board, name="quality_board"),
    path("kalender/", views.calendar_current, name="quality_calendar_current"),
    path("kalender/<int:start_year>/", views.calendar, name="quality_calendar"),
    path(
        "kalender/<int:start_year>/standard/",
        views.calendar_defaults,
        name="quality_calendar_defaults",
    ),
    path("kalender/punkt/<int:point_id>/", views.point_edit, name="quality_point_edit"),
    path("kalender/punkt/<int:point_id>/ta-bort/", views.point_remove, name="quality_point_remove"),
    path(
        "kalender/<int:start_year>/rapporter/",
        plan_views.report_deadline_set,
        name="quality_report_deadlines",
    ),
    path(
        "kalender/rapporter/<int:deadline_id>/ta-bort/",
        plan_views.report_deadline_remove,
        name="quality_report_deadline_remove",
    ),
    path("rapporter/", report_views.reports_current, name="quality_reports_current"),
    path("rapporter/modell/", report_views.common_model, name="quality_common_model"),
    path(
        "rapporter/modell/<str:school_form>/",
        report_views.common_model_edit,
        name="quality_common_model_edit",
    ),
    path("rapporter/<int:start_year>/", report_views.reports, name="quality_reports"),
    path(
        "rapporter/<int:start_year>/<int:unit_id>/<str:school_form>/",
        report_views.report,
        name="quality_report",
    ),
    path(
        "rapporter/<int:start_year>/<int:unit_id>/<str:school_form>/avsnitt/<str:key>/",
        report_views.section_versions,
        name="quality_report_section_versions",
    ),
    path("plan/<int:node_id>/", plan_views.plan_current, name="quality_plan_current"),
    path("plan/<int:node_id>/<int:start_year>/", plan_views.plan, name="quality_plan"),
    path("<int:point_id>/<int:unit_id>/", views.dialogue, name="quality_dialogue"),
    path(
        "<int:point_id>/<int:unit_id>/kommentar/",
        views.dialogue_comment,
        name="quality_dialogue_comment",
    ),
    path(
        "<int:point_id>/<int:unit_id>/returnera/",
        views.dialogue_return,
        name="quality_dialogue_return",
    ),
    path(
        "<int:point_id>/<int:unit_id>/diskuterad/",
        views.dialogue_discussed,
        name="quality_dialogue_discussed",
    ),
    path("arbetssatt/", practice_views.practices, name="quality_practices"),
    path(
        "arbetssatt/ny/<int:node_id>/<int:start_year>/",
        practice_views.practice_new,
        name="quality_practice_new",
    ),
    path("arbetssatt/<int:pk>/", practice_views.practice, name="quality_practice"),
    path("arbetssatt/<int:pk>/andra/", practice_views.practice_edit, name="quality_practice_edit"),
    path(
        "arbetssatt/<int:pk>/publicera/",
        practice_views.practice_publish,
        name="quality_practice_publish",
    ),
    path(
        "arbetssatt/<int:pk>/dra-tillbaka/",
        practice_views.practice_withdraw,
        name="quality_practice_withdraw",
    ),
    path(
        "arbetssatt/<int:pk>/ta-bort/",
        practice_views.practice_remove,
        name="quality_practice_remove",
    ),
]
