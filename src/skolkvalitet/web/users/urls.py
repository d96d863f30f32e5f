"""`/administration/anvandare/`: the user administration (web/users/views.py)."""

from django.urls import path

from skolkvalitet.web.users import views

urlpatterns = [
    path("", views.user_list, name="users_list"),
    path("ny/", views.user_create, name="users_create"),
    path("gallring/", views.retention, name="users_retention"),
    path("<int:user_id>/", views.user_detail, name="users_detail"),
    path("<int:user_id>/uppgifter/", views.user_details, name="users_details"),
    path("<int:user_id>/behorighet/", views.grant_add, name="users_grant_add"),
    path(
        "<int:user_id>/behorighet/<int:assignment_id>/avsluta/",
        views.grant_end,
        name="users_grant_end",
    ),
    path("<int:user_id>/inaktivera/", views.user_deactivate, name="users_deactivate"),
    path("<int:user_id>/aktivera/", views.user_reactivate, name="users_reactivate"),
    path(
        "<int:user_id>/tvastegsverifiering/ta-bort/",
        views.two_factor_reset,
        name="users_two_factor_reset",
    ),
    path(
        "<int:user_id>/inloggning/<int:identity_id>/ta-bort/",
        views.identity_remove,
        name="users_identity_remove",
    ),
]
