"""Reading materialised indicator values (pages, reports, the command line and the API)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from skolkvalitet.indicators.models import ErasedYear, IndicatorValue
from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.indicators.suppression import present, present_n
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Node, Term
from skolkvalitet.organisation.scopes import Scope


@dataclass(frozen=True)
class Period:
    kind: str
    id: int
    label: str


def period_label(kind: str, period_id: int) -> str:
    """'2024/25', 'HT2024', 'Uppföljning 1 HT2024'."""
    if kind == "year":
        return AcademicYear.objects.get(pk=period_id).code
    if kind == "term":
        return Term.objects.select_related("academic_year").get(pk=period_id).code
    return FollowUpPoint.objects.get(pk=period_id).name


def periods_of_year(year: AcademicYear, *, term: str | None = None) -> list[Period]:
    """The year itself (unless a term is asked for), its terms and their follow-up points."""
    periods = [] if term else [Period("year", year.pk, year.code)]
    terms = year.terms.all() if term is None else year.terms.filter(kind=term)
    for t in terms:
        periods.append(Period("term", t.pk, t.code))
        periods += [Period("point", p.pk, p.name) for p in t.follow_up_points.all()]
    return periods


def indicator_values(
    *,
    nodes: list[Node],
    periods: list[Period],
    indicators: list[str] | None = None,
    breakdown_dimension: str | None = None,
) -> list[IndicatorValue]:
    """Values for the nodes and periods; the total, and with `breakdown_dimension` also its
    categories ("gender" → gender=F, gender=M)."""
    period_q = Q(pk__in=[])
    for kind in {p.kind for p in periods}:
        period_q |= Q(period_kind=kind, period_id__in=[p.id for p in periods if p.kind == kind])
    breakdown_q = Q(breakdown="")
    if breakdown_dimension:
        breakdown_q |= Q(breakdown__startswith=f"{breakdown_dimension}=")
    values = IndicatorValue.objects.filter(period_q, breakdown_q, node__in=nodes)
    if indicators:
        values = values.filter(indicator__in=indicators)
    order = {key: i for i, key in enumerate(REGISTRY)}
    kinds = {"year": 0, "term": 1, "point": 2}
    return sorted(
        values.select_related("node"),
        key=lambda v: (
            v.node.path,
            kinds[v.period_kind],
            v.period_id,
            order.get(v.indicator, 0),
            v.breakdown,
        ),
    )


@dataclass(frozen=True)
class ShownValue:
    """A value as one user may see it: `shown` is the number, or a suppression marker
    ("..", "~100") where the user's roles give no pupil access to the node."""

    value: IndicatorValue
    shown: float | str | None

    @property
    def is_suppressed(self) -> bool:
        return isinstance(self.shown, str)

    @property
    def n(self) -> int | None:
        """The n shown beside it: beside a figure shown as a number only (present_n)."""
        return present_n(self.value.n, self.value.suppression, pupil_access=not self.is_suppressed)


def values_as_shown(values: list[IndicatorValue], *, scope: Scope) -> list[ShownValue]:
    """Apply suppression for the user behind `scope`, node by node, and leave out values of
    nodes outside the scope. Every page and export shows values through this."""
    out = []
    for v in values:
        if not scope.can_see(v.node):
            continue
        shown = present(v.value, v.suppression, pupil_access=scope.can_see_pupils_in(v.node))
        out.append(ShownValue(v, shown))
    return out


HEADLINE = ("merit_value_17", "passed_all_subjects", "eligible_vocational")


def headline_figures(*, node: Node) -> tuple[AcademicYear | None, list[IndicatorValue]]:
    """The node's year 9 headline figures in the latest academic year (by its start date, not
    by when it was imported) that has them."""
    with_values = IndicatorValue.objects.filter(
        node=node, indicator=HEADLINE[0], period_kind="year", breakdown=""
    ).values("period_id")
    year = AcademicYear.objects.filter(pk__in=with_values).order_by("-start_date").first()
    if year is None:
        return None, []
    values = IndicatorValue.objects.filter(
        node=node,
        indicator__in=HEADLINE,
        period_kind="year",
        period_id=year.pk,
        breakdown="",
    )
    by_key = {v.indicator: v for v in values}
    return year, [by_key[k] for k in HEADLINE if k in by_key]


def retention_erased_years(organiser: Node) -> list[str]:
    """The academic years whose pupil-level data retention removed for `organiser`."""
    return list(
        ErasedYear.objects.filter(organiser=organiser)
        .order_by("academic_year__start_date")
        .values_list("academic_year__code", flat=True)
    )
