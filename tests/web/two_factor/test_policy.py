"""Who must log in with a second factor (web/two_factor/policy.py), by hand: a grant with pupil
access under an organiser whose policy requires it, and nothing else; and what a logged-in user
is asked for next. Expired grants never reach the policy: scope_for leaves them out (the last
tests, through the database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from skolkvalitet.organisation import actions as org_actions
from skolkvalitet.organisation.models import Role
from skolkvalitet.organisation.scopes import Grant, scope_for
from skolkvalitet.web.two_factor.policy import Step, next_step, two_factor_required
from skolkvalitet.web.two_factor.selectors import must_verify


@dataclass(frozen=True)
class G:
    path: str
    pupil_access: bool


# Two organisers: 1 requires two-factor login, 7 does not.
REQUIRING = {1}


def test_a_pupil_role_under_a_requiring_organiser_must_verify():
    assert two_factor_required([G("/1/4/17/", True)], REQUIRING)  # a rektor at a unit
    assert two_factor_required([G("/1/", True)], REQUIRING)  # granted on the organiser itself


def test_a_role_without_pupil_access_need_not():
    # The board on the organiser, a coach on an area: no pupil access, no requirement.
    assert not two_factor_required([G("/1/", False), G("/1/4/", False)], REQUIRING)


def test_a_pupil_role_under_another_organiser_need_not():
    assert not two_factor_required([G("/7/9/", True)], REQUIRING)
    assert not two_factor_required([G("/1/", True)], set())  # no organiser requires it


def test_one_grant_that_requires_is_enough():
    grants = [G("/7/9/", True), G("/1/", False), G("/1/4/17/", True)]
    assert two_factor_required(grants, REQUIRING)
    assert not two_factor_required(grants[:2], REQUIRING)


def test_no_grants_need_nothing():
    assert not two_factor_required([], REQUIRING)


def test_the_scope_grants_carry_what_the_policy_reads():
    teacher = Grant(node_id=17, path="/1/4/17/", role=Role.TEACHER)
    board = Grant(node_id=1, path="/1/", role=Role.BOARD)
    assert two_factor_required([teacher], REQUIRING)
    assert not two_factor_required([board], REQUIRING)


@pytest.mark.parametrize(
    ("required", "has_device", "verified", "step"),
    [
        (False, False, False, Step.NONE),  # optional and not set up: the password is enough
        (True, False, False, Step.ENROL),  # required and not set up: set it up first
        (False, True, False, Step.VERIFY),  # set up: a code every time, required or not
        (True, True, False, Step.VERIFY),
        (True, True, True, Step.NONE),  # this session gave its code
        (False, True, True, Step.NONE),
    ],
)
def test_the_next_step(required, has_device, verified, step):
    assert next_step(required=required, has_device=has_device, verified=verified) is step


# -- through the database: valid grants only ---------------------------------------------


@pytest.fixture
def requiring(org):
    org.organiser.two_factor_required = True
    org.organiser.save()
    return org


def test_every_role_with_pupil_access_under_a_requiring_organiser_must_verify(requiring, users):
    expected = {
        Role.ORGANISER_ADMIN: True,
        Role.ANALYST: True,
        Role.UNIT_HEAD: True,
        Role.TEACHER: True,
        Role.BOARD: False,
        Role.COACH: False,
    }
    found = {role: must_verify(scope_for(getattr(users, role.value))) for role in expected}
    assert found == expected


def test_nobody_must_while_the_organiser_does_not_require_it(org, users):
    assert not any(must_verify(scope_for(getattr(users, role.value))) for role in Role)


def test_an_expired_or_future_grant_does_not_require_it(requiring, make_user):
    today = timezone.localdate()
    ended = make_user("ended")
    org_actions.role_grant(
        user=ended,
        node=requiring.unit_n1,
        role=Role.UNIT_HEAD,
        valid_until=today - dt.timedelta(days=1),
    )
    future = make_user("future")
    org_actions.role_grant(
        user=future,
        node=requiring.group_n1a,
        role=Role.TEACHER,
        valid_from=today + dt.timedelta(days=1),
    )
    assert not must_verify(scope_for(ended))
    assert not must_verify(scope_for(future))
    # The day the grant still counts, it requires it.
    assert must_verify(scope_for(ended, on=today - dt.timedelta(days=1)))
    assert must_verify(scope_for(future, on=today + dt.timedelta(days=1)))


def test_the_middleware_reads_device_and_policy_in_one_query(
    requiring, users, enrol, django_assert_num_queries
):
    from skolkvalitet.web.two_factor.selectors import (
        device_and_organisers_requiring,
        has_device,
        organisers_requiring,
    )

    enrol(users.teacher)
    for role in ("teacher", "unit_head", "board"):
        user = getattr(users, role)
        scope = scope_for(user)
        with django_assert_num_queries(1):
            found = device_and_organisers_requiring(user, scope)
        assert found == (has_device(user), organisers_requiring(scope)), role
    assert device_and_organisers_requiring(users.teacher, scope_for(users.teacher)) == (
        True,
        {requiring.organiser.pk},
    )
