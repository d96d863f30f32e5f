"""What each section of a quality report shows: the unit's value of each of its indicators for
the report's academic year — the year's own value, or for indicators counted per term or per
follow-up point the latest of the year's terms or points that has one — live while the report
is written, frozen from its submission on. Every figure is shown through the reader's
suppression, as on the result pages (indicators/suppression.py: `present`); n beside a shown
value only, never beside a marker, as in the API.

The data behind each section's charts (the common model's `charts`) are figures too, frozen
with the table's: a trend's points (kind TREND: the indicator over the TREND_YEARS academic
years up to the report's, one figure per period with a value) and a grade distribution's
counts (kind GRADES: `indicator` holds the subject, `period_label` the grade, `value` the
number of pupils, `suppression` the marker when the subject's share passed is hidden, as the
unit page hides it). quality/reports/charts.py draws them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from skolkvalitet.dashboards.selectors.distribution import leaving_certificate_counts
from skolkvalitet.indicators.markers import HIDDEN
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.indicators.registry import REGISTRY, Family
from skolkvalitet.indicators.suppression import present, present_n
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Node, Term
from skolkvalitet.organisation.scopes import Scope
from skolkvalitet.quality.common_model import Template

TABLE = "table"  # a figure of the section's table
TREND = "trend"  # a point of a trend chart
GRADES = "grades"  # a count of a grade distribution chart
# Rows a handed-in report stores for its document's survey and staff chapters, not for its
# sections (quality/documents/surveys_staff.py): the readers of the sections' figures leave
# them out.
CHAPTER_KINDS = ("chapter", "nation", "invited")
TREND_YEARS = 5  # a trend shows the report's academic year and the four before it

# Families whose n counts respondents (surveys), teachers (staff) or children (preschool).
NOT_PUPILS = frozenset({Family.SURVEYS, Family.STAFF, Family.PRESCHOOL})


def n_counts_pupils(indicators: Iterable[str]) -> bool:
    """Whether the n of every one of these indicators counts pupils: a table's n column is then
    "Number of pupils", else plain "n" with a note saying what it counts."""
    return all(REGISTRY[key].family not in NOT_PUPILS for key in indicators)


@dataclass(frozen=True)
class Figure:
    """One indicator's figure as stored (value, n, marker, data version)."""

    section_key: str
    indicator: str
    period_kind: str
    period_id: int
    period_label: str
    value: float | None
    n: int | None
    suppression: str
    data_version: int | None
    kind: str = "table"  # TABLE, TREND or GRADES

    @property
    def name(self) -> str:
        return REGISTRY[self.indicator].name_sv

    @property
    def unit(self) -> str:
        return REGISTRY[self.indicator].unit


@dataclass(frozen=True)
class ShownFigure:
    """A figure as one reader sees it: the value or a marker, n where the role may see it."""

    figure: Figure
    shown: float | str | None
    n: int | None


def _periods(year: AcademicYear) -> dict[str, list[tuple[int, str]]]:
    """The year's periods of each kind, latest first: (id, label)."""
    terms = list(Term.objects.filter(academic_year=year).order_by("-start_date"))
    points = list(
        FollowUpPoint.objects.filter(term__academic_year=year).order_by("-assessed_on", "-pk")
    )
    return {
        "year": [(year.pk, year.code)],
        "term": [(t.pk, t.code) for t in terms],
        "point": [(p.pk, p.name) for p in points],
    }


def figures_live(*, node: Node, year: AcademicYear, template: Template) -> list[Figure]:
    """The figures every section of `template` shows for `node` and `year`, as computed now.
    An indicator without a value in the year is left out."""
    periods = _periods(year)
    wanted = {key for section in template.sections for key in section.indicators if key in REGISTRY}
    period_q = Q(pk__in=[])
    for kind, ids in periods.items():
        if ids:
            period_q |= Q(period_kind=kind, period_id__in=[pk for pk, _label in ids])
    stored = {
        (v.indicator, v.period_kind, v.period_id): v
        for v in IndicatorValue.objects.filter(
            period_q, node=node, indicator__in=wanted, breakdown=""
        )
    }
    out = []
    for section in template.sections:
        for key in section.indicators:
            indicator = REGISTRY.get(key)
            if indicator is None:
                continue
            kind = str(indicator.period)
            for period_id, label in periods.get(kind, []):
                value = stored.get((key, kind, period_id))
                if value is None:
                    continue
                out.append(
                    Figure(
                        section_key=section.key,
                        indicator=key,
                        period_kind=kind,
                        period_id=period_id,
                        period_label=label,
                        value=value.value,
                        n=value.n,
                        suppression=value.suppression,
                        data_version=value.data_version,
                    )
                )
                break
    return out


