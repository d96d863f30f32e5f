"""The chart specs, checked by hand: suppressed values, Swedish number formats, palette."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from skolkvalitet.indicators.registry import Unit
from skolkvalitet.publishing import charts


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _data(spec):
    return spec["data"]["values"]


def _layers_with(spec, mark_type):
    return [layer for layer in spec["layer"] if _mark(layer) == mark_type]


def _mark(layer):
    return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]


def test_trend_with_a_suppressed_point_has_a_null_value_and_the_marker_in_its_tooltip():
    spec = charts.trend_chart(
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
    spec = charts.trend_chart([("VT2025", "~100")], title="", unit="percent")
    assert _data(spec)[0]["value"] is None
    assert _data(spec)[0]["marker"] == "~100"
    assert _data(spec)[0]["label"] == "~100"


def test_not_a_number_is_missing_not_nan():
    spec = charts.trend_chart([("VT2025", float("nan")), ("HT2025", None)], title="", unit="points")
    assert [d["value"] for d in _data(spec)] == [None, None]
    assert [d["marker"] for d in _data(spec)] == [".", "."]
    json.dumps(spec, allow_nan=False)  # valid JSON for the browser


def test_swedish_number_format_in_config():
    spec = charts.trend_chart([("VT2025", 1234.5)], title="", unit=Unit.POINTS)
    number = spec["config"]["locale"]["number"]
    assert number["decimal"] == ","
    assert number["thousands"] == "\u00a0"
    assert number["grouping"] == [3]
    assert spec["config"]["locale"]["time"]["months"][0] == "januari"
    assert _data(spec)[0]["label"] == "1\u00a0234,5"
    assert _layers_with(spec, "line")[0]["encoding"]["y"]["axis"]["format"] == ",.1~f"


def test_trend_references_and_target():
    spec = charts.trend_chart(
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
    spec = charts.trend_chart(
        [("VT2025", 72.0)], title="", unit="percent", target="..", references={"Riket": ".."}
    )
    assert _layers_with(spec, "rule") == []


def test_sparkline_has_no_axes_and_a_gap():
    spec = charts.sparkline([210.0, "..", 215.5], unit="points")
    assert spec["encoding"]["x"]["axis"] is None
    assert spec["encoding"]["y"]["axis"] is None
    assert "title" not in spec
    assert [d["value"] for d in _data(spec)] == [210.0, None, 215.5]
    assert spec["usermeta"]["kind"] == "sparkline"
    assert spec["description"] == "Trend: 210,0; ..; 215,5"


def test_distribution_as_shares():
    counts = {"A": 1, "B": 1, "C": 2, "D": 0, "E": 4, "F": 2}
    spec = charts.distribution_chart(counts, title="Betyg")
    by_grade = {d["grade"]: d for d in _data(spec)}
    assert list(by_grade) == ["A", "B", "C", "D", "E", "F", "-"]
    assert by_grade["E"]["value"] == 40.0
    assert by_grade["-"]["value"] == 0.0  # a grade nobody has is 0 %, not missing
    assert by_grade["C"]["label"] == "20,0\u00a0%"
    assert sum(d["value"] for d in _data(spec)) == pytest.approx(100.0)


def test_distribution_by_gender_hides_a_group_with_a_suppressed_count():
    counts = {"Flickor": {"A": 5, "B": 5}, "Pojkar": {"A": "..", "B": 7}}
    spec = charts.distribution_chart(counts, title="Betyg")
    boys = [d for d in _data(spec) if d["group"] == "Pojkar"]
    assert all(d["value"] is None and d["label"] == ".." for d in boys)
    bar = _layers_with(spec, "bar")[0]
    assert bar["encoding"]["xOffset"]["field"] == "group"
    assert bar["encoding"]["fillOpacity"]["scale"]["range"] == [1.0, 0.25]  # not colour alone
    assert spec["usermeta"]["table"]["columns"] == ["Grade", "Flickor", "Pojkar"]


def test_distribution_counts_and_stacked():
    spec = charts.distribution_chart({"A": 3, "F": 1}, title="", as_share=False, stacked=True)
    by_grade = {d["grade"]: d for d in _data(spec)}
    assert by_grade["A"]["value"] == 3
    assert by_grade["A"]["label"] == "3"
    bar = _layers_with(spec, "bar")[0]
    assert bar["encoding"]["color"]["scale"]["domain"] == list(charts.GRADES)
    assert {
        "stack": "value",
        "groupby": ["group"],
        "sort": [{"field": "order", "order": "ascending"}],
        "as": ["v0", "v1"],
    } in bar["transform"]


def test_comparison_chart():
    spec = charts.comparison_chart(
        [("Ekskolan", 80.0), ("Björkskolan", ".."), ("Aspskolan", 61.0)],
        title="Behöriga",
        unit="percent",
        organiser=72.5,
        organiser_label="Huvudmannen",
        highlight="Aspskolan",
    )
    bar = _layers_with(spec, "bar")[0]
    assert bar["encoding"]["y"]["sort"] == ["Ekskolan", "Björkskolan", "Aspskolan"]
    assert bar["encoding"]["x"]["scale"]["domain"] == [0, 100]
    assert [d["highlight"] for d in _data(spec)] == [False, False, True]
    assert _data(spec)[1]["value"] is None
    rule = _layers_with(spec, "rule")[0]
    assert rule["encoding"]["x"]["field"] == "value"
    assert rule["data"]["values"][0]["label"] == "Huvudmannen: 72,5\u00a0%"
    weight = bar["encoding"]["y"]["axis"]["labelFontWeight"]
    assert weight["condition"]["test"] == 'datum.value == "Aspskolan"'


def test_highlight_names_are_escaped_in_expressions():
    name = 'Skolan "A" \\ \u2028'
    spec = charts.comparison_chart([(name, 1.0)], title="", unit="points", highlight=name)
    test = spec["layer"][0]["encoding"]["y"]["axis"]["labelFontWeight"]["condition"]["test"]
    assert test == "datum.value == " + json.dumps(name)


def test_test_vs_grade_chart():
    spec = charts.test_vs_grade_chart(
        [charts.TestVsGrade("Matematik", 10.0, 80.0, 10.0), ("Engelska", "..", 70.0, 20.0)],
        title="Provbetyg och slutbetyg",
    )
    maths = [d for d in _data(spec) if d["subject"] == "Matematik"]
    assert [d["value"] for d in maths] == [10.0, 80.0, 10.0]
    english = [d for d in _data(spec) if d["subject"] == "Engelska"]
    assert [d["value"] for d in english] == [None, None, None]
    assert english[0]["group_marker"] == ".."
    assert spec["usermeta"]["table"]["rows"] == [
        ["Matematik", "10,0\u00a0%", "80,0\u00a0%", "10,0\u00a0%"],
        ["Engelska", "..", "..", ".."],
    ]


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("colour", charts.SERIES_COLOURS + charts.TEST_COLOURS)
def test_series_colours_have_3_to_1_contrast_against_white(colour):
    assert _contrast(colour, "#ffffff") >= 3.0


@pytest.mark.parametrize("grade", charts.GRADES)
def test_grade_labels_have_4_5_to_1_contrast_on_their_segment(grade):
    assert _contrast(charts.GRADE_COLOURS[grade], charts.GRADE_LABEL_COLOURS[grade]) >= 4.5


def test_specs_are_plain_json():
    spec = charts.trend_chart([("HT2024", 1)], title="t", unit="count")
    assert json.loads(json.dumps(spec, allow_nan=False)) == spec
