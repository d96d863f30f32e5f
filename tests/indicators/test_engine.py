"""The engine end to end on the hand-built organisation of conftest.py."""

from __future__ import annotations

import datetime as dt
from unittest.mock import patch

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from skolkvalitet.indicators.engine import (
    Facts,
    Organisation,
    aggregate,
    compute,
    measures_of,
    periods_frame,
    with_breakdown_attributes,
    years_frame,
)
from skolkvalitet.indicators.loading import PUPIL_SCHEMA
from skolkvalitet.indicators.measures import MEASURE_SCHEMA
from skolkvalitet.indicators.registry import Family

from .conftest import YEAR

OTHER_13 = ["BI", "FY", "KE", "TK", "GE", "HI", "RE", "SH", "BL", "HKK", "IDH", "MU", "SL"]


def sixteen(grade: str, swedish: str = "SV") -> dict[str, str]:
    return {swedish: grade, "EN": grade, "MA": grade, **dict.fromkeys(OTHER_13, grade)}


@pytest.fixture
def final_grades(grade_rows) -> pl.DataFrame:
    """p1: all A with M1 A (340). p2: all E (160). p3: all C in SVA etc. but F in MA (225).
    p4: only F (not counted in the merit mean). p5: SV D, EN B, MA E, the rest '-' (40)."""
    rows = []
    rows += grade_rows(1, 10, {**sixteen("A"), "M1": "A"})
    rows += grade_rows(2, 10, sixteen("E"))
    rows += grade_rows(3, 10, {**sixteen("C", "SVA"), "MA": "F"})
    rows += grade_rows(4, 11, sixteen("F"))
    rows += grade_rows(5, 11, {**dict.fromkeys(OTHER_13, "-"), "SV": "D", "EN": "B", "MA": "E"})
    return pl.DataFrame(rows)


@pytest.fixture
def values(final_grades, org_frames) -> pl.DataFrame:
    return compute(Facts(grades=final_grades), org_frames, families=(Family.FINAL_GRADES,))


def value(values, indicator, node, breakdown=""):
    row = values.filter(
        (pl.col("indicator") == indicator)
        & (pl.col("node_id") == node)
        & (pl.col("breakdown") == breakdown)
    )
    assert row.height == 1, (indicator, node, breakdown, row)
    return row.row(0, named=True)


def test_merit_value_is_the_mean_over_pupils_with_a_pass(values):
    assert value(values, "merit_value_17", 10)["value"] == pytest.approx((340 + 160 + 225) / 3)
    assert value(values, "merit_value_17", 11)["value"] == pytest.approx(40)  # p4 not counted
    organiser = value(values, "merit_value_17", 1)
    assert organiser["value"] == pytest.approx((340 + 160 + 225 + 40) / 4)
    assert (organiser["n"], organiser["numerator"], organiser["denominator"]) == (4, 765, 4)


def test_merit_value_16_leaves_out_the_language_choice_bonus(values):
    assert value(values, "merit_value_16", 10)["value"] == pytest.approx((320 + 160 + 225) / 3)


def test_passed_all_subjects_is_a_share_of_every_graded_pupil(values):
    assert value(values, "passed_all_subjects", 10)["value"] == pytest.approx(200 / 3)
    assert value(values, "passed_all_subjects", 11)["value"] == 0
    assert value(values, "passed_all_subjects", 2)["value"] == pytest.approx(40)
    assert value(values, "passed_all_subjects", 1)["n"] == 5


def test_eligibility_for_vocational_programmes(values):
    # p1 and p2 pass everything; p3 fails MA; p4 fails all; p5 passes only three.
    assert value(values, "eligible_vocational", 1)["value"] == pytest.approx(40)


