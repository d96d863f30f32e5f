"""The rules of the drafted observations (quality/observations/rules.py), by hand and by
property: no observation for a change inside its uncertainty, for a suppressed figure or one
below its minimum n, or for a mean; every observation's interval excludes 0 as shown, and every
figure it rests on has at least its minimum n. The intervals are checked against Newcombe's
published examples."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.quality.observations.rules import (
    GAP_PAIRS,
    Direction,
    GoalStatus,
    Interval,
    ObservationKind,
    Share,
    change_observation,
    combination_interval,
    difference_interval,
    gap_change_interval,
    gap_observation,
    goal_observation,
    is_tested_share,
    time_share,
    wilson_interval,
)

PASSED = REGISTRY["passed_all_subjects"]
ABSENT = REGISTRY["absence_15_percent_or_more_year"]
MERIT = REGISTRY["merit_value_17"]
GENDER = GAP_PAIRS[0]
NBSP = "\u00a0"
LAST_YEAR = ObservationKind.CHANGE_LAST_YEAR


@pytest.fixture(autouse=True)
def english():
    """The sentences' English message ids (Swedish once the catalogue has them)."""
    with translation.override("en"):
        yield


def share(x: int, m: int, period: str = "2024/25", *, min_n: int = 10, **fields) -> Share:
    return Share(
        period_label=period,
        value=100 * x / m,
        n=m,
        numerator=float(x),
        denominator=float(m),
        min_n=min_n,
        **fields,
    )


def change(before: Share, after: Share, indicator=PASSED):
    return change_observation(
        section_key="kunskaper", kind=LAST_YEAR, indicator=indicator, before=before, after=after
    )


# -- the intervals -------------------------------------------------------------------------------


def test_wilson_interval_by_hand() -> None:
    # 100 of 200, z = 1.959964: centre (200 + z²) / (2 (200 + z²)) = 0.5, half-width
    # z √(z² + 800 · 0.25) / (2 · 203.8415) = 1.959964 · 14.27731 / 407.6829 = 0.068639.
    low, high = wilson_interval(100, 200)
    assert (low, high) == (pytest.approx(0.431361, abs=1e-6), pytest.approx(0.568639, abs=1e-6))
    # 0 of 10 (Newcombe 1998a): 0 to 0.2775.
    assert wilson_interval(0, 10) == (0.0, pytest.approx(0.27753, abs=1e-5))


@pytest.mark.parametrize(
    ("later", "earlier", "low", "high"),
    [
        # Newcombe 1998b, Statistics in Medicine 17:873–890, table II, method 10.
        ((56, 70), (48, 80), 0.0524, 0.3339),
        ((9, 10), (3, 10), 0.1705, 0.8090),
        ((5, 56), (0, 29), -0.0381, 0.1926),
        ((0, 10), (0, 10), -0.2775, 0.2775),
        ((10, 10), (0, 20), 0.6791, 1.0000),
    ],
)
def test_the_difference_interval_is_newcombes_method_10(later, earlier, low, high) -> None:
    interval = difference_interval(later, earlier)
    assert interval.low == pytest.approx(100 * low, abs=0.01)
    assert interval.high == pytest.approx(100 * high, abs=0.01)


def test_the_gap_interval_is_newcombes_difference_of_differences() -> None:
    # Newcombe 2001, Statistics in Medicine 20:2885–2893, the Bristol antenatal care study:
    # (17/65 − 17/75) − (18/72 − 16/65) = 0.0310, 95 % interval −0.1687 to 0.2343.
    interval = gap_change_interval((17, 65), (17, 75), (18, 72), (16, 65))
    assert interval.estimate == pytest.approx(3.1026, abs=1e-3)
    assert interval.low == pytest.approx(-16.8675, abs=1e-3)
    assert interval.high == pytest.approx(23.4301, abs=1e-3)


