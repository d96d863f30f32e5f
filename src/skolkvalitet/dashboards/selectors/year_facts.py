"""The survey and staff sections of the unit page and the overview: the yearly figures of the
registry's PAGES.surveys and PAGES.staff (trygghet, studiero, ... from SurveyResult; teachers,
certification and pupils per teacher from UnitStaffFact; children per group and per staff
member from PreschoolGroupFact), over the years that have them, each with its n (the
respondents, of those invited; the teachers; the children), suppressed for the reader's
roles as every figure, and the nation's published figure of the same year and type of
schools where the reference data hold one. Only the indicators of the school forms the page
is about are read (applicable.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum

from skolkvalitet.dashboards.selectors.applicable import applicable_keys, by_school_forms
from skolkvalitet.dashboards.selectors.overview import Overview, overview_of, year_references
from skolkvalitet.dashboards.selectors.periods import (
    TREND_LENGTH,
    PeriodRef,
    fact_years_by_family,
)
from skolkvalitet.dashboards.selectors.series import Section, SectionReference, section
from skolkvalitet.dashboards.selectors.targets import nearest_targets
from skolkvalitet.indicators.registry import PAGES, REGISTRY, Family
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.organisation.scopes import Scope
from skolkvalitet.reference.comparison import Basis, like_for_like
from skolkvalitet.results.models import SurveyResult

SECTIONS = (("surveys", PAGES.surveys), ("staff", PAGES.staff))


def years_of(keys: tuple[str, ...], by_family: dict[str, list[AcademicYear]]) -> list[AcademicYear]:
    """The years with figures of the families of `keys`, oldest first."""
    families = {REGISTRY[k].family.value for k in keys}
    found = {y for family in families for y in by_family.get(family, [])}
    return sorted(found, key=lambda y: y.start_date)


def organiser_of(node: Node) -> Node | None:
    """The organiser at the root of the node's path."""
    return Node.objects.filter(pk=node.ancestor_ids()[0], kind=NodeKind.ORGANISER).first()


def comparison_basis(organiser: Node | None) -> Basis | None:
    """Whose published figures are like for like with the organiser's (comparison.py)."""
    if organiser is None:
        return None
    return like_for_like(organiser.organiser_type, municipality_code=organiser.municipality_code)


def invited(nodes: list[Node], keys: tuple[str, ...], years: list[int]) -> dict[tuple, int]:
    """(node id, indicator, year id) → how many were invited to the survey behind a survey
    indicator at the node (its units' respondent groups summed)."""
    wanted = {k.removeprefix("survey_"): k for k in keys if REGISTRY[k].family == Family.SURVEYS}
    if not wanted or not nodes or not years:
        return {}
    out: dict[tuple, int] = defaultdict(int)
    rows = (
        SurveyResult.objects.filter(academic_year_id__in=years)
        .values("unit_id", "unit__path", "academic_year_id", "survey", "index")
        .annotate(invited=Sum("invited"))
    )
    for row in rows:
        key = wanted.get(f"{row['survey']}_{row['index']}")
        if key is None:
            continue
        for node in nodes:
            if row["unit__path"].startswith(node.path):
                out[(node.pk, key, row["academic_year_id"])] += int(row["invited"] or 0)
    return dict(out)


def nation_by_year(
    years: list[AcademicYear],
    municipality_code: str,
    keys: tuple[str, ...],
    basis: Basis | None,
) -> dict[tuple[str, int], float | str]:
    """(indicator, year id) → the nation's published figure of `basis` schools that year (the
    unit page's survey and staff sections and the board documents' chapters)."""
    if basis is None or not keys:
        return {}
    out: dict[tuple[str, int], float | str] = {}
    for year in years:
        rows = year_references(year, municipality_code, keys, "", basis)
        nation = next((r for r in rows if r.area == "nation"), None)
        if nation is None:
            continue
        for key, value in zip(keys, nation.values, strict=True):
            if value is not None:
                out[(key, year.pk)] = value
    return out


def unit_fact_sections(scope: Scope, node: Node) -> list[Section]:
    """The unit page's survey and staff sections: one row per indicator of the unit's school
    forms that has a figure in the last years, a value and n per year, those invited beside
    a survey's respondents, and the nation's figure per year."""
    access = scope.can_see_pupils_in(node)
    by_family = fact_years_by_family()
    if not any(by_family.values()):
        return []
    organiser = organiser_of(node)
    basis = comparison_basis(organiser)
    sections = []
    for key, all_keys in SECTIONS:
        keys = applicable_keys(all_keys, node.school_forms or ())
        years = years_of(keys, by_family)[-TREND_LENGTH:]
        if not keys or not years:
            continue
        refs = [PeriodRef("year", y.pk, y.code) for y in years]
        targets = nearest_targets([node], list(keys), years[-1].pk)
        found = section(key, node, keys, refs, None, access, targets)
        if not found.rows:
            continue
        shown_keys = tuple(row.indicator.key for row in found.rows)
        asked = invited([node], shown_keys, [y.pk for y in years])
        nation = (
            nation_by_year(years, organiser.municipality_code, shown_keys, basis)
            if organiser is not None
            else {}
        )
        for row in found.rows:
            k = row.indicator.key
            row.invited = [asked.get((node.pk, k, y.pk)) for y in years]
            row.references = [nation.get((k, y.pk)) for y in years]
        if basis is not None:
            found.reference = SectionReference(
                basis=basis,
                year=years[-1].code,
                missing=[r.indicator.name_sv for r in found.rows if r.reference is None],
            )
        sections.append(found)
    return sections


