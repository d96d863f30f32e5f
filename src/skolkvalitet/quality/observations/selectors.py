"""The drafted observations of a quality report, section by section: the node's stored
figures of each section's indicators — this year's and last year's, the year's follow-up
points, the groups of pupils the equity picture compares — and its plan's indicator goals,
read from the database and handed to the pure rules (quality/observations/rules.py;
docs/observations.md).

The figures are read as stored, with their markers: a figure with any marker (`..`, `~100`) is
never observed, whoever reads the report, so a drafted sentence may be shown to every reader
and published. Each section's latest figure is the one its table shows
(quality/reports/figures.py: the year's value, or the latest term or follow-up point of the
year with one); a handed-in report, whose figures are frozen, has observations only where the
stored figure is still the frozen one, so that no drafted sentence contradicts its table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.indicators.registry import LEVEL_OF_KIND, REGISTRY, Indicator, Level
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Node, Term
from skolkvalitet.quality.common_model import Template
from skolkvalitet.quality.models import DevelopmentGoal, GoalKind, QualityReport
from skolkvalitet.quality.observations.rules import (
    GAP_PAIRS,
    KIND_ORDER,
    GoalStatus,
    Observation,
    ObservationKind,
    Share,
    change_observation,
    gap_observation,
    goal_observation,
    is_tested_share,
)
from skolkvalitet.quality.plans.selectors import figure_latest, goal_progress
from skolkvalitet.quality.reports.figures import TABLE

# Where a goal goes whose indicator no section shows: the template's section of priorities
# (the common model's "Prioriterade utvecklingsområden"), when it has one.
GOALS_SECTION = "prioriteringar"
# (section, indicator) → a frozen table figure's period kind, period id, value and n.
FrozenFigures = dict[tuple[str, str], tuple[str, int, float | None, int | None]]


@dataclass(frozen=True)
class _Period:
    kind: str  # year, term, point
    pk: int
    label: str
    start_year: int  # of its academic year: the year of the small-number limit
    match: tuple[str, int]  # what the same period of another year shares: term kind, ordinal


def _point_label(point: FollowUpPoint) -> str:
    code = point.term.code
    return point.name if code in point.name else f"{point.name} {code}"


def _year_periods(year: AcademicYear) -> dict[str, list[_Period]]:
    """The academic year's periods of each kind, the latest first."""
    terms = Term.objects.filter(academic_year=year).order_by("-start_date")
    points = (
        FollowUpPoint.objects.filter(term__academic_year=year)
        .select_related("term")
        .order_by("-assessed_on", "-pk")
    )
    start = year.start_year
    return {
        "year": [_Period("year", year.pk, year.code, start, ("", 0))],
        "term": [_Period("term", t.pk, t.code, start, (t.kind, 0)) for t in terms],
        "point": [
            _Period("point", p.pk, _point_label(p), start, (p.term.kind, p.ordinal)) for p in points
        ],
    }


def _previous_year(year: AcademicYear) -> AcademicYear | None:
    return (
        AcademicYear.objects.filter(start_date__lt=year.start_date).order_by("-start_date").first()
    )


def _breakdowns(indicators: Iterable[Indicator]) -> set[str]:
    codes = {""}
    for indicator in indicators:
        for pair in GAP_PAIRS:
            if pair.dimension in indicator.breakdowns:
                codes.update((pair.first, pair.second))
    return codes


class _Stored:
    """The node's stored rows of the wanted indicators, periods and breakdowns."""

    def __init__(
        self,
        node: Node,
        indicators: list[Indicator],
        periods: list[_Period],
        level: Level,
    ) -> None:
        self.level = level
        self.rows: dict[tuple[str, str, int, str], IndicatorValue] = {}
        if not indicators or not periods:
            return
        ids: dict[str, list[int]] = {}
        for period in periods:
            ids.setdefault(period.kind, []).append(period.pk)
        for kind, pks in ids.items():
            for v in IndicatorValue.objects.filter(
                node=node,
                indicator__in=[i.key for i in indicators],
                period_kind=kind,
                period_id__in=pks,
                breakdown__in=sorted(_breakdowns(indicators)),
            ):
                self.rows[(v.indicator, v.period_kind, v.period_id, v.breakdown)] = v

    def row(
        self, indicator: Indicator, period: _Period, breakdown: str = ""
    ) -> IndicatorValue | None:
        return self.rows.get((indicator.key, period.kind, period.pk, breakdown))

    def share(self, indicator: Indicator, period: _Period, breakdown: str = "") -> Share | None:
        v = self.row(indicator, period, breakdown)
        if v is None:
            return None
        return Share(
            period_label=period.label,
            value=v.value,
            n=v.n,
            numerator=v.numerator,
            denominator=v.denominator,
            min_n=indicator.min_n_at(self.level, period.start_year),
            suppression=v.suppression,
            breakdown=breakdown,
        )