def test_an_interval_excludes_zero_only_as_shown() -> None:
    assert Interval(1.0, 0.06, 2.0).excludes_zero  # shown 0,1–2,0
    assert not Interval(1.0, 0.04, 2.0).excludes_zero  # shown 0,0–2,0
    assert Interval(-1.0, -2.0, -0.05).excludes_zero  # shown −2,0 – −0,1
    assert not Interval(0.0, -1.0, 1.0).excludes_zero


# -- a change between two periods ----------------------------------------------------------------


def test_a_change_inside_its_uncertainty_gives_no_observation() -> None:
    # 60 % of 20 → 70 % of 20: the difference 10 points has the interval −18.4 to 36.3.
    assert difference_interval((14, 20), (12, 20)).low == pytest.approx(-18.42, abs=0.01)
    assert change(share(12, 20, "2023/24"), share(14, 20)) is None


def test_a_significant_increase_is_observed_with_its_numbers_and_interval() -> None:
    # 50 % of 200 → 65 % of 200. By hand: Wilson 100/200 = 0.431361–0.568639, 130/200 =
    # 0.581635–0.712713; low = 0.15 − √(0.068365² + 0.068639²) = 0.053123, high = 0.15 +
    # √(0.062713² + 0.068639²) = 0.242975.
    found = change(share(100, 200, "2023/24"), share(130, 200))
    assert found is not None
    assert (found.kind, found.direction, found.indicator) == (
        LAST_YEAR,
        Direction.INCREASED,
        "passed_all_subjects",
    )
    assert found.change == pytest.approx(15.0)
    assert found.low == pytest.approx(5.3123, abs=1e-3)
    assert found.high == pytest.approx(24.2975, abs=1e-3)
    assert [(f.period_label, f.value, f.n) for f in found.figures] == [
        ("2023/24", 50.0, 200),
        ("2024/25", 65.0, 200),
    ]
    assert found.text == (
        f"Uppfyllt betygskriterierna i alla ämnen: the share increased from 50,0{NBSP}% (2023/24, "
        f"n = 200) to 65,0{NBSP}% (2024/25, n = 200), an increase of 15,0 percentage points "
        "(95 % confidence interval 5,3–24,3)."
    )


def test_a_decrease_states_the_size_of_the_decrease_and_its_interval() -> None:
    found = change(share(130, 200, "2023/24"), share(100, 200), indicator=ABSENT)
    assert found is not None and found.direction == Direction.DECREASED
    assert (found.change, found.low, found.high) == (
        pytest.approx(-15.0),
        pytest.approx(-24.2975, abs=1e-3),
        pytest.approx(-5.3123, abs=1e-3),
    )
    assert "a decrease of 15,0 percentage points (95 % confidence interval 5,3–24,3)" in (
        found.text
    )


@pytest.mark.parametrize(
    "hidden",
    [
        {"suppression": ".."},  # below the limit, or a complement of a hidden figure
        {"suppression": "~100"},
        {"min_n": 201},  # fewer pupils than the indicator's limit at the node's level
    ],
)
def test_a_suppressed_or_small_figure_gives_no_observation(hidden) -> None:
    significant = (share(100, 200, "2023/24"), share(130, 200))
    assert change(*significant) is not None
    assert change(share(100, 200, "2023/24", **hidden), significant[1]) is None
    assert change(significant[0], share(130, 200, **hidden)) is None


def test_a_summary_level_limit_of_five_lets_a_large_change_of_few_pupils_through() -> None:
    # 0 of 8 → 8 of 8: Wilson 8/8 is 8 / (8 + z²) = 0.67559 to 1, 0/8 is 0 to 0.32441, so
    # low = 1 − √(0.32441² + 0.32441²) = 0.54121. At an area from 2023/24 (limit 5) it is
    # said, at a unit (limit 10) it is not.
    assert difference_interval((8, 8), (0, 8)).low == pytest.approx(54.121, abs=1e-3)
    assert change(share(0, 8, "2023/24", min_n=5), share(8, 8, min_n=5)) is not None
    assert change(share(0, 8, "2023/24", min_n=10), share(8, 8, min_n=10)) is None


