"""The national tests compared with the grade (publishing/charts/national_tests.py),
checked by hand."""

from __future__ import annotations

from skolkvalitet.publishing.charts.national_tests import TestVsGrade, test_vs_grade_chart


def _data(spec):
    return spec["data"]["values"]


def test_test_vs_grade_chart():
    spec = test_vs_grade_chart(
        [TestVsGrade("Matematik", 10.0, 80.0, 10.0), ("Engelska", "..", 70.0, 20.0)],
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
