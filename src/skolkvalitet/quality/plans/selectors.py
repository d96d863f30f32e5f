"""Reads of the nulägesanalys and utvecklingsplan: the figures a unit may pick as evidence, the
plan of a node and year with each indicator goal's progress computed from the materialised
values (never typed), the actions a resultatdialog should see, and the report deadlines.

Figures are read as stored and shown through the reader's suppression (indicators/
suppression.py `present`; n beside a shown value only, never beside a marker, as in the API):
where a role without pupil access sees a marker instead of the baseline or the latest value,
the goal shows no progress, since the share together with the target would give the hidden
value back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from skolkvalitet.dashboards.models import Target
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.indicators.suppression import present, present_n
from skolkvalitet.organisation.models import (
    AcademicYear,
    FollowUpPoint,
    Node,
    RoleAssignment,
    Term,
)
from skolkvalitet.organisation.scopes import Scope, grants_valid_q
from skolkvalitet.quality.models import (
    ACTION_FINISHED,
    DevelopmentGoal,
    Evidence,
    EvidenceKind,
    GoalKind,
    PlanAction,
    ProblemArea,
    ProgressNote,
    ReportDeadline,
)
from skolkvalitet.quality.plans.permissions import may_read_plan
from skolkvalitet.quality.plans.progress import progress_share

# -- stored figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredFigure:
    """One materialised value of a node's indicator (the total, no breakdown), as stored."""

    indicator: str
    period_kind: str
    period_id: int
    period_label: str
    period_date: dt.date
    value: float | None
    n: int | None
    suppression: str
    data_version: int | None

    @property
    def name(self) -> str:
        indicator = REGISTRY.get(self.indicator)
        return indicator.name_sv if indicator else self.indicator


def _period_dates(kind: str, ids: set[int]) -> dict[int, tuple[str, dt.date]]:
    """(label, date) of each period: a year and a term by their start, a point by its
    assessment date."""
    if not ids:
        return {}
    if kind == "year":
        return {y.pk: (y.code, y.start_date) for y in AcademicYear.objects.filter(pk__in=ids)}
    if kind == "term":
        return {t.pk: (t.code, t.start_date) for t in Term.objects.filter(pk__in=ids)}
    return {p.pk: (p.name, p.assessed_on) for p in FollowUpPoint.objects.filter(pk__in=ids)}


def _figures(values: QuerySet[IndicatorValue]) -> list[StoredFigure]:
    rows = list(values)
    dates: dict[str, dict[int, tuple[str, dt.date]]] = {}
    for kind in {v.period_kind for v in rows}:
        dates[kind] = _period_dates(kind, {v.period_id for v in rows if v.period_kind == kind})
    out = []
    for v in rows:
        found = dates.get(v.period_kind, {}).get(v.period_id)
        if found is None:
            continue
        label, date = found
        out.append(
            StoredFigure(
                indicator=v.indicator,
                period_kind=v.period_kind,
                period_id=v.period_id,
                period_label=label,
                period_date=date,
                value=v.value,
                n=v.n,
                suppression=v.suppression,
                data_version=v.data_version,
            )
        )
    return out


def figure_at(
    *, node: Node, indicator: str, period_kind: str, period_id: int
) -> StoredFigure | None:
    """The node's stored value of `indicator` in one period, or None."""
    found = _figures(
        IndicatorValue.objects.filter(
            node=node,
            indicator=indicator,
            period_kind=period_kind,
            period_id=period_id,
            breakdown="",
        )
    )
    return found[0] if found else None


def figure_latest(
    *, node: Node, indicator: str, until: dt.date | None = None
) -> StoredFigure | None:
    """The node's latest stored value of `indicator` (in the indicator's own kind of period)
    whose period begins on or before `until` (any, with None) and has a value."""
    registered = REGISTRY.get(indicator)
    if registered is None:
        return None
    figures = _figures(
        IndicatorValue.objects.filter(
            node=node,
            indicator=indicator,
            period_kind=str(registered.period),
            breakdown="",
            value__isnull=False,
        )
    )
    figures = [f for f in figures if until is None or f.period_date <= until]
    return max(figures, key=lambda f: (f.period_date, f.period_id), default=None)


def figure_choices(*, node: Node, year: AcademicYear) -> list[StoredFigure]:
    """The figures of the node a problem area may rest on: every indicator's total in the
    academic year, its terms and follow-up points, and in the year before (ordered by
    indicator as in the registry, then period)."""
    years = [year]
    previous = AcademicYear.objects.filter(start_date__lt=year.start_date).order_by("-start_date")
    if (before := previous.first()) is not None:
        years.append(before)
    terms = list(Term.objects.filter(academic_year__in=years))
    points = list(FollowUpPoint.objects.filter(term__in=terms))
    period_q = (
        Q(period_kind="year", period_id__in=[y.pk for y in years])
        | Q(period_kind="term", period_id__in=[t.pk for t in terms])
        | Q(period_kind="point", period_id__in=[p.pk for p in points])
    )
    figures = _figures(
        IndicatorValue.objects.filter(
            period_q, node=node, breakdown="", indicator__in=list(REGISTRY)
        )
    )
    order = {key: i for i, key in enumerate(REGISTRY)}
    return sorted(figures, key=lambda f: (order[f.indicator], -f.period_date.toordinal()))