@dataclass
class FactTable:
    """One table of the overview's survey and staff section: the units × the indicators of
    one section (surveys or staff) and set of school forms, in the latest year up to the
    page's with such figures, with the reference line and the published figures."""

    key: str  # "surveys" or "staff"
    forms: tuple[str, ...]
    overview: Overview

    @property
    def year(self) -> PeriodRef:
        return self.overview.period


@dataclass
class FactOverview:
    tables: list[FactTable]


def overview_facts(
    scope: Scope,
    year: AcademicYear,
    *,
    area_id: int | None = None,
    school_form: str | None = None,
    basis: Basis | None = None,
) -> FactOverview | None:
    """The overview's survey and staff section for `year`: a table per section and set of
    school forms the indicators are kept for (of the school form filtered on), each of the
    latest year up to `year` with its figures (a survey is answered in the spring, staff
    counted in the autumn), with the organiser's or area's figure as its reference line
    (summed over the form's units where the node's own figure covers other forms too, as the
    main table's) and the published figures of the nation, the municipality and similar
    municipalities where the reference data hold them."""
    by_family = fact_years_by_family()
    tables = []
    for section_key, all_keys in SECTIONS:
        keys = applicable_keys(all_keys, (school_form,)) if school_form else all_keys
        for forms, members in by_school_forms(keys):
            years = [y for y in years_of(members, by_family) if y.start_date <= year.start_date]
            years = years[-TREND_LENGTH:]
            if not years:
                continue
            table = _fact_table(
                scope, section_key, forms, members, years, area_id, school_form, basis
            )
            if table is not None:
                if school_form:  # named by the form filtered on, not every form it is kept for
                    table.forms = (school_form,)
                tables.append(table)
    return FactOverview(tables) if tables else None


def _fact_table(
    scope: Scope,
    section_key: str,
    forms: tuple[str, ...],
    members: tuple[str, ...],
    years: list[AcademicYear],
    area_id: int | None,
    school_form: str | None,
    basis: Basis | None,
) -> FactTable | None:
    now = years[-1]
    previous = years[-2] if len(years) > 1 else None
    periods = {
        "year": {
            "now": now.pk,
            "previous": previous.pk if previous else None,
            "last_year": None,
            "trend": [y.pk for y in years],
        }
    }
    data = overview_of(
        scope,
        columns=members,
        periods=periods,
        year_id=now.pk,
        period=PeriodRef("year", now.pk, now.code),
        previous=PeriodRef("year", previous.pk, previous.code) if previous else None,
        last_year=None,
        breakdown="",
        area_id=area_id,
        school_form=school_form,
    )
    if not data.rows:
        return None
    organiser = data.comparison_organiser
    if organiser is not None:
        data.reference_basis = basis or comparison_basis(organiser)
        assert data.reference_basis is not None
        data.references = year_references(
            now, organiser.municipality_code, members, "", data.reference_basis
        )
        shown_areas = {row.area for row in data.references}
        data.reference_missing = [
            a for a in ("nation", "municipality", "similar") if a not in shown_areas
        ]
        nation = next((r for r in data.references if r.area == "nation"), None)
        if nation:
            for row in data.rows:
                for cell, reference in zip(row.cells, nation.values, strict=True):
                    cell.reference = reference if isinstance(reference, float) else None
    asked = invited([r.node for r in data.rows], members, [now.pk])
    if data.organiser:
        top = data.organiser.node
        asked |= invited([top], members, [now.pk])
        for key in data.summed:  # the reference line sums the listed units only
            total = [asked.get((r.node.pk, key, now.pk)) for r in data.rows]
            counted = [t for t in total if t is not None]
            asked[(top.pk, key, now.pk)] = sum(counted) if counted else 0
    for row in [*data.rows, *([data.organiser] if data.organiser else [])]:
        for cell in row.cells:
            if cell.n is not None and cell.is_number:
                cell.invited = asked.get((row.node.pk, cell.indicator.key, now.pk))
    return FactTable(section_key, forms, data)
