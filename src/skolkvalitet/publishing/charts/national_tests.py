"""The national tests compared with the subject grade: per subject, the shares whose grade
is lower than, the same as or higher than the test grade (`test_vs_grade_chart`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from skolkvalitet.publishing.charts.base import (
    MUTED,
    WHITE,
    Spec,
    base_spec,
    data_table,
    datum,
    rows_height,
    shown_count,
    stack_transform,
    tooltip_fields,
    value_axis,
    value_filter,
)
from skolkvalitet.publishing.formatting import (
    Unit,
    Value,
    marker_of,
)

TEST_COLOURS = ("#B35A00", "#767676", "#0072B2")  # lower, same, higher; white labels


class TestVsGrade(NamedTuple):
    """One subject's shares (percent) of pupils whose grade is lower than, the same as or
    higher than their national-test grade."""

    subject: str
    lower: Value
    same: Value
    higher: Value


TestVsGrade.__test__ = False  # type: ignore[attr-defined]  # not a pytest test class


def test_vs_grade_chart(
    rows: Sequence[TestVsGrade | tuple[str, Value, Value, Value]],
    *,
    title: str,
    description: str = "",
) -> Spec:
    """Per subject, the shares (percent) of pupils whose subject grade is lower than, the
    same as, or higher than their national-test grade, as one 100 % bar per subject with
    labelled segments. A subject with any suppressed share is hidden as a whole."""
    categories = [
        _("Grade lower than test grade"),
        _("Grade same as test grade"),
        _("Grade higher than test grade"),
    ]
    subjects = [str(r[0]) for r in rows]
    data: list[dict[str, Any]] = []
    for row in rows:
        data += _test_rows(TestVsGrade(*row), categories)
    y = {"field": "subject", "type": "nominal", "sort": subjects, "title": None}
    tooltip = tooltip_fields(
        ("subject", _("Subject")), ("category", _("Comparison")), ("label", _("Value"))
    )
    stack = stack_transform("subject", "order")
    layers = [
        {
            "transform": [value_filter(), *stack],
            "mark": {"type": "bar", "stroke": WHITE, "strokeWidth": 1},
            "encoding": {
                "y": y,
                "x": {**value_axis(Unit.PERCENT, domain=[0, 100]), "field": "v0"},
                "x2": {"field": "v1"},
                "color": {
                    "field": "category",
                    "type": "nominal",
                    "title": None,
                    "legend": {"direction": "vertical", "columns": 1},
                    "scale": {"domain": categories, "range": list(TEST_COLOURS)},
                },
                "tooltip": tooltip,
            },
        },
        {
            "transform": [value_filter(), *stack, {"filter": "datum.v1 - datum.v0 >= 14"}],
            "mark": {"type": "text", "fontSize": 11, "color": WHITE},
            "encoding": {
                "y": y,
                "x": {"field": "mid", "type": "quantitative"},
                "text": {"field": "label"},
            },
        },
        {
            "transform": [{"filter": "datum.group_marker != ''"}],
            "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 13, "color": MUTED},
            "encoding": {
                "y": y,
                "x": {"value": 0},
                "text": {"field": "group_marker"},
                "tooltip": tooltip_fields(("subject", _("Subject")), ("group_marker", _("Value"))),
            },
        },
    ]
    labels = {(d["subject"], d["order"]): d["label"] for d in data}
    table_rows = [[s, *(labels[(s, i)] for i in range(3))] for s in subjects]
    spec = base_spec(
        title=title,
        description=description or title,
        height=rows_height(len(subjects), step=34, legend=True) + 40,
        table=data_table([_("Subject"), *categories], table_rows),
    )
    spec["data"] = {"values": data}
    spec["layer"] = layers
    spec["usermeta"]["shown"] = shown_count([d["value"] for d in data])
    return spec


test_vs_grade_chart.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def _test_rows(row: TestVsGrade, categories: list[str]) -> list[dict[str, Any]]:
    shares = (row.lower, row.same, row.higher)
    group_marker = next((marker_of(v) for v in shares if marker_of(v)), "")
    out = []
    for order, (category, share) in enumerate(zip(categories, shares, strict=True)):
        shown: Value = group_marker if group_marker else share
        d = datum(shown, Unit.PERCENT, subject=row.subject, category=category, order=order)
        d["group_marker"] = group_marker if order == 0 else ""
        out.append(d)
    return out
