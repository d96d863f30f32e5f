"""Reading stored reference values: for the `reference` command and for the pages that show
the nation's, the municipality's and similar municipalities' figures beside the organiser's own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from skolkvalitet.reference.comparison import Basis, choose
from skolkvalitet.reference.mapping import dataset_rank, kolada_year_of, match_for
from skolkvalitet.reference.models import ReferenceValue, SimilarMunicipality
from skolkvalitet.reference.records import AreaKind, Marker, Source

ACADEMIC_YEAR_LENGTH = len("2024/25")
# The grouping whose members are "similar municipalities": SKR's socio-economic groups
# (Kolada's sekom.json). The groups are today's, applied to every year shown.
SIMILAR_GROUPING = "sekom"


def reference_values(
    *,
    unit_code: str | None = None,
    municipality_code: str | None = None,
    nation: bool = False,
    period: str | None = None,
) -> QuerySet[ReferenceValue]:
    """Stored values of one school unit, one municipality or the nation, optionally of one
    period. An academic year ("2018/19") also finds Kolada's values dated by its spring
    ("2019")."""
    if sum((bool(unit_code), bool(municipality_code), nation)) != 1:
        raise ValueError("Give exactly one of unit_code, municipality_code and nation.")
    if unit_code:
        values = ReferenceValue.objects.filter(area_kind=AreaKind.UNIT, area_code=unit_code)
    elif nation:
        values = ReferenceValue.objects.filter(area_kind=AreaKind.NATION)
    else:
        values = ReferenceValue.objects.filter(
            area_kind=AreaKind.MUNICIPALITY, area_code=municipality_code
        )
    if period:
        values = values.filter(_period_q(period))
    return values.order_by(
        "source", "dataset", "measure", "subject", "period", "organiser_type", "breakdown"
    )


def _period_q(period: str) -> Q:
    q = Q(period=period)
    if len(period) == ACADEMIC_YEAR_LENGTH and period[4] == "/":
        q |= Q(source=Source.KOLADA, period=kolada_year_of(period))
    return q


@dataclass(frozen=True)
class ReferencePoint:
    """One published figure (or a mean of similar municipalities' figures) for an indicator."""

    source: str
    dataset: str
    measure: str
    area_kind: str  # nation / municipality / "similar"
    area_code: str  # for "similar": the group ("sekom Orange")
    area_name: str
    period: str
    value: float | None
    marker: str
    n: int | None  # pupils behind the value; for "similar": the municipalities averaged
    organiser_type: str
    breakdown: str
    compare_with_breakdown: str  # the organiser's figure to set beside it ("year_group=9")
    note: str = ""  # the source's caveat, or the publication a shipped value cites
    unit: str = ""


@dataclass(frozen=True)
class IndicatorReference:
    indicator_key: str
    period: str
    nation: list[ReferencePoint]
    municipality: list[ReferencePoint]
    similar: list[ReferencePoint]


def reference_for_indicator(
    *, indicator_key: str, municipality_code: str, period: str, breakdown: str | None = ""
) -> IndicatorReference:
    """The nation's, the municipality's and similar municipalities' published values of a
    registry indicator for an academic year, each source and type of organiser separately.

    Similar municipalities are the municipality's SEKOM group (Kolada's sekom.json): their
    unweighted mean over the members with a value, as Kolada averages groups; the mean of
    figures that are markers is not taken, and with no member value it is the marker ".".
    """
    values = ReferenceValue.objects.filter(_period_q(period), indicator_key=indicator_key)
    if breakdown is not None:
        values = values.filter(breakdown=breakdown)
    nation = [_point(v) for v in values.filter(area_kind=AreaKind.NATION)]
    own = [
        _point(v)
        for v in values.filter(area_kind=AreaKind.MUNICIPALITY, area_code=municipality_code)
    ]
    return IndicatorReference(
        indicator_key=indicator_key,
        period=period,
        nation=_sorted(nation),
        municipality=_sorted(own),
        similar=_sorted(_similar(values, municipality_code)),
    )


def _sorted(points: list[ReferencePoint]) -> list[ReferencePoint]:
    return sorted(points, key=lambda p: (p.source, p.organiser_type, p.measure, p.period))


def _compare_with(value: ReferenceValue) -> str:
    match = match_for(value.source, value.dataset, value.measure, value.kpi)
    if match and match.year_group is not None and not value.breakdown:
        return f"year_group={match.year_group}"
    return value.breakdown


def _point(value: ReferenceValue) -> ReferencePoint:
    return ReferencePoint(
        source=value.source,
        dataset=value.dataset,
        measure=value.measure,
        area_kind=value.area_kind,
        area_code=value.area_code,
        area_name=value.area_name,
        period=value.period,
        value=value.value,
        marker=value.marker,
        n=value.n,
        organiser_type=value.organiser_type,
        breakdown=value.breakdown,
        compare_with_breakdown=_compare_with(value),
        note=value.note,
        unit=value.unit,
    )


def _similar(values: QuerySet[ReferenceValue], municipality_code: str) -> list[ReferencePoint]:
    own = SimilarMunicipality.objects.filter(
        grouping=SIMILAR_GROUPING, municipality_code=municipality_code
    ).first()  # unique per grouping and municipality
    if own is None:
        return []
    members = SimilarMunicipality.objects.filter(
        grouping=own.grouping, group=own.group
    ).values_list("municipality_code", flat=True)
    series: dict[tuple, list[ReferenceValue]] = defaultdict(list)
    for value in values.filter(area_kind=AreaKind.MUNICIPALITY, area_code__in=list(members)):
        key = (
            value.source,
            value.dataset,
            value.measure,
            value.period,
            value.organiser_type,
            value.breakdown,
        )
        series[key].append(value)
    return [_mean_point(group, f"{own.grouping} {own.group}") for group in series.values()]


def _mean_point(values: list[ReferenceValue], group: str) -> ReferencePoint:
    shown = [v.value for v in values if v.value is not None]
    first = values[0]
    return ReferencePoint(
        source=first.source,
        dataset=first.dataset,
        measure=first.measure,
        area_kind="similar",
        area_code=group,
        area_name=group,
        period=first.period,
        value=sum(shown) / len(shown) if shown else None,
        marker=Marker.NONE if shown else Marker.MISSING,
        n=len(shown),
        organiser_type=first.organiser_type,
        breakdown=first.breakdown,
        compare_with_breakdown=_compare_with(first),
        note=first.note,
        unit=first.unit,
    )


AREAS = ("nation", "municipality", "similar")


@dataclass(frozen=True)
class Comparison:
    """The published figures an organiser's figure is compared with, all of one basis (the
    same type of organiser's schools) and one academic year; None where none is published."""

    indicator_key: str
    period: str
    basis: Basis
    breakdown: str  # the organiser's breakdown these compare with ("", "gender=F", ...)
    nation: ReferencePoint | None
    municipality: ReferencePoint | None
    similar: ReferencePoint | None

    def point(self, area: str) -> ReferencePoint | None:
        return getattr(self, area)


def comparisons_for_indicator(
    *, indicator_key: str, municipality_code: str, period: str, basis: Basis
) -> dict[str, Comparison]:
    """For each breakdown of the organiser's figures (the key: "", "gender=F",
    "year_group=9", ...), the nation's, the municipality's and similar municipalities' published
    value of `indicator_key` for the academic year `period`, of schools of `basis` only.

    The point shown is chosen by reference.comparison.choose: a figure of another type of
    organiser is never shown; between sources, Skolverket before Kolada; within Skolverket,
    the export ranked first by mapping.dataset_rank."""
    reference = reference_for_indicator(
        indicator_key=indicator_key,
        municipality_code=municipality_code,
        period=period,
        breakdown=None,
    )
    breakdowns = {p.compare_with_breakdown for area in AREAS for p in getattr(reference, area)}
    found = {}
    for breakdown in sorted(breakdowns):
        chosen = {
            area: choose(
                [p for p in getattr(reference, area) if p.compare_with_breakdown == breakdown],
                basis,
                dataset_priority=dataset_rank,
            )
            for area in AREAS
        }
        found[breakdown] = Comparison(
            indicator_key=indicator_key, period=period, basis=basis, breakdown=breakdown, **chosen
        )
    return found
