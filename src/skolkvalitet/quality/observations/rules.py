"""The rules by which the quality report drafts its observations (docs/observations.md): plain
numbers in, `Observation`s out. Pure: no database and no models; gettext gives the Swedish
sentences, quality/observations/selectors.py feeds the stored figures.

An observation states what the figures show and nothing more: which figure changed, from what
to what, by how much and with what uncertainty. It never gives a cause and never judges
(no "better", "worrying"): the only verbs are increased, decreased, widened and narrowed, and
for a goal, that it is behind.

- **A change between two periods** of a share is observed only when both figures are
  unsuppressed, rest on at least the indicator's minimum n at the node's level, and the 95 %
  confidence interval of the difference of the two proportions excludes 0 — as it is shown,
  rounded to one decimal. The interval is Newcombe's hybrid score interval (Newcombe 1998,
  Statistics in Medicine 17:873–890, method 10), built from each proportion's Wilson score
  interval; the two periods are treated as independent samples.
- **A change of a gap** between two groups of pupils, last year against this year, is observed
  only when all four figures may be used so, and the 95 % interval of the difference of the two
  differences excludes 0: the same construction over four proportions (Newcombe 2001,
  Statistics in Medicine 20:2885–2893; Zou and Donner 2008, Statistics in Medicine
  27:1693–1702).
- **Means** (merit value, mean absence) are never observed: the stored figures carry no
  standard deviation, so no change of a mean can be tested from them.
- **A goal is behind** when its computed progress is more than 25 percentage points below the
  share of its time that has passed, or its latest figure lies further from the target than its
  baseline did.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist

from django.utils.translation import gettext as _

from skolkvalitet.indicators.registry import Aggregation, Family, Indicator
from skolkvalitet.publishing.formatting import format_number, format_value, round_half_up

CONFIDENCE = 0.95
Z = NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2)  # 1.959963984540054
SHOWN_DECIMALS = 1  # the intervals are shown with one decimal: the test is read as shown
# A goal is behind when its progress trails the share of its time passed by more than this.
GOAL_SLACK = 25.0


class ObservationKind(StrEnum):
    CHANGE_PREVIOUS_POINT = "change_previous_point"  # since the year's previous follow-up point
    CHANGE_LAST_YEAR = "change_last_year"  # against the same period of the year before
    GAP = "gap"  # the gap between two groups of pupils, against the year before
    GOAL_OFF_TRACK = "goal_off_track"  # a goal of the plan is behind


KIND_ORDER = tuple(ObservationKind)


class Direction(StrEnum):
    INCREASED = "increased"
    DECREASED = "decreased"
    WIDENED = "widened"
    NARROWED = "narrowed"
    REVERSED = "reversed"  # a gap whose leading group changed: stated as the signed gap
    BEHIND = "behind"  # a goal's progress trails its time
    MOVED_AWAY = "moved_away"  # a goal's latest figure is further from the target


@dataclass(frozen=True)
class GapPair:
    """Two groups of pupils whose gap is followed: breakdown codes and their names as they
    stand inside a sentence (the gap is `first` minus `second`)."""

    first: str
    second: str

    @property
    def dimension(self) -> str:
        return self.first.partition("=")[0]

    def names(self) -> tuple[str, str]:
        return GROUP_NAMES[self.first](), GROUP_NAMES[self.second]()


# The groups the organiser's equity picture compares (as the kvalitetsredovisning does).
GAP_PAIRS = (
    GapPair("gender=F", "gender=M"),
    GapPair("parents_education=3", "parents_education=1"),
    GapPair("newly_arrived=no", "newly_arrived=yes"),
)
GROUP_NAMES = {
    "gender=F": lambda: _("girls"),
    "gender=M": lambda: _("boys"),
    "parents_education=3": lambda: _("pupils whose parents have post-secondary education"),
    "parents_education=1": lambda: _("pupils whose parents have education below upper secondary"),
    "newly_arrived=no": lambda: _("pupils who are not newly arrived"),
    "newly_arrived=yes": lambda: _("newly arrived pupils"),
}


def is_tested_share(indicator: Indicator) -> bool:
    """Whether a change of the indicator can be tested as a change of a proportion: a percent
    whose numerator and denominator count people — a share of pupils, or of the respondents of
    a survey. Staff shares count full-time equivalents, not people; means have no variance."""
    return indicator.is_percent and (
        indicator.aggregation == Aggregation.SHARE or indicator.family == Family.SURVEYS
    )


# -- the figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """One stored share figure as the rules read it: the value in percent, n, the counts behind
    it, its suppression marker and the fewest pupils it may rest on at its node's level in its
    academic year (registry SmallNumbers)."""

    period_label: str
    value: float | None
    n: int
    numerator: float
    denominator: float
    min_n: int
    suppression: str = ""
    breakdown: str = ""

    @property
    def counts(self) -> tuple[int, int] | None:
        """(successes, trials) when the figure may be tested: unsuppressed, at least its
        minimum n (and at least one), whole counts with 0 ≤ successes ≤ trials."""
        if self.suppression or self.value is None or not math.isfinite(self.value):
            return None
        if self.n < max(self.min_n, 1):
            return None
        x, m = round(self.numerator), round(self.denominator)
        if abs(self.numerator - x) > 1e-6 or abs(self.denominator - m) > 1e-6:
            return None
        if m < 1 or not 0 <= x <= m:
            return None
        return x, m


@dataclass(frozen=True)
class ObservedFigure:
    """A figure an observation rests on, as it stands in the sentence."""

    period_label: str
    breakdown: str  # "" for all pupils, else the group ("gender=F")
    value: float
    n: int
    min_n: int


@dataclass(frozen=True)
class Observation:
    """A drafted observation of one section: its kind, the complete Swedish sentence, and the
    numbers the sentence states. `change`, `low` and `high` are in percentage points (later
    minus earlier; for a gap, the change of the gap `first` minus `second`); a goal carries its
    progress and the share of its time passed instead."""

    section_key: str
    kind: ObservationKind
    indicator: str
    direction: Direction
    text: str
    figures: tuple[ObservedFigure, ...]  # the earlier first; a gap's: first, second per year
    change: float | None = None
    low: float | None = None
    high: float | None = None
    goal_id: int | None = None
    progress: float | None = None  # 0–100: share of the way from baseline to target
    time_share: float | None = None  # 0–100: share of the goal's time passed
    target: float | None = None

    @property
    def key(self) -> str:
        """A stable name of the observation within a report (for accepting or discarding it):
        kind, indicator or goal, and the periods and groups it compares."""
        what = f"goal{self.goal_id}" if self.goal_id is not None else self.indicator
        periods = "|".join(dict.fromkeys(f.period_label for f in self.figures))
        groups = "|".join(dict.fromkeys(f.breakdown for f in self.figures if f.breakdown))
        return ":".join(part for part in (str(self.kind), what, periods, groups) if part)


# -- intervals -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """An estimate and its 95 % confidence interval, in percentage points."""

    estimate: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval, as shown (one decimal), lies wholly above or below 0."""
        low = round_half_up(self.low, SHOWN_DECIMALS)
        high = round_half_up(self.high, SHOWN_DECIMALS)
        return (self.low > 0 and low > 0) or (self.high < 0 and high < 0)


