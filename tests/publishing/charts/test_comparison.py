"""The units-side-by-side chart (publishing/charts/comparison.py), checked by hand."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from skolkvalitet.publishing.charts.comparison import comparison_chart


def _data(spec):
    return spec["data"]["values"]


def _layers_with(spec, mark_type):
    return [layer for layer in spec["layer"] if _mark(layer) == mark_type]


def _mark(layer):
    return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]


def test_comparison_chart():
    spec = comparison_chart(
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
    # Its label is the subtitle (wrapped to the chart's width on a phone), not a text mark
    # beside the rule that would run past the chart's edges.
    assert spec["title"]["subtitle"] == _("Dashed line: %(reference)s") % {
        "reference": "Huvudmannen: 72,5\u00a0%"
    }
    assert all(
        "label" not in (layer.get("data") or {}).get("values", [{}])[0]
        for layer in _layers_with(spec, "text")
    )
    assert spec["padding"]["right"] >= 45  # room for "100,0 %" right of the longest bar
    weight = bar["encoding"]["y"]["axis"]["labelFontWeight"]
    assert weight["condition"]["test"] == 'datum.value == "Aspskolan"'


def test_highlight_names_are_escaped_in_expressions():
    name = 'Skolan "A" \\ \u2028'
    spec = comparison_chart([(name, 1.0)], title="", unit="points", highlight=name)
    test = spec["layer"][0]["encoding"]["y"]["axis"]["labelFontWeight"]["condition"]["test"]
    assert test == "datum.value == " + json.dumps(name)


def test_a_hidden_organiser_figure_draws_no_rule_and_names_none():
    spec = comparison_chart(
        [("Ekskolan", 80.0)], title="Behöriga", unit="percent", organiser="..", organiser_label="X"
    )
    assert _layers_with(spec, "rule") == []
    assert "subtitle" not in spec["title"]
