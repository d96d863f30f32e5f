"""Absence per period: a term's absence is the sum of its periods, and at a follow-up point the
absence so far this term is the sum of the periods of the point's term that end on or before
the point's date (measures.absence_so_far, docs/indicators.md). Computed by hand, and as
properties: however a term is cut into periods, its term and year figures are those of the
term as one row, and at a point after the term's last period they are the term's."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from skolkvalitet.indicators.engine import Facts, compute
from skolkvalitet.indicators.measures import absence_so_far
from skolkvalitet.indicators.registry import REGISTRY, Family, PeriodKind

from .test_measures import value

YEAR, HT = 1, 1
SEP, OCT = (
    (dt.date(2024, 9, 1), dt.date(2024, 9, 30)),
    (dt.date(2024, 10, 1), dt.date(2024, 10, 31)),
)
# Points of HT: 30 September, 15 October (October not over), 31 October.
POINTS = pl.DataFrame(
    {
        "point_id": [1, 2, 3],
        "term_id": [HT] * 3,
        "assessed_on": [dt.date(2024, 9, 30), dt.date(2024, 10, 15), dt.date(2024, 10, 31)],
    }
)


def periods(rows: list[tuple]) -> pl.DataFrame:
    """(pupil, starts_on, ends_on, scheduled, absent, unexcused) at unit 10 in HT."""
    return pl.DataFrame(
        [
            (pupil, 10, YEAR, HT, first, last, 7, scheduled, absent, unexcused)
            for pupil, first, last, scheduled, absent, unexcused in rows
        ],
        schema={
            "pupil_id": pl.Int64,
            "unit_id": pl.Int64,
            "academic_year_id": pl.Int64,
            "term_id": pl.Int64,
            "starts_on": pl.Date,
            "ends_on": pl.Date,
            "year_group": pl.Int64,
            "scheduled": pl.Int64,
            "absent": pl.Int64,
            "unexcused": pl.Int64,
        },
        orient="row",
    )


@pytest.fixture
def so_far(org_frames):
    # Pupil 1: 10 % in September (600 of 6 000), 25 % in October (1 500 of 6 000).
    # Pupil 2: 20 % in September (1 200 of 6 000, 300 unexcused), 0 % in October.
    absences = periods(
        [
            (1, *SEP, 6000, 600, 0),
            (1, *OCT, 6000, 1500, 600),
            (2, *SEP, 6000, 1200, 300),
            (2, *OCT, 6000, 0, 0),
        ]
    )
    return compute(Facts(absences=absences, points=POINTS), org_frames, families=(Family.ABSENCE,))


def at(values, key, point, node=10):
    return value(values, key, node, period_kind="point", period_id=point)["value"]


def test_by_30_september_only_september_counts(so_far):
    assert at(so_far, "absence_mean", 1) == pytest.approx((10 + 20) / 2)
    assert at(so_far, "absence_15_percent_or_more", 1) == 50  # pupil 2 at 20 %, pupil 1 at 10 %
    assert at(so_far, "unexcused_absence_mean", 1) == pytest.approx((0 + 5) / 2)


def test_by_15_october_october_is_still_running_and_left_out_whole(so_far):
    assert at(so_far, "absence_mean", 2) == at(so_far, "absence_mean", 1)
    assert at(so_far, "absence_15_percent_or_more", 2) == 50


def test_by_31_october_both_months_count(so_far):
    # Pupil 1: 2 100 / 12 000 = 17.5 % (over the limit now); pupil 2: 1 200 / 12 000 = 10 %.
    assert at(so_far, "absence_mean", 3) == pytest.approx((17.5 + 10) / 2)
    assert at(so_far, "absence_15_percent_or_more", 3) == 50  # pupil 1 only, now
    assert at(so_far, "unexcused_absence_mean", 3) == pytest.approx((5 + 2.5) / 2)
    assert (
        value(so_far, "absence_15_percent_or_more", 10, period_kind="point", period_id=3)["n"] == 2
    )


def test_the_term_is_the_sum_of_its_periods(so_far):
    term = value(so_far, "absence_mean", 10, period_kind="term", period_id=HT)
    assert term["value"] == pytest.approx((17.5 + 10) / 2)
    year = value(so_far, "absence_15_percent_or_more_year", 10, period_kind="year", period_id=YEAR)
    assert year["value"] == 50


def test_the_point_figures_reach_areas_and_the_organiser(so_far):
    assert at(so_far, "absence_mean", 3, node=1) == pytest.approx(13.75)
    assert at(so_far, "absence_mean", 3, node=2) == pytest.approx(13.75)


def test_a_point_before_any_period_has_ended_has_no_figure(org_frames):
    absences = periods([(1, *OCT, 6000, 1500, 0)])
    values = compute(
        Facts(absences=absences, points=POINTS), org_frames, families=(Family.ABSENCE,)
    )
    assert values.filter(pl.col("period_kind") == "point")["period_id"].unique().to_list() == [3]


def test_a_term_stored_whole_counts_only_at_points_on_or_after_its_last_day():
    whole = periods([(1, dt.date(2024, 8, 15), dt.date(2024, 12, 22), 30000, 3000, 0)])
    points = POINTS.vstack(
        pl.DataFrame(
            {"point_id": [4], "term_id": [HT], "assessed_on": [dt.date(2024, 12, 22)]},
            schema=POINTS.schema,
        )
    )
    assert absence_so_far(whole, points)["point_id"].to_list() == [4]


def test_only_the_points_own_term_counts():
    other_term = periods([(1, *SEP, 6000, 600, 0)]).with_columns(term_id=pl.lit(2, pl.Int64))
    assert absence_so_far(other_term, POINTS).is_empty()


def test_the_term_indicators_are_the_ones_computed_at_points():
    at_points = {k for k, i in REGISTRY.items() if i.at_points}
    assert at_points == {"absence_mean", "absence_15_percent_or_more", "unexcused_absence_mean"}
    assert all(REGISTRY[k].period == PeriodKind.TERM for k in at_points)


MONTHS = [
    (dt.date(2024, 8, 15), dt.date(2024, 8, 31)),
    (dt.date(2024, 9, 1), dt.date(2024, 9, 30)),
    (dt.date(2024, 10, 1), dt.date(2024, 10, 31)),
    (dt.date(2024, 11, 1), dt.date(2024, 11, 30)),
    (dt.date(2024, 12, 1), dt.date(2024, 12, 22)),
]


@st.composite
def pupils_by_month(draw):
    """Per pupil, for each month: scheduled, absent ≤ scheduled, unexcused ≤ absent."""
    rows = []
    for pupil in draw(st.lists(st.sampled_from([1, 2, 3]), min_size=1, max_size=3, unique=True)):
        for first, last in MONTHS:
            scheduled = draw(st.integers(0, 3000))
            absent = draw(st.integers(0, scheduled))
            unexcused = draw(st.integers(0, absent))
            rows.append((pupil, first, last, scheduled, absent, unexcused))
    return rows


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=pupils_by_month())
def test_cutting_a_term_into_periods_changes_no_term_or_year_figure(org_frames, rows):
    months = periods(rows)
    whole = months.group_by("pupil_id", "unit_id", "academic_year_id", "term_id").agg(
        pl.col("starts_on").min(),
        pl.col("ends_on").max(),
        pl.col("year_group").max(),
        pl.col("scheduled").sum(),
        pl.col("absent").sum(),
        pl.col("unexcused").sum(),
    )
    end = pl.DataFrame(
        {"point_id": [9], "term_id": [HT], "assessed_on": [dt.date(2024, 12, 22)]},
        schema=POINTS.schema,
    )
    by_month = compute(Facts(absences=months, points=end), org_frames, families=(Family.ABSENCE,))
    as_one = compute(Facts(absences=whole), org_frames, families=(Family.ABSENCE,))
    key = ["indicator", "node_id", "period_kind", "period_id", "breakdown"]
    columns = [*key, "value", "n", "suppression"]
    # The same integer sums per pupil; over pupils summed in another order, so equal to the
    # last bits of a float.
    assert_frame_equal(
        by_month.filter(pl.col("period_kind") != "point").select(columns).sort(key),
        as_one.select(columns).sort(key),
        check_exact=False,
    )
    # At a point on the term's last day every period has ended: the term's figures.
    at_end = (
        by_month.filter(pl.col("period_kind") == "point")
        .drop("period_id", "period_kind")
        .select([c for c in columns if c not in ("period_kind", "period_id")])
    )
    term = (
        as_one.filter(pl.col("period_kind") == "term")
        .drop("period_id", "period_kind")
        .select([c for c in columns if c not in ("period_kind", "period_id")])
    )
    other = ["indicator", "node_id", "breakdown"]
    assert_frame_equal(at_end.sort(other), term.sort(other), check_exact=False)


# -- A running term has absence so far, not a term's or a year's absence ---------------------
# HT ends 20 December, the year (its VT) 12 June. The rows read reach 31 October.


def with_calendar(absences: pl.DataFrame, term_ends_on: dt.date) -> pl.DataFrame:
    return absences.with_columns(
        term_ends_on=pl.lit(term_ends_on), year_ends_on=pl.lit(dt.date(2025, 6, 12))
    )


def computed(absences: pl.DataFrame, org_frames) -> pl.DataFrame:
    return compute(Facts(absences=absences, points=POINTS), org_frames, families=(Family.ABSENCE,))


def rows_of(values: pl.DataFrame, kind: str) -> pl.DataFrame:
    return values.filter(pl.col("period_kind") == kind)


def test_months_of_a_running_term_give_no_term_or_year_figure(org_frames):
    absences = with_calendar(
        periods([(1, *SEP, 6000, 600, 0), (1, *OCT, 6000, 1500, 600)]), dt.date(2024, 12, 20)
    )
    values = computed(absences, org_frames)
    assert rows_of(values, "term").is_empty() and rows_of(values, "year").is_empty()
    # ... while each point has its so far: 10 % at 30 September, 17,5 % at 31 October.
    assert at(values, "absence_mean", 1) == pytest.approx(10.0)
    assert at(values, "absence_mean", 3) == pytest.approx(17.5)


def test_a_term_whose_periods_reach_its_last_day_has_its_figure_but_not_yet_the_year(org_frames):
    # The term ends 31 October here: the stored months reach it; the year does not end until June.
    absences = with_calendar(
        periods([(1, *SEP, 6000, 600, 0), (1, *OCT, 6000, 1500, 600)]), dt.date(2024, 10, 31)
    )
    values = computed(absences, org_frames)
    term = value(values, "absence_mean", 10, period_kind="term", period_id=HT)
    assert term["value"] == pytest.approx(17.5)  # 2 100 of 12 000 minutes
    assert rows_of(values, "year").is_empty()


def test_a_year_whose_data_reach_its_last_day_has_its_figure(org_frames):
    absences = periods([(1, *SEP, 6000, 600, 0), (1, *OCT, 6000, 1500, 600)]).with_columns(
        term_ends_on=pl.lit(OCT[1]), year_ends_on=pl.lit(OCT[1])
    )
    values = computed(absences, org_frames)
    year = value(values, "absence_mean_year", 10, period_kind="year", period_id=YEAR)
    assert year["value"] == pytest.approx(17.5)
