"""Vega-Lite specs for every chart the product draws: pure functions from values to dicts.

Pages embed a spec with `{% chart spec %}` (templatetags/charts.py) and web/static/web/charts.js
renders it with the vendored vega-embed; the PDF reports will render the same specs. No
function here needs a request: Swedish labels come from gettext (the active language, Swedish
by default) or from the caller.

Conventions shared by all charts:
- A value is a number, a suppression marker ("..", "~100", ".") or None. A marker is never
  drawn as a number: its datum has `value: null` (a gap in a line, no bar) and its `label`
  (what tooltips and the hidden table show) is the marker itself.
- Every datum carries `label`, the value formatted the Swedish way ("75,6 %"), so tooltips
  and text alternatives read like the tables; axes format through `config.locale` (decimal
  comma, no-break space between thousands).
- Colours come from a colour-blind-safe palette (Okabe–Ito hues, every one at least 3:1
  against white), and series differ by dash and point shape too; values are written next to
  the marks, so no chart relies on colour alone.
- `usermeta.table` holds the chart's data as display strings; the template tag renders it as a
  visually hidden table for screen readers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

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

GRADES = ("A", "B", "C", "D", "E", "F", "-")
# Passing grades in blues from dark to light, F in orange, "-" (no basis) in grey; each grade's
# label colour has at least 4.5:1 contrast against its segment.
GRADE_COLOURS = {
    "A": "#08519C",
    "B": "#2171B5",
    "C": "#4292C6",
    "D": "#6BAED6",
    "E": "#9ECAE1",
    "F": "#B35A00",
    "-": "#767676",
}
GRADE_LABEL_COLOURS = {
    "A": WHITE,
    "B": WHITE,
    "C": INK,
    "D": INK,
    "E": INK,
    "F": WHITE,
    "-": WHITE,
}
TEST_COLOURS = ("#B35A00", "#767676", "#0072B2")  # lower, same, higher; white labels

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


class TestVsGrade(NamedTuple):
    """One subject's shares (percent) of pupils whose grade is lower than, the same as or
    higher than their national-test grade."""

    __test__ = False  # not a pytest test class, whatever its name

    subject: str
    lower: Value
    same: Value
    higher: Value


# ---------------------------------------------------------------------------------------
# Shared building blocks


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


def _unit(unit: Unit | str) -> Unit:
    return Unit(unit)


def axis_title(unit: Unit | str) -> str:
    return {
        Unit.PERCENT: _("Percent"),
        Unit.POINTS: _("Points"),
        Unit.RATIO: _("Ratio"),
        Unit.COUNT: _("Number"),
    }[_unit(unit)]


def axis_format(unit: Unit | str) -> str:
    """A d3 format for axis labels; with config.locale it gives "1 234,5"."""
    return ",d" if _unit(unit) == Unit.COUNT else ",.1~f"  # at most one decimal, as the tables


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


def _pairs(series: Series) -> list[tuple[str, Value]]:
    items = series.items() if isinstance(series, Mapping) else series
    return [(str(key), value) for key, value in items]


def _is_series(reference: Any) -> bool:
    return isinstance(reference, Mapping) or (
        isinstance(reference, Sequence) and not isinstance(reference, str)
    )


def rows_height(rows: int, *, step: int, legend: bool) -> int:
    """The height of a chart with one band per row: the bands plus room for the title, the
    value axis and a legend (a height by "step" would not let the width fit the page)."""
    return step * max(rows, 1) + 70 + (40 if legend else 0)


def _base(*, title: str, description: str, height: int, table: dict[str, Any]) -> Spec:
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


def _table(columns: list[str], rows: list[list[str]], notes: list[str] | None = None) -> dict:
    return {"columns": columns, "rows": rows, "notes": notes or []}


def _tooltip(*fields: tuple[str, str]) -> list[dict[str, str]]:
    return [{"field": field, "title": title, "type": "nominal"} for field, title in fields]


def _not_shown(field: str = "marker") -> dict[str, str]:
    return {"filter": f"datum.{field} != ''"}


def _shown() -> dict[str, str]:
    return {"filter": "isValid(datum.value)"}


def _js(text: str) -> str:
    """A string literal for a Vega expression (JSON's escapes are valid there)."""
    return json.dumps(text)


# ---------------------------------------------------------------------------------------
# Trend over periods


def trend_chart(
    points: Series,
    *,
    title: str,
    unit: Unit | str,
    target: Value = None,
    references: Mapping[str, Value | Series] | None = None,
    name: str = "",
    description: str = "",
    height: int = 260,
) -> Spec:
    """A line over periods ("HT2024", "VT2025", "Uppföljning 1 HT2025", ...) in the given
    order. `references` maps a name ("Riket", "Kommunen") either to a series over the same
    periods (drawn as another line, dashed) or to one value (a horizontal rule); `target` is
    drawn as a dashed rule. Suppressed points leave a gap and show their marker."""
    name = name or _("Result")
    main = _pairs(points)
    series = {name: main}
    rules: dict[str, Value] = {}
    for ref_name, reference in (references or {}).items():
        if _is_series(reference):
            series[ref_name] = _pairs(reference)  # type: ignore[arg-type]
        else:
            rules[ref_name] = reference  # type: ignore[assignment]
    periods = _period_order(series)
    values = [
        datum(value, unit, series=s, period=period)
        for s, pairs in series.items()
        for period, value in pairs
    ]
    names = list(series)
    layers = [
        _trend_lines(names, periods, unit),
        _trend_points(names, periods, unit),
        _trend_value_labels(name, periods),
        _trend_markers(name, periods),
    ]
    notes = []
    for i, (ref_name, value) in enumerate(rules.items()):
        colour = SERIES_COLOURS[(len(names) + i) % len(SERIES_COLOURS)]
        dash = DASHES[(len(names) + i) % len(DASHES)]
        label = f"{ref_name}: {format_value(value, unit)}"
        notes.append(label)
        layers += _rule(value, label, colour=colour, dash=dash, unit=unit)
    if target is not None:
        label = _("Target: %(value)s") % {"value": format_value(target, unit)}
        notes.append(label)
        layers += _rule(target, label, colour=INK, dash=(4, 4), unit=unit)
    spec = _base(
        title=title,
        description=description or _trend_description(title, main, unit, notes),
        height=height,
        table=_trend_table(series, periods, unit, notes),
    )
    spec["data"] = {"values": values}
    spec["layer"] = layers
    return spec


def _period_order(series: Mapping[str, list[tuple[str, Value]]]) -> list[str]:
    order: dict[str, None] = {}
    for pairs in series.values():
        for period, _value in pairs:
            order.setdefault(period, None)
    return list(order)


def _period_axis(periods: list[str]) -> dict[str, Any]:
    long_labels = any(len(p) > 8 for p in periods) and len(periods) > 4
    return {
        "field": "period",
        "type": "ordinal",
        "sort": periods,
        "title": None,
        "axis": {"labelAngle": -30 if long_labels else 0, "labelLimit": 240},
    }


def _value_axis(unit: Unit | str, **scale: Any) -> dict[str, Any]:
    return {
        "field": "value",
        "type": "quantitative",
        "title": axis_title(unit),
        "axis": {"format": axis_format(unit)},
        "scale": scale,
    }


def _series_scale(names: list[str], channel: str) -> dict[str, Any]:
    ranges = {
        "color": [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(names))],
        "strokeDash": [list(DASHES[i % len(DASHES)]) for i in range(len(names))],
        "shape": [SHAPES[i % len(SHAPES)] for i in range(len(names))],
    }
    legend = {"title": None} if len(names) > 1 else None
    return {
        "field": "series",
        "type": "nominal",
        "scale": {"domain": names, "range": ranges[channel]},
        "legend": legend,
    }


