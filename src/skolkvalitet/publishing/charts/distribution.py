"""Grade distributions: grades A–F and "-" as shares or counts, one bar or grouped or
stacked per subject (`distribution_chart`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from skolkvalitet.publishing.charts.base import (
    INK,
    MUTED,
    SERIES_COLOURS,
    WHITE,
    Spec,
    base_spec,
    data_table,
    datum,
    marked_filter,
    rows_height,
    shown_count,
    stack_transform,
    tooltip_fields,
    value_axis,
    value_filter,
)
from skolkvalitet.publishing.formatting import (
    NBSP,
    Unit,
    Value,
    as_number,
    marker_of,
)

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
    spec = base_spec(
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
    spec["usermeta"]["shown"] = shown_count([d["value"] for d in data])
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
    return data_table(columns, rows)


def _grade_tooltip(multi: bool) -> list[dict[str, str]]:
    fields = [("group", _("Group"))] if multi else []
    return tooltip_fields(*fields, ("grade", _("Grade")), ("label", _("Value")))


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
    y = value_axis(unit, zero=True, nice=True)
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
        {"transform": [value_filter()], "mark": bar_mark, "encoding": bar_encoding},
        {
            "transform": [value_filter()],
            "mark": {"type": "text", "dy": -6, "fontSize": 11, "color": INK, "baseline": "bottom"},
            "encoding": {"x": x, "y": label_y, **offset, "text": {"field": "label"}},
        },
        {
            "transform": [marked_filter()],
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
    stack = stack_transform("group", "order")
    y = {"field": "group", "type": "nominal", "sort": names, "title": None}
    if names == [""]:
        y["axis"] = None
    x_domain = {"domain": [0, 100]} if unit == Unit.PERCENT else {}
    white_labels = [g for g in grades if GRADE_LABEL_COLOURS.get(g, WHITE) == WHITE]
    return [
        {
            "transform": [value_filter(), *stack],
            "mark": {"type": "bar", "stroke": WHITE, "strokeWidth": 1},
            "encoding": {
                "y": y,
                "x": {**value_axis(unit, **x_domain), "field": "v0"},
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
            "transform": [value_filter(), *stack, {"filter": "datum.v1 - datum.v0 >= datum.fit"}],
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
                "tooltip": tooltip_fields(("group", _("Group")), ("group_marker", _("Value"))),
            },
        },
    ]