# -- what a reader sees ------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownFigure:
    """A figure as one reader may see it: the value or a marker; n beside a value only."""

    indicator: str
    name: str
    period_label: str
    shown: float | str | None
    n: int | None
    data_version: int | None

    @property
    def is_suppressed(self) -> bool:
        return isinstance(self.shown, str)


def _shown(
    *,
    indicator: str,
    period_label: str,
    value: float | None,
    n: int | None,
    suppression: str,
    data_version: int | None,
    pupil_access: bool,
) -> ShownFigure:
    registered = REGISTRY.get(indicator)
    shown = present(value, suppression, pupil_access=pupil_access)
    return ShownFigure(
        indicator=indicator,
        name=registered.name_sv if registered else indicator,
        period_label=period_label,
        shown=shown,
        n=present_n(n, suppression, pupil_access=pupil_access),
        data_version=data_version,
    )


def evidence_shown(evidence: Evidence, *, pupil_access: bool) -> ShownFigure | None:
    """A frozen figure of evidence as the reader sees it (None for qualitative evidence)."""
    if evidence.kind != EvidenceKind.FIGURE:
        return None
    return _shown(
        indicator=evidence.indicator,
        period_label=evidence.period_label,
        value=evidence.value,
        n=evidence.n,
        suppression=evidence.suppression,
        data_version=evidence.data_version,
        pupil_access=pupil_access,
    )


def figure_shown(figure: StoredFigure, *, pupil_access: bool) -> ShownFigure:
    return _shown(
        indicator=figure.indicator,
        period_label=figure.period_label,
        value=figure.value,
        n=figure.n,
        suppression=figure.suppression,
        data_version=figure.data_version,
        pupil_access=pupil_access,
    )


# -- a goal's progress -------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalProgress:
    """An indicator goal's way from its baseline to its target, as the reader may see it."""

    baseline: ShownFigure | None
    latest: ShownFigure | None
    target: float | None
    share: float | None  # 0–100, None when it cannot be said or would reveal a hidden value
    higher_is_better: bool | None
    hidden: bool  # a figure is suppressed for the reader, so no share is shown


def goal_progress(
    goal: DevelopmentGoal, *, pupil_access: bool, until: dt.date | None = None
) -> GoalProgress | None:
    """The progress of an indicator goal (None for a qualitative one): its frozen baseline,
    the node's latest materialised value (until `until`, default: any), the target, and the
    share of the way covered."""
    if goal.kind != GoalKind.INDICATOR:
        return None
    registered = REGISTRY.get(goal.indicator)
    higher_is_better = registered.higher_is_better if registered else None
    baseline = None
    if goal.baseline_period_id is not None:
        baseline = _shown(
            indicator=goal.indicator,
            period_label=goal.baseline_period_label,
            value=goal.baseline_value,
            n=goal.baseline_n,
            suppression=goal.baseline_suppression,
            data_version=goal.baseline_data_version,
            pupil_access=pupil_access,
        )
    stored = figure_latest(node=goal.area.node, indicator=goal.indicator, until=until)
    latest = figure_shown(stored, pupil_access=pupil_access) if stored else None
    target = goal.target.value if goal.target is not None else None
    hidden = bool(
        (baseline is not None and baseline.is_suppressed)
        or (latest is not None and latest.is_suppressed)
    )
    share = None
    if not hidden and stored is not None:
        share = progress_share(
            baseline=goal.baseline_value if baseline is not None else None,
            latest=stored.value,
            target=target,
            higher_is_better=higher_is_better,
        )
    return GoalProgress(
        baseline=baseline,
        latest=latest,
        target=target,
        share=share,
        higher_is_better=higher_is_better,
        hidden=hidden,
    )


# -- the plan of a node and year ---------------------------------------------------------------


@dataclass
class GoalView:
    goal: DevelopmentGoal
    progress: GoalProgress | None
    actions: list[PlanAction]
    notes: list[ProgressNote]


@dataclass
class AreaView:
    area: ProblemArea
    evidence: list[tuple[Evidence, ShownFigure | None]]
    goals: list[GoalView]


@dataclass
class Plan:
    node: Node
    year: AcademicYear
    areas: list[AreaView]

    @property
    def actions(self) -> list[PlanAction]:
        return [a for area in self.areas for g in area.goals for a in g.actions]

    @property
    def overdue(self) -> int:
        return sum(a.is_overdue for a in self.actions)


def _areas(node: Node, year: AcademicYear) -> QuerySet[ProblemArea]:
    return (
        ProblemArea.objects.filter(node=node, academic_year=year)
        .select_related("node", "created_by", "updated_by")
        .prefetch_related(
            "evidence",
            Prefetch(
                "goals",
                queryset=DevelopmentGoal.objects.select_related("target", "evaluation")
                .prefetch_related(
                    Prefetch(
                        "actions",
                        queryset=PlanAction.objects.select_related("owner").prefetch_related(
                            Prefetch(
                                "notes",
                                queryset=ProgressNote.objects.select_related(
                                    "follow_up_point", "created_by"
                                ),
                            )
                        ),
                    ),
                    Prefetch(
                        "notes",
                        queryset=ProgressNote.objects.select_related(
                            "follow_up_point", "created_by"
                        ),
                    ),
                )
                .order_by("pk"),
            ),
        )
    )


