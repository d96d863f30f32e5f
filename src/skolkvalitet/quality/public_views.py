"""The public pages (/offentlig/), open to anyone without logging in: an organiser's
published kvalitetsredovisningar, and — where the organiser has chosen so — its units' key
figures, suppressed exactly as for the board. Nothing else of the product is reachable from
here."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.organisation.selectors import organiser_of
from skolkvalitet.publishing.charts.trend import trend_chart
from skolkvalitet.quality.documents.produce import Format
from skolkvalitet.quality.models import PublishedReport
from skolkvalitet.quality.publication.selectors import (
    PUBLIC_KEYS,
    key_figures_shown,
    public_organisers,
    public_unit_series,
    public_units_table,
    published_reports,
)


@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    return render(request, "quality/public/index.html", {"organisers": public_organisers()})


def _public_organiser(organiser_id: int) -> Node:
    organiser = get_object_or_404(
        Node, pk=organiser_id, kind=NodeKind.ORGANISER, parent__isnull=True
    )
    if organiser not in public_organisers():
        raise Http404
    return organiser


@require_GET
def public_organiser(request: HttpRequest, organiser_id: int) -> HttpResponse:
    organiser = _public_organiser(organiser_id)
    shown = key_figures_shown(organiser)
    return render(
        request,
        "quality/public/organiser.html",
        {
            "organiser": organiser,
            "reports": published_reports(organiser),
            "table": public_units_table(organiser) if shown else None,
        },
    )


@require_GET
def public_report(request: HttpRequest, organiser_id: int, start_year: int) -> FileResponse:
    organiser = _public_organiser(organiser_id)
    published = get_object_or_404(
        PublishedReport,
        organiser=organiser,
        academic_year__code=AcademicYear.code_for(start_year),
    )
    try:
        handle = open(published.stored_path, "rb")  # noqa: SIM115 (FileResponse closes it)
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=published.format == Format.DOCX,
        filename=published.file_name,
        content_type=Format(published.format).media_type,
    )


@require_GET
def public_unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_object_or_404(Node, pk=unit_id, kind=NodeKind.UNIT, is_active=True)
    organiser = organiser_of(unit)
    if not key_figures_shown(organiser):
        raise Http404
    table = public_unit_series(unit, organiser)
    charts = []
    for index, indicator in enumerate(table.indicators[:2]):
        points = [(row.label, row.cells[index].shown) for row in table.rows]
        if sum(1 for _label, value in points if not isinstance(value, str)) >= 2:
            charts.append(
                (
                    f"public-{PUBLIC_KEYS[index].replace('_', '-')}",
                    trend_chart(points, title=indicator.name_sv, unit=indicator.unit),
                )
            )
    return render(
        request,
        "quality/public/unit.html",
        {"unit": unit, "organiser": organiser, "table": table, "charts": charts},
    )
