"""GET /reports and GET /reports/{id}: the units' quality reports, read-only, as the token's
user may read them (quality/reports/selectors.py) and with every figure suppressed for that
user as on the pages (quality/reports/figures.py). GET /plans: a node's nulägesanalys and
utvecklingsplan for a year, as the plan page shows it (quality/plans/selectors.py)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from skolkvalitet.api.endpoints.common import Paging, not_found, token_scope
from skolkvalitet.api.schemas import Error, InvalidRequest, PageMeta
from skolkvalitet.organisation.models import AcademicYear
from skolkvalitet.quality.models import QualityReport
from skolkvalitet.quality.plans.selectors import plan_for
from skolkvalitet.quality.reports.export import (
    data_version_of,
    newer_data,
    report_figures,
    template_of,
)
from skolkvalitet.quality.reports.figures import figures_as_shown
from skolkvalitet.quality.reports.selectors import report_readable, reports_visible

router = Router(tags=["quality cycle"])


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
    newer_data: bool = Field(
        description="Frozen figures, and the unit's figures computed since from newer data."
    )
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
    response={200: ReportPage, 401: Error, 429: Error, 422: InvalidRequest},
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
    response={200: ReportOut, 401: Error, 429: Error, 404: Error, 422: InvalidRequest},
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
    figures = report_figures(report, template)
    shown = figures_as_shown(figures, node=report.node, scope=scope)
    texts = {s.key: s.text for s in report.sections.all()}
    frozen = report.is_handed_in
    return {
        **_summary(report),
        "figures_frozen": frozen,
        "data_version": data_version_of(figures),
        "newer_data": newer_data(report, template),
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


class PlanQuery(Schema):
    node: int = Field(ge=1, le=2**63 - 1, description="A unit's (or the organiser's) id.")
    academic_year: int = Field(ge=1, le=2**63 - 1, description="The year's id.")


class FigureOut(Schema):
    indicator: str
    period: str
    value: float | None = Field(description="Null when suppressed for this token.")
    n: int | None
    suppressed: bool
    data_version: int | None


class ProgressOut(Schema):
    baseline: FigureOut | None
    latest: FigureOut | None
    target: float | None
    share: float | None = Field(
        description="0–100: the share of the way from baseline to target; null when it "
        "cannot be said or would reveal a figure suppressed for this token."
    )


class PlanActionOut(Schema):
    title: str
    owner: str
    starts: dt.date
    ends: dt.date
    status: str = Field(description="planned, ongoing, done or cancelled")
    overdue: bool


class GoalOut(Schema):
    title: str
    kind: str = Field(description="indicator or qualitative")
    indicator: str
    target_date: dt.date | None
    criterion: str
    progress: ProgressOut | None
    actions: list[PlanActionOut]
    evaluation: str | None = Field(description="met, partly or not_met at the year's end")


class EvidenceOut(Schema):
    kind: str = Field(description="figure (frozen when picked) or qualitative")
    figure: FigureOut | None
    text: str


class AreaOut(Schema):
    title: str
    description: str
    causes: str
    priority: int
    evidence: list[EvidenceOut]
    goals: list[GoalOut]


class PlanOut(Schema):
    node: int
    node_name: str
    academic_year: str
    areas: list[AreaOut]


def _figure(shown) -> dict | None:
    if shown is None:
        return None
    return {
        "indicator": shown.indicator,
        "period": shown.period_label,
        "value": None if shown.is_suppressed else shown.shown,
        "n": None if shown.is_suppressed else shown.n,
        "suppressed": shown.is_suppressed,
        "data_version": shown.data_version,
    }


def _goal(view) -> dict:
    goal, progress = view.goal, view.progress
    evaluation = getattr(goal, "evaluation", None)
    return {
        "title": goal.title,
        "kind": goal.kind,
        "indicator": goal.indicator,
        "target_date": goal.target_date,
        "criterion": goal.criterion,
        "progress": None
        if progress is None
        else {
            "baseline": _figure(progress.baseline),
            "latest": _figure(progress.latest),
            "target": progress.target,
            "share": progress.share,
        },
        "actions": [
            {
                "title": a.title,
                "owner": a.owner_label,
                "starts": a.starts,
                "ends": a.ends,
                "status": a.status,
                "overdue": a.is_overdue,
            }
            for a in view.actions
        ],
        "evaluation": evaluation.verdict if evaluation is not None else None,
    }


@router.get(
    "/plans",
    response={200: PlanOut, 401: Error, 429: Error, 404: Error, 422: InvalidRequest},
    summary="A node's nulägesanalys and utvecklingsplan for a year",
)
def plan_detail(request: HttpRequest, query: Query[PlanQuery]):
    scope = token_scope(request)
    node = scope.nodes().filter(pk=query.node).first()
    year = AcademicYear.objects.filter(pk=query.academic_year).first()
    plan = plan_for(node=node, year=year, scope=scope) if node and year else None
    if plan is None:
        return not_found()
    return {
        "node": plan.node.pk,
        "node_name": plan.node.name,
        "academic_year": plan.year.code,
        "areas": [
            {
                "title": view.area.title,
                "description": view.area.description,
                "causes": view.area.causes,
                "priority": view.area.priority,
                "evidence": [
                    {"kind": evidence.kind, "figure": _figure(shown), "text": evidence.text}
                    for evidence, shown in view.evidence
                ],
                "goals": [_goal(goal) for goal in view.goals],
            }
            for view in plan.areas
        ],
    }
