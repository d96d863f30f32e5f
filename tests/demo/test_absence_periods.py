"""demo/absence_periods.py: each term's absence split into calendar months, exactly, within
each month's scheduled time; of the running term only the months ended by the demo's today."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.demo import catalogue as cat
from skolkvalitet.demo.absence_periods import split_exactly, split_within
from skolkvalitet.demo.generator import generate
from skolkvalitet.results.absence import month_periods


def test_the_months_of_a_term_cut_to_its_days():
    assert month_periods(dt.date(2024, 8, 15), dt.date(2024, 12, 22)) == [
        (dt.date(2024, 8, 15), dt.date(2024, 8, 31)),
        (dt.date(2024, 9, 1), dt.date(2024, 9, 30)),
        (dt.date(2024, 10, 1), dt.date(2024, 10, 31)),
        (dt.date(2024, 11, 1), dt.date(2024, 11, 30)),
        (dt.date(2024, 12, 1), dt.date(2024, 12, 22)),
    ]
    assert month_periods(dt.date(2025, 1, 8), dt.date(2025, 1, 8)) == [
        (dt.date(2025, 1, 8), dt.date(2025, 1, 8))
    ]


def test_a_split_by_weights_by_hand():
    # 100 over weights 1, 1, 2: cumulative 25, 50, 100.
    assert split_exactly(np.array([100]), np.array([[1.0, 1.0, 2.0]])).tolist() == [[25, 25, 50]]


@given(
    rows=st.lists(
        st.tuples(
            st.lists(st.integers(0, 5000), min_size=1, max_size=6),
            st.floats(0, 1),
            st.lists(st.floats(0.01, 5), min_size=6, max_size=6),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_a_split_within_capacities_adds_up_and_fits(rows):
    width = max(len(c) for c, _f, _w in rows)
    capacity = np.array([c + [0] * (width - len(c)) for c, _f, _w in rows])
    total = np.array([int(f * c.sum()) for (_c, f, _w), c in zip(rows, capacity, strict=True)])
    weights = np.array([w[:width] for _c, _f, w in rows])
    out = split_within(total, capacity, weights)
    assert (out.sum(axis=1) == total).all()
    assert ((out >= 0) & (out <= capacity)).all()


@pytest.fixture(scope="module")
def data():
    return generate(scale=0.2)


def frame(table) -> pl.DataFrame:
    return pl.DataFrame({k: v for k, v in table.items()})


def test_the_months_of_an_ended_term_add_up_to_its_totals(data):
    terms = frame(data.absences)
    months = frame(data.absence_periods)
    summed = months.group_by("pupil", "unit", "term").agg(
        pl.col("scheduled", "absent", "unexcused").sum()
    )
    joined = terms.join(summed, on=["pupil", "unit", "term"], how="left", suffix="_months")
    for column in ("scheduled", "absent", "unexcused"):
        assert (joined[column] == joined[f"{column}_months"]).all()
    assert (months["absent"] <= months["scheduled"]).all()
    assert (months["unexcused"] <= months["absent"]).all()


def test_of_the_running_term_only_the_months_ended_by_today_are_stored(data):
    running = next(t for t in data.terms if t.start <= cat.TODAY < t.end)
    months = frame(data.absence_periods).filter(pl.col("term") == running.index)
    assert months["ends_on"].max() <= cat.TODAY
    assert sorted(set(months["starts_on"].to_list())) == [
        first for first, last in month_periods(running.start, running.end) if last <= cat.TODAY
    ]
    assert running.index not in set(data.absences["term"].tolist())  # no term totals: not over
