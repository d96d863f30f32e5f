"""The unit page (/resultat/enhet/<id>/): its series of points, terms and years, its
subjects, the national tests compared with the final grades and the grade distribution; and
the fragment of its groups at the latest follow-up point."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from skolkvalitet.dashboards.selectors.applicable import (
    applicable_keys,
    support_list_applies,
    year_group_applies,
)
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
from skolkvalitet.dashboards.selectors.year_facts import unit_fact_sections
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
    # The national tests compared with the grades per year group (6: term grades, 9: final
    # grades), latest year; only the year groups the unit has.
    tests_by_year_group: dict[int, list[SeriesRow]] = field(default_factory=dict)
    # The surveys and the staff figures (year_facts.py).
    fact_sections: list[Section] = field(default_factory=list)
    # Whether the unit has a list of pupils who need support (applicable.py).
    support_list: bool = True


def unit_page(scope: Scope, node: Node, *, breakdown_dimension: str | None = None) -> UnitPage:
    access = scope.can_see_pupils_in(node)
    points = [p for p in points_with_values()][-TREND_LENGTH:]
    point_refs = [PeriodRef("point", p.pk, p.name) for p in points]
    latest_point = points[-1] if points else None
    terms = term_sequence(latest_point.term) if latest_point else []
    term_refs = [PeriodRef("term", t.pk, t.code) for t in terms]
    years = years_with_values()[-TREND_LENGTH:]
    year_refs = [PeriodRef("year", y.pk, y.code) for y in years]
    forms, year_groups = node.school_forms or (), node.year_groups or ()

    def about_unit(keys: tuple[str, ...]) -> tuple[str, ...]:
        return applicable_keys(keys, forms, year_groups)

    all_keys = [*PAGES.unit_points, *PAGES.unit_terms, *PAGES.unit_years]
    targets = nearest_targets([node], all_keys, years[-1].pk if years else None)
    # At the points also the overview's absence so far this term (registry `at_points`).
    so_far = tuple(k for k in PAGES.overview_at_point if REGISTRY[k].at_points)
    sections = [
        section(key, node, about_unit(keys), refs, breakdown_dimension, access, targets)
        for key, keys, refs in (
            ("points", (*PAGES.unit_points, *so_far), point_refs),
            ("terms", PAGES.unit_terms, term_refs),
            ("years", PAGES.unit_years, year_refs),
        )
    ]
    subjects = subject_rows(
        node, latest_point.pk if latest_point else None, years[-1].pk if years else None, access
    )
    tests_by_year_group: dict[int, list[SeriesRow]] = {}
    test_keys = about_unit(PAGES.unit_tests)
    if years and test_keys:
        # The indicators cover year 6 (term grade) and year 9 (final grade) together; each
        # year group is its own comparison (Kolada's N15569-N15574 compare year 9's final
        # grades), read from the year_group=N figures of the year groups the unit has.
        by_year = section("tests", node, test_keys, [year_refs[-1]], "year_group", access, {})
        for year_group in (6, 9):
            if not year_group_applies(year_group, year_groups):
                continue
            rows = [r for r in by_year.rows if r.breakdown == f"year_group={year_group}"]
            if rows:
                tests_by_year_group[year_group] = rows
    return UnitPage(
        sections=sections,
        subjects=subjects,
        tests=tests_by_year_group.get(9, []),
        tests_by_year_group=tests_by_year_group,
        fact_sections=unit_fact_sections(scope, node),
        support_list=support_list_applies(forms, year_groups),
        latest_point=PeriodRef("point", latest_point.pk, latest_point.name)
        if latest_point
        else None,
        latest_year=year_refs[-1] if year_refs else None,
        pupil_access=access,
        distributions=grade_distribution(scope, node, years[-1])
        if years and about_unit(tuple(f"passed_{c}" for c in PAGES.subjects))
        else [],
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
