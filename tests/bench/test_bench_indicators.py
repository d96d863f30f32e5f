"""The pure helpers of bench/bench_indicators.py and bench/indicator_values_check.py:
summaries of repeated runs, the report's spread, and the bit-for-bit comparison of dumps."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bench_indicators = load("bench_indicators")
values_check = load("indicator_values_check")


def test_a_summary_gives_min_median_max_and_the_largest_peak():
    runs = [
        {"seconds": 3.0, "rows": 10, "peak_mib": 100.0},
        {"seconds": 1.0, "rows": 10, "peak_mib": 300.0},
        {"seconds": 2.0, "rows": 10, "peak_mib": 200.0},
    ]
    summary = bench_indicators.summary(runs)
    assert (summary["min"], summary["seconds"], summary["max"]) == (1.0, 2.0, 3.0)
    assert summary["peak_mib"] == 300.0
    assert summary["runs"] == [1.0, 2.0, 3.0]


def test_an_even_number_of_runs_has_the_mean_of_the_middle_two_as_median():
    runs = [{"seconds": s, "rows": 1, "peak_mib": 1.0} for s in (4.0, 1.0, 2.0, 3.0)]
    assert bench_indicators.summary(runs)["seconds"] == 2.5


def test_the_spread_shows_one_run_as_one_figure_and_several_as_min_median_max():
    one = bench_indicators.summary([{"seconds": 1.25, "rows": 1, "peak_mib": 1.0}])
    assert bench_indicators.spread(one, 2) == "1.25"
    three = bench_indicators.summary(
        [{"seconds": s, "rows": 1, "peak_mib": 1.0} for s in (1.0, 2.0, 3.0)]
    )
    assert bench_indicators.spread(three) == "1.0 / **2.0** / 3.0"


def values(value: float) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator": ["absence_mean", "passed_MA"],
            "family": ["absence", "final_grades"],
            "node_id": [1, 1],
            "period_kind": ["year", "year"],
            "period_id": [1, 1],
            "breakdown": ["", ""],
            "value": [value, None],
            "n": [3, 0],
            "numerator": [value, 0.0],
            "denominator": [1.0, 0.0],
            "suppression": ["", ".."],
            "data_version": [1, 1],
        }
    )


def write_dump(path: Path, frame: pl.DataFrame) -> Path:
    frame.write_parquet(path)
    pl.DataFrame(
        {"family": ["absence"], "period_kind": ["year"], "period_id": [1], "rows": [2]}
    ).with_columns(data_version=pl.lit(1, dtype=pl.Int64)).write_parquet(
        path.with_suffix(".periods.parquet")
    )
    return path


def test_equal_dumps_compare_equal_nulls_included(tmp_path):
    before = write_dump(tmp_path / "before.parquet", values(0.1 + 0.2))
    after = write_dump(tmp_path / "after.parquet", values(0.1 + 0.2))
    assert values_check.compare(before, after)


@pytest.mark.parametrize("other", [0.3, float("nan")])
def test_a_float_that_differs_in_its_last_bit_is_a_difference(tmp_path, capsys, other):
    before = write_dump(tmp_path / "before.parquet", values(0.1 + 0.2))  # 0.30000000000000004
    after = write_dump(tmp_path / "after.parquet", values(other))
    assert not values_check.compare(before, after)
    assert "absence_mean" in capsys.readouterr().out


def test_minus_zero_is_not_zero(tmp_path):
    before = write_dump(tmp_path / "before.parquet", values(0.0))
    after = write_dump(tmp_path / "after.parquet", values(-0.0))
    assert not values_check.compare(before, after)