def _trend_tooltip() -> list[dict[str, str]]:
    return _tooltip(("series", _("Series")), ("period", _("Period")), ("label", _("Value")))


def _trend_lines(names: list[str], periods: list[str], unit: Unit | str) -> dict[str, Any]:
    return {
        "mark": {"type": "line", "strokeWidth": 2.5, "invalid": "break-paths-filter-domains"},
        "encoding": {
            "x": _period_axis(periods),
            "y": _value_axis(unit, zero=False, nice=True),
            "color": _series_scale(names, "color"),
            "strokeDash": _series_scale(names, "strokeDash"),
        },
    }


def _trend_points(names: list[str], periods: list[str], unit: Unit | str) -> dict[str, Any]:
    return {
        "transform": [_shown()],
        "mark": {"type": "point", "filled": True, "size": 70, "opacity": 1},
        "encoding": {
            "x": _period_axis(periods),
            "y": {"field": "value", "type": "quantitative"},
            "color": _series_scale(names, "color"),
            "shape": _series_scale(names, "shape"),
            "tooltip": _trend_tooltip(),
        },
    }


def _trend_value_labels(name: str, periods: list[str]) -> dict[str, Any]:
    return {
        "transform": [{"filter": f"datum.series == {_js(name)}"}, _shown()],
        "mark": {"type": "text", "dy": -12, "fontSize": 11, "color": INK},
        "encoding": {
            "x": _period_axis(periods),
            "y": {"field": "value", "type": "quantitative"},
            "text": {"field": "label", "type": "nominal"},
        },
    }


