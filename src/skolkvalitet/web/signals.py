"""Logins in the audit log (docs/security.md "Logins"): each login, each failed login and each
lockout, with the client's address. Never the password, and a failed login's username only
when it names an existing user: what someone typed in the username field may be anything,
a personnummer included."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model

from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.client_address import client_address

logger = logging.getLogger("skolkvalitet.security")


def _known_username(credentials: dict | None) -> str:
    username = (credentials or {}).get("username") or ""
    exists = get_user_model().objects.filter(username=username).exists()
    return username if username and exists else ""


def login_succeeded(sender, request, user, **kwargs) -> None:
    audit_record(user=user, action="login", request=request)


def login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = _known_username(credentials)
    audit_record(
        user=None,
        action="login_failed",
        detail={"username": username} if username else {"username": None},
        request=request,
    )
    logger.warning(
        "login failed for %s from %s", username or "an unknown username", client_address(request)
    )


def login_locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    known = _known_username({"username": username})
    audit_record(
        user=None,
        action="login_locked_out",
        detail={"username": known or None},
        request=request,
    )
    logger.warning("login locked out for %s from %s", known or "an unknown username", ip_address)
