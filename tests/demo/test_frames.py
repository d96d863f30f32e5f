"""The demo organiser's headline figures, computed by the real indicator engine, fall in the
calibrated ranges (docs/demo-data.md, Calibration: riket 2017/18 meritvärde 228.7, 75.6 % all
subjects, 84.4 % eligible for a vocational programme)."""

from __future__ import annotations

import polars as pl
import pytest

from skolkvalitet.demo.frames import DemoFrames
from skolkvalitet.demo.generator import generate
from skolkvalitet.indicators.engine import compute
from skolkvalitet.indicators.registry import Family

HEADLINE = ("merit_value_17", "passed_all_subjects", "eligible_vocational")


@pytest.fixture(scope="module")
def headline_by_year() -> dict[str, list[tuple[float, int]]]:
    data = generate()
    frames = DemoFrames(data)
    org = frames.organisation()
    out: dict[str, list[tuple[float, int]]] = {key: [] for key in HEADLINE}
    for year in data.years:
        values = compute(frames.facts(year.index), org, families=(Family.FINAL_GRADES,))
        rows = values.filter(
            (pl.col("node_id") == frames.organiser_id)
            & (pl.col("breakdown") == "")
            & pl.col("indicator").is_in(HEADLINE)
        )
        for indicator, value, n in rows.select("indicator", "value", "n").iter_rows():
            out[indicator].append((value, n))
    return out


def pooled(pairs: list[tuple[float, int]]) -> float:
    return sum(v * n for v, n in pairs) / sum(n for _v, n in pairs)


def test_five_cohorts_of_final_grades(headline_by_year):
    assert len(headline_by_year["merit_value_17"]) == 5


def test_merit_value_is_calibrated(headline_by_year):
    assert 225 <= pooled(headline_by_year["merit_value_17"]) <= 232
    assert all(220 <= v <= 238 for v, _n in headline_by_year["merit_value_17"])


def test_passed_all_subjects_is_calibrated(headline_by_year):
    assert 72 <= pooled(headline_by_year["passed_all_subjects"]) <= 79


def test_vocational_eligibility_is_calibrated(headline_by_year):
    assert 81 <= pooled(headline_by_year["eligible_vocational"]) <= 88


def test_every_year_has_newly_arrived_pupils_as_skolverket_counts_them():
    """The demo's year 9 cohorts have pupils who immigrated in the spring's calendar year or
    the three before, born abroad with both parents born abroad (docs/demo-data.md §2), and
    the breakdown's three categories (yes, no, uppgift saknas) add up to the total."""
    data = generate()
    frames = DemoFrames(data)
    org = frames.organisation()
    cohorts = 0
    for year in data.years:
        values = compute(frames.facts(year.index), org, families=(Family.FINAL_GRADES,))
        at_organiser = values.filter(
            (pl.col("node_id") == frames.organiser_id)
            & (pl.col("indicator") == "passed_all_subjects")
        )
        n = dict(at_organiser.select("breakdown", "n").iter_rows())
        if not n:  # the running year: no final grades yet
            continue
        cohorts += 1
        assert n["newly_arrived=yes"] >= 5, (year.code, n)
        parts = [n.get(f"newly_arrived={c}", 0) for c in ("yes", "no", "unknown")]
        assert sum(parts) == n[""], (year.code, n)
    assert cohorts == 5
