"""The writes of single sign-on: linking an identity at a provider to a user, and noting
its use."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from skolkvalitet.web.models import ExternalIdentity


@transaction.atomic
def identity_link(*, user: User, protocol: str, issuer: str, subject: str) -> ExternalIdentity:
    """Bind (`issuer`, `subject`) to `user`; from then on that identity logs in as `user`."""
    return ExternalIdentity.objects.create(
        user=user,
        protocol=protocol,
        issuer=issuer,
        subject=subject,
        last_login_at=timezone.now(),
    )


@transaction.atomic
def identity_used(*, identity: ExternalIdentity) -> None:
    """Note that `identity` has just logged in."""
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["last_login_at"])
