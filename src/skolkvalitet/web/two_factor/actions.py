"""Every write of the two-factor login: a device set up and removed, recovery codes made, a
code checked (django-otp counts failures on the device and throttles it), and an organiser's
policy switched. Each is audit-logged (docs/security.md, "Two-factor login")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import django_otp
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.models import Node, NodeKind
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.web.two_factor import devices
from skolkvalitet.web.two_factor.selectors import recovery_device_for, totp_device_for

RECOVERY_CODES = 10
DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


class Purpose(StrEnum):
    """Why a code is asked for (the audit events say)."""

    LOGIN = "login"
    REMOVE = "remove"
    RECOVERY_CODES = "recovery_codes"


def two_factor_enrol(*, user, key: str, code: str, request=None) -> tuple[TOTPDevice, list[str]]:
    """Save the authenticator whose `key` the user has been shown, once `code` proves that
    their app makes its codes, with a fresh set of recovery codes. Returns the device and
    the recovery codes, which are shown once. A user has one authenticator: set up again only
    after removing it. A wrong code is audit-logged ("two_factor.failed"); it is not
    throttled, since the key it would guess is on the user's own page."""
    if totp_device_for(user) is not None:
        raise ValidationError(_("Two-step verification is already set up."))
    if not devices.key_valid(key):
        raise ValidationError(_("Start the set-up again."))
    step = devices.code_time_step(key, devices.code_normalised(code))
    if step is None:
        audit_record(
            user=user,
            action="two_factor.failed",
            detail={"purpose": "enrol", "device": None, "throttled": False},
            request=request,
        )
        raise ValidationError(
            {
                "code": _(
                    "The code is not right. Check that the clock of your phone is right and "
                    "try again."
                )
            }
        )
    return _enrol_save(user=user, key=key, step=step, request=request)


@transaction.atomic
def _enrol_save(*, user, key: str, step: int, request) -> tuple[TOTPDevice, list[str]]:
    # One set-up at a time per user (two forms sent at once): the user's row is locked, and
    # the check is made again under the lock.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if totp_device_for(user) is not None:
        raise ValidationError(_("Two-step verification is already set up."))
    TOTPDevice.objects.filter(user=user).delete()  # unconfirmed leftovers, if any
    device = TOTPDevice.objects.create(
        user=user,
        name=DEVICE_NAME,
        key=key,
        step=devices.STEP,
        digits=devices.DIGITS,
        tolerance=devices.TOLERANCE,
        confirmed=True,
        last_t=step,  # the code just given cannot log in
    )
    codes = _recovery_codes_replace(user)
    audit_record(user=user, action="two_factor.enrol", request=request)
    return device, codes


def _recovery_codes_replace(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def recovery_codes_replace(*, user, request=None) -> list[str]:
    """New recovery codes for a user with an authenticator; the old ones stop working."""
    if totp_device_for(user) is None:
        raise ValidationError(_("Two-step verification is not set up."))
    codes = _recovery_codes_replace(user)
    audit_record(user=user, action="two_factor.recovery_codes", request=request)
    return codes


@transaction.atomic
def two_factor_remove(*, user, by=None, request=None) -> None:
    """Remove the user's authenticator and recovery codes: by the user (`by` is the user),
    after a code was verified (the view asks two_factor_verify first); by an administrator of
    the user's organiser (`by` another user; web/users checks that it may) for a user who lost
    both phone and recovery codes; or with no `by` by the operator (docs/operations.md)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    if by is None:
        who = "operator"
    elif by.pk == user.pk:
        who = "user"
    else:
        who = "administrator"
    audit_record(
        user=by,
        action="two_factor.remove",
        detail={"user": user.get_username(), "by": who},
        request=request,
    )


@dataclass(frozen=True)
class Verification:
    device: Device | None  # the device that accepted the code; None: refused
    locked_until: dt.datetime | None = None  # refused without trying: too many wrong codes

    @property
    def ok(self) -> bool:
        return self.device is not None


def _device_for_code(user, code: str) -> Device | None:
    """A six-digit code is checked against the authenticator, anything else against the
    recovery codes: each code against one device, as django-otp asks, so each device's
    throttle counts the codes tried on it."""
    if devices.is_totp_code(code):
        return totp_device_for(user)
    return recovery_device_for(user)


def _locked_until(device: Device) -> dt.datetime | None:
    allowed, data = device.verify_is_allowed()
    if allowed or not data:
        return None
    return data.get("locked_until")


def two_factor_verify(*, user, code: str, purpose: Purpose, request=None) -> Verification:
    """Check `code` against the user's devices. django-otp's verify_token checks and records the
    outcome in one transaction (a wrong code counts on the device and the next try must wait
    1, 2, 4, 8 ... seconds, OTP_TOTP_THROTTLE_FACTOR; a right one resets the count, and a TOTP
    code or a recovery code is used once). A wrong or throttled code is audit-logged
    ("two_factor.failed"), a right one too ("two_factor.verify"). Not atomic as a whole: a
    refusal must keep its count and its audit event."""
    code = devices.code_normalised(code)
    device = _device_for_code(user, code)
    if device is None:
        audit_record(
            user=user,
            action="two_factor.failed",
            detail={"purpose": purpose, "device": None, "throttled": False},
            request=request,
        )
        return Verification(device=None)
    kind = "totp" if isinstance(device, TOTPDevice) else "recovery"
    locked = _locked_until(device)
    if locked is not None:
        audit_record(
            user=user,
            action="two_factor.failed",
            detail={"purpose": purpose, "device": kind, "throttled": True},
            request=request,
        )
        return Verification(device=None, locked_until=locked)
    verified = django_otp.verify_token(user, device.persistent_id, code)
    if verified is None:
        device.refresh_from_db()
        audit_record(
            user=user,
            action="two_factor.failed",
            detail={
                "purpose": purpose,
                "device": kind,
                "throttled": False,
                "failures": device.throttling_failure_count,  # type: ignore[attr-defined]
            },
            request=request,
        )
        return Verification(device=None, locked_until=_locked_until(device))
    audit_record(
        user=user,
        action="two_factor.verify",
        detail={"purpose": purpose, "device": kind},
        request=request,
    )
    return Verification(device=verified)


@transaction.atomic
def two_factor_policy_set(*, organiser: Node, required: bool, by, request=None) -> Node:
    """Switch whether logging in needs a second factor for every user with pupil access under
    `organiser`. Only a holder of MANAGE_USERS on the organiser (`by`) may."""
    if organiser.kind != NodeKind.ORGANISER:
        raise ValidationError(_("Two-step verification is set for a whole organiser."))
    if not scope_for(by).can(Capability.MANAGE_USERS, organiser):
        raise PermissionDenied
    Node.objects.filter(pk=organiser.pk).update(two_factor_required=required)
    organiser.two_factor_required = required
    audit_record(
        user=by,
        action="policy.two_factor",
        node=organiser,
        detail={"required": required},
        request=request,
    )
    return organiser