def wilson_interval(successes: int, trials: int, z: float = Z) -> tuple[float, float]:
    """Wilson's score interval of a proportion (Wilson 1927; Newcombe 1998a, method 3), as
    proportions 0–1."""
    if trials < 1 or not 0 <= successes <= trials:
        raise ValueError("a proportion needs 0 ≤ successes ≤ trials and trials ≥ 1")
    p = successes / trials
    z2 = z * z
    centre = (2 * trials * p + z2) / (2 * (trials + z2))
    half = z * math.sqrt(z2 + 4 * trials * p * (1 - p)) / (2 * (trials + z2))
    return max(0.0, centre - half), min(1.0, centre + half)


def combination_interval(terms: Sequence[tuple[int, int, int]], z: float = Z) -> Interval:
    """The interval of Σ sign·p over independent proportions, each term (sign ±1, successes,
    trials), from their Wilson intervals by the method of variance estimates recovery (Zou and
    Donner 2008): below the estimate the distances to the limits on the side that lowers the sum
    (the lower limit of a term added, the upper of a term subtracted), combined in quadrature,
    and above it likewise. For p1 − p2 this is Newcombe's hybrid score interval (1998b, method
    10); for (p1 − p2) − (p3 − p4), his interval of a difference of differences (2001).
    In percentage points."""
    estimate = below = above = 0.0
    for sign, successes, trials in terms:
        if sign not in (1, -1):
            raise ValueError("each term is added (+1) or subtracted (-1)")
        p = successes / trials
        lower, upper = wilson_interval(successes, trials, z)
        estimate += sign * p
        down, up = (p - lower, upper - p) if sign == 1 else (upper - p, p - lower)
        below += down * down
        above += up * up
    return Interval(
        estimate=100 * estimate,
        low=100 * (estimate - math.sqrt(below)),
        high=100 * (estimate + math.sqrt(above)),
    )


