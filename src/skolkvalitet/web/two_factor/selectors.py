"""Reading what the two-factor login decides from: the user's devices, the organisers whose
policy requires a second factor, and the organisers a user may set that policy for."""

from __future__ import annotations

from django.db.models import Exists
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from skolkvalitet.organisation.models import Node, NodeKind
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope, organiser_ids
from skolkvalitet.web.two_factor.policy import two_factor_required


def session_verified(user) -> bool:
    """The request's session has given a second factor (django-otp's OTPMiddleware sets
    `otp_device` on the request's user: the device that verified it, or None)."""
    return getattr(user, "otp_device", None) is not None


def totp_device_for(user) -> TOTPDevice | None:
    """The user's confirmed authenticator (one at most: two_factor_enrol makes one)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_device_for(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def organisers_requiring(scope: Scope) -> set[int]:
    """The ids of the organisers, among those the user's pupil-access grants lie under, whose
    policy requires two-factor login. No query when no grant gives pupil access."""
    ids = organiser_ids(g.path for g in scope.grants if g.pupil_access)
    if not ids:
        return set()
    return set(
        Node.objects.filter(
            pk__in=ids, kind=NodeKind.ORGANISER, two_factor_required=True
        ).values_list("pk", flat=True)
    )


def device_and_organisers_requiring(user, scope: Scope) -> tuple[bool, set[int]]:
    """(has_device(user), organisers_requiring(scope)) in one query, for the middleware that
    asks on every request of a session without a code: the organisers of the user's
    pupil-access grants, each row carrying whether the user has an authenticator."""
    ids = organiser_ids(g.path for g in scope.grants if g.pupil_access)
    if not ids:
        return has_device(user), set()
    device = Exists(TOTPDevice.objects.filter(user=user.pk, confirmed=True))
    rows = list(
        Node.objects.filter(pk__in=ids, kind=NodeKind.ORGANISER)
        .annotate(device=device)
        .values_list("pk", "two_factor_required", "device")
    )
    if not rows:
        return has_device(user), set()
    return rows[0][2], {pk for pk, required, _device in rows if required}


def must_verify(scope: Scope) -> bool:
    """Whether the policy of an organiser requires this user to verify a second factor
    (policy.two_factor_required over the scope's valid grants)."""
    return two_factor_required(scope.grants, organisers_requiring(scope))


def organisers_managed(scope: Scope) -> list[Node]:
    """The organisers whose two-factor policy the user may set (MANAGE_USERS, which counts on
    an organiser node only)."""
    paths = scope.paths_with(Capability.MANAGE_USERS)
    return list(Node.objects.filter(path__in=paths, kind=NodeKind.ORGANISER).order_by("name"))
