"""Chart conventions every family shares (publishing/charts/base.py): Swedish number
formats, colours with enough contrast, plain JSON."""

from __future__ import annotations

import json

import pytest

from skolkvalitet.indicators.registry import Unit
from skolkvalitet.publishing.charts.base import SERIES_COLOURS
from skolkvalitet.publishing.charts.national_tests import TEST_COLOURS
from skolkvalitet.publishing.charts.trend import trend_chart


def _data(spec):
    return spec["data"]["values"]


def _layers_with(spec, mark_type):
    return [layer for layer in spec["layer"] if _mark(layer) == mark_type]


def _mark(layer):
    return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]


def test_swedish_number_format_in_config():
    spec = trend_chart([("VT2025", 1234.5)], title="", unit=Unit.POINTS)
    number = spec["config"]["locale"]["number"]
    assert number["decimal"] == ","
    assert number["thousands"] == "\u00a0"
    assert number["grouping"] == [3]
    assert spec["config"]["locale"]["time"]["months"][0] == "januari"
    assert _data(spec)[0]["label"] == "1\u00a0234,5"
    assert _layers_with(spec, "line")[0]["encoding"]["y"]["axis"]["format"] == ",.1~f"


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("colour", SERIES_COLOURS + TEST_COLOURS)
def test_series_colours_have_3_to_1_contrast_against_white(colour):
    assert _contrast(colour, "#ffffff") >= 3.0


def test_specs_are_plain_json():
    spec = trend_chart([("HT2024", 1)], title="t", unit="count")
    assert json.loads(json.dumps(spec, allow_nan=False)) == spec