def difference_interval(later: tuple[int, int], earlier: tuple[int, int]) -> Interval:
    """Newcombe's method 10 for later − earlier, each (successes, trials)."""
    return combination_interval([(1, *later), (-1, *earlier)])


def gap_change_interval(
    first_after: tuple[int, int],
    second_after: tuple[int, int],
    first_before: tuple[int, int],
    second_before: tuple[int, int],
) -> Interval:
    """(first − second) this year − (first − second) the year before."""
    return combination_interval(
        [(1, *first_after), (-1, *second_after), (-1, *first_before), (1, *second_before)]
    )


# -- the sentences -------------------------------------------------------------------------------


def _percent(value: float) -> str:
    return format_value(value, "percent")


def _points(value: float) -> str:
    return format_number(value, SHOWN_DECIMALS)


def _count(n: int) -> str:
    return format_number(n, 0)


def _interval_magnitude(interval: Interval) -> tuple[str, str]:
    """The interval of the size of a change whose interval lies on one side of 0."""
    low, high = sorted((abs(interval.low), abs(interval.high)))
    return _points(low), _points(high)


def _value(share: Share) -> float:
    """The value of a share whose counts may be tested (so it has one)."""
    assert share.value is not None
    return share.value


def _observed(share: Share) -> ObservedFigure:
    return ObservedFigure(
        period_label=share.period_label,
        breakdown=share.breakdown,
        value=_value(share),
        n=share.n,
        min_n=share.min_n,
    )


def change_observation(
    *,
    section_key: str,
    kind: ObservationKind,
    indicator: Indicator,
    before: Share,
    after: Share,
) -> Observation | None:
    """The change of a share from `before` to `after`, when it may be tested and its interval
    excludes 0; else None."""
    if kind not in (ObservationKind.CHANGE_LAST_YEAR, ObservationKind.CHANGE_PREVIOUS_POINT):
        raise ValueError(f"not a change: {kind}")
    if not is_tested_share(indicator):
        return None
    earlier, later = before.counts, after.counts
    if earlier is None or later is None:
        return None
    interval = difference_interval(later, earlier)
    if not interval.excludes_zero:
        return None
    low, high = _interval_magnitude(interval)
    numbers = {
        "name": indicator.name_sv,
        "before": _percent(_value(before)),
        "before_period": before.period_label,
        "before_n": _count(before.n),
        "after": _percent(_value(after)),
        "after_period": after.period_label,
        "after_n": _count(after.n),
        "change": _points(abs(interval.estimate)),
        "low": low,
        "high": high,
    }
    if interval.estimate > 0:
        direction = Direction.INCREASED
        text = _(
            "%(name)s: the share increased from %(before)s (%(before_period)s, n = "
            "%(before_n)s) to %(after)s (%(after_period)s, n = %(after_n)s), an increase of "
            "%(change)s percentage points (95 %% confidence interval %(low)s–%(high)s)."
        )
    else:
        direction = Direction.DECREASED
        text = _(
            "%(name)s: the share decreased from %(before)s (%(before_period)s, n = "
            "%(before_n)s) to %(after)s (%(after_period)s, n = %(after_n)s), a decrease of "
            "%(change)s percentage points (95 %% confidence interval %(low)s–%(high)s)."
        )
    return Observation(
        section_key=section_key,
        kind=kind,
        indicator=indicator.key,
        direction=direction,
        text=text % numbers,
        figures=(_observed(before), _observed(after)),
        change=interval.estimate,
        low=interval.low,
        high=interval.high,
    )


