from django.contrib.auth import views as auth_views
from django.urls import include, path

from skolkvalitet.web import views
from skolkvalitet.web.users import password_reset

urlpatterns = [
    path("", views.start, name="start"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sso/", include("skolkvalitet.web.sso.urls")),  # single sign-on: OIDC and SAML
    # Two-factor login (web/two_factor/): set-up, the code step, the organisers' policy.
    path("konto/tvastegsverifiering/", include("skolkvalitet.web.two_factor.urls")),
    # Password reset by e-mail (web/users/password_reset.py; Django's view names).
    path(
        "login/glomt-losenord/",
        password_reset.PasswordResetRequestView.as_view(),
        name="password_reset",
    ),
    path(
        "login/glomt-losenord/skickat/",
        password_reset.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "login/nytt-losenord/<uidb64>/<token>/",
        password_reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "login/nytt-losenord/klart/",
        password_reset.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("administration/anvandare/", include("skolkvalitet.web.users.urls")),
    path("administration/logg/", include("skolkvalitet.web.audit_log.urls")),  # the audit log
]
