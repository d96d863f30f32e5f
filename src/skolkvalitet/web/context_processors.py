"""What every page's header needs to know about the user."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import scope_for_request


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        # The login page's link to password reset (web/users/password_reset.py).
        return {"password_reset_enabled": settings.SKOLKVALITET_PASSWORD_RESET}
    scope = scope_for_request(request)
    return {
        "may_import": scope.can_somewhere(Capability.IMPORT_DATA),
        "may_see_followup_board": scope.can_somewhere(Capability.SEE_FOLLOW_UP),
        "may_see_results": not scope.is_empty,
        "may_manage_users": scope.can_somewhere(Capability.MANAGE_USERS),
        "may_see_audit_log": scope.can_somewhere(Capability.SEE_AUDIT_LOG),
    }
