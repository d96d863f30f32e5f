"""The demo's shared practices (demo/practices.py), run on the built demo the way the builder
is to run it after the cycle: three grundskola units share last year's practice, linked to
their plan's done action under an evaluated goal, and one shares this year's; all published."""

from __future__ import annotations

import pytest

from skolkvalitet.demo import catalogue as cat
from skolkvalitet.demo.practices import LAST_YEAR, RUNNING, practices_build
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind, Role, RoleAssignment
from skolkvalitet.quality.models import PracticeStatus, SharedPractice
from skolkvalitet.quality.practices.selectors import practice_links, practices_of_year

DEMO_SCALE = 0.08  # read by the `demo` fixture


@pytest.fixture
def heads(demo, db) -> dict:
    grants = RoleAssignment.objects.filter(role=Role.UNIT_HEAD, node__kind=NodeKind.UNIT)
    found: dict = {}
    for grant in grants.select_related("user").order_by("pk"):
        found.setdefault(grant.node_id, grant.user)
    return found


def test_three_units_share_last_years_practice_and_one_this_years(heads) -> None:
    if not SharedPractice.objects.exists():  # until the builder runs it after the cycle
        assert practices_build(today=cat.TODAY, heads=heads) == 4
    assert SharedPractice.objects.count() == 4
    organiser = Node.objects.get(kind=NodeKind.ORGANISER)
    previous = AcademicYear.objects.get(code="2025/26")
    running = AcademicYear.objects.get(code="2026/27")

    last = practices_of_year(organiser, previous)
    assert sorted(p.title for p in last) == sorted(p.title for p in LAST_YEAR)
    assert len({p.node_id for p in last}) == 3
    for practice in last:
        assert practice.status == PracticeStatus.PUBLISHED
        assert practice.school_form == "GR"
        (link,) = practice_links(practice)
        assert link.action.status == "done"
        assert link.evaluation is not None  # last year's goal is evaluated
        assert practice.area == link.area.title
    (now,) = practices_of_year(organiser, running)
    assert now.title == RUNNING.title
    assert now.node_id == sorted(last, key=lambda p: p.node.code)[0].node_id
