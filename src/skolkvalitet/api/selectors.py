"""The API's reads. Nodes and values always go through the token user's Scope; periods, the
registry and reference values are not pupil data and are the same for every token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Q, QuerySet

from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.indicators.selectors import ShownValue, values_as_shown
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Node, Term
from skolkvalitet.organisation.scopes import Scope

T = TypeVar("T")
VALUE_ORDER = ("node__path", "period_kind", "period_id", "indicator", "breakdown", "pk")


@dataclass(frozen=True)
class Page(Generic[T]):
    count: int
    items: list[T]


def nodes_visible(*, scope: Scope, kind: str | None = None) -> QuerySet[Node]:
    nodes = scope.nodes()
    if kind:
        nodes = nodes.filter(kind=kind)
    return nodes.order_by("path")


def node_visible(*, scope: Scope, node_id: int) -> Node | None:
    """The node if the scope reaches it; None whether it is outside the scope or does not
    exist (the API answers 404 to both, so as not to reveal which)."""
    return scope.nodes().filter(pk=node_id).first()


def visible_parent_ids(*, scope: Scope, nodes: list[Node]) -> set[int]:
    """The parents of `nodes` that the scope reaches (a grant's own node has a parent the
    user may not see)."""
    parent_ids = {n.parent_id for n in nodes if n.parent_id is not None}
    return set(scope.nodes().filter(pk__in=parent_ids).values_list("pk", flat=True))


def values_visible(
    *,
    scope: Scope,
    node: Node | None = None,
    indicator: str | None = None,
    period_kind: str | None = None,
    period_id: int | None = None,
    breakdown_dimension: str | None = None,
) -> QuerySet[IndicatorValue]:
    """Materialised values of `node` (default: every node in the scope), filtered as
    indicators.selectors.indicator_values does (the total, and with a breakdown dimension its
    categories too), in a stable order the database can page through."""
    values = IndicatorValue.objects.all()
    if node is not None:
        values = values.filter(node=node)
    else:
        values = values.filter(node_id__in=scope.nodes().values("pk"))
    if indicator:
        values = values.filter(indicator=indicator)
    if period_kind:
        values = values.filter(period_kind=period_kind)
    if period_id is not None:
        values = values.filter(period_id=period_id)
    breakdown_q = Q(breakdown="")
    if breakdown_dimension:
        breakdown_q |= Q(breakdown__startswith=f"{breakdown_dimension}=")
    return values.filter(breakdown_q).order_by(*VALUE_ORDER)


def values_page(
    values: QuerySet[IndicatorValue], *, scope: Scope, limit: int, offset: int
) -> Page[ShownValue]:
    """One page of `values`, each as the scope's user may see it (values_as_shown decides
    suppression, exactly as on the pages)."""
    rows = list(values.select_related("node")[offset : offset + limit])
    return Page(count=values.count(), items=values_as_shown(rows, scope=scope))


def period_labels(keys: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """Labels of (period_kind, period_id) pairs, three queries at most."""
    ids = {kind: [pid for k, pid in keys if k == kind] for kind in ("year", "term", "point")}
    labels: dict[tuple[str, int], str] = {}
    if ids["year"]:
        for pk, code in AcademicYear.objects.filter(pk__in=ids["year"]).values_list("pk", "code"):
            labels["year", pk] = code
    if ids["term"]:
        for term in Term.objects.filter(pk__in=ids["term"]):
            labels["term", term.pk] = term.code
    if ids["point"]:
        points = FollowUpPoint.objects.filter(pk__in=ids["point"]).values_list("pk", "name")
        for pk, name in points:
            labels["point", pk] = name
    return labels


def periods_all(*, kind: str | None = None) -> list[AcademicYear | Term | FollowUpPoint]:
    """The calendar: academic years, terms and follow-up points, each kind by date."""
    out: list[AcademicYear | Term | FollowUpPoint] = []
    if kind in (None, "year"):
        out += AcademicYear.objects.order_by("start_date", "pk")
    if kind in (None, "term"):
        out += Term.objects.order_by("start_date", "pk")
    if kind in (None, "point"):
        out += FollowUpPoint.objects.select_related("term").order_by("assessed_on", "pk")
    return out
