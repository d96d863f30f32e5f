from django.urls import path

from skolkvalitet.quality import public_views as views

urlpatterns = [
    path("", views.public_index, name="public_index"),
    path("huvudman/<int:organiser_id>/", views.public_organiser, name="public_organiser"),
    path(
        "huvudman/<int:organiser_id>/kvalitetsredovisning/<int:start_year>/",
        views.public_report,
        name="public_report",
    ),
    path("enhet/<int:unit_id>/", views.public_unit, name="public_unit"),
]
