"""The two-factor writes (web/two_factor/actions.py): one authenticator per user, starting
after the code that set it up; the policy switched only by its managers, on organisers; the
operator's removal."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.web.two_factor.codes import code_now

from skolkvalitet.organisation.models import AuditEvent, Node
from skolkvalitet.web.two_factor import actions
from skolkvalitet.web.two_factor.devices import code_time_step, key_new

pytestmark = pytest.mark.django_db


def test_the_device_starts_after_the_code_that_set_it_up(users):
    key = key_new()
    code = code_now(key)
    device, codes = actions.two_factor_enrol(user=users.teacher, key=key, code=code)
    assert device.last_t == code_time_step(key, code)
    assert len(codes) == len(set(codes)) == actions.RECOVERY_CODES
    # The same code is no login.
    verification = actions.two_factor_verify(
        user=users.teacher, code=code, purpose=actions.Purpose.LOGIN
    )
    assert not verification.ok


def test_a_user_has_one_authenticator(users):
    key = key_new()
    actions.two_factor_enrol(user=users.teacher, key=key, code=code_now(key))
    other = key_new()
    with pytest.raises(ValidationError):
        actions.two_factor_enrol(user=users.teacher, key=other, code=code_now(other))
    assert TOTPDevice.objects.filter(user=users.teacher).count() == 1


def test_the_policy_is_set_by_its_managers_on_organisers_only(org, users):
    with pytest.raises(PermissionDenied):
        actions.two_factor_policy_set(organiser=org.organiser, required=True, by=users.analyst)
    with pytest.raises(ValidationError):
        actions.two_factor_policy_set(
            organiser=org.area_north, required=True, by=users.organiser_admin
        )
    assert not Node.objects.filter(two_factor_required=True).exists()
    assert not AuditEvent.objects.filter(action="policy.two_factor").exists()
    actions.two_factor_policy_set(organiser=org.organiser, required=True, by=users.organiser_admin)
    assert Node.objects.get(pk=org.organiser.pk).two_factor_required


def test_the_operator_removes_a_lost_authenticator(users):
    key = key_new()
    actions.two_factor_enrol(user=users.teacher, key=key, code=code_now(key))
    actions.two_factor_remove(user=users.teacher)
    assert not TOTPDevice.objects.filter(user=users.teacher).exists()
    event = AuditEvent.objects.get(action="two_factor.remove")
    assert event.user is None and event.detail == {"user": "lars", "by": "operator"}
