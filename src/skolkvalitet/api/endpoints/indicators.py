"""GET /indicators (the registry) and GET /values (materialised values, scoped and
suppressed exactly as on the pages: values_as_shown decides)."""

from __future__ import annotations

from enum import StrEnum

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from skolkvalitet.api import selectors
from skolkvalitet.api.endpoints.common import Paging, invalid, not_found, token_scope
from skolkvalitet.api.schemas import (
    Error,
    IndicatorOut,
    InvalidRequest,
    PeriodKindParam,
    ValuePage,
)
from skolkvalitet.indicators.registry import BREAKDOWN_DIMENSIONS, REGISTRY, Indicator
from skolkvalitet.indicators.selectors import ShownValue

router = Router(tags=["indicators"])

# Built from the registry's dimensions so that the two cannot drift; mypy cannot see the
# members of an enum made from a computed dict, hence the ignores here and where it is used.
BreakdownParam = StrEnum(  # type: ignore[misc]
    "BreakdownParam", {d.upper(): d for d in BREAKDOWN_DIMENSIONS}
)
INDICATOR_KEY = r"^[A-Za-z0-9_]{1,64}$"


class IndicatorQuery(Schema):
    family: str | None = Field(None, max_length=32, description="Only this family.")


class ValueQuery(Paging):
    node: int | None = Field(
        None, ge=1, le=2**63 - 1, description="A node id (default: every node in scope)."
    )
    indicator: str | None = Field(None, pattern=INDICATOR_KEY, description="A registry key.")
    period_kind: PeriodKindParam | None = None
    period: int | None = Field(
        None, ge=1, le=2**63 - 1, description="A period id; needs period_kind."
    )
    breakdown: BreakdownParam | None = Field(  # type: ignore[valid-type]
        None, description="Also the categories of this dimension (gender → gender=F, =M)."
    )


def _indicator(i: Indicator) -> dict:
    return {
        "key": i.key,
        "name_sv": i.name_sv,
        "name_en": i.name_en,
        "definition": i.definition,
        "source": i.source,
        "unit": i.unit.value,
        "aggregation": i.aggregation.value,
        "family": i.family.value,
        "period_kind": i.period.value,
        "school_forms": list(i.school_forms),
        "year_groups": list(i.year_groups),
        "breakdowns": list(i.breakdowns),
        "higher_is_better": i.higher_is_better,
        "min_n": i.min_n,
        "subject": i.subject,
    }


@router.get(
    "/indicators",
    response={200: list[IndicatorOut], 401: Error, 429: Error, 422: InvalidRequest},
    summary="The indicator registry",
)
def indicators_list(request: HttpRequest, query: Query[IndicatorQuery]):
    return [_indicator(i) for i in REGISTRY.values() if query.family in (None, i.family)]


def _value(shown: ShownValue, labels: dict[tuple[str, int], str]) -> dict:
    v = shown.value
    return {
        "indicator": v.indicator,
        "node": v.node_id,
        "node_name": v.node.name,
        "period_kind": v.period_kind,
        "period_id": v.period_id,
        "period": labels.get((v.period_kind, v.period_id), ""),
        "breakdown": v.breakdown,
        "value": None if shown.is_suppressed else shown.shown,
        "n": shown.n,
        "marker": v.suppression,
        "suppressed": shown.is_suppressed,
        "data_version": v.data_version,
    }


@router.get(
    "/values",
    response={200: ValuePage, 401: Error, 429: Error, 404: Error, 422: InvalidRequest},
    summary="Materialised indicator values, as the token's user may see them",
)
def values_list(request: HttpRequest, query: Query[ValueQuery]):
    scope = token_scope(request)
    if query.indicator and query.indicator not in REGISTRY:
        return invalid("indicator", _("Unknown indicator."))
    if query.period is not None and query.period_kind is None:
        return invalid("period", _("Give period_kind with period."))
    node = None
    if query.node is not None:
        node = selectors.node_visible(scope=scope, node_id=query.node)
        if node is None:
            return not_found()
    values = selectors.values_visible(
        scope=scope,
        node=node,
        indicator=query.indicator,
        period_kind=query.period_kind,
        period_id=query.period,
        breakdown_dimension=query.breakdown,
    )
    page = selectors.values_page(values, scope=scope, limit=query.limit, offset=query.offset)
    labels = selectors.period_labels({(s.value.period_kind, s.value.period_id) for s in page.items})
    return {
        "count": page.count,
        "limit": query.limit,
        "offset": query.offset,
        "items": [_value(s, labels) for s in page.items],
    }
