"""Views validate input, ask selectors within the user's scope, and render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from skolkvalitet.organisation.models import Node, NodeKind
from skolkvalitet.organisation.roles import ROLE_SPECS
from skolkvalitet.organisation.scopes import scope_for_request
from skolkvalitet.organisation.selectors import (
    academic_year_current,
    groups_with_pupil_counts,
    pupil_count_in_scope,
    units_by_area,
    units_with_pupil_counts,
)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    scope = scope_for_request(request)
    year = academic_year_current()
    granted_nodes = Node.objects.select_related("parent").in_bulk([g.node_id for g in scope.grants])
    grants = [
        {
            "node": granted_nodes[g.node_id],
            "role": g.role,
            "spec": ROLE_SPECS[g.role],
        }
        for g in scope.grants
    ]
    # Someone whose grants are all on groups (a teacher) sees their groups, others units.
    only_groups = bool(granted_nodes) and all(
        n.kind == NodeKind.GROUP for n in granted_nodes.values()
    )
    units, groups = [], []
    if year and only_groups:
        groups = groups_with_pupil_counts(scope=scope, academic_year=year)
    elif year:
        units = units_with_pupil_counts(scope=scope, academic_year=year)
    context = {
        "scope": scope,
        "grants": grants,
        "year": year,
        "areas": units_by_area(units),
        "groups": groups,
        "only_groups": only_groups,
        "pupils_total": pupil_count_in_scope(scope=scope, academic_year=year) if year else 0,
    }
    return render(request, "web/start.html", context)
