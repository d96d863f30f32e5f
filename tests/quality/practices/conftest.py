"""Fixtures of the shared practices' tests, on top of the shared `org`, `users` and
`client_for` (tests/conftest.py): a second unit head (sara, on Söderskolan), a neighbouring
organiser with its own unit head (olle), a plan action of Norrskolan with its goal evaluated,
and `share(...)`, which writes (and publishes) a practice through the actions."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from skolkvalitet.organisation import actions as org_actions
from skolkvalitet.organisation.models import NodeKind, Role, SchoolForm
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.models import SharedPractice
from skolkvalitet.quality.plans import actions as plan_actions
from skolkvalitet.quality.practices import actions

# What a practice needs to be published.
COMPLETE = {
    "what": "Två lärare i varje mattelektion i årskurs 7, planerat tillsammans varje vecka.",
    "for_whom": "Eleverna i årskurs 7 och deras lärare i matematik.",
    "contact": "Karin Lund, förstelärare i matematik, karin.lund@exempelstad.se",
    "school_form": SchoolForm.GR,
}


@pytest.fixture
def head_s1(org, make_user):
    user = make_user("sara", first_name="Sara", last_name="Ek")
    org_actions.role_grant(user=user, node=org.unit_s1, role=Role.UNIT_HEAD)
    return user


@pytest.fixture
def neighbour(org, make_user) -> SimpleNamespace:
    """Grannby kommun: another organiser, its unit Grannskolan and its unit head olle."""
    ns = SimpleNamespace()
    ns.organiser = org_actions.node_create(
        kind=NodeKind.ORGANISER, name="Grannby kommun", code="2120000002"
    )
    ns.unit = org_actions.node_create(
        kind=NodeKind.UNIT,
        name="Grannskolan",
        parent=ns.organiser,
        code="30000001",
        school_forms=[SchoolForm.GR],
        year_groups=[7, 8, 9],
    )
    ns.head = make_user("olle")
    org_actions.role_grant(user=ns.head, node=ns.unit, role=Role.UNIT_HEAD)
    return ns


@pytest.fixture
def plan_action(org, users):
    """Norrskolan's action "Tvålärarsystem i matematik" under the qualitative goal "Fler elever
    når E i matematik", evaluated as partly met."""
    head = scope_for(users.unit_head)
    area = plan_actions.problem_area_create(
        node=org.unit_n1,
        academic_year=org.year,
        title="Matematik",
        causes="Få elever får stöd i tid under lektionerna.",
        priority=1,
        scope=head,
        by=users.unit_head,
    )
    goal = plan_actions.goal_create_qualitative(
        area=area,
        title="Fler elever når E i matematik",
        criterion="Färre elever behöver extra anpassningar i matematik.",
        scope=head,
        by=users.unit_head,
    )
    action = plan_actions.plan_action_create(
        goal=goal,
        title="Tvålärarsystem i matematik",
        owner_name="Matematiklärarna",
        starts=dt.date(2024, 9, 1),
        ends=dt.date(2025, 6, 1),
        status="done",
        scope=head,
        by=users.unit_head,
    )
    plan_actions.goal_evaluate(
        goal=goal,
        verdict="partly",
        reasons="Stödet kom tidigare, men bara i hälften av grupperna.",
        scope=head,
        by=users.unit_head,
    )
    return action


@pytest.fixture
def share(org, users):
    """share(title, node=Norrskolan, by=the unit head, publish=True, **fields) → the
    practice, written (and published) through the actions, complete unless told."""

    def write(title: str, *, node=None, by=None, publish: bool = True, year=None, **fields):
        by = by or users.unit_head
        scope = scope_for(by)
        practice = actions.practice_save(
            node=node or org.unit_n1,
            academic_year=year or org.year,
            title=title,
            **{**COMPLETE, **fields},
            scope=scope,
            by=by,
        )
        if publish:
            practice = actions.practice_publish(practice=practice, scope=scope, by=by)
        return SharedPractice.objects.get(pk=practice.pk)

    return write
