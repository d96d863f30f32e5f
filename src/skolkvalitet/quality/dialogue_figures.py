"""The figures a resultatdialog shows beside its text, so that nobody writes a cause analysis
blind: the unit's indicators at the follow-up point (the assessments, PAGES.unit_points) and
for the point's term (term grades and absence, PAGES.unit_terms), as the unit page shows them.

Each figure is the unit's value as the reader may see it (values_as_shown: a marker where the
reader's roles give no pupil access to the unit), n beside a shown value only (as the
API), the change since the previous follow-up point (or the previous
term, for the term's indicators; none when either side is missing or suppressed for the
reader), the organiser's value for the same period as it is published (hidden where the
reader sees their own unit's hidden figure, which it could give back) and the unit's target
for the academic year (dashboards/selectors/targets.py). The dialogues of the points before
and after are one click away where the reader may read them."""

from __future__ import annotations

from dataclasses import dataclass

from skolkvalitet.dashboards.selectors.targets import nearest_targets
from skolkvalitet.indicators.markers import HIDDEN
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.indicators.registry import PAGES, REGISTRY, Indicator
from skolkvalitet.indicators.selectors import Period, ShownValue, indicator_values, values_as_shown
from skolkvalitet.indicators.suppression import present
from skolkvalitet.organisation.models import FollowUpPoint, Node, NodeKind, Term
from skolkvalitet.organisation.scopes import Scope
from skolkvalitet.quality import permissions
from skolkvalitet.quality.models import DialogueStatus, FollowUpDialogue


@dataclass(frozen=True)
class DialogueFigure:
    """One indicator's row: the unit's value as shown, its n, the change since the period
    before, the organiser's value and the unit's target."""

    indicator: Indicator
    shown: float | str | None
    n: int | None
    change: float | None
    organiser: float | str | None
    target: float | None


@dataclass(frozen=True)
class FigureTable:
    """The rows of one kind of period: this one and the one compared with."""

    period: Period
    previous: Period | None
    rows: list[DialogueFigure]


@dataclass(frozen=True)
class DialogueFigures:
    points: FigureTable  # the assessments at the follow-up point
    terms: FigureTable  # the point's term: term grades and absence
    organiser: Node | None  # the organiser, where the reader's scope reaches it
    pupil_access: bool

    @property
    def is_empty(self) -> bool:
        return not self.points.rows and not self.terms.rows


@dataclass(frozen=True)
class NeighbourPoints:
    """The follow-up points before and after, each with whether the reader may open the
    unit's dialogue there (None where there is no such point)."""

    previous: FollowUpPoint | None
    previous_readable: bool
    next: FollowUpPoint | None
    next_readable: bool


def point_before(point: FollowUpPoint) -> FollowUpPoint | None:
    """The follow-up point just before `point` (by assessment date)."""
    return (
        FollowUpPoint.objects.filter(assessed_on__lt=point.assessed_on)
        .select_related("term__academic_year")
        .order_by("-assessed_on", "-pk")
        .first()
    )


def point_after(point: FollowUpPoint) -> FollowUpPoint | None:
    """The follow-up point just after `point` (by assessment date)."""
    return (
        FollowUpPoint.objects.filter(assessed_on__gt=point.assessed_on)
        .select_related("term__academic_year")
        .order_by("assessed_on", "pk")
        .first()
    )


def term_before(term: Term) -> Term | None:
    return (
        Term.objects.filter(start_date__lt=term.start_date)
        .select_related("academic_year")
        .order_by("-start_date")
        .first()
    )


def _organiser_of(unit: Node) -> Node | None:
    """The organiser at the root of the unit's path. Its figure stands beside the unit's for
    every reader of the dialogue: an aggregate of the whole organiser, shown as it is
    published — suppressed by Skolverket's rules for readers without pupil access there (a
    unit head, a coach), as the board sees it."""
    organiser = Node.objects.filter(pk=unit.ancestor_ids()[0], kind=NodeKind.ORGANISER).first()
    if organiser is None or organiser.pk == unit.pk:
        return None
    return organiser


def _number(shown: float | str | None) -> float | None:
    return float(shown) if isinstance(shown, int | float) else None


