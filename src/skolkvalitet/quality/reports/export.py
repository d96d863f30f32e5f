"""A quality report as structured data (the `report unit --format json` command, later the API
and the documents): its status, template version and sections, each with its text and its
figures (indicator, value, n, marker, data version). A unit without a report gives the draft
it would start from: the current template's sections with empty texts and live figures."""

from __future__ import annotations

from typing import Any

from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.organisation.scopes import path_prefix_q
from skolkvalitet.quality.common_model import (
    Section,
    Template,
    default_model,
    template_checked,
)
from skolkvalitet.quality.models import QualityReport, ReportTemplate
from skolkvalitet.quality.reports.figures import (
    CHAPTER_KINDS,
    GRADES,
    TABLE,
    TREND,
    Figure,
    figures_with_charts_live,
)
from skolkvalitet.quality.reports.selectors import report_forms

NOT_STARTED = "not_started"


def school_form_of(node: Node) -> str | None:
    """The template a node's report is written on by default: the organiser's own template
    for an organiser; for a unit grundskola when it has a compulsory school form, else
    gymnasieskola, else förskola (reports/selectors.py: report_forms)."""
    forms = report_forms(node)
    return forms[0] if forms else None


def report_find(*, node: Node, year: AcademicYear, school_form: str) -> QualityReport | None:
    return (
        QualityReport.objects.filter(
            node=node, academic_year=year, template__school_form=school_form
        )
        .select_related("template")
        .first()
    )


def report_figures(report: QualityReport, template: Template) -> list[Figure]:
    """The figures the report shows, its tables' and its charts': frozen once handed in, else
    live. The rows a handed-in report keeps for its document's survey and staff chapters
    (CHAPTER_KINDS) are not among them."""
    if report.is_handed_in:
        return [
            Figure(
                section_key=f.section_key,
                indicator=f.indicator,
                period_kind=f.period_kind,
                period_id=f.period_id,
                period_label=f.period_label,
                value=f.value,
                n=f.n,
                suppression=f.suppression,
                data_version=f.data_version,
                kind=f.kind,
            )
            for f in report.figures.exclude(kind__in=CHAPTER_KINDS)
        ]
    return figures_with_charts_live(node=report.node, year=report.academic_year, template=template)


def data_version_of(figures: list[Figure]) -> int | None:
    """The data version of a set of figures: the latest import they were computed from."""
    return max((f.data_version for f in figures if f.data_version is not None), default=None)


def newer_data(report: QualityReport, template: Template) -> bool:
    """A handed-in report's figures were frozen, and the unit's figures of the same
    indicators (its tables' and its charts') have since been computed from a later import
    (an import that does not touch the unit's figures — reference data — does not count)."""
    if not report.is_handed_in:
        return False
    live = figures_with_charts_live(node=report.node, year=report.academic_year, template=template)
    latest = data_version_of(live)
    return latest is not None and latest > (report.frozen_data_version or 0)


def template_of(stored: ReportTemplate) -> Template:
    return template_checked(stored.school_form, stored.name, stored.sections)


def report_data(*, node: Node, year: AcademicYear, school_form: str) -> dict[str, Any]:
    """The report as data, unsuppressed (the operator's command line); the stored report,
    or the draft a unit without one starts from."""
    from skolkvalitet.quality.reports.actions import report_template_current

    report = report_find(node=node, year=year, school_form=school_form)
    stored = report.template if report else report_template_current(school_form=school_form)
    template = template_of(stored)
    if report is not None:
        figures = report_figures(report, template)
        texts = {s.key: s.text for s in report.sections.all()}
        status = report.status
    else:
        figures = figures_with_charts_live(node=node, year=year, template=template)
        texts = {}
        status = NOT_STARTED
    frozen = report is not None and report.is_handed_in
    return {
        "unit": {"code": node.code, "name": node.name},
        "academic_year": year.code,
        "school_form": school_form,
        "status": status,
        "template": {"name": stored.name, "version": stored.version},
        "figures_frozen": frozen,
        "data_version": data_version_of(figures),
        "newer_data": report is not None and newer_data(report, template),
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "questions": {k: list(v) for k, v in section.questions.items()},
                "text": texts.get(section.key, ""),
                "figures": [
                    {
                        "indicator": f.indicator,
                        "name": f.name,
                        "period": f.period_label,
                        "value": f.value,
                        "n": f.n,
                        "marker": f.suppression,
                        "data_version": f.data_version,
                    }
                    for f in figures
                    if f.section_key == section.key and f.kind == TABLE
                ],
                "charts": _charts_data(section, figures),
            }
            for section in template.sections
        ],
    }


def _charts_data(section: Section, figures: list[Figure]) -> list[dict[str, Any]]:
    """The data of the section's charts, unsuppressed: a trend's points per period, a grade
    distribution's pupils per subject and grade."""
    mine = [f for f in figures if f.section_key == section.key]
    out: list[dict[str, Any]] = []
    for chart in section.charts:
        if chart.kind == "trend":
            out.append(
                {
                    "kind": "trend",
                    "indicator": chart.indicator,
                    "points": [
                        {
                            "period": f.period_label,
                            "value": f.value,
                            "n": f.n,
                            "marker": f.suppression,
                            "data_version": f.data_version,
                        }
                        for f in mine
                        if f.kind == TREND and f.indicator == chart.indicator
                    ],
                }
            )
        elif chart.kind == "grade_distribution":
            out.append(
                {
                    "kind": "grade_distribution",
                    "counts": [
                        {
                            "subject": f.indicator,
                            "grade": f.period_label,
                            "pupils": int(f.value or 0),
                            "marker": f.suppression,
                            "data_version": f.data_version,
                        }
                        for f in mine
                        if f.kind == GRADES
                    ],
                }
            )
    return out


# -- reads of the report pages (quality/report_views.py) -------------------------------------


def units_under(paths: list[str]) -> list[Node]:
    """The active units in the subtrees at `paths`, in the tree's order."""
    if not paths:
        return []
    return list(
        Node.objects.filter(path_prefix_q("path", paths), kind=NodeKind.UNIT, is_active=True)
        .select_related("parent")
        .order_by("path")
    )


def template_latest(school_form: str) -> tuple[str, int, list[dict[str, Any]]]:
    """The school form's template as it stands (name, version, sections as data), without
    storing anything: the latest stored version, else the shipped common model (version 1)."""
    stored = ReportTemplate.objects.filter(school_form=school_form).order_by("-version").first()
    if stored is not None:
        return stored.name, stored.version, list(stored.sections)
    shipped = default_model()[school_form]
    return shipped.name, 1, [s.as_data() for s in shipped.sections]


def template_versions(school_form: str) -> list[ReportTemplate]:
    """Every stored version of the school form's template, the latest first."""
    return list(
        ReportTemplate.objects.filter(school_form=school_form)
        .select_related("created_by")
        .order_by("-version")
    )