def _trend_markers(name: str, periods: list[str]) -> dict[str, Any]:
    """The marker of each suppressed point of the main series, at the foot of the plot."""
    return {
        "transform": [{"filter": f"datum.series == {_js(name)}"}, _not_shown()],
        "mark": {"type": "text", "baseline": "bottom", "dy": -4, "fontSize": 13, "color": MUTED},
        "encoding": {
            "x": _period_axis(periods),
            "y": {"value": "height"},
            "text": {"field": "marker", "type": "nominal"},
            "tooltip": _trend_tooltip(),
        },
    }


def _rule(
    value: Value,
    label: str,
    *,
    colour: str,
    dash: tuple[int, ...],
    unit: Unit | str,
    channel: str = "y",
    label_before: bool = False,
) -> list[dict[str, Any]]:
    """A reference or target rule across the plot with its label (for a vertical rule, above
    the plot, on the left of the rule if `label_before`); nothing for a marker."""
    number = as_number(value)
    if number is None:
        return []
    data = {"values": [{"value": number, "label": label}]}
    position = {"field": "value", "type": "quantitative"}
    tooltip = _tooltip(("label", _("Value")))
    rule = {
        "data": data,
        "mark": {"type": "rule", "color": colour, "strokeDash": list(dash), "size": 1.5},
        "encoding": {channel: position, "tooltip": tooltip},
    }
    if channel == "y":
        text_mark = {"align": "right", "baseline": "bottom", "dy": -3}
        text_position = {"y": position, "x": {"value": "width"}}
    else:
        side = {"align": "right", "dx": -4} if label_before else {"align": "left", "dx": 4}
        text_mark = {**side, "baseline": "bottom", "dy": -4}
        text_position = {"x": position, "y": {"value": 0}}
    text = {
        "data": data,
        "mark": {"type": "text", "color": colour, "fontSize": 11, **text_mark},
        "encoding": {**text_position, "text": {"field": "label", "type": "nominal"}},
    }
    return [rule, text]


def _trend_description(
    title: str, main: list[tuple[str, Value]], unit: Unit | str, notes: list[str]
) -> str:
    parts = [title] if title else []
    shown = [(p, v) for p, v in main if as_number(v) is not None]
    if len(shown) > 1:
        period, value = shown[0]
        parts.append(
            _("Earliest (%(period)s): %(value)s")
            % {"period": period, "value": format_value(value, unit)}
        )
    if shown:
        period, value = shown[-1]
        parts.append(
            _("Latest (%(period)s): %(value)s")
            % {"period": period, "value": format_value(value, unit)}
        )
    parts += notes
    return ". ".join(parts) + "." if parts else ""


def _trend_table(
    series: Mapping[str, list[tuple[str, Value]]],
    periods: list[str],
    unit: Unit | str,
    notes: list[str],
) -> dict[str, Any]:
    lookup = {s: dict(pairs) for s, pairs in series.items()}
    rows = [[period, *(_cell(lookup[s], period, unit) for s in series)] for period in periods]
    return _table([_("Period"), *series], rows, notes)


def _cell(values: Mapping[str, Value], key: str, unit: Unit | str) -> str:
    return format_value(values[key], unit) if key in values else ""


# ---------------------------------------------------------------------------------------
# Sparkline


