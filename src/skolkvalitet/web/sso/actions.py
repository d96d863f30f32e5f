"""The writes of single sign-on: linking an identity at a provider to a user, noting its
use, and unlinking it."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from skolkvalitet.organisation.audit import audit_record
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


@transaction.atomic
def identity_unlink(
    *, identity: ExternalIdentity, by: User | None = None, request: HttpRequest | None = None
) -> None:
    """Remove the link: that identity logs in as no one until a login links it again (by
    e-mail, if the policy allows). Audit event `sso_identity_unlink`."""
    audit_record(
        user=by,
        action="sso_identity_unlink",
        detail={
            "protocol": identity.protocol,
            "issuer": identity.issuer,
            "subject": identity.subject,
            "username": identity.user.get_username(),
        },
        request=request,
    )
    identity.delete()
