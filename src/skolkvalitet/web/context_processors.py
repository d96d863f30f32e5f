"""What every page's header needs to know about the user."""

from __future__ import annotations

from django.http import HttpRequest

from skolkvalitet.organisation.scopes import scope_for_request


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"may_import": bool(scope_for_request(request).managed_paths())}
