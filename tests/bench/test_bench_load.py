"""The pure helpers of bench/bench_load.py: loopback check, percentiles, summaries, plans."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[2] / "bench" / "bench_load.py"
spec = importlib.util.spec_from_file_location("bench_load", PATH)
bench_load = importlib.util.module_from_spec(spec)
sys.modules["bench_load"] = bench_load  # dataclasses look their module up
spec.loader.exec_module(bench_load)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8000/healthz", True),
        ("http://127.0.0.2:8000/", True),
        ("http://[::1]:8000/", True),
        ("http://localhost:8000/", True),
        ("http://10.0.0.1:8000/", False),
        ("http://example.se/", False),
        ("http://[2001:db8::1]/", False),
        ("/relative", False),
    ],
)
def test_is_loopback(url, expected):
    assert bench_load.is_loopback(url) is expected


def test_percentile_nearest_rank():
    values = [float(v) for v in range(100, 0, -1)]  # 100 .. 1, unsorted on purpose
    assert bench_load.percentile(values, 95) == 95.0
    assert bench_load.percentile(values, 99) == 99.0
    assert bench_load.percentile(values, 50) == 50.0
    assert bench_load.percentile([7.0, 3.0, 5.0], 95) == 7.0  # ceil(2.85) = 3rd value
    assert bench_load.percentile([7.0, 3.0, 5.0], 50) == 5.0
    assert bench_load.percentile([4.0], 99) == 4.0
    assert math.isnan(bench_load.percentile([], 95))


def test_summarise_counts_errors_apart_from_latencies():
    Sample = bench_load.Sample
    samples = [
        Sample("unit", 10.0, True),
        Sample("unit", 30.0, True),
        Sample("unit", 20.0, True),
        Sample("unit", 5000.0, False, "500"),  # failed: counted, not in the percentiles
        Sample("unit", 30000.0, False, "ReadTimeout"),
        Sample("overview", 40.0, True),
    ]
    summary = bench_load.summarise(samples, seconds=2.0)
    assert summary["unit"]["requests"] == 5
    assert summary["unit"]["errors"] == 2
    assert summary["unit"]["error_kinds"] == {"500": 1, "ReadTimeout": 1}
    assert summary["unit"]["per_second"] == 2.5
    assert summary["unit"]["median_ms"] == 20.0
    assert summary["unit"]["p95_ms"] == 30.0
    assert summary["unit"]["mean_ms"] == 20.0
    assert summary["overview"]["requests"] == 1
    assert summary["overview"]["errors"] == 0
    assert summary["overview"]["error_kinds"] == {}


def test_plan_alternates_pages_and_balances_users():
    pages = ("overview", "unit")
    assert bench_load.plan(0, 4, pages) == ["overview", "unit", "overview", "unit"]
    assert bench_load.plan(1, 3, pages) == ["overview", "unit", "overview"]
    assert bench_load.plan(2, 3, pages) == ["unit", "overview", "unit"]
    assert bench_load.plan(3, 1, ("healthz",)) == ["healthz"]
    # Over four clients (two per user), each user's first requests cover both pages.
    firsts = {(i % 2, bench_load.plan(i, 1, pages)[0]) for i in range(4)}
    assert firsts == {(0, "overview"), (0, "unit"), (1, "overview"), (1, "unit")}


def test_csrf_token_from_the_login_form():
    html = '<form><input type="hidden" name="csrfmiddlewaretoken" value="abc123XYZ"></form>'
    assert bench_load.csrf_token(html) == "abc123XYZ"
    assert bench_load.csrf_token("<form></form>") is None


def test_spread_is_min_median_max():
    assert bench_load.spread([3.0, 1.0, 2.0]) == (1.0, 2.0, 3.0)
    assert all(math.isnan(v) for v in bench_load.spread([]))


def test_the_median_run_is_the_one_of_median_throughput():
    def run(overview: float, unit: float) -> dict:
        return {"load": {"overview": {"per_second": overview}, "unit": {"per_second": unit}}}

    slow, middle, fast = run(1, 1), run(50, 60), run(100, 90)
    assert bench_load.median_run([fast, slow, middle]) is middle
    assert bench_load.median_run([fast, slow]) is slow  # the lower middle of an even number
