"""What every chart shares: the Swedish locale, fonts and colour-blind-safe colours of
`chart_config()`, the spec skeleton (`base_spec`) with its hidden table, data rows with their
Swedish labels and markers (`datum`), axes, tooltips, reference rules, value labels that
rules never cover (`with_halo`) and stacking."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from skolkvalitet.publishing.formatting import (
    MINUS,
    NBSP,
    Unit,
    Value,
    as_number,
    format_value,
    marker_of,
)

Spec = dict[str, Any]
Series = Sequence[tuple[str, Value]] | Mapping[str, Value]

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier, never fetched
INK = "#1b1f24"
MUTED = "#555d66"
WHITE = "#ffffff"
GRID = "#e3e6ea"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'

# Okabe & Ito's colour-blind-safe hues; yellow and sky blue are darkened (ochre, grey) so
# that every colour has at least 3:1 contrast against white (WCAG 1.4.11).
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#595959", "#8A6100")
DASHES = ((1, 0), (6, 3), (2, 2), (8, 3, 2, 3), (1, 3), (10, 4))
SHAPES = ("circle", "square", "triangle-up", "diamond", "triangle-down", "cross")


SWEDISH_NUMBER_LOCALE = {
    "decimal": ",",
    "thousands": NBSP,
    "grouping": [3],
    "currency": ["", f"{NBSP}kr"],
    "minus": MINUS,
    "percent": f"{NBSP}%",
}
SWEDISH_TIME_LOCALE = {
    "dateTime": "%A den %d %B %Y %X",
    "date": "%Y-%m-%d",
    "time": "%H:%M:%S",
    "periods": ["fm", "em"],
    "days": ["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"],
    "shortDays": ["sön", "mån", "tis", "ons", "tor", "fre", "lör"],
    "months": [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "shortMonths": [
        "jan",
        "feb",
        "mars",
        "apr",
        "maj",
        "juni",
        "juli",
        "aug",
        "sep",
        "okt",
        "nov",
        "dec",
    ],
}


def chart_config() -> dict[str, Any]:
    """The config every spec carries: Swedish number and time formats, fonts and colours."""
    return {
        "locale": {"number": dict(SWEDISH_NUMBER_LOCALE), "time": dict(SWEDISH_TIME_LOCALE)},
        "font": FONT,
        "background": WHITE,
        "view": {"stroke": None},
        "range": {"category": list(SERIES_COLOURS)},
        "title": {"color": INK, "fontSize": 15, "anchor": "start", "offset": 12, "aria": False},
        "axis": {
            "labelColor": INK,
            "titleColor": INK,
            "labelFontSize": 12,
            "titleFontSize": 12,
            "titleFontWeight": "normal",
            "domainColor": MUTED,
            "tickColor": MUTED,
            "gridColor": GRID,
            "aria": False,
        },
        "legend": {
            "labelColor": INK,
            "titleColor": INK,
            "labelFontSize": 12,
            "titleFontSize": 12,
            "orient": "bottom",
            "direction": "horizontal",
            "symbolStrokeWidth": 2,
            "labelLimit": 0,
            "aria": False,
        },
        # Screen readers get the description (the SVG's label) and the hidden table; Vega's
        # own English descriptions of marks, axes and legends are left out.
        "mark": {"aria": False},
    }


def as_unit(unit: Unit | str) -> Unit:
    return Unit(unit)


def axis_title(unit: Unit | str) -> str:
    return {
        Unit.PERCENT: _("Percent"),
        Unit.POINTS: _("Points"),
        Unit.RATIO: _("Ratio"),
        Unit.COUNT: _("Number"),
    }[as_unit(unit)]


def axis_format(unit: Unit | str) -> str:
    """A d3 format for axis labels; with config.locale it gives "1 234,5"."""
    return ",d" if as_unit(unit) == Unit.COUNT else ",.1~f"  # at most one decimal, as the tables


def datum(value: Value, unit: Unit | str, **fields: Any) -> dict[str, Any]:
    """One data row: `value` a finite number or null, `label` as readers see it, and
    `marker` the suppression marker ("" when the value is shown)."""
    number = as_number(value)
    return {
        **fields,
        "value": None if number is None else round(number, 6),
        "label": format_value(value, unit),
        "marker": "" if number is not None else marker_of(value),
    }


def series_pairs(series: Series) -> list[tuple[str, Value]]:
    items = series.items() if isinstance(series, Mapping) else series
    return [(str(key), value) for key, value in items]


def is_series(reference: Any) -> bool:
    return isinstance(reference, Mapping) or (
        isinstance(reference, Sequence) and not isinstance(reference, str)
    )


def rows_height(rows: int, *, step: int, legend: bool) -> int:
    """The height of a chart with one band per row: the bands plus room for the title, the
    value axis and a legend (a height by "step" would not let the width fit the page)."""
    return step * max(rows, 1) + 70 + (40 if legend else 0)


def base_spec(*, title: str, description: str, height: int, table: dict[str, Any]) -> Spec:
    spec: Spec = {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": height,
        "autosize": {"type": "fit", "contains": "padding"},
        "config": chart_config(),
        "usermeta": {"table": table},
    }
    if title:
        spec["title"] = {"text": title, "aria": False}
    return spec


def data_table(columns: list[str], rows: list[list[str]], notes: list[str] | None = None) -> dict:
    return {"columns": columns, "rows": rows, "notes": notes or []}


def tooltip_fields(*fields: tuple[str, str]) -> list[dict[str, str]]:
    return [{"field": field, "title": title, "type": "nominal"} for field, title in fields]


def marked_filter(field: str = "marker") -> dict[str, str]:
    return {"filter": f"datum.{field} != ''"}


def value_filter() -> dict[str, str]:
    return {"filter": "isValid(datum.value)"}


def js_literal(text: str) -> str:
    """A string literal for a Vega expression (JSON's escapes are valid there)."""
    return json.dumps(text)


def tick_min_step(unit: Unit | str) -> float:
    """The smallest step between two ticks that the axis format can tell apart: 1 for whole
    numbers, 0.1 for one decimal (so that no two ticks read the same, as "0, 0, 1, 1")."""
    return 1 if as_unit(unit) == Unit.COUNT else 0.1


def value_axis(unit: Unit | str, **scale: Any) -> dict[str, Any]:
    return {
        "field": "value",
        "type": "quantitative",
        "title": axis_title(unit),
        "axis": {"format": axis_format(unit), "tickMinStep": tick_min_step(unit)},
        "scale": scale,
    }


def zero_based_axis(unit: Unit | str, numbers: Sequence[float | None]) -> dict[str, Any]:
    """A value axis from 0 (so that 5,6 → 5,7 % looks as small as it is). Over a short range
    (whole numbers up to 20, decimals below 1) the ticks are given outright, one format step or
    more apart: Vega's own ticks would fall between them and repeat a label ("0, 0, 1, 1")."""
    top = max([n for n in numbers if n is not None] + [0.0])
    step = tick_min_step(unit)
    if as_unit(unit) == Unit.COUNT and top <= 20:
        step = 1 if top <= 10 else 2
    elif as_unit(unit) == Unit.COUNT or top >= 1:
        return value_axis(unit, zero=True, nice=True)
    count = max(math.ceil(round(top / step, 6)), 1)
    values = [round(i * step, 6) for i in range(count + 1)]
    spec = value_axis(unit, domain=[0, values[-1]], nice=False)
    # Vega thins given values to its tick count (and to the minimum step): keep them all.
    spec["axis"] = {"format": axis_format(unit), "values": values, "tickCount": len(values)}
    return spec


def shown_count(values: Sequence[Value]) -> int:
    """How many of the values are drawn as numbers (not markers, not missing)."""
    return sum(1 for value in values if as_number(value) is not None)


def with_halo(layer: dict[str, Any]) -> list[dict[str, Any]]:
    """A text layer twice: first as a white outline, then the text itself, so that a rule or
    line drawn before it never crosses the figures (they stay readable where they meet)."""
    halo = {
        **layer,
        "mark": {
            **layer["mark"],
            "color": WHITE,
            "stroke": WHITE,
            "strokeWidth": 4,
            "strokeJoin": "round",
        },
    }
    halo["encoding"] = {k: v for k, v in layer["encoding"].items() if k != "tooltip"}
    return [halo, layer]


def rule_layers(
    value: Value,
    label: str,
    *,
    colour: str,
    dash: tuple[int, ...],
    unit: Unit | str,
    channel: str = "y",
    label_before: bool = False,
    label_side: str = "middle",
) -> list[dict[str, Any]]:
    """A reference or target rule across the plot with its label; nothing for a marker. A
    horizontal rule is labelled outside the plot, right of its end, where no value label of
    the plot can be; a vertical one above the plot, on the left of the rule if
    `label_before`. `label_side` ("above", "middle", "below") keeps the labels of two close
    horizontal rules apart. Callers put these layers before their value labels (see
    `with_halo`)."""
    number = as_number(value)
    if number is None:
        return []
    data = {"values": [{"value": number, "label": label}]}
    position = {"field": "value", "type": "quantitative"}
    tooltip = tooltip_fields(("label", _("Value")))
    rule = {
        "data": data,
        "mark": {"type": "rule", "color": colour, "strokeDash": list(dash), "size": 1.5},
        "encoding": {channel: position, "tooltip": tooltip},
    }
    text_mark: dict[str, Any]
    text_position: dict[str, Any]
    if channel == "y":
        baseline, dy = {"above": ("bottom", 1), "below": ("top", -1)}.get(label_side, ("middle", 0))
        text_mark = {"align": "left", "baseline": baseline, "dx": 6, "dy": dy}
        text_position = {"y": position, "x": {"value": "width"}}
    else:
        side: dict[str, Any] = (
            {"align": "right", "dx": -4} if label_before else {"align": "left", "dx": 4}
        )
        text_mark = {**side, "baseline": "bottom", "dy": -4}
        text_position = {"x": position, "y": {"value": 0}}
    text = {
        "data": data,
        "mark": {"type": "text", "color": colour, "fontSize": 11, **text_mark},
        "encoding": {**text_position, "text": {"field": "label", "type": "nominal"}},
    }
    return [rule, text]


def stack_transform(groupby: str, order: str) -> list[dict[str, Any]]:
    """v0/v1: each segment's start and end; mid: its centre; fit: the smallest segment that
    has room for a label (4 % of the group's total)."""
    return [
        {
            "stack": "value",
            "groupby": [groupby],
            "sort": [{"field": order, "order": "ascending"}],
            "as": ["v0", "v1"],
        },
        {"calculate": "(datum.v0 + datum.v1) / 2", "as": "mid"},
        {
            "joinaggregate": [{"op": "sum", "field": "value", "as": "total"}],
            "groupby": [groupby],
        },
        {"calculate": "datum.total * 0.04", "as": "fit"},
    ]
