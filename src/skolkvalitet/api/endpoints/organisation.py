"""GET /nodes (the organisation nodes the token's user may see) and GET /periods."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from skolkvalitet.api import selectors
from skolkvalitet.api.endpoints.common import Paging, token_scope
from skolkvalitet.api.schemas import (
    Error,
    InvalidRequest,
    NodeKindParam,
    NodePage,
    PeriodKindParam,
    PeriodOut,
)
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Term

router = Router(tags=["organisation"])


class NodeQuery(Paging):
    kind: NodeKindParam | None = Field(None, description="Only nodes of this kind.")


class PeriodQuery(Schema):
    kind: PeriodKindParam | None = Field(None, description="Only periods of this kind.")


@router.get(
    "/nodes",
    response={200: NodePage, 401: Error, 429: Error, 422: InvalidRequest},
    summary="The organisation nodes the token's user may see",
)
def nodes_list(request: HttpRequest, query: Query[NodeQuery]):
    scope = token_scope(request)
    nodes = selectors.nodes_visible(scope=scope, kind=query.kind)
    page = list(nodes[query.offset : query.offset + query.limit])
    parents = selectors.visible_parent_ids(scope=scope, nodes=page)
    items = [
        {
            "id": n.pk,
            "kind": n.kind,
            "name": n.name,
            "code": n.code,
            "parent": n.parent_id if n.parent_id in parents else None,
            "depth": n.depth,
            "is_active": n.is_active,
        }
        for n in page
    ]
    return {"count": nodes.count(), "limit": query.limit, "offset": query.offset, "items": items}


def _period(p: AcademicYear | Term | FollowUpPoint) -> dict:
    row: dict = dict.fromkeys(PeriodOut.model_fields)
    if isinstance(p, AcademicYear):
        row.update(kind="year", label=p.code, start_date=p.start_date, end_date=p.end_date)
    elif isinstance(p, Term):
        row.update(
            kind="term",
            label=p.code,
            start_date=p.start_date,
            end_date=p.end_date,
            academic_year=p.academic_year_id,
        )
    else:
        row.update(
            kind="point",
            label=p.name,
            academic_year=p.term.academic_year_id,
            term=p.term_id,
            assessed_on=p.assessed_on,
            deadline=p.deadline,
        )
    row["id"] = p.pk
    return row


@router.get(
    "/periods",
    response={200: list[PeriodOut], 401: Error, 429: Error, 422: InvalidRequest},
    summary="Academic years, terms and follow-up points",
)
def periods_list(request: HttpRequest, query: Query[PeriodQuery]):
    return [_period(p) for p in selectors.periods_all(kind=query.kind)]