def _table(
    keys: tuple[str, ...],
    period: Period,
    previous: Period | None,
    *,
    unit: Node,
    organiser: Node | None,
    shown: dict[tuple[int, str, str, int], ShownValue],
    pupil_access: bool,
    targets: dict,
) -> FigureTable:
    rows = []
    for key in keys:
        now = shown.get((unit.pk, key, period.kind, period.id))
        before = shown.get((unit.pk, key, previous.kind, previous.id)) if previous else None
        if now is None and before is None:
            continue
        value = now.shown if now else None
        now_number, before_number = _number(value), _number(before.shown if before else None)
        change = (
            now_number - before_number
            if now_number is not None and before_number is not None
            else None
        )
        theirs = shown.get((organiser.pk, key, period.kind, period.id)) if organiser else None
        rows.append(
            DialogueFigure(
                indicator=REGISTRY[key],
                shown=value,
                n=now.n if now else None,
                change=change,
                organiser=theirs.shown if theirs else None,
                target=targets.get((unit.pk, key)),
            )
        )
    return FigureTable(period, previous, rows)


def dialogue_figures(scope: Scope, *, unit: Node, point: FollowUpPoint) -> DialogueFigures:
    """The unit's figures at `point` and for its term, as the reader behind `scope` may see
    them. The unit must be in the scope (the view has asked)."""
    term = point.term
    earlier_point = point_before(point)
    earlier_term = term_before(term)
    at_point = Period("point", point.pk, point.name)
    before_point = Period("point", earlier_point.pk, earlier_point.name) if earlier_point else None
    in_term = Period("term", term.pk, term.code)
    before_term = Period("term", earlier_term.pk, earlier_term.code) if earlier_term else None
    organiser = _organiser_of(unit)
    periods = [p for p in (at_point, before_point, in_term, before_term) if p is not None]
    values = indicator_values(
        nodes=[unit, *([organiser] if organiser else [])],
        periods=periods,
        indicators=[*PAGES.unit_points, *PAGES.unit_terms],
    )
    organiser_access = organiser is not None and scope.can_see_pupils_in(organiser)
    # A reader who sees the unit's hidden figure must not get the organiser's beside it: the
    # two together could give a sibling unit's hidden figure back. Hide the organiser's there.
    unit_hidden = {
        (v.indicator, v.period_kind, v.period_id)
        for v in values
        if v.node_id == unit.pk and v.suppression and scope.can_see_pupils_in(unit)
    }

    def organiser_shown(v: IndicatorValue) -> float | str | None:
        if not organiser_access and (v.indicator, v.period_kind, v.period_id) in unit_hidden:
            return v.suppression or HIDDEN
        return present(v.value, v.suppression, pupil_access=organiser_access)

    shown = {
        (s.value.node_id, s.value.indicator, s.value.period_kind, s.value.period_id): s
        for s in [
            *values_as_shown([v for v in values if v.node_id == unit.pk], scope=scope),
            *(
                ShownValue(v, organiser_shown(v))
                for v in values
                if organiser is not None and v.node_id == organiser.pk
            ),
        ]
    }
    pupil_access = scope.can_see_pupils_in(unit)
    targets = nearest_targets(
        [unit], [*PAGES.unit_points, *PAGES.unit_terms], term.academic_year_id
    )

    def table(keys: tuple[str, ...], period: Period, previous: Period | None) -> FigureTable:
        return _table(
            keys,
            period,
            previous,
            unit=unit,
            organiser=organiser,
            shown=shown,
            pupil_access=pupil_access,
            targets=targets,
        )

    return DialogueFigures(
        points=table(PAGES.unit_points, at_point, before_point),
        terms=table(PAGES.unit_terms, in_term, before_term),
        organiser=organiser,
        pupil_access=pupil_access,
    )


def _readable(scope: Scope, unit: Node, point: FollowUpPoint | None) -> bool:
    if point is None:
        return False
    status = (
        FollowUpDialogue.objects.filter(unit=unit, follow_up_point=point)
        .values_list("status", flat=True)
        .first()
    ) or DialogueStatus.NOT_STARTED
    return permissions.may_read(scope, unit, status)


def neighbour_points(scope: Scope, *, unit: Node, point: FollowUpPoint) -> NeighbourPoints:
    """The points before and after `point`, and whether the reader may open the unit's
    dialogue at each (a board member or coach reads a dialogue once it is handed in)."""
    previous, following = point_before(point), point_after(point)
    return NeighbourPoints(
        previous=previous,
        previous_readable=_readable(scope, unit, previous),
        next=following,
        next_readable=_readable(scope, unit, following),
    )