def test_per_subject_points_and_passes(values):
    # MA: p1 A, p2 E, p3 F, p4 F, p5 E.
    assert value(values, "grade_points_MA", 1)["value"] == pytest.approx((20 + 10 + 10) / 5)
    assert value(values, "passed_MA", 1)["value"] == pytest.approx(60)
    # SVA: only p3, with C.
    assert value(values, "grade_points_SVA", 1)["value"] == 15
    assert value(values, "passed_SVA", 10)["n"] == 1


def test_breakdown_by_gender_splits_the_total(values):
    girls = value(values, "merit_value_17", 1, "gender=F")
    boys = value(values, "merit_value_17", 1, "gender=M")
    assert girls["value"] == pytest.approx((340 + 225 + 40) / 3)
    assert boys["value"] == 160
    assert girls["n"] + boys["n"] == value(values, "merit_value_17", 1)["n"]


def test_breakdowns_by_newly_arrived_sva_and_parents_education(values):
    assert value(values, "merit_value_17", 1, "newly_arrived=yes")["value"] == 40
    assert value(values, "merit_value_17", 1, "sva=yes")["value"] == 225
    assert value(values, "passed_all_subjects", 1, "parents_education=unknown")["n"] == 2
    assert value(values, "passed_all_subjects", 1, "parents_education=3")["value"] == 100


def test_groups_get_totals_only(values):
    group = values.filter(pl.col("node_id") == 100)
    assert set(group["breakdown"].to_list()) == {""}
    assert value(values, "merit_value_17", 100)["value"] == pytest.approx((340 + 160 + 225) / 3)


def test_final_grade_indicators_do_not_break_down_by_year_group(values):
    assert values.filter(pl.col("breakdown").str.starts_with("year_group")).is_empty()


def test_before_2023_24_every_figure_of_fewer_than_ten_pupils_is_marked_but_keeps_its_value(
    final_grades, org_frames
):
    # Up to 2022/23 Skolverket's limit is 10 pupils at every level (suppression rules of
    # 2023/24 on: tests/indicators/test_suppression.py).
    org_frames.years = years_frame({YEAR: dt.date(2022, 8, 15)})
    values = compute(Facts(grades=final_grades), org_frames, families=(Family.FINAL_GRADES,))
    assert set(values["suppression"].to_list()) == {".."}
    assert value(values, "merit_value_17", 1)["value"] == pytest.approx(191.25)


def test_term_grades_are_per_term_with_year_group_breakdowns(org_frames, grade_rows):
    grades = pl.DataFrame(
        grade_rows(
            1, 10, {"MA": "C", "EN": "A"}, grade_type="term", year_group=8, term=1, term_kind="HT"
        )
        + grade_rows(
            2, 10, {"MA": "F", "EN": "E"}, grade_type="term", year_group=7, term=1, term_kind="HT"
        )
    )
    values = compute(Facts(grades=grades), org_frames, families=(Family.TERM_GRADES,))
    assert value(values, "term_passed_MA", 10)["value"] == 50
    assert value(values, "term_passed_all_subjects", 10, "year_group=8")["value"] == 100
    assert value(values, "term_passed_all_subjects", 10, "year_group=7")["value"] == 0
    assert value(values, "term_merit_value", 10)["value"] == pytest.approx((15 + 20 + 10) / 2)
    assert set(values["period_kind"].to_list()) == {"term"}
    assert set(values["period_id"].to_list()) == {1}


def test_no_facts_give_no_values(org_frames):
    assert compute(Facts(), org_frames).is_empty()


# -- newly arrived: Skolverket's nyinvandrad (organisation/background.py) -------------------
# Reference days: the year 2024/25 ends on 14 June 2025 (its spring: 2022–2025 count); the
# autumn term starts on 15 August 2024 (2021–2024); the spring term on 7 January 2025
# (2022–2025); a follow-up point is on 15 November 2024 (2021–2024).
PERIODS = {
    ("year", YEAR): dt.date(2025, 6, 14),
    ("term", 1): dt.date(2024, 8, 15),
    ("term", 2): dt.date(2025, 1, 7),
    ("point", 7): dt.date(2024, 11, 15),
}
# pupil: (immigration date, born abroad, both parents born abroad)
BACKGROUNDS = {
    1: (dt.date(2021, 3, 1), True, True),
    2: (dt.date(2022, 1, 1), True, True),
    3: (dt.date(2021, 12, 31), True, True),
    4: (dt.date(2024, 9, 1), True, None),  # parents' birth country not known
    5: (dt.date(2023, 5, 1), False, True),  # born in Sweden, came back in 2023
}


