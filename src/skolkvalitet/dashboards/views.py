"""The result follow-up pages: the organiser's overview and the unit page. Views read the
request, ask the selectors with the user's scope and render; nothing here computes figures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from skolkvalitet.dashboards import selectors
from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.organisation.models.nodes import SchoolForm
from skolkvalitet.organisation.scopes import scope_for_request

BREAKDOWN_LABELS = {
    "": _("All pupils"),
    "gender=F": _("Girls"),
    "gender=M": _("Boys"),
    "newly_arrived=yes": _("Newly arrived"),
    "newly_arrived=no": _("Not newly arrived"),
    "sva=yes": _("Swedish as a second language"),
    "parents_education=1": _("Parents: below upper secondary"),
    "parents_education=2": _("Parents: upper secondary"),
    "parents_education=3": _("Parents: post-secondary"),
}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    scope = scope_for_request(request)
    if scope.is_empty:
        raise Http404
    points = selectors.points_with_values()
    years = selectors.years_with_values()
    breakdown = request.GET.get("grupp", "")
    if breakdown not in selectors.LIKE_FOR_LIKE:
        breakdown = ""
    area_id = _int(request.GET.get("omrade"))
    school_form = request.GET.get("skolform") or None
    if school_form not in SchoolForm.values:
        school_form = None
    year_id = _int(request.GET.get("lasar"))
    filters = {"breakdown": breakdown, "area_id": area_id, "school_form": school_form}
    if year_id:
        year = get_object_or_404(AcademicYear, pk=year_id)
        data = selectors.overview_for_year(scope, year, **filters)
    elif points:
        point_id = _int(request.GET.get("punkt"))
        point = next((p for p in points if p.pk == point_id), points[-1])
        data = selectors.overview_at_point(scope, point, **filters)
    else:
        data = None
    areas = (
        Node.objects.filter(kind=NodeKind.AREA).filter(
            pk__in=[row.area.pk for row in data.rows if row.area]
        )
        if data
        else []
    )
    context = {
        "data": data,
        "points": points[::-1],
        "years": years[::-1],
        "areas": areas,
        "school_forms": [(f.value, f.label) for f in SchoolForm],
        "breakdowns": list(BREAKDOWN_LABELS.items()),
        "selected": {
            "point": data.period.id if data and data.period.kind == "point" else None,
            "year": year_id,
            "area": area_id,
            "school_form": school_form,
            "breakdown": breakdown,
        },
    }
    export = request.GET.get("format")
    if export and data:
        from skolkvalitet.publishing.tables import table_download_response

        return table_download_response(overview_table(data), export, "resultatuppfoljning")
    context["export_query"] = request.GET.urlencode()
    partial = request.headers.get("HX-Request")
    template = "dashboards/_overview_table.html" if partial else "dashboards/overview.html"
    return render(request, template, context)


def _unit_charts(data: selectors.UnitPage) -> dict[str, dict]:
    """A trend chart of each section's first indicator (totals), keyed by section."""
    from skolkvalitet.publishing.charts import trend_chart

    charts = {}
    for section in data.sections:
        totals = [row for row in section.rows if not row.breakdown]
        if not totals or len(section.periods) < 2:
            continue
        row = totals[0]
        charts[section.key] = trend_chart(
            [(p.label, value) for p, value in zip(section.periods, row.shown_values, strict=True)],
            title=row.indicator.name_sv,
            unit=row.indicator.unit,
            target=row.target,
        )
    return charts


def overview_table(data: selectors.Overview):
    """The overview as a publishing Table: what the CSV and XLSX downloads hold (values as
    the user sees them, markers as text)."""
    from skolkvalitet.publishing.tables import Column, Table

    columns = [Column("unit", str(_("School unit"))), Column("area", str(_("Area")))]
    for indicator in data.indicators:
        kind = "percent" if indicator.unit.value == "percent" else "number"
        columns.append(Column(indicator.key, indicator.name_sv, kind=kind, decimals=1))
        columns.append(Column(f"{indicator.key}_n", f"{indicator.name_sv}, n", kind="number"))
    rows = []
    for row in data.rows + ([data.organiser] if data.organiser else []):
        item = {"unit": row.node.name, "area": row.area.name if row.area else ""}
        for cell in row.cells:
            item[cell.indicator.key] = cell.shown
            item[f"{cell.indicator.key}_n"] = cell.n if cell.is_number else None
        rows.append(item)
    return Table(title=str(data.period.label), columns=columns, rows=rows)


@login_required
@require_GET
def unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    scope = scope_for_request(request)
    node = get_object_or_404(Node, pk=unit_id, kind=NodeKind.UNIT)
    if not scope.can_see(node):
        raise Http404
    breakdown = request.GET.get("grupp", "")
    if breakdown.split("=")[0] not in {"", "gender", "newly_arrived", "sva", "parents_education"}:
        breakdown = ""
    data = selectors.unit_page(scope, node, breakdown_dimension=breakdown.split("=")[0] or None)
    context = {
        "unit": node,
        "data": data,
        "charts": _unit_charts(data),
        "breakdown": breakdown,
        "breakdowns": [
            ("", _("Totals")),
            ("gender", _("By gender")),
            ("newly_arrived", _("Newly arrived or not")),
            ("sva", _("Swedish as a second language")),
            ("parents_education", _("By parents' education")),
        ],
    }
    return render(request, "dashboards/unit.html", context)


@login_required
@require_GET
def pupils_at_risk(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The pupils at the unit who at the latest follow-up point are assessed not to pass one
    or more subjects, or whose absence is 15 % or more: for roles with pupil access only,
    and every view of it is written to the audit log."""
    scope = scope_for_request(request)
    node = get_object_or_404(Node, pk=unit_id, kind=NodeKind.UNIT)
    if not scope.can_see_pupils_in(node):
        raise Http404
    point = selectors.latest_point_of_unit(node)
    pupils = selectors.pupils_at_risk(scope, node, point) if point else []
    audit_record(
        user=request.user,
        action="view_pupils_at_risk",
        node=node,
        pupil_ids=[p.pupil_id for p in pupils],
        detail={"follow_up_point": point.pk if point else None},
        request=request,
    )
    return render(
        request, "dashboards/pupils_at_risk.html", {"unit": node, "point": point, "pupils": pupils}
    )
