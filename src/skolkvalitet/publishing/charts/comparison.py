"""Units side by side: one bar per unit for one indicator, in the order given, with the
organiser's figure as a rule (`comparison_chart`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from skolkvalitet.publishing.charts.base import (
    INK,
    MUTED,
    SERIES_COLOURS,
    Series,
    Spec,
    as_unit,
    axis_title,
    base_spec,
    data_table,
    datum,
    js_literal,
    marked_filter,
    rows_height,
    rule_layers,
    series_pairs,
    tooltip_fields,
    value_axis,
    value_filter,
)
from skolkvalitet.publishing.formatting import (
    Unit,
    Value,
    as_number,
    format_value,
)


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
    pairs = series_pairs(rows)
    names = [n for n, _v in pairs]
    data = [datum(v, unit, name=n, highlight=n == highlight) for n, v in pairs]
    y = {
        "field": "name",
        "type": "nominal",
        "sort": names,
        "title": None,
        "axis": {"labelLimit": 220, **_bold_label(highlight)},
    }
    x_scale: dict[str, Any] = (
        {"domain": [0, 100]} if as_unit(unit) == Unit.PERCENT else {"zero": True, "nice": True}
    )
    tooltip = tooltip_fields(("name", _("Unit")), ("label", _("Value")))
    layers: list[dict[str, Any]] = [
        {
            "transform": [value_filter()],
            "mark": {"type": "bar", "height": {"band": 0.7}},
            "encoding": {
                "y": y,
                "x": value_axis(unit, **x_scale),
                "color": {
                    "condition": {"test": "datum.highlight", "value": SERIES_COLOURS[1]},
                    "value": SERIES_COLOURS[0],
                },
                "tooltip": tooltip,
            },
        },
        {
            "transform": [value_filter()],
            "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 11, "color": INK},
            "encoding": {
                "y": y,
                "x": {"field": "value", "type": "quantitative"},
                "text": {"field": "label"},
            },
        },
        {
            "transform": [marked_filter()],
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
        end = 100.0 if as_unit(unit) == Unit.PERCENT else max([*numbers, 0.0])
        before = (as_number(organiser) or 0.0) > 0.6 * end
        layers += rule_layers(
            organiser, label, colour=INK, dash=(4, 4), unit=unit, channel="x", label_before=before
        )
    spec = base_spec(
        title=title,
        description=description or ". ".join([title, *notes]),
        height=rows_height(len(pairs), step=26, legend=False) + (20 if notes else 0),
        table=data_table(
            [_("Unit"), axis_title(unit)], [[d["name"], d["label"]] for d in data], notes
        ),
    )
    spec["data"] = {"values": data}
    spec["layer"] = layers
    return spec


def _bold_label(highlight: str | None) -> dict[str, Any]:
    if highlight is None:
        return {}
    return {
        "labelFontWeight": {
            "condition": {"test": f"datum.value == {js_literal(highlight)}", "value": "bold"},
            "value": "normal",
        }
    }
