"""A unit's kvalitetsrapport as a document for the board and the public: each section of its
template with the text the unit wrote, its figures (frozen once handed in) and its charts, all
suppressed as for the board; a title page that says the report's status, its template version
and the data version of its figures."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.indicators.registry import REGISTRY, Level
from skolkvalitet.organisation.selectors import organiser_of
from skolkvalitet.publishing.documents.model import (
    Chart,
    Document,
    FigureCell,
    Heading,
    Note,
    Paragraph,
    Table,
)
from skolkvalitet.quality.documents.figures import board_cell
from skolkvalitet.quality.documents.surveys_staff import (
    ChapterFigures,
    Setting,
    chapter_figures_live,
    frozen_chapters,
    newer_than_frozen,
    report_setting,
    surveys_and_staff,
)
from skolkvalitet.quality.documents.text import text_blocks
from skolkvalitet.quality.models import QualityReport
from skolkvalitet.quality.reports.charts import section_charts
from skolkvalitet.quality.reports.export import data_version_of, report_figures, template_of
from skolkvalitet.quality.reports.figures import TABLE, TREND, Figure, n_counts_pupils

STATUS_NAMES = {
    "draft": "Draft, not submitted",
    "submitted": "Submitted",
    "returned": "Returned to the unit",
    "approved": "Approved",
}


def _cell(f: Figure, start_year: int) -> FigureCell:
    return board_cell(
        f.indicator,
        value=f.value,
        n=f.n,
        suppression=f.suppression,
        level=Level.UNIT,
        start_year=start_year,
    )


def unit_report_document(report: QualityReport) -> Document:
    node, year = report.node, report.academic_year
    template = template_of(report.template)
    figures = report_figures(report, template)
    texts = {s.key: s.text for s in report.sections.all()}
    start_year = year.start_date.year
    charts = section_charts(figures, template=template, year=year, pupil_access=False)
    setting = report_setting(report, template)
    chapters, remark = chapter_figures_of(report, setting)
    document = Document(
        title=_("Quality report %(year)s") % {"year": year.code},
        organiser=organiser_of(node).name,
        subtitle=node.name,
        audience=_(
            "Figures are shown as to the board: groups too small to publish are hidden by "
            "Skolverket's rules (.. hidden, ~100 nearly all, . no figure)."
        ),
        generated_at=timezone.localtime(),
        # Of the sections' figures and the survey and staff chapters'.
        data_version=max(
            (v for v in (data_version_of(figures), chapters.data_version) if v is not None),
            default=None,
        ),
    )
    status = _(STATUS_NAMES.get(report.status, report.status))
    document.add(
        Heading(_("About the report")),
        Paragraph(
            _(
                "The quality report of %(unit)s for the academic year %(year)s, written on "
                "the template %(template)s, version %(version)s. Status: %(status)s."
            )
            % {
                "unit": node.name,
                "year": year.code,
                "template": report.template.name,
                "version": report.template.version,
                "status": status,
            }
        ),
        Note(
            _("The figures were frozen when the report was submitted.")
            if report.is_handed_in
            else _("The figures are the unit's as computed now; they are frozen on submission.")
        ),
    )
    for section in template.sections:
        document.add(Heading(section.title))
        document.add(*text_blocks(texts.get(section.key, "")))
        cells = [
            (f, _cell(f, start_year))
            for f in figures
            if f.section_key == section.key and f.kind == TABLE
        ]
        if cells:
            # n beside a shown value only, never beside a marker (as on the pages).
            rows = tuple(
                (
                    REGISTRY[f.indicator].name_sv,
                    f.period_label,
                    cell,
                    FigureCell(shown=cell.n, unit="count") if cell.n is not None else "–",
                )
                for f, cell in cells
            )
            # Survey, staff and preschool figures rest on respondents, teachers or children.
            pupils_only = n_counts_pupils(f.indicator for f, _c in cells)
            document.add(
                Table(
                    caption=_("Figures of %(title)s") % {"title": section.title},
                    columns=(
                        _("Indicator"),
                        _("Period"),
                        _("Value"),
                        _("Number of pupils") if pupils_only else _("n"),
                    ),
                    rows=rows,
                    notes=()
                    if pupils_only
                    else (
                        _(
                            "n: the respondents of a survey's figure, the teachers of a staff "
                            "figure, the children of a preschool's figure, else the pupils."
                        ),
                    ),
                )
            )
        for chart in charts.get(section.key, []):
            points = tuple(
                _cell(f, start_year)
                for f in figures
                if f.section_key == section.key
                and f.kind == TREND
                and f.indicator == chart.indicator
            )
            document.add(Chart(chart.spec, figures=points))
    surveys_and_staff(document, setting, figures=chapters, remark=remark)
    return document


def chapter_figures_of(report: QualityReport, setting: Setting) -> tuple[ChapterFigures, str]:
    """The survey and staff chapters' figures of a unit's report and what its document says
    of them: frozen with a handed-in report (with the report page's note when the unit's
    figures have been computed from a later import since), else as stored now. A report
    handed in before the chapters were frozen with it has none stored and shows them as
    stored now, saying so."""
    frozen = frozen_chapters(report)
    if frozen is None:
        remark = (
            _(
                "The figures of this chapter are the unit's stored figures when the document "
                "was produced, over five years; they are frozen with the report when it is "
                "submitted."
            )
            if not report.is_handed_in
            else _(
                "The figures of this chapter are the unit's stored figures when the document "
                "was produced, over five years: the report was submitted before these "
                "chapters were frozen with it."
            )
        )
        return chapter_figures_live(setting), remark
    remark = _(
        "The figures of this chapter were frozen when the report was submitted, as its own "
        "figures above."
    )
    if newer_than_frozen(setting, frozen):
        remark += " " + _(
            "Newer data have been imported since; the unit's result pages show the figures "
            "as they are now."
        )
    return frozen, remark
