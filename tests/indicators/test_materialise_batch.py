"""After an import only the periods it touched are recomputed."""

from __future__ import annotations

import datetime as dt

import pytest

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.indicators.materialise import (
    indicators_materialise,
    indicators_materialise_batch,
    periods_touched,
)
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Term
from skolkvalitet.results.models import Assessment, AssessmentScale, Grade, Subject

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar(org):
    older = AcademicYear.objects.create(
        code="2023/24", start_date=dt.date(2023, 8, 15), end_date=dt.date(2024, 6, 14)
    )
    terms = {}
    for year in (older, org.year):
        terms[year.code] = Term.objects.create(
            academic_year=year,
            kind="VT",
            start_date=year.end_date.replace(month=1, day=8),
            end_date=year.end_date,
        )
    point = FollowUpPoint.objects.create(
        term=terms["2024/25"],
        ordinal=1,
        name="Uppföljning 1 VT2025",
        assessed_on=dt.date(2025, 2, 15),
        deadline=dt.date(2025, 3, 1),
    )
    return terms, point


def grade(org, term, batch, name, value):
    Grade.objects.create(
        pupil=org.pupils[name],
        unit=org.enrolments[name].unit,
        term=term,
        year_group=9,
        subject=Subject.objects.get(code="MA"),
        value=value,
        grade_type="final",
        batch=batch,
    )


def test_a_batch_touches_the_years_of_its_grades_and_the_points_of_its_assessments(org, calendar):
    terms, point = calendar
    grades_batch = ImportBatch.objects.create(kind="grades", source_name="betyg.csv")
    grade(org, terms["2024/25"], grades_batch, "Alva", "A")
    assessments_batch = ImportBatch.objects.create(kind="assessments", source_name="b.csv")
    Assessment.objects.create(
        pupil=org.pupils["Alva"],
        unit=org.unit_n1,
        follow_up_point=point,
        year_group=7,
        subject=Subject.objects.get(code="MA"),
        scale=AssessmentScale.objects.get(code="forecast_af"),
        value="C",
        batch=assessments_batch,
    )
    assert periods_touched(batch=grades_batch) == ({org.year.pk}, set())
    assert periods_touched(batch=assessments_batch) == (set(), {point.pk})


def test_only_the_touched_year_is_recomputed(org, calendar):
    terms, _point = calendar
    first = ImportBatch.objects.create(kind="grades", source_name="2023-24.csv")
    grade(org, terms["2023/24"], first, "Alva", "F")
    indicators_materialise()
    older = IndicatorValue.objects.get(
        indicator="passed_MA",
        node=org.organiser,
        period_id=terms["2023/24"].academic_year_id,
        breakdown="",
    )
    second = ImportBatch.objects.create(kind="grades", source_name="2024-25.csv")
    grade(org, terms["2024/25"], second, "Alva", "B")
    result = indicators_materialise_batch(batch=second)
    assert result.chunks == 1
    newer = IndicatorValue.objects.get(
        indicator="passed_MA", node=org.organiser, period_id=org.year.pk, breakdown=""
    )
    assert newer.value == 100 and newer.data_version == second.pk
    # The other year's row was not rewritten: same row, same data version.
    unchanged = IndicatorValue.objects.get(pk=older.pk)
    assert unchanged.value == 0 and unchanged.data_version == first.pk


def test_each_indicator_node_period_and_breakdown_is_stored_once(org, calendar):
    terms, _point = calendar
    batch = ImportBatch.objects.create(kind="grades", source_name="betyg.csv")
    for name, value in (("Alva", "A"), ("Bella", "F"), ("Frida", "C")):
        grade(org, terms["2024/25"], batch, name, value)
    indicators_materialise()
    indicators_materialise(years=[org.year.pk])  # recomputing replaces, never adds
    keys = list(
        IndicatorValue.objects.values_list(
            "indicator", "node_id", "period_kind", "period_id", "breakdown"
        )
    )
    assert keys and len(keys) == len(set(keys))
