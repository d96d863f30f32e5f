"""Figures for the board's documents: a stored indicator value as the board sees it (no pupil
access: suppressed by its stored marker), with what it rests on for the publication check."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.indicators.registry import LEVEL_OF_KIND, REGISTRY, Level
from skolkvalitet.indicators.suppression import present, present_n
from skolkvalitet.organisation.models import AcademicYear, Node
from skolkvalitet.publishing.documents.model import FigureCell
from skolkvalitet.publishing.formatting import Value


class StoredFigure(Protocol):
    """A stored yearly figure as the documents read it: an IndicatorValue, or one frozen with
    a handed-in report (quality/documents/surveys_staff.py)."""

    @property
    def value(self) -> float | None: ...
    @property
    def n(self) -> int | None: ...
    @property
    def suppression(self) -> str: ...
    @property
    def data_version(self) -> int | None: ...


def board_cell(
    key: str,
    *,
    value: float | None,
    n: int | None,
    suppression: str,
    level: Level,
    start_year: int | None,
) -> FigureCell:
    """A stored figure as the board sees it (`present` without pupil access)."""
    indicator = REGISTRY[key]
    shown = present(value, suppression, pupil_access=False)
    return FigureCell(
        shown=shown,
        unit=indicator.unit,
        indicator=key,
        n=present_n(n, suppression, pupil_access=False),
        suppression=suppression,
        min_n=indicator.min_n_at(level, start_year),
    )


def missing_cell(key: str) -> FigureCell:
    """No figure for the period: shown as `.`."""
    return FigureCell(shown=".", unit=REGISTRY[key].unit, indicator=key)


def reference_cell(key: str, value: Value) -> FigureCell:
    """A published reference figure (the nation's, a municipality's): shown as published."""
    return FigureCell(shown=value if value is not None else ".", unit=REGISTRY[key].unit)


def stored_year_values(
    nodes: Iterable[Node], keys: Iterable[str], years: Iterable[AcademicYear], breakdown: str = ""
) -> dict[tuple[int, str, int], IndicatorValue]:
    """(node id, indicator, year id) → the stored value of the years (period kind year)."""
    return {
        (v.node_id, v.indicator, v.period_id): v
        for v in IndicatorValue.objects.filter(
            node__in=list(nodes),
            indicator__in=list(keys),
            period_kind="year",
            period_id__in=[y.pk for y in years],
            breakdown=breakdown,
        )
    }


def year_cell(
    stored: Mapping[tuple[int, str, int], StoredFigure], node: Node, key: str, year: AcademicYear
) -> FigureCell:
    value = stored.get((node.pk, key, year.pk))
    if value is None:
        return missing_cell(key)
    return board_cell(
        key,
        value=value.value,
        n=value.n,
        suppression=value.suppression,
        level=LEVEL_OF_KIND.get(str(node.kind), Level.UNIT),
        start_year=year.start_date.year,
    )
