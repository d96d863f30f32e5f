"""The charts of a quality report's sections: Vega-Lite specs from publishing/charts (the same
chart functions as the result pages), drawn from the report's chart figures (live while it is
written, frozen from its submission; quality/reports/figures.py) as the reader may see them.

A trend's points go through the reader's suppression one by one (`present`), so a hidden
year shows its marker, never a number. A grade distribution is suppressed as on the unit
page (indicators/distribution.py): for a role without pupil access, a subject graded for
fewer pupils than the unit-level limit of the year, or whose share passed is hidden, shows
`..` for every grade."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from skolkvalitet.indicators.distribution import distribution_min_n, grade_distributions
from skolkvalitet.indicators.registry import PAGES, REGISTRY
from skolkvalitet.indicators.suppression import present
from skolkvalitet.organisation.models import AcademicYear
from skolkvalitet.publishing.charts.distribution import distribution_chart
from skolkvalitet.publishing.charts.trend import trend_chart
from skolkvalitet.quality.common_model import Template
from skolkvalitet.quality.reports.figures import GRADES, TREND, Figure
from skolkvalitet.results.subjects import subject_name


@dataclass(frozen=True)
class SectionChart:
    """One chart of a section: a stable id for the page, the spec, and for a trend the
    indicator it draws."""

    id: str
    spec: dict[str, Any]
    indicator: str = ""


def section_charts(
    figures: list[Figure], *, template: Template, year: AcademicYear, pupil_access: bool
) -> dict[str, list[SectionChart]]:
    """Section key → its charts, in the template's order. A trend needs at least two periods
    with a figure (one value is in the table already); a distribution needs a graded subject."""
    out: dict[str, list[SectionChart]] = {}
    for section in template.sections:
        charts = []
        mine = [f for f in figures if f.section_key == section.key]
        for chart in section.charts:
            if chart.kind == "trend" and chart.indicator in REGISTRY:
                points = [f for f in mine if f.kind == TREND and f.indicator == chart.indicator]
                if len(points) >= 2:
                    charts.append(
                        SectionChart(
                            id=f"chart-{section.key}-trend-{chart.indicator}".replace("_", "-"),
                            spec=_trend(points, chart.indicator, pupil_access),
                            indicator=chart.indicator,
                        )
                    )
            elif chart.kind == "grade_distribution":
                counts = [f for f in mine if f.kind == GRADES]
                if counts:
                    charts.append(
                        SectionChart(
                            id=f"chart-{section.key}-grades",
                            spec=_grades(counts, year, pupil_access),
                        )
                    )
        if charts:
            out[section.key] = charts
    return out


def _trend(points: list[Figure], key: str, pupil_access: bool) -> dict[str, Any]:
    indicator = REGISTRY[key]
    return trend_chart(
        [
            (f.period_label, present(f.value, f.suppression, pupil_access=pupil_access))
            for f in points
        ],
        title=indicator.name_sv,
        unit=indicator.unit,
    )


def _grades(counts: list[Figure], year: AcademicYear, pupil_access: bool) -> dict[str, Any]:
    distributions = grade_distributions(
        [(f.indicator, f.period_label, int(f.value or 0)) for f in counts],
        suppress=not pupil_access,
        subjects=PAGES.subjects,
        hidden={f.indicator for f in counts if f.suppression},
        min_n=distribution_min_n(year.start_date.year),
    )
    return distribution_chart(
        {subject_name(d.subject): dict(d.shares) for d in distributions},
        title=str(_("Final grades per subject, %(year)s") % {"year": year.code}),
        stacked=True,
    )
