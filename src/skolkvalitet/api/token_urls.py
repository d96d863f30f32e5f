"""/konto/api-nycklar/...: a user's own API tokens (api/token_views.py)."""

from __future__ import annotations

from django.urls import path

from skolkvalitet.api import token_views

urlpatterns = [
    path("", token_views.tokens, name="api_tokens"),
    path("<int:pk>/aterkalla/", token_views.token_revoke, name="api_token_revoke"),
]