def plan_for(*, node: Node, year: AcademicYear, scope: Scope) -> Plan | None:
    """The node's nulägesanalys and utvecklingsplan for the year as the reader may see it,
    or None when the reader may not read it."""
    if not may_read_plan(scope, node):
        return None
    pupil_access = scope.can_see_pupils_in(node)
    areas = []
    for area in _areas(node, year):
        area.node = node
        goals = []
        for goal in area.goals.all():
            goal.area = area
            goals.append(
                GoalView(
                    goal=goal,
                    progress=goal_progress(goal, pupil_access=pupil_access),
                    actions=list(goal.actions.all()),
                    notes=list(goal.notes.all()),
                )
            )
        areas.append(
            AreaView(
                area=area,
                evidence=[
                    (e, evidence_shown(e, pupil_access=pupil_access)) for e in area.evidence.all()
                ],
                goals=goals,
            )
        )
    return Plan(node=node, year=year, areas=areas)


def due_horizon(point: FollowUpPoint) -> dt.date:
    """Until when a dialogue at `point` looks ahead: the next follow-up point of the year (its
    assessment date), or the year's end after the last one."""
    year = point.term.academic_year
    later = (
        FollowUpPoint.objects.filter(term__academic_year=year, assessed_on__gt=point.assessed_on)
        .order_by("assessed_on")
        .first()
    )
    return later.assessed_on if later is not None else year.end_date


def due_actions(*, node: Node, point: FollowUpPoint, scope: Scope) -> list[PlanAction]:
    """The plan's actions a resultatdialog at `point` should see: those of the point's
    academic year, neither done nor cancelled, that end before the next follow-up point (due)
    or have ended already (overdue). Empty when the reader may not read the plan."""
    if not may_read_plan(scope, node):
        return []
    return list(
        PlanAction.objects.filter(
            goal__area__node=node,
            goal__area__academic_year_id=point.term.academic_year_id,
            ends__lt=due_horizon(point),
        )
        .exclude(status__in=ACTION_FINISHED)
        .select_related("owner", "goal__area")
        .order_by("ends", "pk")
    )


def plan_people(
    node: Node, *, on: dt.date | None = None, keep_id: int | None = None
) -> QuerySet[User]:
    """The people an action of the node's plan may be given to: active users with a role,
    valid on `on` (default today) and granted on an active node, on the node, above it or
    below it — the grants scope_for counts. The owner of an action sees it among what needs
    their attention on the same terms (quality/attention.py). `keep_id`: a user kept in the
    list whatever their roles (an action's present owner, so that the action can be saved
    without changing its owner)."""
    on = on or timezone.localdate()
    ancestor_ids = [int(part) for part in node.path.strip("/").split("/") if part]
    grants = RoleAssignment.objects.filter(
        Q(node_id__in=ancestor_ids) | Q(node__path__startswith=node.path)
    ).filter(grants_valid_q(on))
    chosen = Q(is_active=True, pk__in=grants.values("user_id"))
    if keep_id is not None:
        chosen |= Q(pk=keep_id)
    return User.objects.filter(chosen).order_by("first_name", "last_name", "username")


def organiser_target(*, node: Node, indicator: str, year: AcademicYear) -> Target | None:
    """The target of `indicator` the result pages would show for `node` in `year` had no
    plan set one: the nearest target on the node or an ancestor, for the year or for every
    year, by the rule of dashboards.selectors.targets.nearest_targets (the node's own before
    its parent's, the year's before every year's), leaving out the targets a plan's goal set
    (owns). None when the organiser has set none."""
    chain = [int(part) for part in node.path.strip("/").split("/") if part][::-1]  # self first
    set_by_plans = DevelopmentGoal.objects.filter(owns_target=True, target__isnull=False).values(
        "target_id"
    )
    found = (
        Target.objects.filter(node_id__in=chain, indicator=indicator)
        .filter(Q(academic_year=year) | Q(academic_year__isnull=True))
        .exclude(pk__in=set_by_plans)
    )
    return min(
        found,
        key=lambda t: (chain.index(t.node_id), t.academic_year_id is None),
        default=None,
    )


def report_deadlines(year: AcademicYear) -> list[ReportDeadline]:
    """The year's report deadlines, earliest first."""
    return list(
        ReportDeadline.objects.filter(academic_year=year).order_by("deadline", "school_form")
    )


def evaluation_opens(year: AcademicYear) -> dt.date:
    """From when the year's goals are evaluated: the year's last follow-up point, or a month
    before the year ends when it has none."""
    last = FollowUpPoint.objects.filter(term__academic_year=year).order_by("-assessed_on").first()
    if last is not None:
        return last.assessed_on
    return year.end_date - dt.timedelta(days=30)
