"""Trends over periods: a line per series with target and reference rules
(`trend_chart`), a line per group of pupils instead of the total (`breakdown_trend_chart`),
and the small sparkline of a table cell (`sparkline`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from skolkvalitet.publishing.charts.base import (
    DASHES,
    INK,
    MUTED,
    SCHEMA,
    SERIES_COLOURS,
    SHAPES,
    Series,
    Spec,
    base_spec,
    chart_config,
    data_table,
    datum,
    is_series,
    js_literal,
    marked_filter,
    rule_layers,
    series_pairs,
    shown_count,
    tooltip_fields,
    value_filter,
    with_halo,
    zero_based_axis,
)
from skolkvalitet.publishing.formatting import (
    Unit,
    Value,
    as_number,
    format_value,
)


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
    order, each point labelled with its value. `references` maps a name ("Riket", "Kommunen")
    either to a series over the same periods (drawn as another line, dashed) or to one value
    (a horizontal rule); `target` is drawn as a dashed rule. Suppressed points leave a gap and
    show their marker. The value axis starts at 0, so that a small change looks small."""
    name = name or _("Result")
    return _trend(
        {name: series_pairs(points)},
        title=title,
        unit=unit,
        target=target,
        references=references,
        description=description,
        height=height,
    )


def breakdown_trend_chart(
    groups: Mapping[str, Series],
    *,
    title: str,
    unit: Unit | str,
    target: Value = None,
    references: Mapping[str, Value | Series] | None = None,
    description: str = "",
    height: int = 300,
) -> Spec:
    """One line per group of pupils ("Flickor", "Pojkar", "Årskurs 7", ...) over the periods,
    in the given order, instead of the total: told apart by colour, dash and shape, with
    their values in the tooltips and the hidden table (labels at every point of several
    close lines would cover each other). Suppressed points leave a gap and show their marker
    in the group's colour; references and target as in `trend_chart`."""
    return _trend(
        {group: series_pairs(pairs) for group, pairs in groups.items()},
        title=title,
        unit=unit,
        target=target,
        references=references,
        description=description,
        height=height,
    )


def _trend(
    primary: dict[str, list[tuple[str, Value]]],
    *,
    title: str,
    unit: Unit | str,
    target: Value,
    references: Mapping[str, Value | Series] | None,
    description: str,
    height: int,
) -> Spec:
    series = dict(primary)
    rules: dict[str, Value] = {}
    for ref_name, reference in (references or {}).items():
        if is_series(reference):
            series[ref_name] = series_pairs(reference)  # type: ignore[arg-type]
        else:
            rules[ref_name] = reference  # type: ignore[assignment]
    periods = _period_order(series)
    values = [
        datum(value, unit, series=s, period=period)
        for s, pairs in series.items()
        for period, value in pairs
    ]
    names = list(series)
    # Rules first, so that lines, points and value labels are drawn over them.
    layers: list[dict[str, Any]] = []
    notes = []
    drawn: list[tuple[Value, str, str, tuple[int, ...]]] = []
    for i, (ref_name, value) in enumerate(rules.items()):
        colour = SERIES_COLOURS[(len(names) + i) % len(SERIES_COLOURS)]
        label = f"{ref_name}: {format_value(value, unit)}"
        notes.append(label)
        drawn.append((value, label, colour, DASHES[(len(names) + i) % len(DASHES)]))
    if target is not None:
        label = _("Target: %(value)s") % {"value": format_value(target, unit)}
        notes.append(label)
        drawn.append((target, label, INK, (4, 4)))
    sides = _label_sides([as_number(value) for value, *_rest in drawn])
    for (value, label, colour, pattern), side in zip(drawn, sides, strict=True):
        layers += rule_layers(value, label, colour=colour, dash=pattern, unit=unit, label_side=side)
    numbers = [d["value"] for d in values] + [as_number(v) for v in (*rules.values(), target)]
    y = zero_based_axis(unit, numbers)
    layers += [_trend_lines(names, periods, y), _trend_points(names, periods)]
    if len(primary) == 1:
        main_name = next(iter(primary))
        layers += with_halo(_trend_value_labels(main_name, periods))
        layers.append(_trend_markers(main_name, periods))
    else:
        # Each period's markers one above the other, in the groups' colours.
        above: dict[str, int] = {}
        for d in values:
            if d["series"] in primary and d["marker"]:
                d["marker_row"] = above.get(d["period"], 0)
                above[d["period"]] = d["marker_row"] + 1
        for row in range(max(above.values(), default=0)):
            layers.append(_group_markers(names, periods, row))
    shown = shown_count([value for pairs in primary.values() for _period, value in pairs])
    spec = base_spec(
        title=title,
        description=description or _trend_description(title, primary, unit, notes),
        height=height + 24 * max(_legend_rows(len(names)) - 1, 0),
        table=_trend_table(series, periods, unit, notes),
    )
    spec["data"] = {"values": values}
    spec["layer"] = layers
    spec["usermeta"]["shown"] = shown
    return spec


