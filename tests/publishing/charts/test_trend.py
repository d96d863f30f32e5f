"""The trend chart and the sparkline (publishing/charts/trend.py), checked by hand:
suppressed values, references and targets."""

from __future__ import annotations

import json

from skolkvalitet.indicators.registry import Unit
from skolkvalitet.publishing.charts.trend import sparkline, trend_chart


def _data(spec):
    return spec["data"]["values"]


def _layers_with(spec, mark_type):
    return [layer for layer in spec["layer"] if _mark(layer) == mark_type]


def _mark(layer):
    return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]


def test_trend_with_a_suppressed_point_has_a_null_value_and_the_marker_in_its_tooltip():
    spec = trend_chart(
        [("HT2024", 71.25), ("VT2025", ".."), ("Uppföljning 1 HT2025", 74.0)],
        title="Behöriga",
        unit=Unit.PERCENT,
        name="Ekskolan",
    )
    rows = _data(spec)
    assert [r["period"] for r in rows] == ["HT2024", "VT2025", "Uppföljning 1 HT2025"]
    assert rows[1] == {
        "series": "Ekskolan",
        "period": "VT2025",
        "value": None,
        "label": "..",
        "marker": "..",
    }
    assert rows[0]["value"] == 71.25
    assert rows[0]["label"] == "71,3\u00a0%"  # rounded as shown, decimal comma
    line = _layers_with(spec, "line")[0]
    assert line["mark"]["invalid"] == "break-paths-filter-domains"  # a gap, not a bridge
    assert line["encoding"]["x"]["sort"] == ["HT2024", "VT2025", "Uppföljning 1 HT2025"]
    # The marker is written at the foot of the plot, with a tooltip that shows the label.
    marker_layer = next(
        layer
        for layer in spec["layer"]
        if {"filter": "datum.marker != ''"} in layer.get("transform", [])
    )
    assert marker_layer["encoding"]["text"]["field"] == "marker"
    assert {"field": "label", "title": "Value", "type": "nominal"} in marker_layer["encoding"][
        "tooltip"
    ]


def test_near_full_share_is_not_drawn_as_a_number():
    spec = trend_chart([("VT2025", "~100")], title="", unit="percent")
    assert _data(spec)[0]["value"] is None
    assert _data(spec)[0]["marker"] == "~100"
    assert _data(spec)[0]["label"] == "~100"


def test_not_a_number_is_missing_not_nan():
    spec = trend_chart([("VT2025", float("nan")), ("HT2025", None)], title="", unit="points")
    assert [d["value"] for d in _data(spec)] == [None, None]
    assert [d["marker"] for d in _data(spec)] == [".", "."]
    json.dumps(spec, allow_nan=False)  # valid JSON for the browser


def test_trend_references_and_target():
    spec = trend_chart(
        [("HT2024", 70.0), ("VT2025", 72.0)],
        title="Alla ämnen",
        unit="percent",
        target=80,
        references={"Riket": [("HT2024", 73.4), ("VT2025", 73.9)], "Kommunen": 71.5},
        name="Ekskolan",
    )
    series = {d["series"] for d in _data(spec)}
    assert series == {"Ekskolan", "Riket"}
    line = _layers_with(spec, "line")[0]
    assert line["encoding"]["color"]["scale"]["domain"] == ["Ekskolan", "Riket"]
    # Told apart by dash and shape as well as colour.
    assert (
        line["encoding"]["strokeDash"]["scale"]["range"][0]
        != line["encoding"]["strokeDash"]["scale"]["range"][1]
    )
    points = _layers_with(spec, "point")[0]
    assert points["encoding"]["shape"]["scale"]["range"][:2] == ["circle", "square"]
    rules = _layers_with(spec, "rule")
    assert [r["data"]["values"][0]["value"] for r in rules] == [71.5, 80.0]
    assert rules[1]["data"]["values"][0]["label"] == "Target: 80,0\u00a0%"
    table = spec["usermeta"]["table"]
    assert table["columns"] == ["Period", "Ekskolan", "Riket"]
    assert table["rows"] == [
        ["HT2024", "70,0\u00a0%", "73,4\u00a0%"],
        ["VT2025", "72,0\u00a0%", "73,9\u00a0%"],
    ]
    assert table["notes"] == ["Kommunen: 71,5\u00a0%", "Target: 80,0\u00a0%"]
    assert "Latest (VT2025): 72,0\u00a0%" in spec["description"]


def test_a_suppressed_target_or_reference_draws_no_rule():
    spec = trend_chart(
        [("VT2025", 72.0)], title="", unit="percent", target="..", references={"Riket": ".."}
    )
    assert _layers_with(spec, "rule") == []


def test_sparkline_has_no_axes_and_a_gap():
    spec = sparkline([210.0, "..", 215.5], unit="points")
    assert spec["encoding"]["x"]["axis"] is None
    assert spec["encoding"]["y"]["axis"] is None
    assert "title" not in spec
    assert [d["value"] for d in _data(spec)] == [210.0, None, 215.5]
    assert spec["usermeta"]["kind"] == "sparkline"
    assert spec["description"] == "Trend: 210,0; ..; 215,5"


def _axis_label_rotations(svg: str) -> set[str]:
    """The rotations of the period labels: the x axis's labels are the texts naming a term."""
    import re

    tags = re.findall(r"<text([^>]*)>(?:VT|HT)20\d\d</text>", svg)
    assert len(tags) == 6
    return {(re.findall(r"rotate\(([-\d.]+)\)", tag) or ["0"])[0] for tag in tags}


def test_period_labels_turn_aslant_only_where_the_width_is_too_narrow_for_them():
    # Six terms side by side fit a desktop's chart; on a phone "VT2024HT2024…" ran together.
    from skolkvalitet.publishing.charts.render import chart_svg

    periods = ["VT2024", "HT2024", "VT2025", "HT2025", "VT2026", "HT2026"]
    spec = trend_chart(
        list(zip(periods, [79, 78, 77, 78.4, 76.4, 75.0], strict=True)),
        title="t",
        unit=Unit.PERCENT,
    )
    assert _axis_label_rotations(chart_svg(spec, width=700)) == {"0"}
    assert _axis_label_rotations(chart_svg(spec, width=280)) == {"-45"}
