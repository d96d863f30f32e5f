"""Charts that tell the truth (issue 14, item 5), drawn by vl-convert where the drawing is
the point: value axes from 0, no tick label twice, rules under the value labels, a line per
group of pupils, targets on the units' bars, and a count of the values actually drawn."""

from __future__ import annotations

import re

import pytest
from django.utils.translation import gettext as _

from skolkvalitet.publishing.charts.base import zero_based_axis
from skolkvalitet.publishing.charts.comparison import comparison_chart
from skolkvalitet.publishing.charts.distribution import distribution_chart
from skolkvalitet.publishing.charts.render import chart_svg
from skolkvalitet.publishing.charts.trend import breakdown_trend_chart, trend_chart


def _axis_labels(svg: str) -> list[list[str]]:
    """The tick labels of each axis of a drawn chart, in drawing order."""
    groups = re.findall(r'<g class="mark-text role-axis-label"[^>]*>(.*?)</g>', svg, re.S)
    return [re.findall(r">([^<]*)</text>", group) for group in groups]


def _layer_kinds(spec) -> list[str]:
    return [
        "halo"
        if layer["mark"].get("stroke") == "#ffffff" and layer["mark"]["type"] == "text"
        else layer["mark"]["type"]
        for layer in spec["layer"]
    ]


def test_a_share_axis_starts_at_zero_so_a_small_change_looks_small():
    spec = trend_chart([("VT2024", 5.6), ("HT2024", 5.7)], title="Frånvaro", unit="percent")
    assert _axis_labels(chart_svg(spec)) == [
        ["VT2024", "HT2024"],
        ["0", "1", "2", "3", "4", "5", "6"],  # the value axis: 0 to 6 %, not 5,6 to 5,7 %
    ]


@pytest.mark.parametrize(
    ("unit", "points", "expected"),
    [
        ("count", [1, 2, 1], ["0", "1", "2"]),  # Vega alone gave 0, 1, 1, 2, 2
        ("count", [3, 13], ["0", "2", "4", "6", "8", "10", "12", "14"]),
        ("percent", [0.2, 0.3], ["0", "0,1", "0,2", "0,3"]),  # not 0,1 twice (0,05 and 0,1)
    ],
)
def test_no_tick_label_is_written_twice(unit, points, expected):
    spec = trend_chart([(f"P{i}", v) for i, v in enumerate(points)], title="", unit=unit)
    labels = _axis_labels(chart_svg(spec))[-1]
    assert labels == expected


def test_large_ranges_are_left_to_vega_from_zero():
    assert zero_based_axis("points", [230.4, 240.2])["scale"] == {"zero": True, "nice": True}
    assert zero_based_axis("count", [25])["scale"] == {"zero": True, "nice": True}
    # Nothing drawn (every value hidden): an axis 0–1 rather than an error.
    assert zero_based_axis("count", [None])["axis"]["values"] == [0, 1]


def test_rules_are_drawn_before_the_value_labels_and_those_carry_a_white_outline():
    spec = trend_chart(
        [("VT2024", 74.8), ("HT2024", 75.2)],
        title="",
        unit="percent",
        target=75.0,
        references={"Riket": 74.9},
    )
    kinds = _layer_kinds(spec)
    assert kinds == ["rule", "text", "rule", "text", "line", "point", "halo", "text", "text"]
    halo, label = spec["layer"][6:8]
    assert halo["mark"]["strokeWidth"] == 4 and label["mark"]["color"] == "#1b1f24"
    # The rules' labels sit right of the plot, where no point is, the higher rule's (the
    # target, 75,0) above its line and Riket's (74,9) below, so that they do not overlap.
    target_text, riket_text = spec["layer"][3], spec["layer"][1]
    assert target_text["encoding"]["x"] == {"value": "width"}
    assert (target_text["mark"]["baseline"], riket_text["mark"]["baseline"]) == ("bottom", "top")


