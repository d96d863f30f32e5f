"""Reads of the quality cycle: the calendar, the status board, one dialogue, a unit head's
dialogues. Each read made for a user takes their Scope; nothing outside it is returned."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Node, NodeKind, Term
from skolkvalitet.organisation.scopes import Scope, path_prefix_q
from skolkvalitet.quality import permissions
from skolkvalitet.quality.models import (
    EDITABLE_STATUSES,
    DialogueComment,
    DialogueStatus,
    FollowUpDialogue,
)
from skolkvalitet.results.models import Assessment

# -- points and the calendar ---------------------------------------------------------------


def follow_up_points() -> list[FollowUpPoint]:
    """Every follow-up point, latest first, with its term and year (one query)."""
    return list(
        FollowUpPoint.objects.select_related("term__academic_year").order_by("-assessed_on")
    )


def follow_up_point_current(
    points: list[FollowUpPoint], *, on: dt.date | None = None
) -> FollowUpPoint | None:
    """The point being followed up on `on` (default today): the latest assessed on or before
    it; before the first, the first. `points` as follow_up_points() returns them."""
    on = on or timezone.localdate()
    started = [p for p in points if p.assessed_on <= on]
    if started:
        return max(started, key=lambda p: p.assessed_on)
    return min(points, key=lambda p: p.assessed_on) if points else None


@dataclass(frozen=True)
class TermCalendar:
    term: Term
    points: list[FollowUpPoint]  # each with .has_assessments and .has_dialogues


def calendar_for_year(*, start_year: int) -> tuple[AcademicYear | None, list[TermCalendar]]:
    """The academic year's terms and their points, each point marked with whether it may be
    removed (no assessments, no dialogues). Three queries."""
    year = AcademicYear.objects.filter(code=AcademicYear.code_for(start_year)).first()
    if year is None:
        return None, []
    terms = list(
        Term.objects.filter(academic_year=year)
        .order_by("start_date")
        .prefetch_related(
            Prefetch(
                "follow_up_points",
                queryset=FollowUpPoint.objects.annotate(
                    has_assessments=Exists(
                        Assessment.objects.filter(follow_up_point=OuterRef("pk"))
                    ),
                    has_dialogues=Exists(
                        FollowUpDialogue.objects.filter(follow_up_point=OuterRef("pk"))
                    ),
                ).order_by("ordinal"),
            )
        )
    )
    return year, [TermCalendar(t, list(t.follow_up_points.all())) for t in terms]


# -- the status board ------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    unit: Node
    area_name: str
    status: DialogueStatus
    updated_at: dt.datetime | None
    overdue: bool  # the deadline has passed and the unit has not handed in
    may_open: bool  # the user may open the dialogue page


@dataclass(frozen=True)
class BoardArea:
    name: str
    rows: list[BoardRow]


@dataclass
class Board:
    point: FollowUpPoint
    areas: list[BoardArea]
    counts: list[tuple[DialogueStatus, int]]  # every status, in order, over all units
    total: int
    shown: int
    overdue: int = 0
    statuses: list[DialogueStatus] = field(default_factory=lambda: list(DialogueStatus))


def board_units(scope: Scope, *, within: Node | None = None) -> QuerySet[Node]:
    """The units whose follow-up status the user sees, optionally within one node."""
    units = Node.objects.filter(kind=NodeKind.UNIT).filter(
        path_prefix_q("path", permissions.board_paths(scope))
    )
    if within is not None:
        units = units.filter(path__startswith=within.path)
    return units


def _area_name(unit: Node) -> str:
    parent = unit.parent
    return parent.name if parent is not None and parent.kind == NodeKind.AREA else ""


def _is_overdue(status: str, deadline: dt.date, today: dt.date) -> bool:
    return deadline < today and status in EDITABLE_STATUSES


def status_board(
    *,
    scope: Scope,
    point: FollowUpPoint,
    within: Node | None = None,
    status: str | None = None,
    today: dt.date | None = None,
) -> Board:
    """Every unit in scope (grouped by area) with its dialogue's status at `point`; `status`
    filters the rows, the counts cover all units. Two queries, whatever the number of units.
    Closed units appear only if they have a dialogue at the point."""
    today = today or timezone.localdate()
    in_scope = board_units(scope, within=within)
    units = list(in_scope.select_related("parent").order_by("parent__name", "name"))
    dialogues = {
        d["unit_id"]: d
        for d in FollowUpDialogue.objects.filter(follow_up_point=point, unit__in=in_scope).values(
            "unit_id", "status", "updated_at"
        )
    }
    rows: list[BoardRow] = []
    for unit in units:
        found = dialogues.get(unit.pk)
        if found is None and not unit.is_active:
            continue
        row_status = DialogueStatus(found["status"]) if found else DialogueStatus.NOT_STARTED
        rows.append(
            BoardRow(
                unit=unit,
                area_name=_area_name(unit),
                status=row_status,
                updated_at=found["updated_at"] if found else None,
                overdue=_is_overdue(row_status, point.deadline, today),
                may_open=permissions.may_read(scope, unit, row_status),
            )
        )
    counts = Counter(r.status for r in rows)
    shown = [r for r in rows if not status or r.status == status]
    return Board(
        point=point,
        areas=_by_area(shown),
        counts=[(s, counts.get(s, 0)) for s in DialogueStatus],
        total=len(rows),
        shown=len(shown),
        overdue=sum(r.overdue for r in rows),
    )


def _by_area(rows: list[BoardRow]) -> list[BoardArea]:
    areas: dict[str, list[BoardRow]] = {}
    for row in rows:
        areas.setdefault(row.area_name, []).append(row)
    return [BoardArea(name, area_rows) for name, area_rows in areas.items()]


def board_areas(scope: Scope) -> list[Node]:
    """The areas the user may narrow the board to: those holding units on their board."""
    return list(
        Node.objects.filter(kind=NodeKind.AREA, is_active=True)
        .filter(path_prefix_q("path", permissions.board_paths(scope)))
        .order_by("name")
    )


# -- one dialogue ----------------------------------------------------------------------------


def dialogue_for(*, unit: Node, point: FollowUpPoint) -> FollowUpDialogue | None:
    """The unit's dialogue at the point with its thread and the people named, or None."""
    return (
        FollowUpDialogue.objects.filter(unit=unit, follow_up_point=point)
        .select_related("submitted_by", "returned_by", "discussed_by", "updated_by")
        .prefetch_related(
            Prefetch("comments", queryset=DialogueComment.objects.select_related("author"))
        )
        .first()
    )


# -- the unit head's own dialogues -----------------------------------------------------------


@dataclass(frozen=True)
class MyDialogue:
    unit: Node
    point: FollowUpPoint
    status: DialogueStatus
    overdue: bool


def my_dialogues(*, scope: Scope, on: dt.date | None = None) -> list[MyDialogue]:
    """The dialogues the user writes (as unit head) at the current follow-up point."""
    today = on or timezone.localdate()
    paths = permissions.writer_paths(scope)
    if not paths:
        return []
    point = follow_up_point_current(follow_up_points(), on=today)
    if point is None:
        return []
    in_scope = Node.objects.filter(kind=NodeKind.UNIT, is_active=True).filter(
        path_prefix_q("path", paths)
    )
    units = list(in_scope.order_by("name"))
    statuses = dict(
        FollowUpDialogue.objects.filter(follow_up_point=point, unit__in=in_scope).values_list(
            "unit_id", "status"
        )
    )
    rows = []
    for unit in units:
        status = DialogueStatus(statuses.get(unit.pk, DialogueStatus.NOT_STARTED))
        rows.append(MyDialogue(unit, point, status, _is_overdue(status, point.deadline, today)))
    return rows