def test_no_change_of_a_mean_or_of_a_share_of_full_time_equivalents() -> None:
    # The merit value's stored figures have no standard deviation: no test, no sentence.
    assert not is_tested_share(MERIT)
    assert change(share(100, 200, "2023/24"), share(190, 200), indicator=MERIT) is None
    assert not is_tested_share(REGISTRY["certified_teachers_share"])
    assert is_tested_share(REGISTRY["survey_pupil_safety"])  # respondents are people
    assert is_tested_share(REGISTRY["on_track_all_subjects"])


def test_counts_that_are_not_whole_are_not_tested() -> None:
    odd = Share("2024/25", 65.0, 200, 130.5, 200.0, 10)
    assert odd.counts is None
    assert change(share(100, 200, "2023/24"), odd) is None


# -- gaps ----------------------------------------------------------------------------------------


def gap(fb: Share, sb: Share, fa: Share, sa: Share):
    return gap_observation(
        section_key="kunskaper",
        indicator=PASSED,
        pair=GENDER,
        first_before=fb,
        second_before=sb,
        first_after=fa,
        second_after=sa,
    )


def test_a_widened_gap_between_girls_and_boys() -> None:
    # 2023/24: girls 70 % of 200, boys 65 % of 200 (gap 5); 2024/25: girls 80 %, boys 60 %
    # (gap 20): the gap changed by 15 points. By hand, Wilson: 160/200 0.739151–0.849557,
    # 120/200 0.530838–0.665396, 140/200 0.633214–0.759258, 130/200 0.581635–0.712713.
    # low = 0.15 − √(0.060849² + 0.065396² + 0.059258² + 0.068365²) = 0.15 − 0.127140,
    # high = 0.15 + √(0.049557² + 0.069162² + 0.066786² + 0.062713²) = 0.15 + 0.125030.
    fb, sb = share(140, 200, "2023/24"), share(130, 200, "2023/24")
    fa, sa = share(160, 200), share(120, 200)
    interval = gap_change_interval((160, 200), (120, 200), (140, 200), (130, 200))
    assert interval.estimate == pytest.approx(15.0)
    assert interval.low == pytest.approx(2.286, abs=1e-3)
    assert interval.high == pytest.approx(27.503, abs=1e-3)
    found = gap(fb, sb, fa, sa)
    assert found is not None
    assert (found.kind, found.direction) == (ObservationKind.GAP, Direction.WIDENED)
    assert found.change == pytest.approx(15.0)
    assert found.text == (
        "Uppfyllt betygskriterierna i alla ämnen: the gap between girls and boys widened from 5,0 "
        f"percentage points (2023/24: girls 70,0{NBSP}%, n = 200; boys 65,0{NBSP}%, n = 200) "
        f"to 20,0 percentage points (2024/25: girls 80,0{NBSP}%, n = 200; boys 60,0{NBSP}%, "
        "n = 200), by 15,0 percentage points (95 % confidence interval 2,3–27,5)."
    )


def test_a_gap_where_the_boys_lead_narrows_when_the_signed_gap_rises() -> None:
    # Girls 50 % and boys 75 % (gap −25), then 70 % and 75 % (gap −5): narrowed by 20.
    found = gap(
        share(100, 200, "2023/24"),
        share(150, 200, "2023/24"),
        share(140, 200),
        share(150, 200),
    )
    assert found is not None and found.direction == Direction.NARROWED
    assert found.change == pytest.approx(20.0)
    assert "narrowed from 25,0 percentage points" in found.text
    assert "to 5,0 percentage points" in found.text


