"""Cross-table reads about the organisation. Each takes a Scope: nothing is read outside it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.utils import timezone

from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind, RoleAssignment
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Grant, Scope, grants_valid_q


def academic_year_current(*, on: dt.date | None = None) -> AcademicYear | None:
    """The academic year running on `on` (default today), else the latest that has started,
    else the earliest there is."""
    on = on or timezone.localdate()
    years = AcademicYear.objects.all()
    return (
        years.filter(start_date__lte=on, end_date__gte=on).first()
        or years.filter(start_date__lte=on).order_by("-start_date").first()
        or years.order_by("start_date").first()
    )


@dataclass(frozen=True)
class UnitRow:
    unit: Node
    area_name: str
    pupils: int
    girls: int
    boys: int


@dataclass(frozen=True)
class AreaUnits:
    """The units of one area (or of no area: units directly under the organiser)."""

    area_name: str
    units: list[UnitRow]

    @property
    def pupils(self) -> int:
        return sum(row.pupils for row in self.units)


def units_with_pupil_counts(*, scope: Scope, academic_year: AcademicYear) -> list[UnitRow]:
    """The units in scope with their enrolled pupils in `academic_year` (one query)."""
    units = (
        scope.nodes()
        .filter(kind=NodeKind.UNIT)
        .select_related("parent")
        .annotate(
            n_pupils=Count(
                "unit_enrolments",
                filter=Q(unit_enrolments__academic_year=academic_year),
            ),
            n_girls=Count(
                "unit_enrolments",
                filter=Q(
                    unit_enrolments__academic_year=academic_year,
                    unit_enrolments__pupil__legal_gender="F",
                ),
            ),
        )
        .order_by("parent__name", "name")
    )
    return [
        UnitRow(
            unit=u,
            area_name=u.parent.name if u.parent and u.parent.kind == NodeKind.AREA else "",
            pupils=u.n_pupils,
            girls=u.n_girls,
            boys=u.n_pupils - u.n_girls,
        )
        for u in units
    ]


def units_by_area(rows: list[UnitRow]) -> list[AreaUnits]:
    """Rows grouped by area, in the order they come (units_with_pupil_counts sorts them)."""
    areas: dict[str, list[UnitRow]] = {}
    for row in rows:
        areas.setdefault(row.area_name, []).append(row)
    return [AreaUnits(name, units) for name, units in areas.items()]


def groups_with_pupil_counts(*, scope: Scope, academic_year: AcademicYear) -> list[Node]:
    """Groups in scope for the year, each annotated with `n_pupils`."""
    return list(
        scope.nodes()
        .filter(kind=NodeKind.GROUP, academic_year=academic_year)
        .select_related("parent")
        .annotate(n_pupils=Count("group_enrolments"))
        .order_by("parent__name", "name")
    )


def pupil_count_in_scope(*, scope: Scope, academic_year: AcademicYear) -> int:
    """Pupils enrolled in the scope's nodes in the year (by unit, or by group for group
    grants)."""
    return (
        scope.enrolments(pupil_access_only=False)
        .filter(academic_year=academic_year)
        .values("pupil_id")
        .distinct()
        .count()
    )


def organiser_chosen(code: str) -> Node:
    """The organiser with `code` (organisationsnummer, with or without its hyphen, or
    kommunkod), for operators' commands; without a code, the one organiser in the database.
    Several organisers and no code is refused, never guessed (ValueError naming them)."""
    organisers = list(Node.objects.filter(kind=NodeKind.ORGANISER).order_by("name"))
    listed = "Organisers: " + ", ".join(f"{o.name} ({o.code})" for o in organisers) + "."
    if code:
        digits = code.replace("-", "")
        found = [o for o in organisers if digits in (o.code.replace("-", ""), o.municipality_code)]
        if len(found) != 1:
            raise ValueError(f"No single organiser with code {code!r}; {listed}")
        return found[0]
    if not organisers:
        raise ValueError("There is no organiser in the database.")
    if len(organisers) > 1:
        raise ValueError(
            f"The database holds {len(organisers)} organisers; choose one with --organiser "
            f"CODE. {listed}"
        )
    return organisers[0]


def users_with_capability(
    *, capability: Capability, node: Node, on: dt.date | None = None
) -> list[User]:
    """The active users whose grant, valid on `on` (default today) and on an active node,
    on `node` or above it gives `capability` there (the capability table's rule,
    organiser-only ones included; as scope_for counts grants): who to tell when something
    happens at `node`."""
    on = on or timezone.localdate()
    assignments = (
        RoleAssignment.objects.filter(node_id__in=node.ancestor_ids(), user__is_active=True)
        .filter(grants_valid_q(on))
        .select_related("user", "node")
        .order_by("user__username")
    )
    users: dict[int, User] = {}
    for a in assignments:
        if Grant(node_id=a.node_id, path=a.node.path, role=a.role).allows(capability):
            users[a.user_id] = a.user
    return list(users.values())


def organiser_of(node: Node) -> Node:
    """The organiser a node belongs to: the root of its tree."""
    return Node.objects.get(pk=node.ancestor_ids()[0])