def figures_with_charts_live(*, node: Node, year: AcademicYear, template: Template) -> list[Figure]:
    """The figures of the sections' tables and the data of their charts, as computed now:
    what a submission freezes."""
    return [
        *figures_live(node=node, year=year, template=template),
        *chart_figures_live(node=node, year=year, template=template),
    ]


def chart_figures_live(*, node: Node, year: AcademicYear, template: Template) -> list[Figure]:
    """The data of every chart of `template`'s sections for `node` and `year`, as computed
    now. A trend of an indicator the registry does not know has no data."""
    out: list[Figure] = []
    for section in template.sections:
        for chart in section.charts:
            if chart.kind == "trend" and chart.indicator in REGISTRY:
                out += _trend_live(section.key, node, year, chart.indicator)
            elif chart.kind == "grade_distribution":
                out += _grades_live(section.key, node, year)
    return out


def trend_periods(year: AcademicYear, period_kind: str) -> list[tuple[int, str]]:
    """The periods of a trend ending in `year`, earliest first: (id, label). The report's
    academic year and the TREND_YEARS - 1 before it; their terms or follow-up points for an
    indicator counted per term or point."""
    years = list(
        AcademicYear.objects.filter(start_date__lte=year.start_date).order_by("-start_date")[
            :TREND_YEARS
        ]
    )[::-1]
    if period_kind == "year":
        return [(y.pk, y.code) for y in years]
    if period_kind == "term":
        terms = Term.objects.filter(academic_year__in=years).order_by("start_date")
        return [(t.pk, t.code) for t in terms]
    points = FollowUpPoint.objects.filter(term__academic_year__in=years).order_by(
        "assessed_on", "pk"
    )
    return [(p.pk, p.name) for p in points]


def _trend_live(section_key: str, node: Node, year: AcademicYear, key: str) -> list[Figure]:
    kind = str(REGISTRY[key].period)
    periods = trend_periods(year, kind)
    stored = {
        v.period_id: v
        for v in IndicatorValue.objects.filter(
            node=node,
            indicator=key,
            breakdown="",
            period_kind=kind,
            period_id__in=[pk for pk, _label in periods],
        )
    }
    return [
        Figure(
            section_key=section_key,
            indicator=key,
            period_kind=kind,
            period_id=period_id,
            period_label=label,
            value=stored[period_id].value,
            n=stored[period_id].n,
            suppression=stored[period_id].suppression,
            data_version=stored[period_id].data_version,
            kind=TREND,
        )
        for period_id, label in periods
        if period_id in stored
    ]


def _grades_live(section_key: str, node: Node, year: AcademicYear) -> list[Figure]:
    """The year's leaving-certificate grades of the unit's year-9 pupils counted per subject
    and grade, as the unit page counts them (dashboards/selectors/distribution.py), with the
    marker of each subject whose share passed is hidden and the data version of that share."""
    passed = {
        v.indicator.removeprefix("passed_"): v
        for v in IndicatorValue.objects.filter(
            node=node,
            period_kind="year",
            period_id=year.pk,
            indicator__startswith="passed_",
            breakdown="",
        )
    }
    out = []
    for subject, grade, count in sorted(leaving_certificate_counts(node, year)):
        share = passed.get(subject)
        out.append(
            Figure(
                section_key=section_key,
                indicator=subject,
                period_kind="year",
                period_id=year.pk,
                period_label=grade,
                value=float(count),
                n=None,
                suppression=HIDDEN if share is not None and share.suppression else "",
                data_version=share.data_version if share is not None else None,
                kind=GRADES,
            )
        )
    return out


def figures_as_shown(figures: list[Figure], *, node: Node, scope: Scope) -> list[ShownFigure]:
    """The table figures of `figures` as the reader behind `scope` may see them (the charts'
    data are drawn through quality/reports/charts.py)."""
    pupil_access = scope.can_see_pupils_in(node)
    out = []
    for f in figures:
        if f.kind != TABLE:
            continue
        shown = present(f.value, f.suppression, pupil_access=pupil_access)
        out.append(
            ShownFigure(
                figure=f,
                shown=shown,
                n=present_n(f.n, f.suppression, pupil_access=pupil_access),
            )
        )
    return out
