"""Targets (målvärden) as the pages show them: the nearest one set on a node or an
ancestor, for the academic year or for every year."""

from __future__ import annotations

from django.db.models import Q

from skolkvalitet.dashboards.models import Target
from skolkvalitet.organisation.models import Node


def nearest_targets(nodes: list[Node], indicators: list[str], year_id: int | None) -> dict:
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
