"""Retention per organiser (operations/retention/actions.py): each organiser's pupil-level data
goes after its own period, and only its own. The world of conftest.py (Exempelstads kommun,
"A") and a second organiser, Grannby kommun ("B"), with one unit, Grannskolan, where Gammal
was also enrolled in 2018/19 (with absence there), and where Alva has a 2024/25 enrolment.
On 1 September 2026 a five-year period erases 2018/19 and 2020/21."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q

from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.indicators.models import ErasedYear, IndicatorValue
from skolkvalitet.operations.retention.actions import retention_apply, retention_apply_all
from skolkvalitet.organisation import actions
from skolkvalitet.organisation.models import (
    AuditEvent,
    Enrolment,
    Node,
    NodeKind,
    Pupil,
    SchoolForm,
    Term,
)
from skolkvalitet.organisation.retention_policy import (
    organiser_retention_years,
    retention_last_run,
)
from skolkvalitet.results.models import Absence, Grade

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 9, 1)


@pytest.fixture
def two(world, settings) -> SimpleNamespace:
    settings.SKOLKVALITET_RETENTION_YEARS = 5
    ns = SimpleNamespace(world=world, a=world.org.organiser)
    ns.b = actions.node_create(kind=NodeKind.ORGANISER, name="Grannby kommun", code="2120000002")
    ns.b_area = actions.node_create(kind=NodeKind.AREA, name="Centrum", parent=ns.b)
    ns.b_unit = actions.node_create(
        kind=NodeKind.UNIT,
        name="Grannskolan",
        parent=ns.b_area,
        code="30000001",
        school_forms=[SchoolForm.GR],
        year_groups=[7, 8, 9],
    )
    ht18 = Term.objects.get(academic_year=world.y18, kind="HT")
    Enrolment.objects.create(
        pupil=world.gammal,
        academic_year=world.y18,
        unit=ns.b_unit,
        school_form=SchoolForm.GR,
        year_group=9,
    )
    ns.b_absence = Absence.objects.create(
        pupil=world.gammal,
        unit=ns.b_unit,
        term=ht18,
        starts_on=ht18.start_date,
        ends_on=ht18.end_date,
        year_group=9,
        scheduled_minutes=6000,
        absent_minutes=600,
        unexcused_minutes=200,
        batch=world.old_batch,
    )
    return ns


def b_rows(two) -> dict[str, int]:
    return {
        "enrolments": Enrolment.objects.filter(unit=two.b_unit).count(),
        "absence": Absence.objects.filter(unit=two.b_unit).count(),
    }


def test_one_organisers_run_leaves_the_other_organisers_rows_and_their_pupil(two) -> None:
    world = two.world
    outcome = retention_apply(organiser=two.a, today=TODAY)
    assert outcome.years == ["2018/19", "2020/21"] and outcome.years_kept == 5
    # A's 2018/19 rows of Gammal are gone; B's stay, and so does Gammal, who still has them.
    assert not Enrolment.objects.filter(pupil=world.gammal, unit=world.org.unit_n1).exists()
    assert not Grade.objects.filter(pupil=world.gammal).exists()
    assert b_rows(two) == {"enrolments": 1, "absence": 1}
    assert Pupil.objects.filter(pk=world.gammal.pk).exists()
    assert outcome.removed["organisation_pupil"] == 0
    assert outcome.removed["results_absence"] == 1  # A's, not B's
    assert set(ErasedYear.objects.values_list("organiser_id", "academic_year__code")) == {
        (two.a.pk, "2018/19"),
        (two.a.pk, "2020/21"),
    }

    # B's own run then takes B's rows, and Gammal, now left with nothing anywhere.
    later = retention_apply(organiser=two.b, today=TODAY)
    assert b_rows(two) == {"enrolments": 0, "absence": 0}
    assert not Pupil.objects.filter(pk=world.gammal.pk).exists()
    assert later.removed["organisation_pupil"] == 1
    assert later.removed["results_absence"] == 1
    assert later.removed["results_grade"] == 0
    assert ErasedYear.objects.filter(organiser=two.b).count() == 2


def test_each_organiser_runs_with_its_own_period(two) -> None:
    two.b.retention_years = 20
    two.b.save(update_fields=["retention_years"])
    assert organiser_retention_years(two.a) == 5  # the installation's default
    assert organiser_retention_years(two.b) == 20
    outcomes = {o.organiser.pk: o for o in retention_apply_all(today=TODAY)}
    assert outcomes[two.a.pk].years == ["2018/19", "2020/21"]
    assert outcomes[two.b.pk].years == [] and outcomes[two.b.pk].removed == {}
    assert b_rows(two) == {"enrolments": 1, "absence": 1}
    assert not ErasedYear.objects.filter(organiser=two.b).exists()
    # One event per organiser, on the organiser, with its period.
    events = {e.node_id: e for e in AuditEvent.objects.filter(action="retention")}
    assert set(events) == {two.a.pk, two.b.pk}
    assert events[two.a.pk].detail["years_kept"] == 5
    assert events[two.b.pk].detail["years_kept"] == 20
    assert events[two.b.pk].detail["years"] == []
    assert retention_last_run(two.b) == events[two.b.pk]


def test_a_shorter_period_of_the_organiser_erases_more(two) -> None:
    two.b.retention_years = 6  # cut-off 1 September 2020: 2018/19 only
    two.b.save(update_fields=["retention_years"])
    (outcome,) = retention_apply_all(today=TODAY, organiser_code="2120000002")
    assert outcome.years == ["2018/19"]
    assert b_rows(two) == {"enrolments": 0, "absence": 0}
    assert list(
        ErasedYear.objects.filter(organiser=two.b).values_list("academic_year__code", flat=True)
    ) == ["2018/19"]


def test_a_dry_run_for_every_organiser_changes_nothing(two) -> None:
    counts = (Enrolment.objects.count(), Absence.objects.count(), Pupil.objects.count())
    outcomes = retention_apply_all(today=TODAY, dry_run=True)
    assert [o.dry_run for o in outcomes] == [True, True]
    assert (Enrolment.objects.count(), Absence.objects.count(), Pupil.objects.count()) == counts
    assert not ErasedYear.objects.exists()
    assert not AuditEvent.objects.filter(action="retention").exists()


def test_retention_runs_for_an_organiser_only(two) -> None:
    with pytest.raises(ValueError):
        retention_apply(organiser=two.b_unit, today=TODAY)
    with pytest.raises(ValueError):
        retention_apply_all(today=TODAY, organiser_code="9999999999")


def test_the_command_runs_each_organiser_or_the_one_named(two, capsys) -> None:
    two.b.retention_years = 30  # keeps everything for decades to come
    two.b.save(update_fields=["retention_years"])
    call_command("retention", "--organiser", "2120000002")
    out = capsys.readouterr().out
    assert "Grannby kommun" in out and "Exempelstads kommun" not in out
    assert b_rows(two) == {"enrolments": 1, "absence": 1}
    call_command("retention")
    out = capsys.readouterr().out
    assert "Grannby kommun" in out and "Exempelstads kommun" in out
    assert ErasedYear.objects.filter(organiser=two.a).count() >= 2
    assert not ErasedYear.objects.filter(organiser=two.b).exists()
    assert b_rows(two) == {"enrolments": 1, "absence": 1}
    with pytest.raises(CommandError):
        call_command("retention", "--years", "5")
    with pytest.raises(CommandError):
        call_command("retention", "--organiser", "9999999999")


def figures_2018(root: Node, year) -> list[tuple]:
    """The values of `root`'s subtree for 2018/19 and its terms."""
    nodes = list(Node.objects.filter(path__startswith=root.path).values_list("pk", flat=True))
    terms = list(Term.objects.filter(academic_year=year).values_list("pk", flat=True))
    return sorted(
        IndicatorValue.objects.filter(node_id__in=nodes)
        .filter(
            Q(period_kind="year", period_id=year.pk) | Q(period_kind="term", period_id__in=terms)
        )
        .values_list("indicator", "node_id", "period_kind", "period_id", "breakdown", "value", "n"),
        key=repr,
    )


def test_a_kept_organisers_year_is_computed_again_and_an_erased_ones_is_not(two) -> None:
    """Needs the materialisation's erased-year filter per organiser (indicators/materialise.py:
    a year erased for one organiser is still computed for the others)."""
    world = two.world
    indicators_materialise(years=[world.y18.pk])
    a_before, b_before = figures_2018(two.a, world.y18), figures_2018(two.b, world.y18)
    assert a_before and b_before
    retention_apply(organiser=two.a, today=TODAY)
    Absence.objects.filter(pk=two.b_absence.pk).update(absent_minutes=3000)
    indicators_materialise(years=[world.y18.pk])
    assert figures_2018(two.a, world.y18) == a_before  # A's erased year keeps its figures
    assert figures_2018(two.b, world.y18) != b_before  # B's kept year follows its facts
