"""Local passwords, optional: with SKOLKVALITET_PASSWORD_LOGIN=0 every password login is
refused, whatever page or client posts it (the login page then shows only the single sign-on
buttons)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied


def password_login_enabled() -> bool:
    return bool(settings.SKOLKVALITET_PASSWORD_LOGIN)


class PasswordLoginSwitch:
    """An authentication backend placed before ModelBackend: when passwords are off it ends
    Django's authenticate() for any credentials holding a password (PermissionDenied stops
    the backends; the attempt is a failed login like any other). It never logs anyone in."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        if "password" in credentials and not password_login_enabled():
            raise PermissionDenied("Logging in with a password is turned off.")
        return None


def is_single_sign_on_attempt(request: Any, credentials: dict | None = None) -> bool:
    """django-axes' AXES_WHITELIST_CALLABLE: an attempt without a username is a single sign-on
    callback (its credentials are a nonce or an assertion), which no password lockout counts or
    blocks: there is no password to guess, and a school behind one address would otherwise be
    locked out of single sign-on by five refused colleagues."""
    return not (credentials or {}).get("username")