def _frozen(report: QualityReport | None) -> FrozenFigures:
    """(section, indicator) → the frozen table figure's (period kind, id, value, n), for a
    handed-in report (its figures are frozen: quality/reports/export.py report_figures);
    empty while its figures are live."""
    if report is None or not report.is_handed_in:
        return {}
    return {
        (f.section_key, f.indicator): (f.period_kind, f.period_id, f.value, f.n)
        for f in report.figures.filter(kind=TABLE)
    }


def _indicator_observations(
    section_key: str,
    indicator: Indicator,
    stored: _Stored,
    this_year: dict[str, list[_Period]],
    last_year: dict[str, list[_Period]],
    frozen: FrozenFigures,
    is_frozen: bool,
) -> list[Observation]:
    kind = str(indicator.period)
    periods = [p for p in this_year.get(kind, []) if stored.row(indicator, p) is not None]
    if not periods:
        return []
    if is_frozen:
        # From the period the report froze, while its stored figure is still the frozen one.
        figure = frozen.get((section_key, indicator.key))
        if figure is None:
            return []
        at = next((i for i, p in enumerate(periods) if (p.kind, p.pk) == figure[:2]), None)
        if at is None:
            return []
        periods = periods[at:]
        row = stored.row(indicator, periods[0])
        if row is None or (row.value, row.n) != figure[2:]:
            return []
    latest = periods[0]
    after = stored.share(indicator, latest)
    assert after is not None
    out: list[Observation] = []
    if kind == "point" and len(periods) > 1:
        before = stored.share(indicator, periods[1])
        if before is not None and (
            found := change_observation(
                section_key=section_key,
                kind=ObservationKind.CHANGE_PREVIOUS_POINT,
                indicator=indicator,
                before=before,
                after=after,
            )
        ):
            out.append(found)
    counterpart = next((p for p in last_year.get(kind, []) if p.match == latest.match), None)
    if counterpart is None:
        return out
    before = stored.share(indicator, counterpart)
    if before is not None and (
        found := change_observation(
            section_key=section_key,
            kind=ObservationKind.CHANGE_LAST_YEAR,
            indicator=indicator,
            before=before,
            after=after,
        )
    ):
        out.append(found)
    for pair in GAP_PAIRS:
        if pair.dimension not in indicator.breakdowns:
            continue
        shares = [
            stored.share(indicator, period, code)
            for period in (counterpart, latest)
            for code in (pair.first, pair.second)
        ]
        first_before, second_before, first_after, second_after = shares
        if (
            first_before is None
            or second_before is None
            or first_after is None
            or second_after is None
        ):
            continue
        if found := gap_observation(
            section_key=section_key,
            indicator=indicator,
            pair=pair,
            first_before=first_before,
            second_before=second_before,
            first_after=first_after,
            second_after=second_after,
        ):
            out.append(found)
    return out


def _period_start_year(kind: str, pk: int) -> int | None:
    """The start year of the academic year a stored period belongs to."""
    if kind == "year":
        year = AcademicYear.objects.filter(pk=pk).first()
        return year.start_year if year else None
    if kind == "term":
        term = Term.objects.filter(pk=pk).select_related("academic_year").first()
        return term.academic_year.start_year if term else None
    point = FollowUpPoint.objects.filter(pk=pk).select_related("term__academic_year").first()
    return point.term.academic_year.start_year if point else None