def with_backgrounds(org_frames, backgrounds=BACKGROUNDS):
    org_frames.pupils = org_frames.pupils.drop(
        "arrival_date", "born_abroad", "parents_born_abroad"
    ).join(
        pl.DataFrame(
            [(p, *b) for p, b in backgrounds.items()],
            schema={
                "pupil_id": pl.Int64,
                "arrival_date": pl.Date,
                "born_abroad": pl.Boolean,
                "parents_born_abroad": pl.Boolean,
            },
            orient="row",
        ),
        on="pupil_id",
    )
    return org_frames


@pytest.mark.parametrize("packed", [True, False], ids=["packed key", "key columns"])
def test_newly_arrived_counts_four_calendar_years_back_from_each_period(
    org_frames, packed, monkeypatch
):
    # The measure rows meet their attributes on one packed key, or on the five key
    # columns where their ranges do not fit in one (row_keys.py): the same either way.
    if not packed:
        monkeypatch.setattr("skolkvalitet.indicators.engine.packed_key", lambda *_: None)
    org = with_backgrounds(org_frames)
    org.periods = periods_frame(PERIODS)
    measures = pl.DataFrame(
        [
            (pupil, YEAR, 10 if pupil <= 3 else 11, kind, period_id, None, 9)
            for pupil in BACKGROUNDS
            for kind, period_id in PERIODS
        ],
        schema={
            "pupil_id": pl.Int64,
            "academic_year_id": pl.Int64,
            "unit_id": pl.Int64,
            "period_kind": pl.String,
            "period_id": pl.Int64,
            "group_id": pl.Int64,
            "year_group": pl.Int64,
        },
        orient="row",
    )
    rows = with_breakdown_attributes(measures, org)
    got = {
        (r["period_kind"], r["period_id"], r["pupil_id"]): r["newly_arrived"]
        for r in rows.iter_rows(named=True)
    }
    spring = {1: False, 2: True, 3: False, 4: None, 5: False}  # 2022–2025
    autumn = {1: True, 2: True, 3: True, 4: None, 5: False}  # 2021–2024
    expected = {
        ("year", YEAR): spring,
        ("term", 2): spring,
        ("term", 1): autumn,
        ("point", 7): autumn,
    }
    assert got == {(k, i, p): v for (k, i), by in expected.items() for p, v in by.items()}


def test_a_year_not_in_periods_counts_from_its_spring(org_frames, final_grades):
    # The year starts on 15 August 2024: its spring is 2025, so 2021 no longer counts.
    org = with_backgrounds(org_frames)
    values = compute(Facts(grades=final_grades), org, families=(Family.FINAL_GRADES,))
    yes = value(values, "passed_all_subjects", 1, "newly_arrived=yes")
    assert yes["n"] == 1  # p2 only (immigrated 1 January 2022)


def test_a_recent_immigration_with_unknown_birth_countries_is_uppgift_saknas(
    org_frames, final_grades
):
    org = with_backgrounds(org_frames)
    values = compute(Facts(grades=final_grades), org, families=(Family.FINAL_GRADES,))
    cells = {
        category: value(values, "passed_all_subjects", 1, f"newly_arrived={category}")["n"]
        for category in ("yes", "no", "unknown")
    }
    # p2 yes; p4 (parents not known) unknown; p1, p3 (2021) and p5 (born in Sweden) no.
    assert cells == {"yes": 1, "no": 3, "unknown": 1}
    assert sum(cells.values()) == value(values, "passed_all_subjects", 1)["n"]


