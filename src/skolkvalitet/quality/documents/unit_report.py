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
    SURVEY_GROUPS,
    Setting,
    surveys_and_staff,
    years_up_to,
)
from skolkvalitet.quality.documents.text import text_blocks
from skolkvalitet.quality.models import QualityReport
from skolkvalitet.quality.reports.charts import section_charts
from skolkvalitet.quality.reports.export import data_version_of, report_figures, template_of
from skolkvalitet.quality.reports.figures import TABLE, TREND, TREND_YEARS, Figure, n_counts_pupils
from skolkvalitet.reference.comparison import like_for_like

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
    document = Document(
        title=_("Quality report %(year)s") % {"year": year.code},
        organiser=organiser_of(node).name,
        subtitle=node.name,
        audience=_(
            "Figures are shown as to the board: groups too small to publish are hidden by "
            "Skolverket's rules (.. hidden, ~100 nearly all, . no figure)."
        ),
        generated_at=timezone.localtime(),
        data_version=data_version_of(figures),
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
    organiser = organiser_of(node)
    surveys_and_staff(
        document,
        Setting(
            node=node,
            years=years_up_to(year, TREND_YEARS),
            units=[],
            basis=like_for_like(
                organiser.organiser_type, municipality_code=organiser.municipality_code
            ),
            municipality_code=organiser.municipality_code,
            # The surveys' trends the template does not chart; the staff figures as tables.
            charted=frozenset(
                key
                for group in SURVEY_GROUPS
                for key in group.charted
                if not any(
                    chart.indicator == key
                    for section in template.sections
                    for chart in section.charts
                )
            ),
        ),
        remark=_(
            "The figures of this chapter are the unit's stored figures when the document was "
            "produced, over five years; the report's own figures above are frozen when it is "
            "submitted."
        ),
    )
    return document
