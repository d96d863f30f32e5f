"""Who writes and reads a plan, from the capability table (quality/plans/permissions.py):
the role × node matrix."""

from __future__ import annotations

import pytest

from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.plans.permissions import (
    may_read_plan,
    may_set_report_deadlines,
    may_write_plan,
)

pytestmark = pytest.mark.django_db

# role → (writes unit_n1, reads unit_n1, writes the organiser's, reads the organiser's,
#         sets report deadlines)
EXPECTED = {
    "organiser_admin": (False, True, True, True, True),
    "analyst": (False, True, True, True, False),
    "unit_head": (True, True, False, False, False),
    "teacher": (False, False, False, False, False),
    "board": (False, False, False, False, False),
    "coach": (False, False, False, False, False),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_the_plan_permissions_per_role(org, users, role) -> None:
    scope = scope_for(getattr(users, role))
    got = (
        may_write_plan(scope, org.unit_n1),
        may_read_plan(scope, org.unit_n1),
        may_write_plan(scope, org.organiser),
        may_read_plan(scope, org.organiser),
        may_set_report_deadlines(scope),
    )
    assert got == EXPECTED[role]


def test_areas_and_groups_have_no_plan(org, users) -> None:
    for role in EXPECTED:
        scope = scope_for(getattr(users, role))
        for node in (org.area_north, org.group_n1a):
            assert not may_write_plan(scope, node) and not may_read_plan(scope, node)


def test_the_unit_head_writes_only_their_own_unit(org, users) -> None:
    scope = scope_for(users.unit_head)
    assert not may_write_plan(scope, org.unit_n2) and not may_read_plan(scope, org.unit_n2)