def test_a_gap_whose_leader_changes_is_stated_signed() -> None:
    found = gap(
        share(160, 200, "2023/24"),
        share(120, 200, "2023/24"),
        share(120, 200),
        share(160, 200),
    )
    assert found is not None and found.direction == Direction.REVERSED
    assert found.change == pytest.approx(-40.0)
    assert "the gap girls minus boys went from 20,0 percentage points" in found.text
    assert "to \u221220,0 percentage points" in found.text


def test_a_gap_change_inside_its_uncertainty_or_with_a_small_group_gives_none() -> None:
    # Gap 5 → 15 with 20 pupils in each group: far inside the uncertainty.
    assert gap(share(14, 20, "x"), share(13, 20, "x"), share(16, 20), share(13, 20)) is None
    big = (share(140, 200, "x"), share(130, 200, "x"), share(160, 200), share(120, 200))
    assert gap(*big) is not None
    for i in range(4):
        small = list(big)
        s = big[i]
        small[i] = Share(s.period_label, s.value, s.n, s.numerator, s.denominator, 201)
        assert gap(*small) is None
        small[i] = Share(s.period_label, s.value, s.n, s.numerator, s.denominator, 10, "..")
        assert gap(*small) is None


# -- goals ---------------------------------------------------------------------------------------


def goal(**fields) -> GoalStatus:
    values = {
        "goal_id": 7,
        "title": "Fler elever når målen",
        "indicator": PASSED,
        "baseline": 70.0,
        "baseline_period": "2023/24",
        "baseline_n": 100,
        "baseline_min_n": 10,
        "latest": 72.0,
        "latest_period": "2024/25",
        "latest_n": 110,
        "latest_min_n": 10,
        "target": 80.0,
        "progress": 20.0,  # 2 of the 10 points
        "starts": dt.date(2024, 8, 19),
        "ends": dt.date(2025, 6, 13),
    }
    return GoalStatus(**(values | fields))


def test_time_share_by_hand() -> None:
    # 2024-08-19 to 2025-06-13 is 298 days; on 2025-01-01, 135 days have passed: 45.3 %.
    starts, ends = dt.date(2024, 8, 19), dt.date(2025, 6, 13)
    assert time_share(starts=starts, ends=ends, today=dt.date(2025, 1, 1)) == pytest.approx(
        100 * 135 / 298
    )
    assert time_share(starts=starts, ends=ends, today=dt.date(2024, 1, 1)) == 0.0
    assert time_share(starts=starts, ends=ends, today=dt.date(2026, 1, 1)) == 100.0


def test_a_goal_is_behind_when_its_progress_trails_its_time_by_more_than_25_points() -> None:
    # 20 % of the way; on 2025-01-01 45.3 % of the time: 25.3 points behind.
    found = goal_observation(section_key="kunskaper", goal=goal(), today=dt.date(2025, 1, 1))
    assert found is not None
    assert (found.kind, found.direction, found.goal_id) == (
        ObservationKind.GOAL_OFF_TRACK,
        Direction.BEHIND,
        7,
    )
    assert found.progress == 20.0 and found.time_share == pytest.approx(45.30, abs=0.01)
    assert found.text == (
        "The goal “Fler elever når målen” is behind: the latest value 72,0\u00a0% (2024/25, "
        "n = 110) has covered 20 % of the way from the baseline 70,0\u00a0% (2023/24) to the "
        "target 80,0\u00a0%, while 45 % of the time until 2025-06-13 has passed."
    )
    # On 2024-12-31 (134 days, 45.0 %) it trails by 25.0 points only: not behind.
    assert goal_observation(section_key="k", goal=goal(), today=dt.date(2024, 12, 31)) is None