def test_the_comparisons_rule_and_target_marks_lie_under_the_value_labels():
    spec = comparison_chart(
        [("Ekskolan", 74.8), ("Aspskolan", 58.9), ("Björkskolan", "..")],
        title="Alla ämnen",
        unit="percent",
        organiser=75.1,
        targets={"Ekskolan": 80.0, "Aspskolan": 64.0, "Björkskolan": 70.0},
    )
    assert _layer_kinds(spec) == ["bar", "rule", "tick", "halo", "text", "text"]
    rows = {d["name"]: (d["target"], d["target_label"]) for d in spec["data"]["values"]}
    # No mark beside a hidden unit: it would stand for a result that is not there.
    assert rows == {
        "Ekskolan": (80.0, "80,0\u00a0%"),
        "Aspskolan": (64.0, "64,0\u00a0%"),
        "Björkskolan": (None, ""),
    }
    # The value is written right of the bar or of the target mark, whichever lies further out.
    label = spec["layer"][4]
    assert {"calculate": "max(datum.value, datum.target || 0)", "as": "label_at"} in label[
        "transform"
    ]
    assert label["encoding"]["x"]["field"] == "label_at"
    dashed = _("Dashed line: %(reference)s") % {"reference": f"{_('Organiser')}: 75,1\u00a0%"}
    assert (
        spec["title"]["subtitle"] == f"{dashed}. {_('Black mark: the unit' + chr(39) + 's target')}"
    )
    assert spec["usermeta"]["table"]["rows"][0] == ["Ekskolan", "74,8\u00a0%", "80,0\u00a0%"]
    assert spec["usermeta"]["shown"] == 2


def test_without_targets_the_comparison_has_no_mark_and_no_target_column():
    spec = comparison_chart([("Ekskolan", 12)], title="Elever", unit="count")
    assert "tick" not in _layer_kinds(spec)
    assert spec["usermeta"]["table"]["columns"] == ["Unit", "Number"]
    assert spec["title"] == {"text": "Elever", "aria": False}


def test_a_breakdown_draws_one_line_per_group_and_no_total():
    spec = breakdown_trend_chart(
        {
            "Flickor": [("HT2024", 50.0), ("VT2025", 100.0)],
            "Pojkar": [("HT2024", 100.0), ("VT2025", "..")],
        },
        title="Alla ämnen, per kön",
        unit="percent",
        target=90.0,
    )
    assert {d["series"] for d in spec["data"]["values"]} == {"Flickor", "Pojkar"}
    line = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    assert line["encoding"]["color"]["scale"]["domain"] == ["Flickor", "Pojkar"]
    assert line["encoding"]["y"]["scale"] == {"zero": True, "nice": True}
    # No value labels on close lines (they would cover each other); the boys' marker at the
    # foot of the plot in the boys' colour.
    assert "halo" not in _layer_kinds(spec)
    [marker] = [d for d in spec["data"]["values"] if d["marker"]]
    assert (marker["series"], marker["marker_row"]) == ("Pojkar", 0)
    assert spec["usermeta"]["table"]["rows"] == [
        ["HT2024", "50,0\u00a0%", "100,0\u00a0%"],
        ["VT2025", "100,0\u00a0%", ".."],
    ]
    assert spec["description"] == (
        "Alla ämnen, per kön. Flickor, latest (VT2025): 100,0\u00a0%. "
        "Pojkar, latest (HT2024): 100,0\u00a0%. Target: 90,0\u00a0%."
    )
    assert spec["usermeta"]["shown"] == 3


def test_nine_year_groups_differ_by_colour_or_dash_and_their_legend_wraps():
    groups = {f"Årskurs {i}": [("HT2024", 60.0 + i)] for i in range(1, 10)}
    spec = breakdown_trend_chart(groups, title="", unit="percent")
    line = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    colours = line["encoding"]["color"]["scale"]["range"]
    dashes = line["encoding"]["strokeDash"]["scale"]["range"]
    styles = {(c, tuple(d)) for c, d in zip(colours, dashes, strict=True)}
    assert len(styles) == 9  # year 7 no longer drawn exactly as year 1
    assert line["encoding"]["color"]["legend"]["columns"] == 4
    assert spec["height"] == 300 + 2 * 24  # three legend rows


def test_the_number_of_drawn_values_tells_the_page_whether_to_draw_at_all():
    hidden = trend_chart([("HT2024", ".."), ("VT2025", "..")], title="", unit="percent")
    assert hidden["usermeta"]["shown"] == 0
    shown = trend_chart([("HT2024", ".."), ("VT2025", 70.0)], title="", unit="percent")
    assert shown["usermeta"]["shown"] == 1
    grades = distribution_chart({"Svenska": {"A": "..", "B": 3}}, title="")
    assert grades["usermeta"]["shown"] == 0  # a group with a hidden count is hidden whole