def gap_observation(
    *,
    section_key: str,
    indicator: Indicator,
    pair: GapPair,
    first_before: Share,
    second_before: Share,
    first_after: Share,
    second_after: Share,
) -> Observation | None:
    """That the gap between the pair's groups widened or narrowed from the year before to
    this year, when all four figures may be tested and the interval of the change of the gap
    excludes 0; else None. Where the group ahead changed, the sentence gives the signed gap
    (`first` minus `second`) in both years."""
    if not is_tested_share(indicator):
        return None
    counts = [s.counts for s in (first_after, second_after, first_before, second_before)]
    if any(c is None for c in counts):
        return None
    fa, sa, fb, sb = (c for c in counts if c is not None)
    interval = gap_change_interval(fa, sa, fb, sb)
    if not interval.excludes_zero:
        return None
    gap_before = 100 * (fb[0] / fb[1] - sb[0] / sb[1])
    gap_after = 100 * (fa[0] / fa[1] - sa[0] / sa[1])
    first, second = pair.names()
    numbers = {
        "name": indicator.name_sv,
        "first": first,
        "second": second,
        "before_period": first_before.period_label,
        "after_period": first_after.period_label,
        "first_before": _percent(_value(first_before)),
        "second_before": _percent(_value(second_before)),
        "first_after": _percent(_value(first_after)),
        "second_after": _percent(_value(second_after)),
        "n_first_before": _count(first_before.n),
        "n_second_before": _count(second_before.n),
        "n_first_after": _count(first_after.n),
        "n_second_after": _count(second_after.n),
    }
    if gap_before * gap_after >= 0:  # the same group ahead (or level) in both years
        side = 1.0 if (gap_after or gap_before) > 0 else -1.0
        low, high = _interval_magnitude(interval)
        numbers |= {
            "gap_before": _points(abs(gap_before)),
            "gap_after": _points(abs(gap_after)),
            "change": _points(abs(interval.estimate)),
            "low": low,
            "high": high,
        }
        if side * interval.estimate > 0:
            direction = Direction.WIDENED
            text = _(
                "%(name)s: the gap between %(first)s and %(second)s widened from %(gap_before)s "
                "percentage points (%(before_period)s: %(first)s %(first_before)s, n = "
                "%(n_first_before)s; %(second)s %(second_before)s, n = %(n_second_before)s) "
                "to %(gap_after)s percentage points (%(after_period)s: %(first)s "
                "%(first_after)s, n = %(n_first_after)s; %(second)s %(second_after)s, n = "
                "%(n_second_after)s), by %(change)s percentage points (95 %% confidence "
                "interval %(low)s–%(high)s)."
            )
        else:
            direction = Direction.NARROWED
            text = _(
                "%(name)s: the gap between %(first)s and %(second)s narrowed from "
                "%(gap_before)s percentage points (%(before_period)s: %(first)s "
                "%(first_before)s, n = %(n_first_before)s; %(second)s %(second_before)s, n = "
                "%(n_second_before)s) to %(gap_after)s percentage points (%(after_period)s: "
                "%(first)s %(first_after)s, n = %(n_first_after)s; %(second)s "
                "%(second_after)s, n = %(n_second_after)s), by %(change)s percentage points "
                "(95 %% confidence interval %(low)s–%(high)s)."
            )
    else:
        direction = Direction.REVERSED
        numbers |= {
            "gap_before": _points(gap_before),
            "gap_after": _points(gap_after),
            "change": _points(interval.estimate),
            "low": _points(interval.low),
            "high": _points(interval.high),
        }
        text = _(
            "%(name)s: the gap %(first)s minus %(second)s went from %(gap_before)s percentage "
            "points (%(before_period)s: %(first)s %(first_before)s, n = %(n_first_before)s; "
            "%(second)s %(second_before)s, n = %(n_second_before)s) to %(gap_after)s "
            "percentage points (%(after_period)s: %(first)s %(first_after)s, n = "
            "%(n_first_after)s; %(second)s %(second_after)s, n = %(n_second_after)s), a "
            "change of %(change)s percentage points (95 %% confidence interval %(low)s to "
            "%(high)s)."
        )
    return Observation(
        section_key=section_key,
        kind=ObservationKind.GAP,
        indicator=indicator.key,
        direction=direction,
        text=text % numbers,
        figures=tuple(
            _observed(s) for s in (first_before, second_before, first_after, second_after)
        ),
        change=interval.estimate,
        low=interval.low,
        high=interval.high,
    )


