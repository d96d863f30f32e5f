"""GET /plans: a node's nulägesanalys and utvecklingsplan, read-only, for its writers and
reviewers only, with figures as the token's user may see them."""

from __future__ import annotations

import datetime as dt

import pytest

from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.plans.actions import (
    evidence_add_qualitative,
    goal_create_qualitative,
    plan_action_create,
    problem_area_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(materialised, users):
    head = scope_for(users.unit_head)
    area = problem_area_create(
        node=materialised.unit_n1,
        academic_year=materialised.year,
        title="Matematik",
        causes="Stödet sätts in för sent.",
        priority=1,
        scope=head,
        by=users.unit_head,
    )
    evidence_add_qualitative(
        area=area, text="Lärarnas iakttagelser.", scope=head, by=users.unit_head
    )
    goal = goal_create_qualitative(
        area=area,
        title="Tidigt stöd",
        criterion="Alla får stöd före jul.",
        scope=head,
        by=users.unit_head,
    )
    plan_action_create(
        goal=goal,
        title="Kartläggning",
        starts=dt.date(2024, 9, 1),
        ends=dt.date(2024, 10, 31),
        owner_name="Rut",
        scope=head,
        by=users.unit_head,
    )
    return materialised


def url(org) -> str:
    return f"/api/v1/plans?node={org.unit_n1.pk}&academic_year={org.year.pk}"


def test_the_unit_head_reads_the_plan(plan, users, api_client) -> None:
    data = api_client(users.unit_head).get(url(plan)).json()
    [area] = data["areas"]
    assert (area["title"], area["causes"], area["priority"]) == (
        "Matematik",
        "Stödet sätts in för sent.",
        1,
    )
    assert area["evidence"] == [
        {"kind": "qualitative", "figure": None, "text": "Lärarnas iakttagelser."}
    ]
    [goal] = area["goals"]
    assert (goal["kind"], goal["progress"], goal["evaluation"]) == ("qualitative", None, None)
    [action] = goal["actions"]
    assert (action["owner"], action["status"], action["overdue"]) == ("Rut", "planned", True)


def test_reviewers_read_it_the_board_and_teachers_do_not(plan, users, api_client) -> None:
    assert api_client(users.analyst).get(url(plan)).status_code == 200
    assert api_client(users.board).get(url(plan)).status_code == 404
    assert api_client(users.teacher).get(url(plan)).status_code == 404