LEGEND_COLUMNS = 4


def _label_sides(values: list[float | None]) -> list[str]:
    """Where each rule's label goes beside its end: in the middle when it is alone; with
    several, the higher of each neighbouring pair above its rule and the lower below, so
    that the labels of two close rules (a target of 75 %, Riket at 74,8 %) do not overlap."""
    shown = sorted((v, i) for i, v in enumerate(values) if v is not None)
    if len(shown) < 2:
        return ["middle"] * len(values)
    sides = ["middle"] * len(values)
    for rank, (_value, i) in enumerate(reversed(shown)):
        sides[i] = "above" if rank % 2 == 0 else "below"
    return sides


def _legend_rows(names: int) -> int:
    return -(-names // LEGEND_COLUMNS) if names > 1 else 0


def _period_order(series: Mapping[str, list[tuple[str, Value]]]) -> list[str]:
    order: dict[str, None] = {}
    for pairs in series.values():
        for period, _value in pairs:
            order.setdefault(period, None)
    return list(order)


# About the width of one character of an axis label (11 px sans-serif), and the least room
# a value label ("100,0 %") needs at 11 px before it would touch its neighbour's.
LABEL_CHARACTER_PX = 6.5
VALUE_LABEL_PX = 44


def _crowded(periods: list[str], room: float) -> str:
    """A Vega expression, true when the chart's width leaves each period less than `room`
    pixels: decided in the browser (a phone is narrower than a desktop) and in a document.

    In a page it reads the container's width less the value axis (about 50 px), not the
    `width` signal, which the "fit" layout itself sets from the labels' size: an angle that
    depended on it would be decided before the layout and the turned labels cut off. A
    document has no container (0) and a fixed width."""
    plot = "(containerSize()[0] ? containerSize()[0] - 50 : width)"
    return f"{plot} / {max(len(periods), 1)} < {room:g}"


def _period_axis(periods: list[str]) -> dict[str, Any]:
    """The periods in order; their labels turn aslant only where the width leaves no room
    for them side by side ("VT2024HT2024…" on a phone), rather than on every screen."""
    longest = max((len(p) for p in periods), default=0)
    crowded = _crowded(periods, longest * LABEL_CHARACTER_PX + 12)
    return {
        "field": "period",
        "type": "ordinal",
        "sort": periods,
        "title": None,
        "axis": {
            "labelAngle": {"expr": f"{crowded} ? -45 : 0"},
            "labelAlign": {"expr": f"{crowded} ? 'right' : 'center'"},
            "labelBaseline": {"expr": f"{crowded} ? 'middle' : 'top'"},
            "labelLimit": 240,
        },
    }


def _series_scale(names: list[str], channel: str) -> dict[str, Any]:
    ranges = {
        "color": [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(names))],
        # Shifted once per round of colours, so that the 7th line differs from the 1st.
        "strokeDash": [
            list(DASHES[(i + i // len(SERIES_COLOURS)) % len(DASHES)]) for i in range(len(names))
        ],
        "shape": [SHAPES[i % len(SHAPES)] for i in range(len(names))],
    }
    # Several rows of at most LEGEND_COLUMNS entries, so that nine year groups fit a phone.
    legend = {"title": None, "columns": LEGEND_COLUMNS} if len(names) > 1 else None
    return {
        "field": "series",
        "type": "nominal",
        "scale": {"domain": names, "range": ranges[channel]},
        "legend": legend,
    }


def _trend_tooltip() -> list[dict[str, str]]:
    return tooltip_fields(("series", _("Series")), ("period", _("Period")), ("label", _("Value")))


def _trend_lines(names: list[str], periods: list[str], y: dict[str, Any]) -> dict[str, Any]:
    return {
        "mark": {"type": "line", "strokeWidth": 2.5, "invalid": "break-paths-filter-domains"},
        "encoding": {
            "x": _period_axis(periods),
            "y": y,
            "color": _series_scale(names, "color"),
            "strokeDash": _series_scale(names, "strokeDash"),
        },
    }


def _trend_points(names: list[str], periods: list[str]) -> dict[str, Any]:
    return {
        "transform": [value_filter()],
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
        "transform": [{"filter": f"datum.series == {js_literal(name)}"}, value_filter()],
        # Smaller where the periods stand close, so that neighbouring labels do not run
        # together ("74,5 %76,0 %" on a phone).
        "mark": {
            "type": "text",
            "dy": -12,
            "fontSize": {"expr": f"{_crowded(periods, VALUE_LABEL_PX)} ? 9 : 11"},
            "color": INK,
        },
        "encoding": {
            "x": _period_axis(periods),
            "y": {"field": "value", "type": "quantitative"},
            "text": {"field": "label", "type": "nominal"},
        },
    }


def _trend_markers(name: str, periods: list[str]) -> dict[str, Any]:
    """The marker of each suppressed point of the main series, at the foot of the plot."""
    return {
        "transform": [{"filter": f"datum.series == {js_literal(name)}"}, marked_filter()],
        "mark": {"type": "text", "baseline": "bottom", "dy": -4, "fontSize": 13, "color": MUTED},
        "encoding": {
            "x": _period_axis(periods),
            "y": {"value": "height"},
            "text": {"field": "marker", "type": "nominal"},
            "tooltip": _trend_tooltip(),
        },
    }


def _group_markers(names: list[str], periods: list[str], row: int) -> dict[str, Any]:
    """The `row`-th marker of each period's suppressed group points, at the foot of the plot
    (row 0 lowest), in its group's colour."""
    colour = {**_series_scale(names, "color"), "legend": None}
    return {
        "transform": [{"filter": f"datum.marker_row == {row}"}],
        "mark": {"type": "text", "baseline": "bottom", "dy": -4 - 14 * row, "fontSize": 13},
        "encoding": {
            "x": _period_axis(periods),
            "y": {"value": "height"},
            "text": {"field": "marker", "type": "nominal"},
            "color": colour,
            "tooltip": _trend_tooltip(),
        },
    }


def _trend_description(
    title: str,
    primary: Mapping[str, list[tuple[str, Value]]],
    unit: Unit | str,
    notes: list[str],
) -> str:
    parts = [title] if title else []
    several = len(primary) > 1
    for name, pairs in primary.items():
        shown = [(p, v) for p, v in pairs if as_number(v) is not None]
        prefix = f"{name}, " if several else ""
        if len(shown) > 1 and not several:
            period, value = shown[0]
            parts.append(
                _("Earliest (%(period)s): %(value)s")
                % {"period": period, "value": format_value(value, unit)}
            )
        if shown:
            period, value = shown[-1]
            latest = _("Latest (%(period)s): %(value)s") % {
                "period": period,
                "value": format_value(value, unit),
            }
            parts.append(prefix + (latest[0].lower() + latest[1:] if several else latest))
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
    return data_table([_("Period"), *series], rows, notes)


def _cell(values: Mapping[str, Value], key: str, unit: Unit | str) -> str:
    return format_value(values[key], unit) if key in values else ""


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
            "tooltip": tooltip_fields(("period", _("Period")), ("label", _("Value"))),
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
                    value_filter(),
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
            "table": data_table(
                [_("Period"), _("Value")],
                [[p, lab] for (p, _v), lab in zip(pairs, labels, strict=True)],
            ),
        },
    }
    return spec


def _spark_pairs(values: Sequence[Value] | Series) -> list[tuple[str, Value]]:
    if isinstance(values, Mapping):
        return series_pairs(values)
    pairs: list[tuple[str, Value]] = []
    for i, item in enumerate(values):
        if isinstance(item, tuple):
            pairs.append((str(item[0]), item[1]))
        else:
            pairs.append((str(i + 1), item))
    return pairs
