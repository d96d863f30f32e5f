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

# last_used is written at most this often per token, so that a busy integration does not
# turn every read into a write.
TOUCH_INTERVAL = dt.timedelta(minutes=1)


@transaction.atomic
def api_token_create(*, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`, valid for `days` days (default SKOLKVALITET_API_TOKEN_DAYS, at
    most SKOLKVALITET_API_TOKEN_MAX_DAYS) unless revoked before. Returns the stored row and the
    token itself, which is kept nowhere and cannot be shown again."""
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
    return row, token


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke `token` for good. Idempotent: a revoked token keeps its first revocation time."""
    if token.revoked is None:
        now = timezone.now()
        if ApiToken.objects.filter(pk=token.pk, revoked__isnull=True).update(revoked=now):
            token.revoked = now
        else:
            token.refresh_from_db(fields=["revoked"])
    return token


def api_token_touch(*, token: ApiToken, now: dt.datetime) -> None:
    """Record a use of `token` (at most once per TOUCH_INTERVAL)."""
    if token.last_used is None or now - token.last_used >= TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
