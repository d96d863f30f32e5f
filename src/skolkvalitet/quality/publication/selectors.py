"""What the public pages show: the organisers that have published something, their published
kvalitetsredovisningar, and — where the organiser has chosen to show them — its units' key
figures as the board sees them (no pupil access: every stored marker applies), with the
nation's published figure of the same year and kind of schools where imported."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from skolkvalitet.dashboards.selectors.overview import year_references
from skolkvalitet.dashboards.selectors.periods import years_with_values
from skolkvalitet.indicators.registry import REGISTRY, Indicator
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.organisation.scopes import path_prefix_q
from skolkvalitet.publishing.documents.model import FigureCell
from skolkvalitet.quality.documents.figures import reference_cell, stored_year_values, year_cell
from skolkvalitet.quality.models import PublicKeyFigures, PublishedReport
from skolkvalitet.reference.comparison import like_for_like

# The figures Skolverket itself publishes per school unit for year 9.
PUBLIC_KEYS = ("merit_value_17", "passed_all_subjects", "eligible_vocational")
TREND_YEARS = 5


def public_organisers() -> list[Node]:
    """Organisers with a published report or with their key figures shown."""
    return list(
        Node.objects.filter(kind=NodeKind.ORGANISER, parent__isnull=True)
        .filter(Q(published_reports__isnull=False) | Q(public_key_figures__shown=True))
        .distinct()
        .order_by("name")
    )


def key_figures_shown(organiser: Node) -> bool:
    return PublicKeyFigures.objects.filter(organiser=organiser, shown=True).exists()


def published_reports(organiser: Node) -> list[PublishedReport]:
    return list(
        PublishedReport.objects.filter(organiser=organiser)
        .select_related("academic_year")
        .order_by("-academic_year__start_date")
    )


@dataclass(frozen=True)
class PublicRow:
    label: str
    node: Node | None
    cells: list[FigureCell]


@dataclass(frozen=True)
class PublicTable:
    year: AcademicYear | None
    indicators: list[Indicator]
    rows: list[PublicRow]
    basis_label: str


def _nation_cells(organiser: Node, year: AcademicYear) -> tuple[list[FigureCell], str]:
    from skolkvalitet.dashboards.breakdowns import BASIS_LABELS

    basis = like_for_like(organiser.organiser_type, municipality_code=organiser.municipality_code)
    rows = year_references(year, organiser.municipality_code, PUBLIC_KEYS, "", basis)
    nation = next((r for r in rows if r.area == "nation"), None)
    values = nation.values if nation else [None] * len(PUBLIC_KEYS)
    cells = [reference_cell(k, v) for k, v in zip(PUBLIC_KEYS, values, strict=True)]
    return cells, str(BASIS_LABELS[basis])


def public_units_table(organiser: Node) -> PublicTable:
    """The organiser's units with year-9 figures in the latest year with figures, the
    organiser itself and the nation."""
    years = years_with_values()
    indicators = [REGISTRY[k] for k in PUBLIC_KEYS]
    if not years:
        return PublicTable(None, indicators, [], "")
    year = years[-1]
    units = list(
        Node.objects.filter(
            path_prefix_q("path", [organiser.path]), kind=NodeKind.UNIT, is_active=True
        ).order_by("name")
    )
    stored = stored_year_values([organiser, *units], PUBLIC_KEYS, [year])
    rows = [
        PublicRow(unit.name, unit, [year_cell(stored, unit, k, year) for k in PUBLIC_KEYS])
        for unit in units
        if any((unit.pk, k, year.pk) in stored for k in PUBLIC_KEYS)
    ]
    rows.append(
        PublicRow(
            organiser.name, None, [year_cell(stored, organiser, k, year) for k in PUBLIC_KEYS]
        )
    )
    nation, basis_label = _nation_cells(organiser, year)
    rows.append(PublicRow(str(_("The nation")), None, nation))
    return PublicTable(year, indicators, rows, basis_label)


def public_unit_series(unit: Node, organiser: Node) -> PublicTable:
    """The unit's key figures over the last TREND_YEARS years with figures: one row per year."""
    years = years_with_values()[-TREND_YEARS:]
    stored = stored_year_values([unit], PUBLIC_KEYS, years)
    rows = [
        PublicRow(y.code, None, [year_cell(stored, unit, k, y) for k in PUBLIC_KEYS]) for y in years
    ]
    basis_label = _nation_cells(organiser, years[-1])[1] if years else ""
    return PublicTable(
        years[-1] if years else None, [REGISTRY[k] for k in PUBLIC_KEYS], rows, basis_label
    )
