"""Retention (gallring, operations/retention/actions.py): the pupil-level rows of the academic
years that ended more than the retention period ago are gone; the published figures of every
year, the quality reports and what later years' figures rest on stay; a dry run changes
nothing; the run is audit-logged. The world of conftest.py: 2018/19 and 2020/21 are past a
five-year period on 1 September 2026 (cut-off 1 September 2021), 2024/25 is kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.batches.models import ImportJournal
from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.indicators.models import ErasedYear, IndicatorValue
from skolkvalitet.ingest.models import Ss12000Link
from skolkvalitet.operations.retention.actions import retention_apply, retention_cutoff
from skolkvalitet.organisation.models import AuditEvent, Enrolment, Pupil
from skolkvalitet.quality.models import QualityReport, ReportFigure
from skolkvalitet.results.models import Absence, Assessment, Grade, NationalTest

from .snapshot import differences, tables_snapshot

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 9, 1)


def figures() -> list[tuple]:
    return sorted(
        IndicatorValue.objects.values_list(
            "indicator",
            "node_id",
            "period_kind",
            "period_id",
            "breakdown",
            "value",
            "n",
            "numerator",
            "denominator",
            "suppression",
            "data_version",
        ),
        key=repr,
    )


def reports() -> list[tuple]:
    return sorted(QualityReport.objects.values_list(), key=repr) + sorted(
        ReportFigure.objects.values_list(), key=repr
    )


def test_the_cut_off_is_the_period_before_today() -> None:
    assert retention_cutoff(today=TODAY, years_kept=5) == dt.date(2021, 9, 1)
    assert retention_cutoff(today=dt.date(2028, 2, 29), years_kept=5) == dt.date(2023, 2, 28)


@given(
    today=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)),
    years=st.integers(min_value=1, max_value=50),
)
def test_the_cut_off_lies_the_period_back_to_the_day_or_a_day_more(today, years) -> None:
    cutoff = retention_cutoff(today=today, years_kept=years)
    assert cutoff.year == today.year - years
    assert (cutoff.month, cutoff.day) in {(today.month, today.day), (2, 28)}


def test_the_old_years_pupil_rows_are_gone_and_the_kept_years_stay(world) -> None:
    kept_year = {
        "grades": Grade.objects.filter(term__academic_year=world.y24).count(),
        "absence": Absence.objects.filter(term__academic_year=world.y24).count(),
        "assessments": Assessment.objects.filter(follow_up_point=world.p24).count(),
        "enrolments": Enrolment.objects.filter(academic_year=world.y24).count(),
    }
    outcome = retention_apply(organiser=world.org.organiser, years_kept=5, today=TODAY)

    assert outcome.years == ["2018/19", "2020/21"]
    assert outcome.cutoff == dt.date(2021, 9, 1)
    assert not Pupil.objects.filter(pk=world.gammal.pk).exists()
    assert Pupil.objects.filter(pk=world.josef.pk).exists()  # enrolled in 2024/25 too
    old = (world.y18, world.y20)
    assert not Enrolment.objects.filter(academic_year__in=old).exists()
    assert not NationalTest.objects.exists()
    assert not Absence.objects.filter(term__academic_year__in=old).exists()
    assert not Assessment.objects.filter(follow_up_point=world.p18).exists()
    # Of 2020/21 only Josef's final grade of HKK, ended in year 8, stays: his 2024/25
    # leaving certificate counts it. His term grade in MA is gone.
    assert list(
        Grade.objects.filter(term__academic_year__in=old).values_list(
            "pupil_id", "subject__code", "grade_type", "year_group"
        )
    ) == [(world.josef.pk, "HKK", "final", 8)]
    assert {
        "grades": Grade.objects.filter(term__academic_year=world.y24).count(),
        "absence": Absence.objects.filter(term__academic_year=world.y24).count(),
        "assessments": Assessment.objects.filter(follow_up_point=world.p24).count(),
        "enrolments": Enrolment.objects.filter(academic_year=world.y24).count(),
    } == kept_year
    assert not Ss12000Link.objects.filter(resource="pupils").exists()
    assert ImportJournal.objects.get(pk=world.journal.pk).rows == [[world.josef.pk]]
    event = AuditEvent.objects.get(pk=world.audit.pk)
    assert event.pupil_ids == [world.josef.pk]
    assert event.detail["pupils_erased"] == 1
    assert (event.action, event.username) == ("view_pupil_history", "agnes")
    assert set(ErasedYear.objects.values_list("academic_year__code", flat=True)) == {
        "2018/19",
        "2020/21",
    }
    assert outcome.removed == {
        "results_grade": 4,  # Gammal's SV, EN, MA and Josef's term grade in MA
        "results_assessment": 1,
        "results_nationaltest": 1,
        "results_absence": 1,
        "organisation_enrolment": 2,
        "organisation_pupil": 1,
        "ingest_ss12000link": 1,
        "organisation_auditevent.pupil_ids": 1,
        "ingest_importjournal.rows": 1,
    }


def test_the_figures_and_the_reports_stay_and_a_later_materialise_keeps_them(world) -> None:
    before_figures, before_reports = figures(), reports()
    assert IndicatorValue.objects.filter(period_kind="year", period_id=world.y18.pk).exists()
    retention_apply(organiser=world.org.organiser, years_kept=5, today=TODAY)
    assert figures() == before_figures
    assert reports() == before_reports

    # Computed again from the facts left, every year, erased or kept, gives what it gave.
    indicators_materialise()
    assert figures() == before_figures
    indicators_materialise(years=[world.y18.pk], points=[world.p18.pk])
    assert figures() == before_figures
    assert reports() == before_reports


def test_without_the_kept_ended_subject_the_kept_year_would_change(world) -> None:
    """The test above can fail: the 2024/25 figures do rest on the 2020/21 HKK grade."""
    before = figures()
    Grade.objects.filter(subject__code="HKK").delete()
    indicators_materialise(years=[world.y24.pk])
    assert figures() != before


def test_a_dry_run_changes_nothing_and_counts_what_the_run_removes(world) -> None:
    before = tables_snapshot()
    dry = retention_apply(organiser=world.org.organiser, years_kept=5, today=TODAY, dry_run=True)
    assert differences(before, tables_snapshot()) == []
    real = retention_apply(organiser=world.org.organiser, years_kept=5, today=TODAY)
    assert dry.dry_run and not real.dry_run
    assert dry.removed == real.removed
    assert dry.years == real.years


def test_the_run_is_audit_logged(world) -> None:
    retention_apply(
        organiser=world.org.organiser, years_kept=5, today=TODAY, by=world.users.organiser_admin
    )
    event = AuditEvent.objects.get(action="retention")
    assert event.username == "agnes"
    assert event.detail["years"] == ["2018/19", "2020/21"]
    assert event.detail["cutoff"] == "2021-09-01"
    assert event.detail["removed"]["organisation_pupil"] == 1
    assert event.pupil_ids == []


def test_a_longer_period_keeps_more(world) -> None:
    outcome = retention_apply(
        organiser=world.org.organiser, years_kept=6, today=TODAY
    )  # cut-off 1 September 2020
    assert outcome.years == ["2018/19"]
    assert Enrolment.objects.filter(academic_year=world.y20).exists()
    # Josef's 2020/21 rows are all there; nothing of him goes.
    assert Grade.objects.filter(pupil=world.josef, term__academic_year=world.y20).count() == 2


def test_a_year_ending_on_the_cut_off_day_is_kept(world) -> None:
    outcome = retention_apply(
        organiser=world.org.organiser, years_kept=5, today=dt.date(2026, 6, 11)
    )  # 2020/21's last day
    assert outcome.years == ["2018/19"]


def test_nothing_to_remove_is_said_and_the_run_is_still_logged(world) -> None:
    before = tables_snapshot()
    outcome = retention_apply(organiser=world.org.organiser, years_kept=20, today=TODAY)
    assert outcome.years == [] and outcome.removed == {}
    (event,) = AuditEvent.objects.filter(action="retention")
    assert event.node == world.org.organiser
    assert event.detail["years"] == [] and event.detail["years_kept"] == 20
    changed = differences(before, tables_snapshot())
    assert [line.split(":")[0] for line in changed] == ["organisation_auditevent"]


def test_a_period_under_a_year_is_refused(world) -> None:
    with pytest.raises(ValueError):
        retention_apply(organiser=world.org.organiser, years_kept=0, today=TODAY)


def test_the_command_dry_run_says_what_would_go(world, capsys) -> None:
    before = tables_snapshot()
    call_command("retention", "--dry-run", "--organiser", "2120000001", "--years", "5")
    out = capsys.readouterr().out
    assert "2018/19, 2020/21" in out
    assert "organisation_pupil: 1" in out
    assert differences(before, tables_snapshot()) == []