def sparkline(
    values: Sequence[Value] | Series,
    *,
    unit: Unit | str = Unit.POINTS,
    width: int = 80,
    height: int = 20,
) -> Spec:
    """A tiny line for a table cell: no axes, no title, gaps at suppressed values, the last
    shown value as a dot. Its text alternative lists the values."""
    pairs = _spark_pairs(values)
    data = [datum(v, unit, period=p, i=i) for i, (p, v) in enumerate(pairs)]
    labels = [d["label"] for d in data]
    spec: Spec = {
        "$schema": SCHEMA,
        "description": _("Trend: %(values)s") % {"values": "; ".join(labels)},
        "width": width,
        "height": height,
        "padding": 2,
        "autosize": {"type": "pad"},
        "config": {**chart_config(), "background": None},
        "data": {"values": data},
        "encoding": {
            "x": {"field": "i", "type": "quantitative", "axis": None},
            "y": {"field": "value", "type": "quantitative", "axis": None, "scale": {"zero": False}},
            "tooltip": _tooltip(("period", _("Period")), ("label", _("Value"))),
        },
        "layer": [
            {
                "mark": {
                    "type": "line",
                    "color": SERIES_COLOURS[0],
                    "strokeWidth": 1.5,
                    "invalid": "break-paths-filter-domains",
                }
            },
            {
                "transform": [
                    _shown(),
                    {
                        "window": [{"op": "row_number", "as": "rank"}],
                        "sort": [{"field": "i", "order": "descending"}],
                    },
                    {"filter": "datum.rank == 1"},
                ],
                "mark": {"type": "point", "filled": True, "size": 16, "color": SERIES_COLOURS[0]},
            },
        ],
        "usermeta": {
            "kind": "sparkline",
            "table": _table(
                [_("Period"), _("Value")],
                [[p, lab] for (p, _v), lab in zip(pairs, labels, strict=True)],
            ),
        },
    }
    return spec


def _spark_pairs(values: Sequence[Value] | Series) -> list[tuple[str, Value]]:
    if isinstance(values, Mapping):
        return _pairs(values)
    pairs: list[tuple[str, Value]] = []
    for i, item in enumerate(values):
        if isinstance(item, tuple):
            pairs.append((str(item[0]), item[1]))
        else:
            pairs.append((str(i + 1), item))
    return pairs


# ---------------------------------------------------------------------------------------
# Grade distribution


def distribution_chart(
    counts: Mapping[str, Value] | Mapping[str, Mapping[str, Value]],
    *,
    title: str,
    as_share: bool = True,
    stacked: bool = False,
    grades: Sequence[str] = GRADES,
    description: str = "",
) -> Spec:
    """The distribution of grades A–F and "-" (no basis), as shares of the pupils (default)
    or as counts. `counts` is either grade → count, or group → (grade → count) to compare
    groups such as girls and boys. Grouped bars by default (grade on the axis, groups side by
    side, told apart by colour and fill); `stacked=True` gives one 100 % bar per group with
    each segment labelled by its grade. A group with any suppressed count is hidden as a whole
    (its other shares would give the hidden one away) and shows its marker."""
    groups = _groups(counts)
    unit = Unit.PERCENT if as_share else Unit.COUNT
    data: list[dict[str, Any]] = []
    for group, by_grade in groups.items():
        data += _distribution_rows(group, by_grade, grades, unit, as_share)
    names = list(groups)
    multi = len(names) > 1 or names != [""]
    table = _distribution_table(groups, data, grades, multi)
    spec = _base(
        title=title,
        description=description or title,
        height=rows_height(len(names), step=44, legend=True) if stacked else 260,
        table=table,
    )
    spec["data"] = {"values": data}
    spec["layer"] = (
        _stacked_grade_layers(names, grades, unit)
        if stacked
        else _grouped_grade_layers(names, grades, unit, multi)
    )
    return spec


def _groups(
    counts: Mapping[str, Value] | Mapping[str, Mapping[str, Value]],
) -> dict[str, Mapping[str, Value]]:
    if counts and all(isinstance(v, Mapping) for v in counts.values()):
        return {str(k): v for k, v in counts.items()}  # type: ignore[misc]
    return {"": counts}  # type: ignore[dict-item]


