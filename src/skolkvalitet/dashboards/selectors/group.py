"""The group page (/resultat/grupp/<id>/): a group's own figures in its academic year, and
the groups a teacher starts from."""

from __future__ import annotations

from dataclasses import dataclass

from skolkvalitet.dashboards.selectors.periods import (
    PeriodRef,
    points_with_values,
    years_with_values,
)
from skolkvalitet.dashboards.selectors.series import Section, section, subject_rows
from skolkvalitet.indicators.registry import PAGES
from skolkvalitet.organisation.models import Node, NodeKind, Term
from skolkvalitet.organisation.scopes import Scope, path_prefix_q


@dataclass
class GroupPage:
    sections: list[Section]
    subjects: list[tuple[str, float | str | None, float | str | None]]  # code, on track, passed
    latest_point: PeriodRef | None
    latest_year: PeriodRef | None
    pupil_access: bool


def groups_in_scope(scope: Scope) -> list[Node]:
    """The groups of the latest academic year the user sees, for someone whose grants are all
    on groups (a teacher): their way into the results."""
    groups = Node.objects.filter(
        path_prefix_q("path", scope.paths()), kind=NodeKind.GROUP
    ).select_related("parent", "academic_year")
    latest = groups.order_by("-academic_year__start_date").first()
    if latest is None:
        return []
    return list(groups.filter(academic_year=latest.academic_year).order_by("parent__name", "name"))


def group_page(scope: Scope, group: Node) -> GroupPage:
    """A group's (klass, undervisningsgrupp) own figures in its academic year: the follow-up
    points, the terms and the year, totals only (the engine breaks groups down by nothing),
    and per subject. Suppressed for roles without pupil access in the group."""
    access = scope.can_see_pupils_in(group)
    year_id = group.academic_year_id
    points = [p for p in points_with_values() if p.term.academic_year_id == year_id]
    point_refs = [PeriodRef("point", p.pk, p.name) for p in points]
    terms = list(Term.objects.filter(academic_year_id=year_id).order_by("start_date"))
    term_refs = [PeriodRef("term", t.pk, t.code) for t in terms]
    years = [y for y in years_with_values() if y.pk == year_id]
    year_refs = [PeriodRef("year", y.pk, y.code) for y in years]
    sections = [
        section("points", group, PAGES.unit_points, point_refs, None, access, {}),
        section("terms", group, PAGES.unit_terms, term_refs, None, access, {}),
        section("years", group, PAGES.unit_years, year_refs, None, access, {}),
    ]
    latest_point = point_refs[-1] if point_refs else None
    return GroupPage(
        sections=sections,
        subjects=subject_rows(
            group, latest_point.id if latest_point else None, year_id if years else None, access
        ),
        latest_point=latest_point,
        latest_year=year_refs[-1] if year_refs else None,
        pupil_access=access,
    )
