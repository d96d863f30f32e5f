"""Building the demo organiser into the database (a small-scale copy keeps this fast).

The module builds the demo once (conftest's `demo` fixture: the command, then every test
in a savepoint inside the build's transaction); the slow part is the build, not the checks.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from skolkvalitet.demo.builder import DEMO_USERS, demo_build
from skolkvalitet.demo.generator import generate
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.organisation.models import Node, NodeKind, Pupil, Role, RoleAssignment
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.models import Intervention
from skolkvalitet.reference.models import ReferenceValue
from skolkvalitet.results.models import Assessment, Grade

DEMO_SCALE = 0.08  # read by the `demo` fixture


@pytest.fixture
def built(demo, db):
    """What the one build of this module returned; the test's writes roll back after it."""
    return demo.result


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Node, Pupil, Grade, Assessment, RoleAssignment, Intervention)
    }


def test_it_writes_the_tree_the_facts_the_logins_and_no_personal_number(built):
    """One build, checked from every side (building is the slow part of this module)."""
    # The tree and the facts.
    assert built.built
    assert Node.objects.filter(kind=NodeKind.ORGANISER).count() == 1
    assert Node.objects.filter(kind=NodeKind.AREA).count() == 3
    assert Node.objects.filter(kind=NodeKind.UNIT).count() == 25
    assert Grade.objects.count() == built.counts["grades"] > 0
    assert Assessment.objects.count() == built.counts["assessments"] > 0
    assert Grade.objects.filter(batch=built.batch).count() == Grade.objects.count()
    assert Intervention.objects.count() == 3
    # Every group hangs under its unit with a materialised path.
    for group in Node.objects.filter(kind=NodeKind.GROUP).select_related("parent")[:200]:
        assert group.parent.kind == NodeKind.UNIT
        assert group.path == f"{group.parent.path}{group.pk}/"
    # The indicators are materialised with the demo's data version.
    assert IndicatorValue.objects.count() == built.counts["indicator_values"] > 0
    assert set(IndicatorValue.objects.values_list("data_version", flat=True)) == {built.batch.pk}
    # The nation's published values that ship with the product stand beside the demo's own.
    assert (
        ReferenceValue.objects.filter(area_kind="nation").count()
        == built.counts["nation_values"]
        > 0
    )
    # No personal number is stored: neither the pupils' nor the staff's, in any form.
    data = generate(scale=DEMO_SCALE)
    # The background behind "newly arrived" is stored as generated: born abroad exactly for
    # the pupils with an immigration date, the parents' birth country 1 / 0 / -1 → yes / no /
    # not known.
    assert Pupil.objects.filter(born_abroad=True).count() == int(data.pupils["born_abroad"].sum())
    assert not Pupil.objects.filter(born_abroad=True, arrival_date__isnull=True).exists()
    assert not Pupil.objects.filter(born_abroad=False, arrival_date__isnull=False).exists()
    parents = data.pupils["parents_born_abroad"].tolist()
    assert [
        Pupil.objects.filter(parents_born_abroad=answer).count() for answer in (True, False, None)
    ] == [parents.count(1), parents.count(0), parents.count(-1)]
    numbers = set(data.pupils["personal_number"].tolist()) | set(
        data.staff["personal_number"].tolist()
    )
    forms = numbers | {n[2:] for n in numbers} | {f"{n[2:8]}-{n[8:]}" for n in numbers}
    with connection.cursor() as cursor:
        for table in ("organisation_pupil", "organisation_staffmember"):
            cursor.execute(f"SELECT * FROM {table}")
            values = {str(v) for row in cursor.fetchall() for v in row}
            assert not values & forms
    # One login per role, with its grant.
    assert {login.role for login in built.logins} == {Role(r).label for *_x, r, _k in DEMO_USERS}
    User = get_user_model()
    for username, *_names, role, _key in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.check_password("skolkvalitet-demo")
        assert [g.role for g in scope_for(user).grants] == [role]


def test_building_again_changes_nothing_and_another_seed_is_refused(built):
    before = table_counts()
    again = demo_build(scale=DEMO_SCALE)
    assert not again.built
    assert again.batch == built.batch
    assert table_counts() == before
    with pytest.raises(ValueError, match="empty database"):
        demo_build(scale=DEMO_SCALE, seed=1)
    assert table_counts() == before


def test_the_command_without_serving_builds_and_prints_the_logins(demo, db):
    # The module's one build ran `demo --no-serve` on the empty test database.
    assert demo.result.built
    out = demo.output
    assert "Demo byggd" in out
    for username, *_rest in DEMO_USERS:
        assert username in out


def test_the_command_reports_a_foreign_organiser_as_an_error(built, monkeypatch):
    import skolkvalitet.demo.management.commands.demo as command

    monkeypatch.setattr(
        command, "demo_build", lambda **kw: demo_build(**{**kw, "scale": DEMO_SCALE, "seed": 2})
    )
    with pytest.raises(CommandError, match="empty database"):
        call_command("demo", "--no-serve")
