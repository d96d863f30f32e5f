"""Bearer-token authentication of the API: `Authorization: Bearer <token>`.

The token's user is the request's user for the API; `scope_for(user)` then decides what it
may read, exactly as for the pages. The session cookie is not used by the API.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from ninja.security import HttpBearer

from skolkvalitet.api.actions import api_token_touch
from skolkvalitet.api.models import ApiToken
from skolkvalitet.api.throttling import (
    anonymous_request_check,
    refused_token_record,
    refused_tokens_check,
)
from skolkvalitet.api.tokens import MAX_TOKEN_LENGTH, token_hash
from skolkvalitet.organisation.audit import audit_record


def api_token_authenticate(token: str) -> ApiToken | None:
    """The valid token row behind `token`, with its user, or None: unknown, revoked, expired,
    or of an inactive user. A valid use is recorded in `last_used`."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = ApiToken.objects.select_related("user").filter(token_hash=token_hash(token)).first()
    now = timezone.now()
    if row is None or not row.is_valid_at(now) or not row.user.is_active:
        return None
    api_token_touch(token=row, now=now)
    return row


class BearerToken(HttpBearer):
    """Sets `request.auth` to the ApiToken; None makes django-ninja answer 401.

    Parses the header itself: django-ninja's parser logs a header with another scheme in
    full when DEBUG is on, which could put a token in the log."""

    def __call__(self, request: HttpRequest) -> ApiToken | None:
        refused_tokens_check(request)
        scheme, _space, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme:
            anonymous_request_check(request)
            return None
        row = self.authenticate(request, token.strip())
        if row is None:
            refused_token_record(request)
            anonymous_request_check(request)
        return row

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return api_token_authenticate(token)


def api_request_record(request: HttpRequest, response: HttpResponseBase) -> None:
    """Every use of a valid token in the audit log (docs/security.md, "Audit log"): one
    "api.request" event per answered request, with the token's id and name, the method, the
    path (without its query) and the status, from the client's address. Requests without a
    valid token are not events (they are counted and logged by api/throttling.py)."""
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):
        return
    audit_record(
        user=token.user,
        action="api.request",
        detail={
            "token": token.pk,
            "token_name": token.name,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
        },
        request=request,
    )