# -- goals ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalStatus:
    """An indicator goal of the node's plan, with its figures unsuppressed (the selectors pass
    no goal whose baseline or latest figure carries a marker) and its computed progress
    (quality/plans/progress.py)."""

    goal_id: int
    title: str
    indicator: Indicator
    baseline: float
    baseline_period: str
    baseline_n: int | None
    baseline_min_n: int  # the fewest pupils at the node's level in the baseline's year
    latest: float
    latest_period: str
    latest_n: int | None
    latest_min_n: int
    target: float
    progress: float  # 0–100
    starts: dt.date  # the start of the plan's academic year
    ends: dt.date  # the goal's target date, else the end of the plan's academic year


def time_share(*, starts: dt.date, ends: dt.date, today: dt.date) -> float:
    """The share (0–100) of the time from `starts` to `ends` that has passed on `today`."""
    if ends <= starts:
        return 100.0
    passed = (min(max(today, starts), ends) - starts).days
    return 100.0 * passed / (ends - starts).days


def moved_away(goal: GoalStatus) -> bool:
    """Whether the latest figure lies further from the target than the baseline, on the side
    the target has not reached (where higher is better, below the baseline and the target)."""
    better = goal.indicator.higher_is_better
    if better is None:
        return abs(goal.latest - goal.target) > abs(goal.baseline - goal.target)
    sign = 1.0 if better else -1.0
    latest, baseline, target = sign * goal.latest, sign * goal.baseline, sign * goal.target
    return latest < target and latest < baseline


def goal_observation(*, section_key: str, goal: GoalStatus, today: dt.date) -> Observation | None:
    """That a goal is behind: its latest figure lies further from the target than the
    baseline, or its progress is more than GOAL_SLACK percentage points below the share of its
    time passed; else None. Never for a figure below its minimum n."""
    for n, min_n in ((goal.baseline_n, goal.baseline_min_n), (goal.latest_n, goal.latest_min_n)):
        if min_n > 0 and (n is None or n < min_n):
            return None
    passed = time_share(starts=goal.starts, ends=goal.ends, today=today)
    away = moved_away(goal)
    if not away and goal.progress >= passed - GOAL_SLACK:
        return None
    unit = goal.indicator.unit
    numbers = {
        "goal": goal.title,
        "latest": format_value(goal.latest, unit),
        "latest_period": goal.latest_period,
        "n": _count(goal.latest_n) if goal.latest_n is not None else "–",
        "baseline": format_value(goal.baseline, unit),
        "baseline_period": goal.baseline_period,
        "target": format_value(goal.target, unit),
        "progress": format_number(goal.progress, 0),
        "time": format_number(passed, 0),
        "date": goal.ends.isoformat(),
    }
    if away:
        direction = Direction.MOVED_AWAY
        text = _(
            "The goal “%(goal)s” is behind: the latest value %(latest)s (%(latest_period)s, "
            "n = %(n)s) lies further from the target %(target)s than the baseline "
            "%(baseline)s (%(baseline_period)s)."
        )
    else:
        direction = Direction.BEHIND
        text = _(
            "The goal “%(goal)s” is behind: the latest value %(latest)s (%(latest_period)s, "
            "n = %(n)s) has covered %(progress)s %% of the way from the baseline "
            "%(baseline)s (%(baseline_period)s) to the target %(target)s, while %(time)s %% "
            "of the time until %(date)s has passed."
        )
    figures = [
        ObservedFigure(
            period_label=goal.baseline_period,
            breakdown="",
            value=goal.baseline,
            n=goal.baseline_n or 0,
            min_n=goal.baseline_min_n,
        ),
        ObservedFigure(
            period_label=goal.latest_period,
            breakdown="",
            value=goal.latest,
            n=goal.latest_n or 0,
            min_n=goal.latest_min_n,
        ),
    ]
    return Observation(
        section_key=section_key,
        kind=ObservationKind.GOAL_OFF_TRACK,
        indicator=goal.indicator.key,
        direction=direction,
        text=text % numbers,
        figures=tuple(figures),
        goal_id=goal.goal_id,
        progress=goal.progress,
        time_share=passed,
        target=goal.target,
    )