def goal_statuses(*, node: Node, year: AcademicYear) -> list[GoalStatus]:
    """The indicator goals of the node's plan for `year` whose progress can be told from
    unsuppressed figures: a frozen baseline, a target, and a stored figure of the year (or
    before) in a later period than the baseline's, none of them with a marker. Progress as
    quality/plans/selectors.goal_progress computes it for a reader without pupil access."""
    level = LEVEL_OF_KIND.get(node.kind, Level.UNIT)
    goals = (
        DevelopmentGoal.objects.filter(
            area__node=node, area__academic_year=year, kind=GoalKind.INDICATOR
        )
        .select_related("area__node", "target")
        .order_by("area__priority", "area__pk", "pk")
    )
    out = []
    for goal in goals:
        indicator = REGISTRY.get(goal.indicator)
        if indicator is None or goal.baseline_value is None or goal.baseline_period_id is None:
            continue
        progress = goal_progress(goal, pupil_access=False, until=year.end_date)
        if progress is None or progress.hidden or progress.share is None:
            continue
        if progress.target is None or goal.baseline_suppression:
            continue
        latest = figure_latest(node=node, indicator=goal.indicator, until=year.end_date)
        if latest is None or latest.value is None or latest.suppression:
            continue
        if (latest.period_kind, latest.period_id) == (
            goal.baseline_period_kind,
            goal.baseline_period_id,
        ):
            continue  # nothing new since the goal was set
        latest_year = _period_start_year(latest.period_kind, latest.period_id)
        baseline_year = _period_start_year(goal.baseline_period_kind, goal.baseline_period_id)
        out.append(
            GoalStatus(
                goal_id=goal.pk,
                title=goal.title,
                indicator=indicator,
                baseline=goal.baseline_value,
                baseline_period=goal.baseline_period_label,
                baseline_n=goal.baseline_n,
                baseline_min_n=indicator.min_n_at(level, baseline_year),
                latest=latest.value,
                latest_period=latest.period_label,
                latest_n=latest.n,
                latest_min_n=indicator.min_n_at(level, latest_year),
                target=progress.target,
                progress=progress.share,
                starts=year.start_date,
                ends=goal.target_date or year.end_date,
            )
        )
    return out


def observations_for_report(
    report_or_node: QualityReport | Node,
    year: AcademicYear,
    template: Template,
    *,
    today: dt.date | None = None,
) -> dict[str, list[Observation]]:
    """The drafted observations of every section of `template` for the report's node (or the
    node) and academic year: section key → its observations, in the order of the section's
    indicators (changes since the previous follow-up point, since last year, gaps), then the
    goals behind. Every section of the template has a key, with an empty list where nothing
    is observed. `today` (default: the local date) decides how much of a goal's time has
    passed."""
    report = report_or_node if isinstance(report_or_node, QualityReport) else None
    node = report.node if report is not None else report_or_node
    assert isinstance(node, Node)
    today = today or timezone.localdate()
    level = LEVEL_OF_KIND.get(node.kind, Level.UNIT)
    out: dict[str, list[Observation]] = {section.key: [] for section in template.sections}

    tested = [
        REGISTRY[key]
        for key in dict.fromkeys(k for s in template.sections for k in s.indicators)
        if key in REGISTRY and is_tested_share(REGISTRY[key])
    ]
    this_year = _year_periods(year)
    previous = _previous_year(year)
    last_year = _year_periods(previous) if previous is not None else {}
    periods = [p for group in (this_year, last_year) for ps in group.values() for p in ps]
    stored = _Stored(node, tested, periods, level)
    frozen = _frozen(report)
    is_frozen = report is not None and report.is_handed_in
    tested_keys = {i.key for i in tested}
    for section in template.sections:
        for key in dict.fromkeys(section.indicators):
            if key not in tested_keys:
                continue
            drafted = _indicator_observations(
                section.key, REGISTRY[key], stored, this_year, last_year, frozen, is_frozen
            )
            out[section.key] += sorted(drafted, key=lambda o: KIND_ORDER.index(o.kind))

    for goal in goal_statuses(node=node, year=year):
        sections = [s.key for s in template.sections if goal.indicator.key in s.indicators]
        if not sections and GOALS_SECTION in out:
            sections = [GOALS_SECTION]
        for key in sections:
            if behind := goal_observation(section_key=key, goal=goal, today=today):
                out[key].append(behind)
    return out