def test_a_pupil_known_by_a_samordningsnummer_is_uppgift_saknas(org_frames, final_grades):
    # p2 would be newly arrived, but is not folkbokförd: Skolverket's "okänd bakgrund".
    org = with_backgrounds(org_frames)
    org.pupils = org.pupils.with_columns(coordination_number=pl.col("pupil_id") == 2)
    values = compute(Facts(grades=final_grades), org, families=(Family.FINAL_GRADES,))
    unknown = value(values, "passed_all_subjects", 1, "newly_arrived=unknown")
    assert unknown["n"] == 2  # p2 and p4
    assert values.filter(pl.col("breakdown") == "newly_arrived=yes").is_empty()


def test_shares_are_summed_in_a_fixed_order_and_exact_values_as_they_come():
    """Shares such as absence are floats whose sum depends on the order they are added in
    ((0.1 + 0.2) + 0.3 is 0.6000000000000001, (0.3 + 0.2) + 0.1 is 0.6), and the parallel
    group-bys combine rows in an order that differs from run to run: aggregate() sums such
    columns per group in ascending order (`_sum(ordered=True)`), so that the same facts give
    the same figures bit for bit (bench/indicator_values_check.py showed two full runs
    equal). Counts, grade points and merit values, exact multiples of 1/8, sum exactly in
    any order and keep the faster plain sum."""
    from skolkvalitet.indicators.engine import _order_matters, _sum

    assert _order_matters(pl.DataFrame({"num": [0.1, 0.2, 0.3], "den": [1.0] * 3}))
    assert _order_matters(pl.DataFrame({"num": [1.0, 2.0], "den": [1.0, 1 / 3]}))
    assert _order_matters(pl.DataFrame({"num": [2.0**41], "den": [1.0]}))
    assert not _order_matters(pl.DataFrame({"num": [17.5, 12.5, None], "den": [1.0, 1, 0]}))
    # The ordered sum is taken over the group's values sorted (whatever order they came in).
    assert "sort" in str(_sum("num", ordered=True)) and "sort" not in str(
        _sum("num", ordered=False)
    )


def test_sums_are_exact_only_for_multiples_of_an_eighth_of_bounded_magnitude():
    """Where every partial sum is exact, aggregate() sums each breakdown per unit first and
    those per area and organiser; the figures are the same as summed from the cells."""
    from skolkvalitet.indicators.engine import EXACT_SUM_LIMIT, _sums_exact

    assert _sums_exact(pl.DataFrame({"num": [17.5, 12.5, None], "den": [1.0, 1, 0]}))
    assert not _sums_exact(pl.DataFrame({"num": [0.1, 0.2], "den": [1.0, 1.0]}))
    # Each value is below 2^40, but their sum is not exact in a float64.
    assert not _sums_exact(pl.DataFrame({"num": [2.0**39] * 1024, "den": [1.0] * 1024}))
    assert EXACT_SUM_LIMIT == 2.0**49
    assert not _sums_exact(pl.DataFrame(schema={"num": pl.Float64, "den": pl.Float64}))


