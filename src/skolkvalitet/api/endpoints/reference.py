"""GET /reference and GET /reference/indicator/{key}: stored published reference values
(Skolverket, Kolada). They are public statistics: any valid token may read them."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from pydantic import Field

from skolkvalitet.api.endpoints.common import Paging, invalid, not_found
from skolkvalitet.api.schemas import (
    Error,
    IndicatorReferenceOut,
    InvalidRequest,
    ReferencePage,
)
from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.organisation.unit_codes import UNIT_CODE_PATTERN
from skolkvalitet.reference.models import ReferenceValue
from skolkvalitet.reference.selectors import (
    ReferencePoint,
    reference_for_indicator,
    reference_values,
)

router = Router(tags=["reference"])

MUNICIPALITY = r"^[0-9]{4}$"
UNIT = f"^{UNIT_CODE_PATTERN}$"
YEAR = r"^[0-9]{4}(/[0-9]{2})?$"
INDICATOR_KEY = r"^[A-Za-z0-9_]{1,64}$"


class ReferenceQuery(Paging):
    municipality: str | None = Field(None, pattern=MUNICIPALITY, description="kommunkod")
    unit: str | None = Field(None, pattern=UNIT, description="skolenhetskod")
    year: str | None = Field(None, pattern=YEAR, description="2024/25 (or a calendar year)")


class IndicatorReferenceQuery(Schema):
    municipality: str = Field(pattern=MUNICIPALITY, description="kommunkod")
    year: str = Field(pattern=YEAR, description="2024/25")
    breakdown: str = Field("", max_length=64, description="'' or e.g. gender=F")


class IndicatorPath(Schema):
    key: str = Field(pattern=INDICATOR_KEY)


def _stored(v: ReferenceValue) -> dict:
    return {
        "source": v.source,
        "dataset": v.dataset,
        "measure": v.measure,
        "area": {"kind": v.area_kind, "code": v.area_code, "name": v.area_name},
        "period": v.period,
        "organiser_type": v.organiser_type,
        "breakdown": v.breakdown,
        "subject": v.subject,
        "value": v.value,
        "n": v.n,
        "marker": v.marker,
        "indicator": v.indicator_key or None,
        "unit": v.unit,
        "note": v.note,
    }


def _point(p: ReferencePoint) -> dict:
    return {
        "source": p.source,
        "dataset": p.dataset,
        "measure": p.measure,
        "area": {"kind": p.area_kind, "code": p.area_code, "name": p.area_name},
        "period": p.period,
        "organiser_type": p.organiser_type,
        "breakdown": p.breakdown,
        "compare_with_breakdown": p.compare_with_breakdown,
        "value": p.value,
        "n": p.n,
        "marker": p.marker,
        "unit": p.unit,
        "note": p.note,
    }


@router.get(
    "/reference",
    response={200: ReferencePage, 401: Error, 429: Error, 422: InvalidRequest},
    summary="Stored reference values of one municipality or one school unit",
)
def reference_list(request: HttpRequest, query: Query[ReferenceQuery]):
    if bool(query.municipality) == bool(query.unit):
        return invalid("municipality", _("Give exactly one of municipality and unit."))
    values = reference_values(
        unit_code=query.unit, municipality_code=query.municipality, period=query.year
    )
    page = values[query.offset : query.offset + query.limit]
    return {
        "count": values.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": [_stored(v) for v in page],
    }


@router.get(
    "/reference/indicator/{key}",
    response={200: IndicatorReferenceOut, 401: Error, 429: Error, 404: Error, 422: InvalidRequest},
    summary="The nation's, the municipality's and similar municipalities' values of an indicator",
)
def reference_indicator(
    request: HttpRequest, path: Path[IndicatorPath], query: Query[IndicatorReferenceQuery]
):
    if path.key not in REGISTRY:
        return not_found()
    ref = reference_for_indicator(
        indicator_key=path.key,
        municipality_code=query.municipality,
        period=query.year,
        breakdown=query.breakdown,
    )
    return {
        "indicator": ref.indicator_key,
        "period": ref.period,
        "nation": [_point(p) for p in ref.nation],
        "municipality": [_point(p) for p in ref.municipality],
        "similar": [_point(p) for p in ref.similar],
    }
