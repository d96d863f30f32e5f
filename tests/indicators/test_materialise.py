"""indicators_materialise(): facts written through the ORM for the named pupils of conftest.py,
computed and stored in IndicatorValue, checked against values computed by hand."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from unittest.mock import patch

import polars as pl
import pytest

from skolkvalitet.batches.models import BatchStatus, ImportBatch
from skolkvalitet.indicators.materialise import data_version_current, indicators_materialise
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, NodeKind, Term
from skolkvalitet.results.models import Assessment, AssessmentScale, Grade, Subject

pytestmark = pytest.mark.django_db

# Final grades in year 9, spring term 2025 (SV, EN, MA; Alva also M1).
#                 merit value (17)                    MA passed   EN passed
FINAL = {
    "Alva": {"SV": "A", "EN": "B", "MA": "C", "M1": "B"},  # 20+17.5+15 + 17.5 = 70   yes  yes
    "Bella": {"SV": "C", "EN": "C", "MA": "E"},  # 15+15+10 = 40                     yes  yes
    "Cesar": {"SV": "E", "EN": "E", "MA": "F"},  # 10+10+0 = 20                      no   yes
    "David": {"SV": "F", "EN": "F", "MA": "F"},  # no grade A–E: not counted          no   no
    "Elsa": {"SV": "B", "EN": "A", "MA": "B"},  # 17.5+20+17.5 = 55                  yes  yes
    "Frida": {"SV": "D", "EN": "D", "MA": "D"},  # 12.5 × 3 = 37.5                    yes  yes
    "Gustav": {"SV": "-", "EN": "E", "MA": "F"},  # 0+10+0 = 10                       no   yes
    "Hanna": {"SV": "A", "EN": "A", "MA": "A"},  # 60                                 yes  yes
    "Ida": {"SV": "F", "EN": "C", "MA": "F"},  # 0+15+0 = 15                        no   yes
    "Josef": {"SV": "C", "EN": "B", "MA": "F"},  # 15+17.5+0 = 32.5                   no   yes
}
NORTH = ("Alva", "Bella", "Cesar", "David", "Elsa", "Frida", "Gustav")
GIRLS = ("Alva", "Bella", "Elsa", "Frida", "Hanna", "Ida")

# Term grades of the autumn term, year 7, unit_n1.
TERM_MA = {"Alva": "A", "Bella": "F", "Cesar": "C"}

# Assessments at the first follow-up point of the autumn: MA on the A–F forecast scale at
# unit_n1, EN on the reaches / at risk scale at unit_s1; and MA at the spring point.
P1_MA = {"Alva": "A", "Bella": "F", "Cesar": "E"}
P1_EN = {"Hanna": "reaches", "Ida": "at_risk"}
P2_MA = {"Alva": "B", "Bella": "B"}


@pytest.fixture
def facts(org):
    """The facts above for org.year, in two applied import batches (and a later rolled-back
    one that does not count)."""
    year = org.year
    ns = SimpleNamespace(org=org, year=year)
    # The organiser's imports, as the write path binds them (ImportBatch.organiser).
    mine = {"organiser": org.organiser}
    ns.batch = ImportBatch.objects.create(kind="grades", source_name="betyg.csv", **mine)
    ns.latest_batch = ImportBatch.objects.create(kind="assessments", source_name="bed.csv", **mine)
    ImportBatch.objects.create(
        kind="grades", source_name="x.csv", status=BatchStatus.ROLLED_BACK, **mine
    )
    ns.ht = Term.objects.create(
        academic_year=year,
        kind="HT",
        start_date=dt.date(2024, 8, 19),
        end_date=dt.date(2025, 1, 10),
    )
    ns.vt = Term.objects.create(
        academic_year=year,
        kind="VT",
        start_date=dt.date(2025, 1, 13),
        end_date=dt.date(2025, 6, 13),
    )
    ns.p1 = FollowUpPoint.objects.create(
        term=ns.ht,
        ordinal=1,
        name="Uppföljning 1 HT2024",
        assessed_on=dt.date(2024, 10, 15),
        deadline=dt.date(2024, 11, 1),
    )
    ns.p2 = FollowUpPoint.objects.create(
        term=ns.vt,
        ordinal=1,
        name="Uppföljning 1 VT2025",
        assessed_on=dt.date(2025, 3, 15),
        deadline=dt.date(2025, 4, 1),
    )
    subjects = {s.code: s for s in Subject.objects.all()}
    scales = {s.code: s for s in AssessmentScale.objects.all()}
    grades = [
        Grade(
            pupil=org.pupils[name],
            unit=org.enrolments[name].unit,
            term=ns.vt,
            year_group=9,
            subject=subjects[code],
            value=value,
            grade_type="final",
            batch=ns.batch,
        )
        for name, by_subject in FINAL.items()
        for code, value in by_subject.items()
    ]
    grades += [
        Grade(
            pupil=org.pupils[name],
            unit=org.unit_n1,
            term=ns.ht,
            year_group=7,
            subject=subjects["MA"],
            value=value,
            grade_type="term",
            batch=ns.batch,
        )
        for name, value in TERM_MA.items()
    ]
    Grade.objects.bulk_create(grades)
    assessments = [
        (ns.p1, "MA", "forecast_af", P1_MA),
        (ns.p1, "EN", "on_track", P1_EN),
        (ns.p2, "MA", "forecast_af", P2_MA),
    ]
    Assessment.objects.bulk_create(
        Assessment(
            pupil=org.pupils[name],
            unit=org.enrolments[name].unit,
            follow_up_point=point,
            year_group=org.enrolments[name].year_group,
            subject=subjects[code],
            scale=scales[scale],
            value=value,
            batch=ns.latest_batch,
        )
        for point, code, scale, by_pupil in assessments
        for name, value in by_pupil.items()
    )
    return ns


@pytest.fixture
def materialised(facts):
    facts.result = indicators_materialise()
    return facts


def get(indicator, node, period_kind, period_id, breakdown="") -> IndicatorValue:
    return IndicatorValue.objects.get(
        indicator=indicator,
        node=node,
        period_kind=period_kind,
        period_id=period_id,
        breakdown=breakdown,
    )


def figures(v: IndicatorValue) -> tuple:
    return (v.n, v.numerator, v.denominator, v.suppression)


def snapshot(**filters) -> set[tuple]:
    return set(
        IndicatorValue.objects.filter(**filters).values_list(
            "id",
            "indicator",
            "family",
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
        )
    )


def without_id(rows: set[tuple]) -> set[tuple]:
    return {row[1:] for row in rows}


# --- Values -----------------------------------------------------------------------------


def test_passed_ma_at_a_unit_its_area_and_the_organiser(materialised):
    org, year = materialised.org, materialised.year.pk
    unit = get("passed_MA", org.unit_n1, "year", year)  # Alva, Bella, Elsa of five
    assert unit.value == pytest.approx(60.0)
    assert figures(unit) == (5, 3, 5, "..")
    area = get("passed_MA", org.area_north, "year", year)  # and Frida of seven
    assert area.value == pytest.approx(100 * 4 / 7)
    assert figures(area) == (7, 4, 7, "..")
    south = get("passed_MA", org.area_south, "year", year)  # Hanna of three
    assert figures(south) == (3, 1, 3, "..")
    organiser = get("passed_MA", org.organiser, "year", year)  # ten pupils: shown
    assert organiser.value == pytest.approx(50.0)
    assert figures(organiser) == (10, 5, 10, "")


def test_a_subject_pass_share_with_one_pupil_missing_is_stored_as_a_number(materialised):
    # Skolverket publishes year 9's subject pass shares as numbers, never ~100.
    organiser = get("passed_EN", materialised.org.organiser, "year", materialised.year.pk)
    assert organiser.value == pytest.approx(90.0)
    assert figures(organiser) == (10, 9, 10, "")


def test_merit_value_17_is_the_mean_over_pupils_with_a_grade_a_to_e(materialised):
    org, year = materialised.org, materialised.year.pk
    unit = get("merit_value_17", org.unit_n1, "year", year)  # David is not counted
    assert unit.value == pytest.approx((70 + 40 + 20 + 55) / 4)
    assert figures(unit) == (4, 185, 4, "..")
    organiser = get("merit_value_17", org.organiser, "year", year)
    assert organiser.value == pytest.approx(340 / 9)
    assert figures(organiser) == (9, 340, 9, "")  # 2024/25: at least 5 at organiser level
    sixteen = get("merit_value_16", org.unit_n1, "year", year)  # M1 among the best 16
    assert sixteen.value == pytest.approx(46.25)


def test_the_gender_breakdown_splits_the_organisers_pupils(materialised):
    org, year = materialised.org, materialised.year.pk
    girls = get("passed_MA", org.organiser, "year", year, "gender=F")
    boys = get("passed_MA", org.organiser, "year", year, "gender=M")
    assert figures(girls) == (6, 5, 6, "..")
    assert girls.value == pytest.approx(100 * 5 / 6)
    assert figures(boys) == (4, 0, 4, "..")
    assert boys.value == pytest.approx(0.0)
    breakdowns = set(
        IndicatorValue.objects.filter(
            indicator="passed_MA", node=org.organiser, period_kind="year"
        ).values_list("breakdown", flat=True)
    )
    assert {
        "",
        "gender=F",
        "gender=M",
        "newly_arrived=no",
        "sva=no",
        "parents_education=unknown",
    } <= breakdowns
    assert not any(b.startswith("year_group=") for b in breakdowns)  # not for final grades


def test_groups_get_totals_only(materialised):
    org, year = materialised.org, materialised.year.pk
    group = get("passed_MA", org.group_n1a, "year", year)  # Alva, Bella; not Cesar
    assert figures(group) == (3, 2, 3, "..")
    assert not IndicatorValue.objects.filter(node=org.group_n1b, indicator="merit_value_17")
    assert IndicatorValue.objects.filter(node__kind=NodeKind.GROUP).exists()
    assert not IndicatorValue.objects.filter(node__kind=NodeKind.GROUP).exclude(breakdown="")
    # Elsa is in no group: the groups of unit_n1 hold four of its five pupils.
    assert get("passed_MA", org.group_n1b, "year", year).n == 1


def test_term_grades_are_stored_per_term(materialised):
    org, ht = materialised.org, materialised.ht.pk
    passed = get("term_passed_MA", org.unit_n1, "term", ht)
    assert figures(passed) == (3, 2, 3, "..")
    points = get("term_grade_points_MA", org.group_n1a, "term", ht)
    assert points.value == pytest.approx((20 + 0 + 15) / 3)
    assert get("term_passed_MA", org.unit_n1, "term", ht, "year_group=7").n == 3
    # The spring term's grades of year 9 are the final grades.
    assert get("term_passed_MA", org.organiser, "term", materialised.vt.pk).n == 10


def test_assessments_are_stored_per_follow_up_point(materialised):
    org, p1 = materialised.org, materialised.p1.pk
    assert figures(get("on_track_MA", org.unit_n1, "point", p1)) == (3, 2, 3, "..")
    assert get("forecast_points_MA", org.unit_n1, "point", p1).value == pytest.approx(10.0)
    assert figures(get("on_track_EN", org.unit_s1, "point", p1)) == (2, 1, 2, "..")
    # "reaches" / "at risk" has no grade points.
    assert not IndicatorValue.objects.filter(indicator="forecast_points_EN")
    # Alva, Cesar and Hanna are on track in everything assessed; Bella and Ida are not.
    # Five pupils: enough at organiser level in 2024/25 (from 2023/24 on, fewer than 5).
    assert figures(get("on_track_all_subjects", org.organiser, "point", p1)) == (5, 3, 5, "")
    p2 = get("on_track_MA", org.unit_n1, "point", materialised.p2.pk)
    assert figures(p2) == (2, 2, 2, "..")


def test_before_2023_24_the_organiser_needs_ten_pupils_too(materialised):
    # The same facts in an academic year that began in 2022: 10 at every level.
    org, year = materialised.org, materialised.year
    AcademicYear.objects.filter(pk=year.pk).update(start_date=dt.date(2022, 8, 15))
    indicators_materialise()
    assert figures(get("merit_value_17", org.organiser, "year", year.pk)) == (9, 340, 9, "..")
    p1 = materialised.p1.pk
    assert figures(get("on_track_all_subjects", org.organiser, "point", p1)) == (5, 3, 5, "..")
    assert figures(get("passed_MA", org.organiser, "year", year.pk)) == (10, 5, 10, "")


def test_the_stored_markers_leave_nothing_hidden_recomputable_from_the_shown(materialised):
    """In every partition of the stored merit values (a node's total and its children, a
    total and its breakdown's categories) no single member is hidden."""
    rows = list(
        IndicatorValue.objects.filter(indicator="merit_value_17").values(
            "node_id", "node__parent_id", "breakdown", "n", "suppression"
        )
    )
    by_key = {(r["node_id"], r["breakdown"]): r for r in rows}
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if r["breakdown"]:
            key = (r["node_id"], "", r["breakdown"].split("=")[0])
            groups.setdefault(key, []).append(r)
        if r["node__parent_id"] is not None:
            groups.setdefault((r["node__parent_id"], r["breakdown"], "tree"), []).append(r)
    checked = 0
    for (node, breakdown, _kind), cells in groups.items():
        total = by_key.get((node, breakdown))
        if total is None or sum(c["n"] for c in cells) != total["n"]:
            continue
        members = [total, *cells]
        checked += 1
        assert sum(m["suppression"] != "" for m in members) != 1, (node, breakdown, members)
    assert checked > 0


def test_every_value_carries_the_latest_applied_batch_as_data_version(materialised):
    assert data_version_current() == materialised.latest_batch.pk
    versions = set(IndicatorValue.objects.values_list("data_version", flat=True))
    assert versions == {materialised.latest_batch.pk}


def test_the_result_counts_the_rows_and_chunks(materialised):
    assert materialised.result.rows == IndicatorValue.objects.count() > 0
    assert materialised.result.chunks == 1  # one academic year
    assert [kind for kind, _id, _seconds in materialised.result.per_chunk] == ["year"]


def test_values_rest_on_the_pupils_own_rows_and_nothing_else(materialised):
    """Only the indicators with facts are stored; families without facts store nothing."""
    families = set(IndicatorValue.objects.values_list("family", flat=True))
    assert families == {"final_grades", "term_grades", "assessments"}
    assert not IndicatorValue.objects.filter(n=0)


# --- Rewriting ----------------------------------------------------------------------------


def test_materialising_twice_gives_the_same_rows(materialised):
    before = snapshot()
    result = indicators_materialise()
    after = snapshot()
    assert result.rows == len(before) == len(after) == IndicatorValue.objects.count()
    assert without_id(after) == without_id(before)


def test_a_rerun_over_unchanged_facts_writes_nothing(materialised):
    before = snapshot()
    result = indicators_materialise()
    assert result.written == result.deleted == 0
    assert result.rows == len(before)
    assert snapshot() == before  # ids included: no row rewritten


def test_a_changed_fact_rewrites_only_the_values_it_changes(materialised):
    org, year = materialised.org, materialised.year
    before = snapshot()  # the year, its terms and its follow-up points
    Grade.objects.filter(pupil=org.pupils["Alva"], term=materialised.vt, subject__code="MA").update(
        value="F"
    )
    result = indicators_materialise(years=[year.pk])
    after = snapshot()
    # Each changed value is one row deleted and one inserted; the rest keep their ids.
    assert 0 < result.written == result.deleted < len(before) / 2
    assert len(before - after) == len(after - before) == result.written
    assert {row[1] for row in after - before} >= {"passed_MA", "merit_value_17"}


def test_most_of_a_chunk_changed_is_replaced_whole(materialised):
    year = materialised.year
    before = without_id(snapshot(period_kind="year", period_id=year.pk))
    # A new data version: every value of the year changes.
    ImportBatch.objects.create(
        kind="grades", source_name="later.csv", organiser=materialised.org.organiser
    )
    result = indicators_materialise(years=[year.pk])
    after = without_id(snapshot(period_kind="year", period_id=year.pk))
    assert result.written == result.rows
    assert {row[:-1] for row in after} == {row[:-1] for row in before}
    assert {row[-1] for row in after} == {data_version_current()}


def test_the_first_recompute_after_an_import_does_not_read_the_old_values_back(materialised):
    # No stored row carries the new data version, so none can equal a new row: the year's
    # periods are replaced whole without reading their rows back to compare.
    year = materialised.year
    stored = IndicatorValue.objects.count()
    ImportBatch.objects.create(
        kind="grades", source_name="later.csv", organiser=materialised.org.organiser
    )
    with patch(
        "skolkvalitet.indicators.materialise.read_frame",
        side_effect=AssertionError("the stored values were read back"),
    ):
        result = indicators_materialise(years=[year.pk])
    assert result.deleted == stored == result.written == result.rows
    assert set(IndicatorValue.objects.values_list("data_version", flat=True)) == {
        data_version_current()
    }


def test_a_recompute_at_the_same_data_version_compares_with_the_stored_values(materialised):
    read_back = patch(
        "skolkvalitet.indicators.materialise.read_frame",
        side_effect=AssertionError("the stored values were read back"),
    )
    with read_back, pytest.raises(AssertionError, match="read back"):
        indicators_materialise(years=[materialised.year.pk])


def test_a_points_own_organisation_gives_the_values_of_the_whole_one(materialised):
    p1 = materialised.p1
    # The year's chunk computed the point's values with every year's enrolments and pupils.
    with_whole = without_id(snapshot(period_kind="point", period_id=p1.pk))
    IndicatorValue.objects.filter(period_kind="point", period_id=p1.pk).delete()
    indicators_materialise(years=[], points=[p1.pk])
    assert without_id(snapshot(period_kind="point", period_id=p1.pk)) == with_whole
    assert with_whole


def test_rerunning_a_year_after_a_changed_grade_updates_only_that_year(facts):
    org = facts.org
    other = AcademicYear.objects.create(
        code="2023/24", start_date=dt.date(2023, 8, 21), end_date=dt.date(2024, 6, 14)
    )
    spring = Term.objects.create(
        academic_year=other,
        kind="VT",
        start_date=dt.date(2024, 1, 8),
        end_date=dt.date(2024, 6, 14),
    )
    Grade.objects.create(
        pupil=org.pupils["Josef"],
        unit=org.unit_s2,
        term=spring,
        year_group=9,
        subject=Subject.objects.get(code="MA"),
        value="C",
        grade_type="final",
        batch=facts.batch,
    )
    indicators_materialise()
    other_before = snapshot(period_kind="year", period_id=other.pk) | snapshot(
        period_kind="term", period_id=spring.pk
    )
    assert get("passed_MA", org.unit_s2, "year", other.pk).value == pytest.approx(100.0)
    this_before = without_id(snapshot(period_kind="year", period_id=facts.year.pk))

    Grade.objects.filter(pupil=org.pupils["Alva"], term=facts.vt, subject__code="MA").update(
        value="F"
    )
    indicators_materialise(years=[facts.year.pk])

    unit = get("passed_MA", org.unit_n1, "year", facts.year.pk)
    assert figures(unit) == (5, 2, 5, "..")
    assert get("passed_MA", org.organiser, "year", facts.year.pk).value == pytest.approx(40.0)
    this_after = without_id(snapshot(period_kind="year", period_id=facts.year.pk))
    changed = {(r[0], r[2], r[5]) for r in this_before ^ this_after}
    assert ("passed_MA", org.unit_n1.pk, "") in changed
    # Alva's MA moves only the measures of MA, her merit value and passing all subjects, and
    # only where she counts: her group, unit, area and the organiser.
    assert {indicator for indicator, _node, _breakdown in changed} == {
        "passed_MA",
        "grade_points_MA",
        "merit_value_17",
        "merit_value_16",
        "passed_all_subjects",
    }
    assert {node for _indicator, node, _breakdown in changed} == {
        org.group_n1a.pk,
        org.unit_n1.pk,
        org.area_north.pk,
        org.organiser.pk,
    }
    other_after = snapshot(period_kind="year", period_id=other.pk) | snapshot(
        period_kind="term", period_id=spring.pk
    )
    assert other_after == other_before  # the same rows, ids included: not rewritten


def test_a_chunk_writes_the_figures_of_nodes_still_there_and_no_records_of_an_organiser_gone(
    materialised,
):
    """A chunk computed before a rollback removed some of its nodes (here: a node id and an
    organiser id that the tree does not hold) writes figures only of the nodes still there,
    and no period records of the organiser that is gone."""
    from skolkvalitet.indicators import materialise
    from skolkvalitet.indicators.models import MaterialisedPeriod

    org, p1 = materialised.org, materialised.p1
    gone_node, gone_organiser = 999_001, 999_002
    chunk = materialise._chunk_read("point", p1.pk, records_of=gone_organiser)
    values = materialise._chunk_compute(materialise.load_organisation(), chunk, 7)
    ghost = values.filter(pl.col("node_id") == org.unit_n1.pk).with_columns(
        node_id=pl.lit(gone_node, dtype=values["node_id"].dtype)
    )
    assert ghost.height > 0

    written, _deleted = materialise._chunk_replace(chunk, pl.concat([values, ghost]))

    assert written == values.height
    assert not IndicatorValue.objects.filter(node_id=gone_node).exists()
    assert IndicatorValue.objects.filter(period_kind="point", period_id=p1.pk).count() == (
        values.height
    )
    assert not MaterialisedPeriod.objects.filter(organiser_id=gone_organiser).exists()


def test_materialising_a_point_rewrites_only_that_points_assessments(materialised):
    org, p1, p2 = materialised.org, materialised.p1, materialised.p2
    others = snapshot() - snapshot(period_kind="point", period_id=p1.pk)
    Assessment.objects.filter(pupil=org.pupils["Alva"], follow_up_point=p1).update(value="F")
    Assessment.objects.filter(pupil=org.pupils["Alva"], follow_up_point=p2).update(value="F")
    Grade.objects.filter(pupil=org.pupils["Alva"], subject__code="MA").update(value="F")

    result = indicators_materialise(years=[], points=[p1.pk])

    assert result.chunks == 1
    assert (
        result.rows == IndicatorValue.objects.filter(period_kind="point", period_id=p1.pk).count()
    )
    assert figures(get("on_track_MA", org.unit_n1, "point", p1.pk)) == (3, 1, 3, "..")
    assert get("forecast_points_MA", org.unit_n1, "point", p1.pk).value == pytest.approx(10 / 3)
    # The spring point, the year and the terms are untouched (old values, same rows).
    assert snapshot() - snapshot(period_kind="point", period_id=p1.pk) == others
    assert figures(get("on_track_MA", org.unit_n1, "point", p2.pk)) == (2, 2, 2, "..")
    assert figures(get("passed_MA", org.unit_n1, "year", materialised.year.pk))[:2] == (5, 3)


def test_deleted_facts_leave_no_stale_values(materialised):
    org, p1, year = materialised.org, materialised.p1, materialised.year
    Assessment.objects.filter(follow_up_point=p1).delete()
    indicators_materialise(years=[], points=[p1.pk])
    assert not IndicatorValue.objects.filter(period_kind="point", period_id=p1.pk)
    assert IndicatorValue.objects.filter(period_kind="point", period_id=materialised.p2.pk)

    Grade.objects.filter(grade_type="final").delete()
    indicators_materialise(years=[year.pk])
    assert not IndicatorValue.objects.filter(family="final_grades")
    # The autumn term grades and the spring point's assessments remain.
    assert set(
        IndicatorValue.objects.filter(family="term_grades").values_list("period_id", flat=True)
    ) == {materialised.ht.pk}
    assert get("on_track_MA", org.unit_n1, "point", materialised.p2.pk).n == 2
    assert not IndicatorValue.objects.filter(period_kind="point", period_id=p1.pk)


def test_materialising_without_any_facts_stores_nothing(org):
    result = indicators_materialise()
    assert result.rows == 0
    assert result.chunks == 1
    assert not IndicatorValue.objects.exists()


def test_the_periods_with_values_are_recorded_once_each(materialised):
    from skolkvalitet.indicators.models import MaterialisedPeriod

    def recorded():
        return set(
            MaterialisedPeriod.objects.filter(family="assessments").values_list(
                "period_kind", "period_id", "rows"
            )
        )

    first = recorded()
    kinds = {(kind, period_id) for kind, period_id, _rows in first}
    assert kinds == {("point", materialised.p1.pk), ("point", materialised.p2.pk)}
    assert all(
        rows
        == IndicatorValue.objects.filter(
            family="assessments", period_kind=kind, period_id=period_id
        ).count()
        for kind, period_id, rows in first
    )
    indicators_materialise()  # again: replaced, not doubled
    assert recorded() == first


def test_a_database_of_one_organiser_records_its_periods_as_that_organisers(materialised):
    """Computed in one go, the records are the organiser's; a record of the same period
    written before the database had its organiser (NO_ORGANISER) is replaced, not kept."""
    from skolkvalitet.indicators.models import NO_ORGANISER, MaterialisedPeriod

    point = materialised.p1.pk
    assert set(MaterialisedPeriod.objects.values_list("organiser_id", flat=True)) == {
        materialised.org.organiser.pk
    }
    MaterialisedPeriod.objects.create(
        organiser_id=NO_ORGANISER,
        family="assessments",
        period_kind="point",
        period_id=point,
        rows=1,
        data_version=0,
    )
    indicators_materialise(years=[], points=[point])
    assert not MaterialisedPeriod.objects.filter(organiser_id=NO_ORGANISER).exists()
    assert MaterialisedPeriod.objects.filter(
        organiser_id=materialised.org.organiser.pk, family="assessments", period_id=point
    ).exists()


# --- School forms: the final-grade indicators are grundskola's (GR) only -----------------
# Västerskolan (area Söder) runs grundskola and anpassad grundskola. Ten GR pupils: eight with
# C in SV, EN and MA (merit 45), two with F in MA (30). Three GRS pupils with A in all three
# (60) would raise every figure if counted: merit (8·45 + 2·30 + 3·60) / 13 = 46.2 instead of
# (8·45 + 2·30) / 10 = 42.0.


@pytest.fixture
def mixed_unit(org):
    from skolkvalitet.organisation import actions
    from skolkvalitet.organisation.identity import make_personal_number, parse_personal_number
    from skolkvalitet.organisation.models import Enrolment, SchoolForm

    year = org.year
    unit = actions.node_create(
        kind=NodeKind.UNIT,
        name="Västerskolan",
        parent=org.area_south,
        code="20000003",
        school_forms=[SchoolForm.GR, SchoolForm.GRS],
        year_groups=[7, 8, 9],
    )
    groups = {
        form: actions.node_create(
            kind=NodeKind.GROUP,
            name=name,
            parent=unit,
            code=name,
            academic_year=year,
            school_form=form,
            year_group=9,
        )
        for form, name in ((SchoolForm.GR, "9A"), (SchoolForm.GRS, "Anpassad 7–9"))
    }
    vt = Term.objects.create(
        academic_year=year,
        kind="VT",
        start_date=dt.date(2025, 1, 13),
        end_date=dt.date(2025, 6, 13),
    )
    batch = ImportBatch.objects.create(kind="grades", source_name="betyg.csv")
    subjects = {s.code: s for s in Subject.objects.all()}
    forms = [SchoolForm.GR] * 10 + [SchoolForm.GRS] * 3 + [None]  # the 14th: no enrolment
    pupils, grades = [], []
    for i, form in enumerate(forms):
        number = parse_personal_number(make_personal_number(dt.date(2010, 1, 1 + i), 200 + i))
        pupil, _created = actions.pupil_get_or_create(number=number)
        pupils.append(pupil)
        if form is not None:
            Enrolment.objects.create(
                pupil=pupil,
                academic_year=year,
                unit=unit,
                group=groups[form],
                school_form=form,
                year_group=9,
            )
        by_subject = {"SV": "C", "EN": "C", "MA": "F" if i in (8, 9) else "C"}
        if form == SchoolForm.GRS:
            by_subject = dict.fromkeys(by_subject, "A")
        grades += [
            Grade(
                pupil=pupil,
                unit=unit,
                term=vt,
                year_group=9,
                subject=subjects[code],
                value=value,
                grade_type="final",
                batch=batch,
            )
            for code, value in by_subject.items()
        ]
    ns = SimpleNamespace(org=org, unit=unit, groups=groups, year=year, vt=vt, batch=batch)
    ns.unenrolled_grades = grades[-3:]
    Grade.objects.bulk_create(grades[:-3])
    return ns


def test_grades_of_anpassad_grundskola_do_not_count_in_grundskola_figures(mixed_unit):
    indicators_materialise()
    year = mixed_unit.year.pk
    for node in (mixed_unit.unit, mixed_unit.org.area_south, mixed_unit.org.organiser):
        merit = get("merit_value_17", node, "year", year)
        assert (merit.n, merit.value) == (10, pytest.approx(42.0)), node
        passed_all = get("passed_all_subjects", node, "year", year)
        assert figures(passed_all) == (10, 8, 10, "")
        assert passed_all.value == pytest.approx(80.0)
        assert get("passed_MA", node, "year", year).value == pytest.approx(80.0)
    grs_group = mixed_unit.groups["GRS"]
    assert not IndicatorValue.objects.filter(node=grs_group).exists()
    assert get("merit_value_17", mixed_unit.groups["GR"], "year", year).n == 10


def test_a_pupil_with_grades_but_no_enrolment_counts_as_grundskola(mixed_unit):
    # Grades imported without a pupils file: the unit runs two school forms, so GR.
    Grade.objects.bulk_create(mixed_unit.unenrolled_grades)  # C, C, C: merit 45
    indicators_materialise()
    merit = get("merit_value_17", mixed_unit.unit, "year", mixed_unit.year.pk)
    assert (merit.n, merit.value) == (11, pytest.approx((9 * 45 + 2 * 30) / 11))


# --- One organiser of several -------------------------------------------------------------

# A second organiser in the same database: Grannby kommun, one unit (no area) with group 9A,
# five year-9 pupils with a final grade in MA. Passed: Karin, Leo, Nils: 3 of 5, 60 %.
OTHER_MA = {"Karin": "A", "Leo": "E", "Maja": "F", "Nils": "C", "Olle": "F"}


@pytest.fixture
def two_organisers(facts):
    """The facts above for Exempelstads kommun and Grannby kommun's five MA grades."""
    from skolkvalitet.organisation import actions
    from skolkvalitet.organisation.identity import make_personal_number, parse_personal_number
    from skolkvalitet.organisation.models import Enrolment, SchoolForm

    ns = facts
    ns.other = actions.node_create(
        kind=NodeKind.ORGANISER, name="Grannby kommun", code="2120000002"
    )
    ns.other_unit = actions.node_create(
        kind=NodeKind.UNIT,
        name="Grannskolan",
        parent=ns.other,
        code="30000001",
        school_forms=[SchoolForm.GR],
        year_groups=[7, 8, 9],
    )
    ns.other_group = actions.node_create(
        kind=NodeKind.GROUP,
        name="Grannskolan 9A",
        parent=ns.other_unit,
        code="9A",
        academic_year=ns.year,
        school_form=SchoolForm.GR,
        year_group=9,
    )
    batch = ImportBatch.objects.create(kind="grades", source_name="granne.csv", organiser=ns.other)
    ma = Subject.objects.get(code="MA")
    ns.other_grades, ns.other_pupils = {}, {}
    for serial, (name, value) in enumerate(OTHER_MA.items(), start=700):
        number = parse_personal_number(make_personal_number(dt.date(2010, 6, 1), serial))
        pupil, _created = actions.pupil_get_or_create(number=number, given_name=name)
        ns.other_pupils[name] = pupil
        Enrolment.objects.create(
            pupil=pupil,
            academic_year=ns.year,
            unit=ns.other_unit,
            group=ns.other_group,
            school_form=SchoolForm.GR,
            year_group=9,
        )
        ns.other_grades[name] = Grade.objects.create(
            pupil=pupil,
            unit=ns.other_unit,
            term=ns.vt,
            year_group=9,
            subject=ma,
            value=value,
            grade_type="final",
            batch=batch,
        )
    return ns


def _of(organiser) -> set[tuple]:
    """The stored values of `organiser`'s nodes, ids included."""
    return snapshot(node__path__startswith=organiser.path)


def test_one_organisers_run_computes_its_figures_by_hand(two_organisers):
    ns = two_organisers
    indicators_materialise(organiser=ns.other)
    unit = get("passed_MA", ns.other_unit, "year", ns.year.pk)  # Karin, Leo, Nils of five
    assert unit.value == pytest.approx(60.0)
    assert figures(unit) == (5, 3, 5, "..")
    assert figures(get("passed_MA", ns.other, "year", ns.year.pk)) == (5, 3, 5, "..")
    # Nothing of the first organiser is computed: its nodes have no values.
    assert not _of(ns.org.organiser)


def test_one_organisers_run_leaves_the_others_values_as_they_are(two_organisers):
    ns = two_organisers
    indicators_materialise()
    before_first, before_other = _of(ns.org.organiser), _of(ns.other)
    assert before_first and before_other
    # Leo's E becomes F at Grannby: its figure changes only when Grannby is recomputed.
    Grade.objects.filter(pk=ns.other_grades["Leo"].pk).update(value="F")
    indicators_materialise(organiser=ns.org.organiser)
    assert _of(ns.other) == before_other  # untouched, ids included
    assert _of(ns.org.organiser) == before_first  # its facts did not change: nothing written
    assert figures(get("passed_MA", ns.other_unit, "year", ns.year.pk)) == (5, 3, 5, "..")
    indicators_materialise(organiser=ns.other.pk)
    assert figures(get("passed_MA", ns.other_unit, "year", ns.year.pk)) == (5, 2, 5, "..")
    assert _of(ns.org.organiser) == before_first


def test_an_organisers_figures_are_the_same_alone_as_in_a_full_run(two_organisers):
    ns = two_organisers
    indicators_materialise()
    full_first, full_other = without_id(_of(ns.org.organiser)), without_id(_of(ns.other))
    IndicatorValue.objects.all().delete()
    indicators_materialise(organiser=ns.other)
    assert without_id(_of(ns.other)) == full_other
    indicators_materialise(organiser=ns.org.organiser)
    assert without_id(_of(ns.org.organiser)) == full_first
    assert without_id(_of(ns.other)) == full_other


def test_each_organiser_has_its_own_period_records_and_its_run_replaces_only_them(
    two_organisers,
):
    """One record per organiser and period: an organiser's run writes its own records and
    counts no other organiser's rows (the cost of a run does not grow with the others)."""
    from skolkvalitet.indicators.models import MaterialisedPeriod

    ns = two_organisers
    indicators_materialise()
    IndicatorValue.objects.filter(node__path__startswith=ns.other.path).delete()
    before = {
        r.pk: r.computed_at
        for r in MaterialisedPeriod.objects.filter(organiser_id=ns.org.organiser.pk)
    }
    indicators_materialise(organiser=ns.other)
    assert {
        r.pk: r.computed_at
        for r in MaterialisedPeriod.objects.filter(organiser_id=ns.org.organiser.pk)
    } == before
    organisers = {ns.org.organiser.pk: ns.org.organiser.path, ns.other.pk: ns.other.path}
    assert {r.organiser_id for r in MaterialisedPeriod.objects.all()} == set(organisers)
    for record in MaterialisedPeriod.objects.all():
        stored = IndicatorValue.objects.filter(
            node__path__startswith=organisers[record.organiser_id],
            family=record.family,
            period_kind=record.period_kind,
            period_id=record.period_id,
        )
        assert record.rows == stored.count() > 0
        assert record.data_version == max(stored.values_list("data_version", flat=True))


def test_only_an_organiser_can_be_materialised_alone(two_organisers):
    with pytest.raises(ValueError, match="not an organiser"):
        indicators_materialise(organiser=two_organisers.other_unit)


def test_the_command_materialises_the_organiser_named_by_its_code(two_organisers, capsys):
    from django.core.management import call_command

    ns = two_organisers
    indicators_materialise()
    before_first = _of(ns.org.organiser)
    Grade.objects.filter(pk=ns.other_grades["Leo"].pk).update(value="F")
    IndicatorValue.objects.filter(node=ns.other_unit).delete()
    call_command("indicators", "--materialise", "--organiser", "2120000002")
    assert capsys.readouterr().err.endswith(" s\n")
    assert figures(get("passed_MA", ns.other_unit, "year", ns.year.pk)) == (5, 2, 5, "..")
    assert _of(ns.org.organiser) == before_first


def _karin_ended_english_at_the_first_organiser(ns) -> None:
    """Karin, in year 9 at Grannby, ended EN with an A in year 8 at the first organiser's
    unit_n1 (the first organiser's import): a subject ended in an earlier year group, which
    the year-9 leaving certificate carries (measures.leaving_certificates)."""
    Grade.objects.create(
        pupil=ns.other_pupils["Karin"],
        unit=ns.org.unit_n1,
        term=ns.ht,
        year_group=8,
        subject=Subject.objects.get(code="EN"),
        value="A",
        grade_type="final",
        batch=ns.batch,
    )


def test_a_full_run_counts_a_pupils_facts_only_with_the_organiser_they_were_given_at(
    two_organisers,
):
    # Grannby's merit value (17) by hand: pupils with a grade A–E are Karin (MA A, 20), Leo
    # (E, 10) and Nils (C, 15): 45 over 3. Karin's EN A was given at the first organiser's
    # unit: Grannby's own database would not hold it, so it is not in Grannby's figures,
    # whether Grannby is computed alone or with the first organiser (it would make 65).
    ns = two_organisers
    _karin_ended_english_at_the_first_organiser(ns)
    indicators_materialise()
    assert figures(get("merit_value_17", ns.other_unit, "year", ns.year.pk)) == (3, 45, 3, "..")
    full = without_id(_of(ns.other))
    IndicatorValue.objects.all().delete()
    indicators_materialise(organiser=ns.other)
    assert without_id(_of(ns.other)) == full


def test_an_import_recomputes_only_its_own_organisers_figures(two_organisers):
    from skolkvalitet.ingest.writing.writer import indicators_refresh

    ns = two_organisers
    indicators_materialise()
    before_first, before_other = _of(ns.org.organiser), _of(ns.other)
    # Leo's E becomes F at Grannby, and one of the first organiser's MA grades changes too
    # without an import of its own: only Grannby's figures follow Grannby's import.
    Grade.objects.filter(pk=ns.other_grades["Leo"].pk).update(value="F")
    Grade.objects.filter(pupil=ns.org.pupils["Bella"], subject__code="MA").update(value="F")
    grannby_import = ImportBatch.objects.get(source_name="granne.csv")
    indicators_refresh(grannby_import)
    assert figures(get("passed_MA", ns.other_unit, "year", ns.year.pk)) == (5, 2, 5, "..")
    assert _of(ns.org.organiser) == before_first  # untouched, ids included
    assert _of(ns.other) != before_other


def test_an_organiser_that_no_longer_exists_has_nothing_to_compute(two_organisers):
    # A rollback of the import that created an organiser removes it with all its nodes, then
    # recomputes "its" figures: there are none, and the other organisers' stay as they are.
    ns = two_organisers
    indicators_materialise()
    before = _of(ns.org.organiser)
    result = indicators_materialise(organiser=ns.other.pk + 1000)
    assert (result.rows, result.chunks) == (0, 0)
    assert _of(ns.org.organiser) == before
