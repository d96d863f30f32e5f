"""The unit page (/resultat/enhet/<id>/): its series of points, terms and years, its
subjects, the national tests compared with the final grades and the grade distribution; and
the fragment of its groups at the latest follow-up point."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from skolkvalitet.dashboards.selectors.distribution import grade_distribution
from skolkvalitet.dashboards.selectors.periods import (
    TREND_LENGTH,
    PeriodRef,
    points_with_values,
    term_sequence,
    years_with_values,
)
from skolkvalitet.dashboards.selectors.series import (
    Section,
    SeriesRow,
    section,
    stored_values,
    subject_rows,
)
from skolkvalitet.dashboards.selectors.targets import nearest_targets
from skolkvalitet.indicators.distribution import Distribution
from skolkvalitet.indicators.registry import PAGES, REGISTRY, Indicator
from skolkvalitet.indicators.suppression import present as shown
from skolkvalitet.indicators.suppression import present_n
from skolkvalitet.organisation.models import Node, NodeKind
from skolkvalitet.organisation.scopes import Scope


@dataclass
class GroupRow:
    group: Node
    cells: list[tuple[float | str | None, int | None]]


@dataclass
class UnitPage:
    sections: list[Section]
    subjects: list[tuple[str, float | str | None, float | str | None]]  # code, on track, passed
    tests: list[SeriesRow]  # test vs grade, latest year
    latest_point: PeriodRef | None
    latest_year: PeriodRef | None
    pupil_access: bool
    distributions: list[Distribution] = field(default_factory=list)  # final grades, latest year


def unit_page(scope: Scope, node: Node, *, breakdown_dimension: str | None = None) -> UnitPage:
    access = scope.can_see_pupils_in(node)
    points = [p for p in points_with_values()][-TREND_LENGTH:]
    point_refs = [PeriodRef("point", p.pk, p.name) for p in points]
    latest_point = points[-1] if points else None
    terms = term_sequence(latest_point.term) if latest_point else []
    term_refs = [PeriodRef("term", t.pk, t.code) for t in terms]
    years = years_with_values()[-TREND_LENGTH:]
    year_refs = [PeriodRef("year", y.pk, y.code) for y in years]
    all_keys = [*PAGES.unit_points, *PAGES.unit_terms, *PAGES.unit_years]
    targets = nearest_targets([node], all_keys, years[-1].pk if years else None)
    # At the points also the overview's absence so far this term (registry `at_points`).
    so_far = tuple(k for k in PAGES.overview_at_point if REGISTRY[k].at_points)
    sections = [
        section(
            "points",
            node,
            (*PAGES.unit_points, *so_far),
            point_refs,
            breakdown_dimension,
            access,
            targets,
        ),
        section("terms", node, PAGES.unit_terms, term_refs, breakdown_dimension, access, targets),
        section("years", node, PAGES.unit_years, year_refs, breakdown_dimension, access, targets),
    ]
    subjects = subject_rows(
        node, latest_point.pk if latest_point else None, years[-1].pk if years else None, access
    )
    tests = []
    if years:
        # Year 9 only: the indicators cover year 6 (term grade) and year 9 (final grade)
        # together, but this section compares final grades with the test (as Kolada's N15569-
        # N15574 do), so it reads the year_group=9 figures.
        tests = [
            row
            for row in section(
                "tests", node, PAGES.unit_tests, [year_refs[-1]], "year_group", access, {}
            ).rows
            if row.breakdown == "year_group=9"
        ]
    return UnitPage(
        sections=sections,
        subjects=subjects,
        tests=tests,
        latest_point=PeriodRef("point", latest_point.pk, latest_point.name)
        if latest_point
        else None,
        latest_year=year_refs[-1] if year_refs else None,
        pupil_access=access,
        distributions=grade_distribution(scope, node, years[-1]) if years else [],
    )


@dataclass
class UnitGroups:
    point: PeriodRef | None
    indicators: list[Indicator]
    rows: list[GroupRow]


def unit_groups(scope: Scope, node: Node) -> UnitGroups:
    """The unit's groups at the latest follow-up point with their own figures (totals only),
    each suppressed for roles without pupil access in that group. Its own fragment of the
    unit page: a large unit has hundreds of groups."""
    indicators = [REGISTRY[key] for key in PAGES.unit_groups]
    points = points_with_values()
    if not points:
        return UnitGroups(None, indicators, [])
    point = points[-1]
    group_nodes = list(
        Node.objects.filter(
            parent=node, kind=NodeKind.GROUP, academic_year_id=point.term.academic_year_id
        ).order_by("name")
    )
    stored = stored_values(
        group_nodes, list(PAGES.unit_groups), "point", [point.pk], Q(breakdown="")
    )
    rows = []
    for group in group_nodes:
        access = scope.can_see_pupils_in(group)
        cells = []
        for key in PAGES.unit_groups:
            value, n, suppression = stored.get((group.pk, key, ""), {}).get(
                point.pk, (None, None, "")
            )
            cells.append(
                (
                    shown(value, suppression, pupil_access=access),
                    present_n(n, suppression, pupil_access=access),
                )
            )
        if any(v is not None for v, _n in cells):
            rows.append(GroupRow(group, cells))
    return UnitGroups(PeriodRef("point", point.pk, point.name), indicators, rows)
