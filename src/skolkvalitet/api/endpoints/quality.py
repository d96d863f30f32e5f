"""GET /reports and GET /reports/{id}: the units' quality reports, read-only, as the token's
user may read them (quality/reports/selectors.py) and with every figure suppressed for that
user as on the pages (quality/reports/figures.py)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from skolkvalitet.api.endpoints.common import Paging, not_found, token_scope
from skolkvalitet.api.schemas import Error, InvalidRequest, PageMeta
from skolkvalitet.indicators.materialise import data_version_current
from skolkvalitet.quality.models import QualityReport
from skolkvalitet.quality.reports.export import report_figures, template_of
from skolkvalitet.quality.reports.figures import figures_as_shown
from skolkvalitet.quality.reports.selectors import report_readable, reports_visible

router = Router(tags=["quality reports"])


class ReportQuery(Paging):
    academic_year: int | None = Field(None, ge=1, le=2**63 - 1, description="A year's id.")
    node: int | None = Field(None, ge=1, le=2**63 - 1, description="A node's id.")


class ReportSummary(Schema):
    id: int
    node: int
    node_name: str
    academic_year: str
    school_form: str = Field(description="forskola, grundskola or gymnasieskola")
    status: str = Field(description="draft, submitted, returned or approved")
    template_version: int
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None


class ReportPage(PageMeta):
    items: list[ReportSummary]


class ReportFigureOut(Schema):
    indicator: str
    name: str
    period: str
    value: float | None = Field(description="Null when suppressed for this token.")
    n: int | None = Field(description="Null when suppressed for this token.")
    marker: str = Field(description="'' shown, '..' too few pupils, '~100' nearly all.")
    suppressed: bool
    data_version: int | None


class ReportSectionOut(Schema):
    key: str
    title: str
    text: str
    figures: list[ReportFigureOut]


class ReportOut(ReportSummary):
    figures_frozen: bool = Field(description="Figures as they were when it was submitted.")
    data_version: int | None
    newer_data: bool = Field(description="Frozen figures, and data imported since.")
    sections: list[ReportSectionOut]


def _summary(report: QualityReport) -> dict:
    return {
        "id": report.pk,
        "node": report.node_id,
        "node_name": report.node.name,
        "academic_year": report.academic_year.code,
        "school_form": report.template.school_form,
        "status": report.status,
        "template_version": report.template.version,
        "submitted_at": report.submitted_at,
        "approved_at": report.approved_at,
    }


@router.get(
    "/reports",
    response={200: ReportPage, 401: Error, 422: InvalidRequest},
    summary="The quality reports the token's user may read",
)
def reports_list(request: HttpRequest, query: Query[ReportQuery]):
    scope = token_scope(request)
    reports = reports_visible(scope=scope)
    if query.academic_year is not None:
        reports = reports.filter(academic_year_id=query.academic_year)
    if query.node is not None:
        reports = reports.filter(node_id=query.node)
    page = list(reports[query.offset : query.offset + query.limit])
    return {
        "count": reports.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": [_summary(r) for r in page],
    }


@router.get(
    "/reports/{report_id}",
    response={200: ReportOut, 401: Error, 404: Error, 422: InvalidRequest},
    summary="One quality report with its sections and figures",
)
def report_detail(request: HttpRequest, report_id: int):
    scope = token_scope(request)
    report = (
        QualityReport.objects.select_related("node", "academic_year", "template")
        .filter(pk=report_id)
        .first()
    )
    if report is None or not report_readable(scope, report):
        return not_found()
    template = template_of(report.template)
    shown = figures_as_shown(report_figures(report, template), node=report.node, scope=scope)
    texts = {s.key: s.text for s in report.sections.all()}
    current = data_version_current()
    frozen = report.is_handed_in
    return {
        **_summary(report),
        "figures_frozen": frozen,
        "data_version": report.frozen_data_version if frozen else current,
        "newer_data": frozen and (report.frozen_data_version or 0) < current,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "text": texts.get(section.key, ""),
                "figures": [
                    {
                        "indicator": s.figure.indicator,
                        "name": s.figure.name,
                        "period": s.figure.period_label,
                        "value": None if isinstance(s.shown, str) else s.shown,
                        "n": s.n,
                        "marker": s.figure.suppression,
                        "suppressed": isinstance(s.shown, str),
                        "data_version": s.figure.data_version,
                    }
                    for s in shown
                    if s.figure.section_key == section.key
                ],
            }
            for section in template.sections
        ],
    }
