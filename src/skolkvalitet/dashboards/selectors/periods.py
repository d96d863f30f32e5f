"""The periods the result pages show: follow-up points and academic years with
materialised values, the terms before a point, and the latest point of a unit."""

from __future__ import annotations

from dataclasses import dataclass

from skolkvalitet.indicators.models import IndicatorValue, MaterialisedPeriod
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Node, Term

TREND_LENGTH = 6

# The overview's columns at a follow-up point: assessments of the point and the term's absence.


@dataclass(frozen=True)
class PeriodRef:
    kind: str  # "point", "term", "year"
    id: int
    label: str


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


# The families of the yearly survey and staff figures (registry PAGES.surveys, PAGES.staff).
FACT_FAMILIES = ("surveys", "staff", "preschool")


def fact_years() -> list[AcademicYear]:
    """Academic years with materialised survey or staff figures, oldest first."""
    return sorted(
        {y for years in fact_years_by_family().values() for y in years},
        key=lambda y: y.start_date,
    )


def fact_years_by_family() -> dict[str, list[AcademicYear]]:
    """Per family of FACT_FAMILIES: the academic years with its figures, oldest first (a
    survey is answered in the spring, staff are counted in the autumn: the latest years
    differ)."""
    computed = MaterialisedPeriod.objects.filter(family__in=FACT_FAMILIES, period_kind="year")
    # One record per organiser: a period counts once.
    pairs = list(computed.values_list("family", "period_id").distinct())
    years = AcademicYear.objects.in_bulk({period_id for _family, period_id in pairs})
    out: dict[str, list[AcademicYear]] = {family: [] for family in FACT_FAMILIES}
    for family, period_id in pairs:
        if period_id in years:
            out[family].append(years[period_id])
    return {family: sorted(found, key=lambda y: y.start_date) for family, found in out.items()}


def term_sequence(term: Term) -> list[Term]:
    return list(
        Term.objects.filter(start_date__lte=term.start_date)
        .select_related("academic_year")
        .order_by("-start_date")[:TREND_LENGTH]
    )[::-1]


def latest_point_of_unit(node: Node) -> FollowUpPoint | None:
    """The latest follow-up point (by date) with assessments at the unit."""
    own = set(
        IndicatorValue.objects.filter(
            node=node, period_kind="point", indicator="on_track_all_subjects", breakdown=""
        ).values_list("period_id", flat=True)
    )
    mine = [p for p in points_with_values() if p.pk in own]
    return mine[-1] if mine else None
