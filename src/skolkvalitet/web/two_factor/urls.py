"""/konto/tvastegsverifiering/...: the two-factor pages (web/two_factor/views.py)."""

from __future__ import annotations

from django.urls import path

from skolkvalitet.web.two_factor import views

urlpatterns = [
    path("", views.two_factor, name="two_factor"),
    path("kod/", views.verify, name="two_factor_verify"),
    path("ta-bort/", views.remove, name="two_factor_remove"),
    path("reservkoder/", views.recovery_codes, name="two_factor_recovery_codes"),
    path("krav/", views.policy, name="two_factor_policy"),
]