@st.composite
def rolled_up_organisations(draw):
    """An organiser (1) with 1–3 areas of 1–3 units, each with 0–2 groups, and 1–30 pupils
    of random backgrounds, each with term grade points (multiples of 2.5) at some unit."""
    nodes = [(1, None, "organiser")]
    ancestors, units = [], []
    next_id = 2
    for _area in range(draw(st.integers(1, 3))):
        area, next_id = next_id, next_id + 1
        nodes.append((area, 1, "area"))
        for _unit in range(draw(st.integers(1, 3))):
            unit, next_id = next_id, next_id + 1
            nodes.append((unit, area, "unit"))
            ancestors += [(unit, area), (unit, 1)]
            groups = []
            for _group in range(draw(st.integers(0, 2))):
                groups.append(next_id)
                nodes.append((next_id, unit, "group"))
                next_id += 1
            units.append((unit, groups))
    pupils, measures = [], []
    for pupil in range(1, draw(st.integers(1, 30)) + 1):
        pupils.append(
            {
                "pupil_id": pupil,
                "gender": draw(st.sampled_from(["F", "M", None])),
                "arrival_date": None,
                "born_abroad": draw(st.sampled_from([True, False, None])),
                "parents_born_abroad": draw(st.sampled_from([True, False, None])),
                "coordination_number": False,
                "parents_education": draw(st.sampled_from([1, 2, 3, None])),
            }
        )
        unit, groups = draw(st.sampled_from(units))
        for term in draw(st.sets(st.sampled_from([7, 8]), min_size=1)):
            measures.append(
                {
                    "indicator": "term_grade_points_MA",
                    "unit_id": unit,
                    "group_id": draw(st.sampled_from([None, *groups])),
                    "academic_year_id": YEAR,
                    "period_kind": "term",
                    "period_id": term,
                    "pupil_id": pupil,
                    "year_group": draw(st.integers(6, 9)),
                    "num": 2.5 * draw(st.integers(0, 8)),
                    "den": 1.0,
                    "n": 1,
                }
            )
    org = Organisation(
        nodes=pl.DataFrame(
            nodes,
            schema={"node_id": pl.Int64, "parent_id": pl.Int64, "kind": pl.String},
            orient="row",
        ),
        unit_ancestors=pl.DataFrame(
            ancestors, schema={"unit_id": pl.Int64, "ancestor_id": pl.Int64}, orient="row"
        ),
        enrolments=pl.DataFrame(
            schema={
                "pupil_id": pl.Int64,
                "academic_year_id": pl.Int64,
                "unit_id": pl.Int64,
                "group_id": pl.Int64,
                "sva": pl.Boolean,
            }
        ),
        pupils=pl.DataFrame(pupils, schema=PUPIL_SCHEMA),
        years=years_frame({YEAR: dt.date(2024, 8, 15)}),
    )
    return pl.DataFrame(measures, schema=MEASURE_SCHEMA), org


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rolled_up_organisations())
def test_exact_sums_rolled_up_per_unit_equal_the_sums_from_the_cells(organisation):
    measures, org = organisation
    keys = ["indicator", "node_id", "period_kind", "period_id", "breakdown"]
    rolled_up = aggregate(measures, org).sort(keys)
    with patch("skolkvalitet.indicators.engine._sums_exact", return_value=False):
        from_cells = aggregate(measures, org).sort(keys)
    assert rolled_up.height > 0
    assert_frame_equal(rolled_up, from_cells, check_column_order=False)


def _sorted_attributes(measures: pl.DataFrame, org: Organisation) -> pl.DataFrame:
    rows = with_breakdown_attributes(measures, org)
    return rows.sort(rows.columns, nulls_last=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rolled_up_organisations())
def test_the_attributes_are_joined_alike_on_the_packed_key_and_on_the_columns(organisation):
    measures, org = organisation
    packed = _sorted_attributes(measures, org)
    with patch("skolkvalitet.indicators.engine.packed_key", return_value=None):
        on_columns = _sorted_attributes(measures, org)
    assert "_row_key" not in packed.columns
    assert_frame_equal(packed, on_columns)


def test_the_attributes_of_enrolled_pupils_are_alike_on_the_packed_key_and_the_columns(
    org_frames, final_grades
):
    measures = pl.concat(
        [
            measures_of(family, Facts(grades=final_grades))
            for family in (Family.FINAL_GRADES, Family.TERM_GRADES)
        ]
    )
    packed = _sorted_attributes(measures, org_frames)
    with patch("skolkvalitet.indicators.engine.packed_key", return_value=None):
        on_columns = _sorted_attributes(measures, org_frames)
    assert packed.height == measures.height > 0
    assert_frame_equal(packed, on_columns)