def test_a_goal_whose_latest_value_moved_away_from_the_target_is_behind() -> None:
    away = goal(latest=68.0, progress=0.0)
    found = goal_observation(section_key="k", goal=away, today=dt.date(2024, 9, 1))
    assert found is not None and found.direction == Direction.MOVED_AWAY
    assert "lies further from the target 80,0\u00a0% than the baseline 70,0\u00a0%" in found.text
    # Lower is better (absence): from 20 % toward 12 %, at 23 % it has moved away.
    absent = goal(indicator=ABSENT, baseline=20.0, latest=23.0, target=12.0, progress=0.0)
    assert goal_observation(section_key="k", goal=absent, today=dt.date(2024, 9, 1))
    # Holding a level: 90 % with the target 85 %, now 88 %: held, nothing to say.
    held = goal(baseline=90.0, latest=88.0, target=85.0, progress=100.0)
    assert goal_observation(section_key="k", goal=held, today=dt.date(2025, 6, 1)) is None


def test_a_goal_on_a_figure_below_its_minimum_n_gives_none() -> None:
    small = goal(latest_n=9)
    assert goal_observation(section_key="k", goal=small, today=dt.date(2025, 6, 1)) is None
    assert goal_observation(section_key="k", goal=goal(), today=dt.date(2025, 6, 1))


# -- properties ----------------------------------------------------------------------------------


@st.composite
def shares(draw, period: str = "p") -> Share:
    m = draw(st.integers(min_value=1, max_value=400))
    x = draw(st.integers(min_value=0, max_value=m))
    return Share(
        period_label=period,
        value=100 * x / m,
        n=m,
        numerator=float(x),
        denominator=float(m),
        min_n=draw(st.sampled_from([0, 5, 10])),
        suppression=draw(st.sampled_from(["", "", "", "..", "~100"])),
    )


def assert_sound(found, shares_in: list[Share]) -> None:
    """An observation's interval excludes 0 as shown, and it rests only on figures without a
    marker and with at least their minimum n."""
    assert found.low is not None and found.high is not None
    assert found.low > 0 or found.high < 0
    assert round(found.low, 1) != 0 or round(found.high, 1) != 0
    assert found.low <= found.change <= found.high
    assert all(f.n >= f.min_n and f.n >= 1 for f in found.figures)
    assert all(not s.suppression for s in shares_in)


@given(shares("before"), shares("after"))
def test_every_change_observation_is_significant_and_rests_on_enough_pupils(before, after):
    found = change(before, after)
    if found is None:
        counts = (before.counts, after.counts)
        if None not in counts:
            interval = difference_interval(counts[1], counts[0])  # type: ignore[arg-type]
            assert not interval.excludes_zero
        return
    assert_sound(found, [before, after])
    assert (found.direction == Direction.INCREASED) == (found.change > 0)


@given(shares("before"), shares("before"), shares("after"), shares("after"))
def test_every_gap_observation_is_significant_and_rests_on_enough_pupils(fb, sb, fa, sa):
    found = gap(fb, sb, fa, sa)
    if found is None:
        return
    assert_sound(found, [fb, sb, fa, sa])
    assert len(found.figures) == 4


@given(
    st.lists(
        st.tuples(
            st.sampled_from([1, -1]),
            st.integers(min_value=1, max_value=300).flatmap(
                lambda m: st.tuples(st.integers(min_value=0, max_value=m), st.just(m))
            ),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_a_combination_interval_holds_its_estimate_and_mirrors(terms) -> None:
    flat = [(sign, x, m) for sign, (x, m) in terms]
    interval = combination_interval(flat)
    assert interval.low <= interval.estimate <= interval.high
    mirrored = combination_interval([(-sign, x, m) for sign, x, m in flat])
    assert mirrored.low == pytest.approx(-interval.high)
    assert mirrored.high == pytest.approx(-interval.low)


def test_the_rules_read_no_database() -> None:
    """rules.py is pure: importing it loads no Django database layer and no models."""
    code = (
        "import sys\n"
        "import skolkvalitet.quality.observations.rules\n"
        "print(sorted(m for m in sys.modules if m.startswith('django.db') "
        "or (m.startswith('skolkvalitet') and 'models' in m)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.strip() == "[]"
