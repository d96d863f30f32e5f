"""Every write to ApiToken: named, validating functions (docs/api.md, docs/security.md)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.api.models import ApiToken
from skolkvalitet.api.tokens import token_hash, token_new
from skolkvalitet.organisation.audit import audit_record

# last_used is written at most this often per token, so that a busy integration does not
# turn every read into a write.
TOUCH_INTERVAL = dt.timedelta(minutes=1)


@transaction.atomic
def api_token_create(
    *, user, name: str, days: int | None = None, by=None, request=None
) -> tuple[ApiToken, str]:
    """A new token for `user`, valid for `days` days (default SKOLKVALITET_API_TOKEN_DAYS, at
    most SKOLKVALITET_API_TOKEN_MAX_DAYS) unless revoked before. Returns the stored row and the
    token itself, which is kept nowhere and cannot be shown again. Audit-logged
    ("api_token.create") as done `by` a user (the owner, on the page "API-nycklar") or, with no
    `by`, by the operator (`skolkvalitet api_token create`)."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the token a name."))
    max_length = ApiToken._meta.get_field("name").max_length
    if max_length is not None and len(name) > max_length:
        raise ValidationError(_("The token's name is too long."))
    if days is None:
        days = settings.SKOLKVALITET_API_TOKEN_DAYS
    if days < 1:
        raise ValidationError(_("A token must be valid for at least one day."))
    if days > settings.SKOLKVALITET_API_TOKEN_MAX_DAYS:
        raise ValidationError(
            _("A token may be valid for at most %(days)s days.")
            % {"days": settings.SKOLKVALITET_API_TOKEN_MAX_DAYS}
        )
    if not user.is_active:
        raise ValidationError(_("The user is not active."))
    token = token_new()
    expires = timezone.now() + dt.timedelta(days=days)
    row = ApiToken.objects.create(
        user=user, name=name, token_hash=token_hash(token), expires=expires
    )
    _audit(action="api_token.create", token=row, by=by, request=request, days=days)
    return row, token


def _audit(*, action: str, token: ApiToken, by, request, **detail) -> None:
    """An audit event of a token's life: its id, name and owner, never the token."""
    audit_record(
        user=by,
        action=action,
        detail={
            "token": token.pk,
            "name": token.name,
            "owner": token.user.get_username(),
            "by": "user" if by is not None else "command",
            **detail,
        },
        request=request,
    )


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by=None, request=None) -> ApiToken:
    """Revoke `token` for good. Idempotent: a revoked token keeps its first revocation time
    (and only the first revocation is audit-logged, "api_token.revoke")."""
    if token.revoked is None:
        now = timezone.now()
        if ApiToken.objects.filter(pk=token.pk, revoked__isnull=True).update(revoked=now):
            token.revoked = now
            _audit(action="api_token.revoke", token=token, by=by, request=request)
        else:
            token.refresh_from_db(fields=["revoked"])
    return token


def api_token_touch(*, token: ApiToken, now: dt.datetime) -> None:
    """Record a use of `token` (at most once per TOUCH_INTERVAL)."""
    if token.last_used is None or now - token.last_used >= TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