def _distribution_rows(
    group: str, by_grade: Mapping[str, Value], grades: Sequence[str], unit: Unit, as_share: bool
) -> list[dict[str, Any]]:
    markers = [marker_of(by_grade[g]) for g in grades if g in by_grade]
    group_marker = next((m for m in markers if m), "")
    if group_marker and as_share:
        values: dict[str, Value] = dict.fromkeys(grades, group_marker)
    elif as_share:
        total = sum(as_number(by_grade.get(g)) or 0.0 for g in grades)
        values = {
            g: (100.0 * (as_number(by_grade.get(g)) or 0.0) / total if total else ".")
            for g in grades
        }
    else:
        values = {g: by_grade.get(g, 0) for g in grades}
    rows = []
    for order, grade in enumerate(grades):
        row = datum(values[grade], unit, group=group, grade=grade, order=order)
        row["group_marker"] = group_marker if order == 0 else ""
        row["segment"] = f"{grade}{NBSP}{row['label']}"
        rows.append(row)
    return rows


def _distribution_table(
    groups: Mapping[str, Any], data: list[dict[str, Any]], grades: Sequence[str], multi: bool
) -> dict[str, Any]:
    labels = {(d["group"], d["grade"]): d["label"] for d in data}
    if multi:
        columns = [_("Grade"), *groups]
        rows = [[g, *(labels[(name, g)] for name in groups)] for g in grades]
    else:
        columns = [_("Grade"), _("Value")]
        rows = [[g, labels[("", g)]] for g in grades]
    return _table(columns, rows)


def _grade_tooltip(multi: bool) -> list[dict[str, str]]:
    fields = [("group", _("Group"))] if multi else []
    return _tooltip(*fields, ("grade", _("Grade")), ("label", _("Value")))


def _grouped_grade_layers(
    names: list[str], grades: Sequence[str], unit: Unit, multi: bool
) -> list[dict[str, Any]]:
    x = {
        "field": "grade",
        "type": "ordinal",
        "sort": list(grades),
        "title": _("Grade"),
        "axis": {"labelAngle": 0},
    }
    offset = {"xOffset": {"field": "group", "type": "nominal", "sort": names}} if multi else {}
    y = _value_axis(unit, zero=True, nice=True)
    bar_encoding: dict[str, Any] = {"x": x, "y": y, **offset, "tooltip": _grade_tooltip(multi)}
    if multi:
        bar_encoding["color"] = _group_scale(names, "color")
        bar_encoding["fillOpacity"] = _group_scale(names, "fillOpacity")
        bar_encoding["stroke"] = _group_scale(names, "color")
    bar_mark = {"type": "bar", "strokeWidth": 1.5}
    if not multi:
        bar_mark["color"] = SERIES_COLOURS[0]
    label_y = {"field": "value", "type": "quantitative"}
    return [
        {"transform": [_shown()], "mark": bar_mark, "encoding": bar_encoding},
        {
            "transform": [_shown()],
            "mark": {"type": "text", "dy": -6, "fontSize": 11, "color": INK, "baseline": "bottom"},
            "encoding": {"x": x, "y": label_y, **offset, "text": {"field": "label"}},
        },
        {
            "transform": [_not_shown()],
            "mark": {
                "type": "text",
                "dy": -4,
                "fontSize": 13,
                "color": MUTED,
                "baseline": "bottom",
            },
            "encoding": {
                "x": x,
                "y": {"value": "height"},
                **offset,
                "text": {"field": "marker"},
                "tooltip": _grade_tooltip(multi),
            },
        },
    ]


def _group_scale(names: list[str], channel: str) -> dict[str, Any]:
    ranges = {
        "color": [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(names))],
        # Solid, pale, half: groups differ by fill as well as by colour.
        "fillOpacity": [(1.0, 0.25, 0.6)[i % 3] for i in range(len(names))],
    }
    return {
        "field": "group",
        "type": "ordinal",
        "sort": names,
        "scale": {"domain": names, "range": ranges[channel]},
        "legend": {"title": None},
    }


