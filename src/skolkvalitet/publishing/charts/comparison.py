"""Units side by side: one bar per unit for one indicator, in the order given, with the
organiser's figure as a rule and each unit's target as a mark (`comparison_chart`)."""

from __future__ import annotations

from collections.abc import Mapping
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
    shown_count,
    tooltip_fields,
    value_axis,
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


def comparison_chart(
    rows: Series,
    *,
    title: str,
    unit: Unit | str,
    organiser: Value = None,
    organiser_label: str = "",
    highlight: str | None = None,
    targets: Mapping[str, Value] | None = None,
    description: str = "",
) -> Spec:
    """Units side by side as horizontal bars in the given order (unit name, value), each
    labelled with its value; the organiser's value as a dashed rule. `highlight` names a unit
    to stress (its bar in the second colour and its name in bold). `targets` maps a unit's
    name to its target, drawn as a black mark across its bar. Suppressed units get no bar,
    only their marker. Rules and target marks never cover a value label."""
    pairs = series_pairs(rows)
    names = [n for n, _v in pairs]
    # A target is marked only on a drawn bar: beside a marker or no figure it would stand
    # for a result that is not there.
    drawn = {name for name, value in pairs if as_number(value) is not None}
    goals = {n: as_number(v) for n, v in (targets or {}).items() if n in drawn}
    data = [
        {
            **datum(v, unit, name=n, highlight=n == highlight),
            "target": goals.get(n),
            "target_label": format_value(goals.get(n), unit) if goals.get(n) is not None else "",
        }
        for n, v in pairs
    ]
    with_targets = any(d["target"] is not None for d in data)
    y = {
        "field": "name",
        "type": "nominal",
        "sort": names,
        "title": None,
        "axis": {"labelLimit": 220, **_bold_label(highlight)},
    }
    x = (
        value_axis(unit, domain=[0, 100])
        if as_unit(unit) == Unit.PERCENT
        else zero_based_axis(
            unit, [d["value"] for d in data] + [as_number(organiser), *goals.values()]
        )
    )
    tooltip = tooltip_fields(("name", _("Unit")), ("label", _("Value")))
    if with_targets:
        tooltip += tooltip_fields(("target_label", _("Target")))
    layers: list[dict[str, Any]] = [
        {
            "transform": [value_filter()],
            "mark": {"type": "bar", "height": {"band": 0.7}},
            "encoding": {
                "y": y,
                "x": x,
                "color": {
                    "condition": {"test": "datum.highlight", "value": SERIES_COLOURS[1]},
                    "value": SERIES_COLOURS[0],
                },
                "tooltip": tooltip,
            },
        }
    ]
    notes = []
    drawn_rule: list[dict[str, Any]] = []
    if organiser is not None:
        label = f"{organiser_label or _('Organiser')}: {format_value(organiser, unit)}"
        notes.append(label)
        numbers = [n for n in (as_number(v) for _n, v in pairs) if n is not None]
        end = 100.0 if as_unit(unit) == Unit.PERCENT else max([*numbers, 0.0])
        before = (as_number(organiser) or 0.0) > 0.6 * end
        # The rule alone: its label ("Ekbacka kommun, utbildningsförvaltningen: 75,1 %") is
        # the subtitle, which the page wraps to the chart's width. Written beside the rule it
        # ran past the chart's edges on a phone and pushed the title off its left edge.
        drawn_rule = rule_layers(
            organiser, label, colour=INK, dash=(4, 4), unit=unit, channel="x", label_before=before
        )[:1]  # none for a hidden figure
        layers += drawn_rule
    if with_targets:
        notes.append(str(_("Black mark: the unit's target")))
        layers.append(
            {
                "transform": [{"filter": "isValid(datum.target)"}],
                "mark": {"type": "tick", "color": INK, "opacity": 1, "thickness": 3, "size": 22},
                "encoding": {
                    "y": y,
                    "x": {"field": "target", "type": "quantitative"},
                    "tooltip": tooltip,
                },
            }
        )
    # The value is written right of the bar, or right of the target mark where that is
    # further out, so that the mark is never hidden behind it.
    layers += with_halo(
        {
            "transform": [
                value_filter(),
                {"calculate": "max(datum.value, datum.target || 0)", "as": "label_at"},
            ],
            "mark": {"type": "text", "align": "left", "dx": 5, "fontSize": 11, "color": INK},
            "encoding": {
                "y": y,
                "x": {"field": "label_at", "type": "quantitative"},
                "text": {"field": "label"},
            },
        }
    )
    layers.append(
        {
            "transform": [marked_filter()],
            "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 13, "color": MUTED},
            "encoding": {
                "y": y,
                "x": {"value": 0},
                "text": {"field": "marker"},
                "tooltip": tooltip,
            },
        }
    )
    columns = [_("Unit"), axis_title(unit)]
    table_rows = [[d["name"], d["label"]] for d in data]
    if with_targets:
        columns.append(_("Target"))
        table_rows = [[*r, d["target_label"]] for r, d in zip(table_rows, data, strict=True)]
    spec = base_spec(
        title=title,
        description=description or ". ".join([title, *notes]),
        height=rows_height(len(pairs), step=26, legend=False) + (20 if notes else 0),
        table=data_table(columns, table_rows, notes),
    )
    subtitle = []
    if organiser is not None and drawn_rule:
        subtitle.append(str(_("Dashed line: %(reference)s") % {"reference": notes[0]}))
    if with_targets:
        subtitle.append(str(_("Black mark: the unit's target")))
    if subtitle and title:
        spec["title"] = {
            "text": title,
            "subtitle": ". ".join(subtitle),
            "subtitleColor": MUTED,
            "aria": False,
        }
    # Room right of the bars for their value labels ("100,0 %"), which the fitted width
    # would otherwise cut at the chart's edge on a phone.
    spec["padding"] = {"left": 0, "top": 0, "bottom": 0, "right": 48}
    spec["data"] = {"values": data}
    spec["layer"] = layers
    spec["usermeta"]["shown"] = shown_count([v for _n, v in pairs])
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
