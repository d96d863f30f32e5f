"""What the result follow-up pages show: materialised values read in a few set-wise queries,
suppressed for the user's roles (indicators.selectors.shown), compared over time, with targets.

Every page asks these functions with the user's Scope; none of them reads facts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from skolkvalitet.dashboards.models import Target
from skolkvalitet.indicators.distribution import (
    Distribution,
    distribution_min_n,
    grade_distributions,
)
from skolkvalitet.indicators.models import IndicatorValue, MaterialisedPeriod
from skolkvalitet.indicators.registry import REGISTRY, Indicator
from skolkvalitet.indicators.suppression import present as shown
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Node, NodeKind, Term
from skolkvalitet.organisation.scopes import Scope, path_prefix_q
from skolkvalitet.reference.comparison import Basis, like_for_like
from skolkvalitet.reference.selectors import AREAS

TREND_LENGTH = 6

# The overview's columns at a follow-up point: assessments of the point and the term's absence.
POINT_COLUMNS = (
    "on_track_all_subjects",
    "on_track_SV",
    "on_track_EN",
    "on_track_MA",
    "absence_15_percent_or_more",
)
# The overview's columns for an academic year: year 9 final grades.
YEAR_COLUMNS = ("merit_value_17", "passed_all_subjects", "eligible_vocational", "absence_mean_year")

# Like-for-like comparisons: the same group of pupils at every unit.
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


@dataclass(frozen=True)
class PeriodRef:
    kind: str  # "point", "term", "year"
    id: int
    label: str


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

    @property
    def above_reference(self) -> bool | None:
        """Better than the nation's figure (by the indicator's polarity)."""
        if self.reference is None or not self.is_number:
            return None
        if self.indicator.higher_is_better:
            return self.shown > self.reference
        return self.shown < self.reference

    @property
    def is_number(self) -> bool:
        return isinstance(self.shown, float | int)

    @property
    def meets_target(self) -> bool | None:
        if self.target is None or not self.is_number:
            return None
        if self.indicator.higher_is_better:
            return self.shown >= self.target
        return self.shown <= self.target


@dataclass
class Row:
    node: Node
    area: Node | None
    cells: list[Cell]


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


# -- periods --------------------------------------------------------------------------------


def points_with_values() -> list[FollowUpPoint]:
    """Follow-up points that have materialised assessment values, oldest first."""
    computed = MaterialisedPeriod.objects.filter(family="assessments", period_kind="point")
    return list(
        FollowUpPoint.objects.filter(pk__in=computed.values("period_id"))
        .select_related("term__academic_year")
        .order_by("assessed_on")
    )


def years_with_values() -> list[AcademicYear]:
    """Academic years that have materialised final-grade values, oldest first."""
    computed = MaterialisedPeriod.objects.filter(family="final_grades", period_kind="year")
    return list(
        AcademicYear.objects.filter(pk__in=computed.values("period_id")).order_by("start_date")
    )


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


def _term_sequence(term: Term) -> list[Term]:
    return list(
        Term.objects.filter(start_date__lte=term.start_date)
        .select_related("academic_year")
        .order_by("-start_date")[:TREND_LENGTH]
    )[::-1]


# -- the overview ---------------------------------------------------------------------------


def units_in_scope(
    scope: Scope, *, area_id: int | None = None, school_form: str | None = None
) -> list[Node]:
    units = Node.objects.filter(
        path_prefix_q("path", scope.paths()), kind=NodeKind.UNIT, is_active=True
    ).select_related("parent")
    if area_id:
        area = Node.objects.filter(pk=area_id, kind=NodeKind.AREA).first()
        units = units.filter(path__startswith=area.path) if area else units.none()
    units = list(units.order_by("parent__name", "name"))
    if school_form:
        units = [u for u in units if school_form in (u.school_forms or [])]
    return units


def _targets(nodes: list[Node], indicators: list[str], year_id: int | None) -> dict:
    """(node id, indicator) → target, the nearest one set on the node or an ancestor."""
    ancestor_ids = {int(p) for n in nodes for p in n.path.strip("/").split("/")}
    targets = Target.objects.filter(node_id__in=ancestor_ids, indicator__in=indicators).filter(
        Q(academic_year_id=year_id) | Q(academic_year__isnull=True)
    )
    by_node: dict[tuple[int, str], tuple[bool, float]] = {}
    for t in targets:
        key = (t.node_id, t.indicator)
        specific = t.academic_year_id is not None
        if key not in by_node or specific:
            by_node[key] = (specific, t.value)
    out = {}
    for node in nodes:
        chain = [int(p) for p in node.path.strip("/").split("/")][::-1]  # self first
        for indicator in indicators:
            for ancestor in chain:
                if (ancestor, indicator) in by_node:
                    out[(node.pk, indicator)] = by_node[(ancestor, indicator)][1]
                    break
    return out


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
    Absence is the point's term's, compared with the previous term and last year's."""
    points = points_with_values()
    upto = [p for p in points if p.assessed_on <= point.assessed_on][-TREND_LENGTH:]
    previous = upto[-2] if len(upto) > 1 else None
    last_year = _same_point_last_year(point, points)
    terms = _term_sequence(point.term)
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
    return _overview(
        scope,
        columns=POINT_COLUMNS,
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
    overview = _overview(
        scope,
        columns=YEAR_COLUMNS,
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
        year, municipality, YEAR_COLUMNS, breakdown, overview.reference_basis
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

    found: dict[str, dict[str, object]] = defaultdict(dict)
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


def _overview(
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
    organiser = scope.top_nodes().filter(kind=NodeKind.ORGANIZER).first()
    nodes = units + ([organiser] if organiser else [])
    stored = defaultdict(dict)
    # One query per kind of period: each is a lookup on the (node, period_kind, period_id)
    # index (an OR of kinds would make SQLite read every value of the nodes).
    for kind, ids in periods.items():
        wanted = {ids["now"], ids["previous"], ids["last_year"], *ids["trend"]} - {None}
        keys = [i.key for i in indicators if i.period.value == kind]
        rows = IndicatorValue.objects.filter(
            node_id__in=[n.pk for n in nodes],
            period_kind=kind,
            period_id__in=wanted,
            indicator__in=keys,
            breakdown=breakdown,
        ).values_list("indicator", "node_id", "period_id", "value", "n", "suppression")
        for indicator, node_id, period_id, value, n, suppression in rows:
            stored[(node_id, indicator)][period_id] = (value, n, suppression)
    targets = _targets(units, list(columns), year_id)
    access = {node.pk: scope.can_see_pupils_in(node) for node in nodes}

    def row(node: Node) -> Row:
        cells = []
        for indicator in indicators:
            ids = periods[indicator.period.value]
            series = stored.get((node.pk, indicator.key), {})

            def value_at(period_id, series=series, node=node):
                if period_id is None or period_id not in series:
                    return None, None
                value, n, suppression = series[period_id]
                return shown(value, suppression, pupil_access=access[node.pk]), n

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
    return Overview(
        period=period,
        previous=previous,
        last_year=last_year,
        indicators=indicators,
        rows=shown_rows,
        without_figures=len(rows) - len(shown_rows),
        organiser=row(organiser) if organiser else None,
        breakdown=breakdown,
        comparison_organiser=_organiser_of(units),
    )


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


# -- the unit page ----------------------------------------------------------------------------


@dataclass
class SeriesRow:
    indicator: Indicator
    breakdown: str
    values: list[tuple[float | str | None, int | None]]  # per period: (shown, n)
    target: float | None = None

    @property
    def shown_values(self) -> list[float | str | None]:
        return [value for value, _n in self.values]


@dataclass
class Section:
    key: str
    periods: list[PeriodRef]
    rows: list[SeriesRow]


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


UNIT_POINT_KEYS = ("on_track_all_subjects", "on_track_SV", "on_track_SVA", "on_track_EN",
                   "on_track_MA")  # fmt: skip
UNIT_TERM_KEYS = ("term_passed_all_subjects", "absence_mean", "absence_15_percent_or_more",
                  "unexcused_absence_mean")  # fmt: skip
UNIT_YEAR_KEYS = ("merit_value_17", "merit_value_16", "passed_all_subjects",
                  "eligible_vocational", "absence_mean_year")  # fmt: skip
SUBJECT_CODES = ("SV", "SVA", "EN", "MA", "BI", "FY", "KE", "TK", "GE", "HI", "RE", "SH", "BL",
                 "HKK", "IDH", "MU", "SL", "M1", "M2")  # fmt: skip


def _breakdown_q(dimension: str | None) -> Q:
    q = Q(breakdown="")
    if dimension:
        q |= Q(breakdown__startswith=f"{dimension}=")
    return q


def _values(
    nodes: list[Node],
    keys: list[str],
    kind: str,
    period_ids: list[int],
    breakdown: Q,
) -> dict[tuple[int, str, str], dict[int, tuple]]:
    out: dict[tuple[int, str, str], dict[int, tuple]] = defaultdict(dict)
    for indicator, node_id, period_id, b, value, n, suppression in IndicatorValue.objects.filter(
        breakdown,
        node_id__in=[n.pk for n in nodes],
        indicator__in=keys,
        period_kind=kind,
        period_id__in=period_ids,
    ).values_list("indicator", "node_id", "period_id", "breakdown", "value", "n", "suppression"):
        out[(node_id, indicator, b)][period_id] = (value, n, suppression)
    return out


def _section(
    key: str,
    node: Node,
    keys: tuple[str, ...],
    periods: list[PeriodRef],
    dimension: str | None,
    access: bool,
    targets: dict,
) -> Section:
    if not periods:
        return Section(key, [], [])
    stored = _values(
        [node], list(keys), periods[0].kind, [p.id for p in periods], _breakdown_q(dimension)
    )
    rows = []
    for indicator_key in keys:
        indicator = REGISTRY[indicator_key]
        found = sorted(b for (n, k, b) in stored if n == node.pk and k == indicator_key)
        for b in found or [""]:
            series = stored.get((node.pk, indicator_key, b), {})
            values = []
            for period in periods:
                value, n, suppression = series.get(period.id, (None, None, ""))
                values.append((shown(value, suppression, pupil_access=access), n))
            if any(v is not None for v, _n in values):
                rows.append(SeriesRow(indicator, b, values, targets.get((node.pk, indicator_key))))
    return Section(key, periods, rows)


def _subjects(
    node: Node, point_id: int | None, year_id: int | None, access: bool
) -> list[tuple[str, float | str | None, float | str | None]]:
    """Per subject: on track at the point, and passed (A–E) in the year's final grades."""
    if point_id is None and year_id is None:
        return []
    on_track = _values(
        [node],
        [f"on_track_{s}" for s in SUBJECT_CODES],
        "point",
        [point_id] if point_id else [],
        Q(breakdown=""),
    )
    passed = _values(
        [node],
        [f"passed_{s}" for s in SUBJECT_CODES],
        "year",
        [year_id] if year_id else [],
        Q(breakdown=""),
    )
    subjects = []
    for code in SUBJECT_CODES:
        a = on_track.get((node.pk, f"on_track_{code}", ""), {})
        b = passed.get((node.pk, f"passed_{code}", ""), {})
        a_value = next(iter(a.values()), None)
        b_value = next(iter(b.values()), None)
        if a_value is None and b_value is None:
            continue
        subjects.append(
            (
                code,
                shown(a_value[0], a_value[2], pupil_access=access) if a_value else None,
                shown(b_value[0], b_value[2], pupil_access=access) if b_value else None,
            )
        )
    return subjects


def grade_distribution(scope: Scope, node: Node, year: AcademicYear) -> list[Distribution]:
    """The distribution of the final grades of the leaving certificates (slutbetyg) of the
    unit's year-9 pupils in `year`, per subject, counted as the final-grade indicators count
    them (measures.leaving_certificates): subjects ended in an earlier year group count, and of
    SV and SVA only one. Suppressed for roles without pupil access (indicators/distribution.py):
    below the final grades' unit-level limit (10 graded pupils), and wherever the materialised
    share passed of the subject is suppressed."""
    access = scope.can_see_pupils_in(node)
    hidden = set()
    if not access:
        hidden = {
            key.removeprefix("passed_")
            for key in IndicatorValue.objects.filter(
                node=node,
                period_kind="year",
                period_id=year.pk,
                indicator__startswith="passed_",
                breakdown="",
            )
            .exclude(suppression="")
            .values_list("indicator", flat=True)
        }
    return grade_distributions(
        leaving_certificate_counts(node, year),
        suppress=not access,
        subjects=SUBJECT_CODES,
        hidden=hidden,
        min_n=distribution_min_n(year.start_date.year),
    )


def leaving_certificate_counts(node: Node, year: AcademicYear) -> list[tuple[str, str, int]]:
    """(subject, grade, pupils) of the leaving certificates of the unit's year-9 pupils in
    `year`: their year-9 final grades (one grouped query on the partial index of final
    grades) and the final grades of subjects they ended before year 9 (loading's
    ENDED_SUBJECT_YEARS_BACK academic years), one grade per subject and one of SV and SVA."""
    import polars as pl
    from django.db.models import Count

    from skolkvalitet.indicators.engine import DEFAULT_SCHOOL_FORM
    from skolkvalitet.indicators.loading import ENDED_SUBJECT_YEARS_BACK
    from skolkvalitet.indicators.measures import leaving_certificates
    from skolkvalitet.organisation.models import Enrolment
    from skolkvalitet.results.models import Grade, GradeType

    term_ids = list(Term.objects.filter(academic_year=year).values_list("pk", flat=True))
    nine = Grade.objects.filter(
        unit=node, term_id__in=term_ids, grade_type=GradeType.FINAL, year_group=9
    )
    # Only the pupils of the final grades' school forms (grundskola), as the engine counts
    # them: the enrolment's school form at the unit in the year, or, without one, the unit's
    # only school form, else GR (engine.assumed_school_form).
    counted = REGISTRY["merit_value_17"].school_forms
    unit_forms = node.school_forms or []
    assumed = unit_forms[0] if len(unit_forms) == 1 else DEFAULT_SCHOOL_FORM
    enrolled = Enrolment.objects.filter(unit=node, academic_year=year)
    if assumed in counted:
        other = enrolled.exclude(school_form__in=[*counted, ""])
        nine = nine.exclude(pupil_id__in=other.values("pupil_id"))
    else:
        nine = nine.filter(pupil_id__in=enrolled.filter(school_form__in=counted).values("pupil_id"))
    earlier_terms = Term.objects.filter(
        academic_year__start_date__lte=year.start_date,
        academic_year__start_date__gte=year.start_date.replace(
            year=year.start_date.year - ENDED_SUBJECT_YEARS_BACK
        ),
    )
    ended = Q(
        pupil_id__in=nine.values("pupil_id"),
        term__in=earlier_terms,
        grade_type=GradeType.FINAL,
        year_group__lt=9,
    )
    both_swedish = Q(
        pk__in=nine.filter(
            subject__code="SVA", pupil_id__in=nine.filter(subject__code="SV").values("pupil_id")
        ).values("pk")
    )
    if not Grade.objects.filter(ended | both_swedish).exists():
        # The usual case: the counts come from the index alone.
        return list(
            nine.values_list("subject__code", "value").annotate(count=Count("*")).order_by()
        )
    fields = ("pupil_id", "year_group", "subject__code", "value", "term__kind")
    rows = list(nine.values_list(*fields)) + list(Grade.objects.filter(ended).values_list(*fields))
    final = pl.DataFrame(
        rows,
        schema={
            "pupil_id": pl.Int64,
            "year_group": pl.Int64,
            "subject": pl.String,
            "value": pl.String,
            "term_kind": pl.String,
        },
        orient="row",
    ).with_columns(unit_id=pl.lit(node.pk), academic_year_id=pl.lit(year.pk))
    counted = leaving_certificates(final).group_by("subject", "value").len()
    return [(r["subject"], r["value"], r["len"]) for r in counted.iter_rows(named=True)]


def latest_point_of_unit(node: Node) -> FollowUpPoint | None:
    """The latest follow-up point (by date) with assessments at the unit."""
    own = set(
        IndicatorValue.objects.filter(
            node=node, period_kind="point", indicator="on_track_all_subjects", breakdown=""
        ).values_list("period_id", flat=True)
    )
    mine = [p for p in points_with_values() if p.pk in own]
    return mine[-1] if mine else None


def unit_page(scope: Scope, node: Node, *, breakdown_dimension: str | None = None) -> UnitPage:
    access = scope.can_see_pupils_in(node)
    points = [p for p in points_with_values()][-TREND_LENGTH:]
    point_refs = [PeriodRef("point", p.pk, p.name) for p in points]
    latest_point = points[-1] if points else None
    terms = _term_sequence(latest_point.term) if latest_point else []
    term_refs = [PeriodRef("term", t.pk, t.code) for t in terms]
    years = years_with_values()[-TREND_LENGTH:]
    year_refs = [PeriodRef("year", y.pk, y.code) for y in years]
    all_keys = [*UNIT_POINT_KEYS, *UNIT_TERM_KEYS, *UNIT_YEAR_KEYS]
    targets = _targets([node], all_keys, years[-1].pk if years else None)
    sections = [
        _section("points", node, UNIT_POINT_KEYS, point_refs, breakdown_dimension, access, targets),
        _section("terms", node, UNIT_TERM_KEYS, term_refs, breakdown_dimension, access, targets),
        _section("years", node, UNIT_YEAR_KEYS, year_refs, breakdown_dimension, access, targets),
    ]
    subjects = _subjects(
        node, latest_point.pk if latest_point else None, years[-1].pk if years else None, access
    )
    tests = []
    if years:
        test_keys = [
            f"test_vs_grade_{outcome}_{s}"
            for s in ("SV", "SVA", "EN", "MA")
            for outcome in ("lower", "same", "higher")
            if f"test_vs_grade_{outcome}_{s}" in REGISTRY
        ]
        # Year 9 only: the indicators cover year 6 (term grade) and year 9 (final grade)
        # together, but this section compares final grades with the test (as Kolada's N15569-
        # N15574 do), so it reads the year_group=9 figures.
        tests = [
            row
            for row in _section(
                "tests", node, tuple(test_keys), [year_refs[-1]], "year_group", access, {}
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


GROUP_KEYS = ("on_track_all_subjects", "on_track_MA")


def unit_groups(scope: Scope, node: Node) -> UnitGroups:
    """The unit's groups at the latest follow-up point with their own figures (totals only),
    each suppressed for roles without pupil access in that group. Its own fragment of the
    unit page: a large unit has hundreds of groups."""
    indicators = [REGISTRY[key] for key in GROUP_KEYS]
    points = points_with_values()
    if not points:
        return UnitGroups(None, indicators, [])
    point = points[-1]
    group_nodes = list(
        Node.objects.filter(
            parent=node, kind=NodeKind.GROUP, academic_year_id=point.term.academic_year_id
        ).order_by("name")
    )
    stored = _values(group_nodes, list(GROUP_KEYS), "point", [point.pk], Q(breakdown=""))
    rows = []
    for group in group_nodes:
        access = scope.can_see_pupils_in(group)
        cells = []
        for key in GROUP_KEYS:
            value, n, suppression = stored.get((group.pk, key, ""), {}).get(
                point.pk, (None, None, "")
            )
            cells.append((shown(value, suppression, pupil_access=access), n))
        if any(v is not None for v, _n in cells):
            rows.append(GroupRow(group, cells))
    return UnitGroups(PeriodRef("point", point.pk, point.name), indicators, rows)


# -- the group page ---------------------------------------------------------------------------


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
        _section("points", group, UNIT_POINT_KEYS, point_refs, None, access, {}),
        _section("terms", group, UNIT_TERM_KEYS, term_refs, None, access, {}),
        _section("years", group, UNIT_YEAR_KEYS, year_refs, None, access, {}),
    ]
    latest_point = point_refs[-1] if point_refs else None
    return GroupPage(
        sections=sections,
        subjects=_subjects(
            group, latest_point.id if latest_point else None, year_id if years else None, access
        ),
        latest_point=latest_point,
        latest_year=year_refs[-1] if year_refs else None,
        pupil_access=access,
    )


# -- pupils at risk -------------------------------------------------------------------------


@dataclass
class PupilAtRisk:
    pupil_id: int
    name: str
    group: str
    year_group: int | None
    subjects: list[str]  # subjects assessed as not on track
    absence: float | None  # the term's absence in percent, where 15 % or more


def pupils_at_risk(
    scope: Scope, node: Node, point: FollowUpPoint, *, group: Node | None = None
) -> list[PupilAtRisk]:
    """Pupils of the unit (or of one of its groups) the user may see one by one who, at
    `point`, are assessed not to reach the requirements in one or more subjects, or whose
    absence in the point's term is 15 % or more."""
    from skolkvalitet.results.models import Absence, Assessment, AssessmentScale

    enrolled = scope.enrolments(pupil_access_only=True).filter(
        unit=node, academic_year_id=point.term.academic_year_id
    )
    if group is not None:
        enrolled = enrolled.filter(group=group)
    enrolments = {e.pupil_id: e for e in enrolled.select_related("pupil", "group")}
    not_on_track = {
        scale.pk: {v["value"] for v in scale.values if not v["on_track"]}
        for scale in AssessmentScale.objects.all()
    }
    subjects: dict[int, list[str]] = defaultdict(list)
    for pupil_id, scale_id, value, code in Assessment.objects.filter(
        follow_up_point=point, unit=node, pupil_id__in=list(enrolments)
    ).values_list("pupil_id", "scale_id", "value", "subject__code"):
        if value in not_on_track.get(scale_id, set()):
            subjects[pupil_id].append(code)
    absence: dict[int, float] = {}
    for pupil_id, scheduled, absent in Absence.objects.filter(
        term_id=point.term_id, unit=node, pupil_id__in=list(enrolments)
    ).values_list("pupil_id", "scheduled_minutes", "absent_minutes"):
        if scheduled and absent / scheduled >= 0.15:
            absence[pupil_id] = 100 * absent / scheduled
    out = []
    for pupil_id in sorted(set(subjects) | set(absence)):
        enrolment = enrolments[pupil_id]
        pupil = enrolment.pupil
        out.append(
            PupilAtRisk(
                pupil_id=pupil_id,
                name=str(pupil),
                group=enrolment.group.name if enrolment.group else "",
                year_group=enrolment.year_group,
                subjects=sorted(subjects.get(pupil_id, [])),
                absence=absence.get(pupil_id),
            )
        )
    return sorted(out, key=lambda p: (p.group, p.name))
