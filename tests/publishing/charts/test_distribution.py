"""The grade distribution chart (publishing/charts/distribution.py), checked by hand."""

from __future__ import annotations

import pytest

from skolkvalitet.publishing.charts.distribution import (
    GRADE_COLOURS,
    GRADE_LABEL_COLOURS,
    GRADES,
    distribution_chart,
)


def _data(spec):
    return spec["data"]["values"]


def _layers_with(spec, mark_type):
    return [layer for layer in spec["layer"] if _mark(layer) == mark_type]


def _mark(layer):
    return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]


def test_distribution_as_shares():
    counts = {"A": 1, "B": 1, "C": 2, "D": 0, "E": 4, "F": 2}
    spec = distribution_chart(counts, title="Betyg")
    by_grade = {d["grade"]: d for d in _data(spec)}
    assert list(by_grade) == ["A", "B", "C", "D", "E", "F", "-"]
    assert by_grade["E"]["value"] == 40.0
    assert by_grade["-"]["value"] == 0.0  # a grade nobody has is 0 %, not missing
    assert by_grade["C"]["label"] == "20,0\u00a0%"
    assert sum(d["value"] for d in _data(spec)) == pytest.approx(100.0)


def test_distribution_by_gender_hides_a_group_with_a_suppressed_count():
    counts = {"Flickor": {"A": 5, "B": 5}, "Pojkar": {"A": "..", "B": 7}}
    spec = distribution_chart(counts, title="Betyg")
    boys = [d for d in _data(spec) if d["group"] == "Pojkar"]
    assert all(d["value"] is None and d["label"] == ".." for d in boys)
    bar = _layers_with(spec, "bar")[0]
    assert bar["encoding"]["xOffset"]["field"] == "group"
    assert bar["encoding"]["fillOpacity"]["scale"]["range"] == [1.0, 0.25]  # not colour alone
    assert spec["usermeta"]["table"]["columns"] == ["Grade", "Flickor", "Pojkar"]


def test_distribution_counts_and_stacked():
    spec = distribution_chart({"A": 3, "F": 1}, title="", as_share=False, stacked=True)
    by_grade = {d["grade"]: d for d in _data(spec)}
    assert by_grade["A"]["value"] == 3
    assert by_grade["A"]["label"] == "3"
    bar = _layers_with(spec, "bar")[0]
    assert bar["encoding"]["color"]["scale"]["domain"] == list(GRADES)
    assert {
        "stack": "value",
        "groupby": ["group"],
        "sort": [{"field": "order", "order": "ascending"}],
        "as": ["v0", "v1"],
    } in bar["transform"]


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("grade", GRADES)
def test_grade_labels_have_4_5_to_1_contrast_on_their_segment(grade):
    assert _contrast(GRADE_COLOURS[grade], GRADE_LABEL_COLOURS[grade]) >= 4.5