def _stacked_grade_layers(
    names: list[str], grades: Sequence[str], unit: Unit
) -> list[dict[str, Any]]:
    stack = _stack_transform("group", "order")
    y = {"field": "group", "type": "nominal", "sort": names, "title": None}
    if names == [""]:
        y["axis"] = None
    x_domain = {"domain": [0, 100]} if unit == Unit.PERCENT else {}
    white_labels = [g for g in grades if GRADE_LABEL_COLOURS.get(g, WHITE) == WHITE]
    return [
        {
            "transform": [_shown(), *stack],
            "mark": {"type": "bar", "stroke": WHITE, "strokeWidth": 1},
            "encoding": {
                "y": y,
                "x": {**_value_axis(unit, **x_domain), "field": "v0"},
                "x2": {"field": "v1"},
                "color": {
                    "field": "grade",
                    "type": "nominal",
                    "title": _("Grade"),
                    "scale": {
                        "domain": list(grades),
                        "range": [GRADE_COLOURS.get(g, MUTED) for g in grades],
                    },
                },
                "tooltip": _grade_tooltip(names != [""]),
            },
        },
        {
            "transform": [_shown(), *stack, {"filter": "datum.v1 - datum.v0 >= datum.fit"}],
            "mark": {"type": "text", "fontSize": 11},
            "encoding": {
                "y": y,
                "x": {"field": "mid", "type": "quantitative"},
                "text": {"field": "grade"},
                "color": {
                    "condition": {
                        "test": f"indexof({json.dumps(white_labels)}, datum.grade) >= 0",
                        "value": WHITE,
                    },
                    "value": INK,
                },
            },
        },
        {
            "transform": [{"filter": "datum.group_marker != ''"}],
            "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 13, "color": MUTED},
            "encoding": {
                "y": y,
                "x": {"value": 0},
                "text": {"field": "group_marker"},
                "tooltip": _tooltip(("group", _("Group")), ("group_marker", _("Value"))),
            },
        },
    ]


def _stack_transform(groupby: str, order: str) -> list[dict[str, Any]]:
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


# ---------------------------------------------------------------------------------------
# Units side by side


def comparison_chart(
    rows: Series,
    *,
    title: str,
    unit: Unit | str,
    organiser: Value = None,
    organiser_label: str = "",
    highlight: str | None = None,
    description: str = "",
) -> Spec:
    """Units side by side as horizontal bars in the given order (unit name, value), each
    labelled with its value; the organiser's value as a dashed rule. `highlight` names a unit
    to stress (its bar in the second colour and its name in bold). Suppressed units get no
    bar, only their marker."""
    pairs = _pairs(rows)
    names = [n for n, _v in pairs]
    data = [datum(v, unit, name=n, highlight=n == highlight) for n, v in pairs]
    y = {
        "field": "name",
        "type": "nominal",
        "sort": names,
        "title": None,
        "axis": {"labelLimit": 220, **_bold_label(highlight)},
    }
    x_scale = {"domain": [0, 100]} if _unit(unit) == Unit.PERCENT else {"zero": True, "nice": True}
    tooltip = _tooltip(("name", _("Unit")), ("label", _("Value")))
    layers: list[dict[str, Any]] = [
        {
            "transform": [_shown()],
            "mark": {"type": "bar", "height": {"band": 0.7}},
            "encoding": {
                "y": y,
                "x": _value_axis(unit, **x_scale),
                "color": {
                    "condition": {"test": "datum.highlight", "value": SERIES_COLOURS[1]},
                    "value": SERIES_COLOURS[0],
                },
                "tooltip": tooltip,
            },
        },
        {
            "transform": [_shown()],
            "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 11, "color": INK},
            "encoding": {
                "y": y,
                "x": {"field": "value", "type": "quantitative"},
                "text": {"field": "label"},
            },
        },
        {
            "transform": [_not_shown()],
            "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 13, "color": MUTED},
            "encoding": {
                "y": y,
                "x": {"value": 0},
                "text": {"field": "marker"},
                "tooltip": tooltip,
            },
        },
    ]
    notes = []
    if organiser is not None:
        label = f"{organiser_label or _('Organiser')}: {format_value(organiser, unit)}"
        notes.append(label)
        numbers = [n for n in (as_number(v) for _n, v in pairs) if n is not None]
        end = 100.0 if _unit(unit) == Unit.PERCENT else max([*numbers, 0.0])
        before = (as_number(organiser) or 0.0) > 0.6 * end
        layers += _rule(
            organiser, label, colour=INK, dash=(4, 4), unit=unit, channel="x", label_before=before
        )
    spec = _base(
        title=title,
        description=description or ". ".join([title, *notes]),
        height=rows_height(len(pairs), step=26, legend=False) + (20 if notes else 0),
        table=_table([_("Unit"), axis_title(unit)], [[d["name"], d["label"]] for d in data], notes),
    )
    spec["data"] = {"values": data}
    spec["layer"] = layers
    return spec


