from django.urls import path

from skolkvalitet.dashboards import views
from skolkvalitet.dashboards.target_views import target_remove, targets

urlpatterns = [
    path("", views.overview, name="overview"),
    path("enhet/<int:unit_id>/", views.unit, name="unit"),
    path("enhet/<int:unit_id>/elever-i-behov/", views.pupils_at_risk, name="pupils_at_risk"),
    path("enhet/<int:unit_id>/grupper/", views.unit_groups, name="unit_groups"),
    path("grupp/<int:group_id>/", views.group, name="group"),
    path(
        "grupp/<int:group_id>/elever-i-behov/",
        views.group_pupils_at_risk,
        name="group_pupils_at_risk",
    ),
    path("malvarden/", targets, name="targets"),
    path("malvarden/<int:target_id>/ta-bort/", target_remove, name="target_remove"),
    path("elev/<int:pupil_id>/", views.pupil_history, name="pupil_history"),
]
