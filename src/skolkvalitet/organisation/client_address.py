"""The client's address of a request, behind as many trusted reverse proxies as configured.

With SKOLKVALITET_PROXY_COUNT = 0 (the default) no proxy is trusted and the address is the
connection's (REMOTE_ADDR): a client cannot claim another address by sending
X-Forwarded-For. Behind N proxies that each append the address they received from, the
client is the N-th address from the right of X-Forwarded-For (the ones further left were
written by the client itself and are not believed). Used by the audit log and by the login
lockout (django-axes, AXES_CLIENT_IP_CALLABLE)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "SKOLKVALITET_PROXY_COUNT", 0))
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]