def _bold_label(highlight: str | None) -> dict[str, Any]:
    if highlight is None:
        return {}
    return {
        "labelFontWeight": {
            "condition": {"test": f"datum.value == {_js(highlight)}", "value": "bold"},
            "value": "normal",
        }
    }


# ---------------------------------------------------------------------------------------
# National test grade compared with the subject grade


def test_vs_grade_chart(
    rows: Sequence[TestVsGrade | tuple[str, Value, Value, Value]],
    *,
    title: str,
    description: str = "",
) -> Spec:
    """Per subject, the shares (percent) of pupils whose subject grade is lower than, the
    same as, or higher than their national-test grade, as one 100 % bar per subject with
    labelled segments. A subject with any suppressed share is hidden as a whole."""
    categories = [
        _("Grade lower than test grade"),
        _("Grade same as test grade"),
        _("Grade higher than test grade"),
    ]
    subjects = [str(r[0]) for r in rows]
    data: list[dict[str, Any]] = []
    for row in rows:
        data += _test_rows(TestVsGrade(*row), categories)
    y = {"field": "subject", "type": "nominal", "sort": subjects, "title": None}
    tooltip = _tooltip(
        ("subject", _("Subject")), ("category", _("Comparison")), ("label", _("Value"))
    )
    stack = _stack_transform("subject", "order")
    layers = [
        {
            "transform": [_shown(), *stack],
            "mark": {"type": "bar", "stroke": WHITE, "strokeWidth": 1},
            "encoding": {
                "y": y,
                "x": {**_value_axis(Unit.PERCENT, domain=[0, 100]), "field": "v0"},
                "x2": {"field": "v1"},
                "color": {
                    "field": "category",
                    "type": "nominal",
                    "title": None,
                    "legend": {"direction": "vertical", "columns": 1},
                    "scale": {"domain": categories, "range": list(TEST_COLOURS)},
                },
                "tooltip": tooltip,
            },
        },
        {
            "transform": [_shown(), *stack, {"filter": "datum.v1 - datum.v0 >= 14"}],
            "mark": {"type": "text", "fontSize": 11, "color": WHITE},
            "encoding": {
                "y": y,
                "x": {"field": "mid", "type": "quantitative"},
                "text": {"field": "label"},
            },
        },
        {
            "transform": [{"filter": "datum.group_marker != ''"}],
            "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 13, "color": MUTED},
            "encoding": {
                "y": y,
                "x": {"value": 0},
                "text": {"field": "group_marker"},
                "tooltip": _tooltip(("subject", _("Subject")), ("group_marker", _("Value"))),
            },
        },
    ]
    labels = {(d["subject"], d["order"]): d["label"] for d in data}
    table_rows = [[s, *(labels[(s, i)] for i in range(3))] for s in subjects]
    spec = _base(
        title=title,
        description=description or title,
        height=rows_height(len(subjects), step=34, legend=True) + 40,
        table=_table([_("Subject"), *categories], table_rows),
    )
    spec["data"] = {"values": data}
    spec["layer"] = layers
    return spec


test_vs_grade_chart.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def _test_rows(row: TestVsGrade, categories: list[str]) -> list[dict[str, Any]]:
    shares = (row.lower, row.same, row.higher)
    group_marker = next((marker_of(v) for v in shares if marker_of(v)), "")
    out = []
    for order, (category, share) in enumerate(zip(categories, shares, strict=True)):
        shown: Value = group_marker if group_marker else share
        d = datum(shown, Unit.PERCENT, subject=row.subject, category=category, order=order)
        d["group_marker"] = group_marker if order == 0 else ""
        out.append(d)
    return out
