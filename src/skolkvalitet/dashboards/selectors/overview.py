"""The overview (/resultat/): units × indicators at a follow-up point or for an academic
year, compared with the previous period, last year and the trend, with targets and, for a
year, the published figures of the nation, the municipality and similar municipalities."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from skolkvalitet.dashboards.selectors.applicable import for_school_form
from skolkvalitet.dashboards.selectors.periods import (
    TREND_LENGTH,
    PeriodRef,
    points_with_values,
    term_sequence,
    years_with_values,
)
from skolkvalitet.dashboards.selectors.targets import nearest_targets
from skolkvalitet.indicators.markers import HIDDEN, NEAR_FULL
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.indicators.registry import (
    PAGES,
    REGISTRY,
    Aggregation,
    Family,
    Indicator,
    Level,
    Unit,
)
from skolkvalitet.indicators.suppression import present as shown
from skolkvalitet.indicators.suppression import present_n
from skolkvalitet.organisation.models import (
    AcademicYear,
    FollowUpPoint,
    Node,
    NodeKind,
    SchoolForm,
    Term,
)
from skolkvalitet.organisation.scopes import Scope, path_prefix_q
from skolkvalitet.reference.comparison import Basis, like_for_like
from skolkvalitet.reference.selectors import AREAS, ReferencePoint

LIKE_FOR_LIKE = (
    "gender=F",
    "gender=M",
    "newly_arrived=yes",
    "newly_arrived=no",
    "sva=yes",
    "parents_education=1",
    "parents_education=2",
    "parents_education=3",
)


@dataclass
class Cell:
    indicator: Indicator
    shown: float | str | None  # the value, a suppression marker, or None (no value)
    n: int | None
    change_previous: float | None = None
    change_last_year: float | None = None
    trend: list[float | str | None] = field(default_factory=list)
    target: float | None = None
    reference: float | None = None  # the nation's published figure, where imported
    invited: int | None = None  # a survey's: how many were invited (beside a shown n only)

    @property
    def above_reference(self) -> bool | None:
        """Better than the nation's figure (by the indicator's polarity)."""
        value = self.shown
        if self.reference is None or not isinstance(value, float | int):
            return None
        if self.indicator.higher_is_better:
            return value > self.reference
        return value < self.reference

    @property
    def is_number(self) -> bool:
        return isinstance(self.shown, float | int)

    @property
    def meets_target(self) -> bool | None:
        value = self.shown
        if self.target is None or not isinstance(value, float | int):
            return None
        if self.indicator.higher_is_better:
            return value >= self.target
        return value <= self.target


@dataclass
class Row:
    node: Node
    area: Node | None
    cells: list[Cell]
    # The reference line's name where it is not the node's own: the organiser's or an area's
    # figures of one school form ("Ekbacka kommun, grundskola").
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.node.name


@dataclass
class Overview:
    period: PeriodRef
    previous: PeriodRef | None
    last_year: PeriodRef | None
    indicators: list[Indicator]
    rows: list[Row]
    organiser: Row | None  # the organiser's own figures, as the reference line
    breakdown: str
    # The organiser whose type and municipality the published comparisons are chosen by (also
    # for users who do not see the organiser's own row).
    comparison_organiser: Node | None = None
    without_figures: int = 0  # units in the scope with no figure for the period (left out)
    references: list = field(default_factory=list)  # ReferenceRow: published figures
    reference_basis: Basis | None = None  # whose schools the published figures are of
    reference_missing: list[str] = field(default_factory=list)  # areas with no published value
    # Columns whose reference line is the sum of the listed units (the school form filtered
    # on) rather than the organiser's or area's own figure.
    summed: set[str] = field(default_factory=set)


def _same_point_last_year(
    point: FollowUpPoint, points: list[FollowUpPoint]
) -> FollowUpPoint | None:
    year = point.term.academic_year.start_year - 1
    for other in points:
        if (
            other.term.academic_year.start_year == year
            and other.term.kind == point.term.kind
            and other.ordinal == point.ordinal
        ):
            return other
    return None


def units_in_scope(
    scope: Scope, *, area_id: int | None = None, school_form: str | None = None
) -> list[Node]:
    query = Node.objects.filter(
        path_prefix_q("path", scope.paths()), kind=NodeKind.UNIT, is_active=True
    ).select_related("parent")
    if area_id:
        area = Node.objects.filter(pk=area_id, kind=NodeKind.AREA).first()
        query = query.filter(path__startswith=area.path) if area else query.none()
    units = list(query.order_by("parent__name", "name"))
    if school_form:
        units = [u for u in units if school_form in (u.school_forms or [])]
    return units


def overview_at_point(
    scope: Scope,
    point: FollowUpPoint,
    *,
    breakdown: str = "",
    area_id: int | None = None,
    school_form: str | None = None,
) -> Overview:
    """Units × the follow-up indicators at `point`: value, change since the previous point and
    since the same point last year, the trend over the last points, and the unit's target.
    Absence is the absence so far this term at each point (the periods of its term ended by
    its date: docs/indicators.md), compared the same way."""
    points = points_with_values()
    upto = [p for p in points if p.assessed_on <= point.assessed_on][-TREND_LENGTH:]
    previous = upto[-2] if len(upto) > 1 else None
    last_year = _same_point_last_year(point, points)
    terms = term_sequence(point.term)
    previous_term = terms[-2] if len(terms) > 1 else None
    last_year_term = Term.objects.filter(
        academic_year__start_date__year=point.term.academic_year.start_date.year - 1,
        kind=point.term.kind,
    ).first()
    periods = {
        "point": {
            "now": point.pk,
            "previous": previous.pk if previous else None,
            "last_year": last_year.pk if last_year else None,
            "trend": [p.pk for p in upto],
        },
        "term": {
            "now": point.term_id,
            "previous": previous_term.pk if previous_term else None,
            "last_year": last_year_term.pk if last_year_term else None,
            "trend": [t.pk for t in terms],
        },
    }
    return overview_of(
        scope,
        columns=for_school_form(PAGES.overview_at_point, school_form),
        periods=periods,
        year_id=point.term.academic_year_id,
        period=PeriodRef("point", point.pk, point.name),
        previous=PeriodRef("point", previous.pk, previous.name) if previous else None,
        last_year=PeriodRef("point", last_year.pk, last_year.name) if last_year else None,
        breakdown=breakdown,
        area_id=area_id,
        school_form=school_form,
    )


def overview_for_year(
    scope: Scope,
    year: AcademicYear,
    *,
    breakdown: str = "",
    area_id: int | None = None,
    school_form: str | None = None,
    basis: Basis | None = None,
) -> Overview:
    """Units × the year's final-grade indicators, compared with the previous years, and the
    published figures of the nation, the municipality and similar municipalities for schools of
    `basis` (default: like for like with the organiser's type, comparison.like_for_like)."""
    years = [y for y in years_with_values() if y.start_date <= year.start_date][-TREND_LENGTH:]
    previous = years[-2] if len(years) > 1 else None
    periods = {
        "year": {
            "now": year.pk,
            "previous": previous.pk if previous else None,
            "last_year": previous.pk if previous else None,
            "trend": [y.pk for y in years],
        }
    }
    overview = overview_of(
        scope,
        columns=for_school_form(PAGES.overview_for_year, school_form),
        periods=periods,
        year_id=year.pk,
        period=PeriodRef("year", year.pk, year.code),
        previous=PeriodRef("year", previous.pk, previous.code) if previous else None,
        last_year=None,
        breakdown=breakdown,
        area_id=area_id,
        school_form=school_form,
    )
    organiser = overview.comparison_organiser
    if organiser is None:
        return overview  # units of several organisers: no one comparison is right for all
    municipality = organiser.municipality_code
    overview.reference_basis = basis or like_for_like(
        organiser.organiser_type, municipality_code=municipality
    )
    overview.references = year_references(
        year,
        municipality,
        tuple(i.key for i in overview.indicators),
        breakdown,
        overview.reference_basis,
    )
    shown_areas = {row.area for row in overview.references}
    overview.reference_missing = [a for a in AREAS if a not in shown_areas]
    nation = next((r for r in overview.references if r.area == "nation"), None)
    if nation:
        for row in overview.rows:
            for cell, reference in zip(row.cells, nation.values, strict=True):
                cell.reference = reference if isinstance(reference, float) else None
    return overview


@dataclass
class ReferenceRow:
    """One line of published figures under the overview: one area, one academic year and one
    type of organiser's schools (the basis) for every column, each from the source named."""

    area: str  # "nation", "municipality", "similar"
    label: str  # as published: "Riket", "Vallentuna", "sekom Orange"
    basis: Basis  # whose schools: Kommunal / Samtliga / Enskild
    period: str  # the academic year the figures are of ("2024/25")
    values: list[float | str | None]  # per column: the value, its marker, or None
    sources: list[str]  # the sources behind the values ("Skolverket", "Kolada")
    notes: list[str]  # the sources' caveats or cited publications

    @property
    def basis_label(self) -> str:
        """ "kommunala skolor": whose schools the figures are of."""
        from skolkvalitet.dashboards.breakdowns import BASIS_LABELS

        return str(BASIS_LABELS[self.basis])


def year_references(
    year: AcademicYear,
    municipality_code: str,
    columns: tuple[str, ...],
    breakdown: str,
    basis: Basis,
) -> list[ReferenceRow]:
    """The nation's, the municipality's and similar municipalities' published values of the
    columns for the academic year (imported reference data), all of schools of `basis`
    (comparison.py: like for like by default, never chosen by sort order). An area with no
    published value for any column is left out (Overview.reference_missing names it)."""
    from skolkvalitet.reference.selectors import comparisons_for_indicator

    found: dict[str, dict[str, ReferencePoint]] = defaultdict(dict)
    for key in columns:
        comparison = comparisons_for_indicator(
            indicator_key=key, municipality_code=municipality_code, period=year.code, basis=basis
        ).get(breakdown)
        for area in AREAS:
            point = comparison.point(area) if comparison else None
            if point is not None:
                found[area][key] = point
    rows = []
    for area in AREAS:
        points = found[area]
        if not points:
            continue
        first = next(iter(points.values()))
        rows.append(
            ReferenceRow(
                area=area,
                label=first.area_name,
                basis=basis,
                period=year.code,
                values=[
                    (points[k].marker or points[k].value) if k in points else None for k in columns
                ],
                sources=sorted({SOURCE_NAMES.get(p.source, p.source) for p in points.values()}),
                notes=sorted({p.note for p in points.values() if p.note}),
            )
        )
    return rows


SOURCE_NAMES = {"skolverket": "Skolverket", "kolada": "Kolada"}


def overview_of(
    scope: Scope,
    *,
    columns: tuple[str, ...],
    periods: dict[str, dict],
    year_id: int,
    period: PeriodRef,
    previous: PeriodRef | None,
    last_year: PeriodRef | None,
    breakdown: str,
    area_id: int | None,
    school_form: str | None,
) -> Overview:
    indicators = [REGISTRY[key] for key in columns]
    units = units_in_scope(scope, area_id=area_id, school_form=school_form)
    organiser = _reference_node(scope, area_id)
    nodes = units + ([organiser] if organiser else [])
    stored: dict[tuple[int, str], dict[int, StoredValue]] = defaultdict(dict)
    # One query per kind of period: each is a lookup on the (node, period_kind, period_id)
    # index (an OR of kinds would make SQLite read every value of the nodes), or, for the
    # surveys and staff tables, on the (family, period_kind, period_id) index.
    for kind, ids in periods.items():
        wanted = {ids["now"], ids["previous"], ids["last_year"], *ids["trend"]} - {None}
        of_kind = [i for i in indicators if _kind(i, periods) == kind]
        found = IndicatorValue.objects.filter(
            node_id__in=[n.pk for n in nodes],
            period_kind=kind,
            period_id__in=wanted,
            indicator__in=[i.key for i in of_kind],
            breakdown=breakdown,
            **_few_rows_family(of_kind),
        ).values_list(
            "indicator",
            "node_id",
            "period_id",
            "value",
            "n",
            "suppression",
            "numerator",
            "denominator",
        )
        for indicator, node_id, period_id, value, n, suppression, num, den in found:
            stored[(node_id, indicator)][period_id] = StoredValue(value, n, suppression, num, den)
    targets = nearest_targets(units, list(columns), year_id)
    access = {node.pk: scope.can_see_pupils_in(node) for node in nodes}
    summed = (
        _summed_columns(organiser, units, indicators, periods, breakdown, school_form)
        if organiser and school_form
        else set()
    )
    if organiser is not None:
        for key in summed:
            kind = _kind(REGISTRY[key], periods)
            for period_id in _wanted(periods[kind]):
                total = _sum_of_units(
                    REGISTRY[key], [stored.get((u.pk, key), {}).get(period_id) for u in units]
                )
                if total is None:
                    stored[(organiser.pk, key)].pop(period_id, None)
                else:
                    stored[(organiser.pk, key)][period_id] = total

    def row(node: Node) -> Row:
        cells = []
        for indicator in indicators:
            ids = periods[_kind(indicator, periods)]
            series = stored.get((node.pk, indicator.key), {})

            def value_at(period_id, series=series, node=node, key=indicator.key):
                if period_id is None or period_id not in series:
                    return None, None
                value, n, suppression = series[period_id][:3]
                access_here = access[node.pk]
                if node is organiser and key in summed and not access_here:
                    suppression = _summed_marker(
                        REGISTRY[key], units, stored, key, period_id, access, series[period_id]
                    )
                return (
                    shown(value, suppression, pupil_access=access_here),
                    present_n(n, suppression, pupil_access=access_here),
                )

            now, n = value_at(ids["now"])
            cell = Cell(indicator=indicator, shown=now, n=n)
            cell.change_previous = _change(now, value_at(ids["previous"])[0])
            cell.change_last_year = _change(now, value_at(ids["last_year"])[0])
            cell.trend = [value_at(p)[0] for p in ids["trend"]]
            cell.target = targets.get((node.pk, indicator.key))
            cells.append(cell)
        return Row(node=node, area=node.parent if node.parent_id else None, cells=cells)

    rows = [row(u) for u in units]
    shown_rows = [r for r in rows if any(c.shown is not None for c in r.cells)]
    reference = row(organiser) if organiser else None
    if reference is not None and school_form:
        form = str(SchoolForm(school_form).label).lower()
        reference.label = f"{reference.node.name}, {form}"
    return Overview(
        period=period,
        previous=previous,
        last_year=last_year,
        indicators=indicators,
        rows=shown_rows,
        without_figures=len(rows) - len(shown_rows),
        organiser=reference,
        breakdown=breakdown,
        comparison_organiser=_organiser_of(units),
        summed=summed,
    )


class StoredValue(NamedTuple):
    value: float | None
    n: int | None
    suppression: str
    numerator: float | None
    denominator: float | None


def _reference_node(scope: Scope, area_id: int | None) -> Node | None:
    """Whose own figures stand under the units as the reference line: the area filtered on
    (where the user sees it whole), else the organiser (for users who see it)."""
    if area_id:
        area = Node.objects.filter(pk=area_id, kind=NodeKind.AREA).first()
        if area is not None and scope.can_see(area):
            return area
    return scope.top_nodes().filter(kind=NodeKind.ORGANISER).first()


def _wanted(ids: dict) -> set[int]:
    return {ids["now"], ids["previous"], ids["last_year"], *ids["trend"]} - {None}


def _summed_columns(
    node: Node,
    units: list[Node],
    indicators: list[Indicator],
    periods: dict[str, dict],
    breakdown: str,
    school_form: str,
) -> set[str]:
    """The columns whose reference line is the sum of the listed units (the units of the
    school form filtered on) and not `node`'s own stored figure: those of an indicator kept
    for other school forms too, where a unit of `node` that is not listed has a figure in the
    period shown or the periods compared (its pupils are in `node`'s figure)."""
    candidates = [i for i in indicators if set(i.school_forms) - {school_form}]
    if not candidates:
        return set()
    listed = [u.pk for u in units]
    out: set[str] = set()
    for kind, ids in periods.items():
        keys = [i.key for i in candidates if _kind(i, periods) == kind]
        if not keys:
            continue
        out |= set(
            IndicatorValue.objects.filter(
                node__path__startswith=node.path,
                node__kind=NodeKind.UNIT,
                period_kind=kind,
                period_id__in=_wanted(ids),
                indicator__in=keys,
                breakdown=breakdown,
            )
            .exclude(node_id__in=listed)
            .values_list("indicator", flat=True)
            .distinct()
        )
    return out


# Families with a handful of values per unit and year (no groups, few breakdowns): read
# through the (family, period_kind, period_id) index, their values are found in a fraction
# of a millisecond, where the node index reads every value of each unit and year (about 60
# ms for a survey table of the demo's 26 units). Each indicator has one family
# (IndicatorValue.family is the registry's), so the filter changes no figure. Families with
# values for every group (grades, assessments) stay on the node index: their family's rows
# grow with the organiser, a unit's rows do not.
FEW_ROWS_FAMILIES = frozenset({Family.SURVEYS, Family.STAFF, Family.PRESCHOOL})


def _few_rows_family(indicators: list[Indicator]) -> dict[str, list[str]]:
    """`family__in` for a query of these indicators if they all belong to families with few
    rows (FEW_ROWS_FAMILIES), else no filter."""
    families = {i.family for i in indicators}
    if families and families <= FEW_ROWS_FAMILIES:
        return {"family__in": sorted(f.value for f in families)}
    return {}


def value_scale(indicator: Indicator) -> float:
    """What numerator / denominator is multiplied by to give the value (as the engine
    computes it, indicators/engine.py: a share, or a ratio in percent, ×100)."""
    if indicator.aggregation == Aggregation.SHARE or (
        indicator.aggregation == Aggregation.RATIO and indicator.unit == Unit.PERCENT
    ):
        return 100.0
    return 1.0


def _sum_of_units(indicator: Indicator, parts: list[StoredValue | None]) -> StoredValue | None:
    """The units' figures summed as the engine sums them into an area or the organiser
    (numerators, denominators and n: every figure above the unit is such a sum)."""
    present = [p for p in parts if p is not None and p.denominator is not None]
    if not present:
        return None
    numerator = sum(p.numerator or 0.0 for p in present)
    denominator = sum(p.denominator or 0.0 for p in present)
    n = sum(p.n or 0 for p in present)
    value = value_scale(indicator) * numerator / denominator if denominator > 0 else None
    return StoredValue(value, n, "", numerator, denominator)


def _summed_marker(
    indicator: Indicator,
    units: list[Node],
    stored: dict[tuple[int, str], dict[int, StoredValue]],
    key: str,
    period_id: int,
    access: dict[int, bool],
    total: StoredValue,
) -> str:
    """The marker of a summed reference figure for a user without pupil access to its node:
    `..` where a unit in the sum is hidden from the user (the sum less the shown units would
    be the hidden figure) or the sum rests on fewer pupils than the summary level's limit;
    `~100` where the indicator publishes a share 1–4 pupils miss so; else shown. A sum of
    figures the user sees gives nothing away that they do not show."""
    for unit in units:
        part = stored.get((unit.pk, key), {}).get(period_id)
        if part is not None and part.suppression and not access[unit.pk]:
            return HIDDEN
    # The stricter limit of the rule (the periods compared may span its change in 2023/24).
    if (total.n or 0) < indicator.min_n_at(Level.SUMMARY, None):
        return HIDDEN
    missing = (total.denominator or 0) - (total.numerator or 0)
    if indicator.shows_near_full and 0.5 <= missing < 4.5:
        return NEAR_FULL
    return ""


def _kind(indicator: Indicator, periods: dict[str, dict]) -> str:
    """The kind of period a column is read at: a term indicator also computed at follow-up
    points (absence so far this term, registry `at_points`) at the point, where the page is
    read at one; else the indicator's own period."""
    if indicator.at_points and "point" in periods:
        return "point"
    return indicator.period.value


def _organiser_of(units: list[Node]) -> Node | None:
    """The one organiser the units belong to (the root of their paths), whoever looks at
    them: a unit head's overview compares with the same published figures as the
    förvaltning's. None when the units belong to several organisers (or none is shown)."""
    roots = {unit.ancestor_ids()[0] for unit in units}
    return Node.objects.filter(pk=roots.pop()).first() if len(roots) == 1 else None


def _change(now, before) -> float | None:
    if isinstance(now, float | int) and isinstance(before, float | int):
        return now - before
    return None
