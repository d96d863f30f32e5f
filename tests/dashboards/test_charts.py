"""The charts of the result follow-up pages (dashboards/views.py with publishing/charts), on
the hand-computed facts of tests/indicators/test_materialise.py:

unit_n1 (Norrskolan), on track in MA:  point 1 HT2024 Alva A, Bella F, Cesar E → 2 of 3
                                       point 1 VT2025 Alva B, Bella B        → 2 of 2
"""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from tests.indicators.test_materialise import facts, materialised  # noqa: F401

from skolkvalitet.dashboards.actions import target_set

pytestmark = pytest.mark.django_db


def chart_spec(html: str, chart_id: str) -> dict | None:
    """The Vega-Lite spec of the page's chart `chart_id`, or None where none is drawn."""
    found = re.search(
        rf'<script id="{re.escape(chart_id)}-spec" type="application/json">(.*?)</script>',
        html,
        re.S,
    )
    return json.loads(found.group(1)) if found else None


def test_per_gender_the_unit_page_draws_girls_and_boys_not_all_pupils(materialised, users, client):  # noqa: F811
    # Girls Alva A, Bella F at point 1 → 1 of 2; Alva B, Bella B at point 2 → 2 of 2. Boys:
    # Cesar E at point 1 → 1 of 1; none assessed at point 2.
    org = materialised.org
    client.force_login(users.organiser_admin)
    html = client.get(reverse("unit", args=[org.unit_n1.pk]), {"grupp": "gender"}).content.decode()
    spec = chart_spec(html, "chart-points")
    values = {(d["series"], d["period"]): d["value"] for d in spec["data"]["values"]}
    assert values == {
        ("Flickor", "Uppföljning 1 HT2024"): 50.0,
        ("Flickor", "Uppföljning 1 VT2025"): 100.0,
        ("Pojkar", "Uppföljning 1 HT2024"): 100.0,
        ("Pojkar", "Uppföljning 1 VT2025"): None,  # a gap with its marker, not a zero
    }
    assert spec["title"]["text"] == "Bedöms uppfylla betygskriterierna i alla ämnen, per kön"
    assert spec["usermeta"]["table"]["columns"] == ["Period", "Flickor", "Pojkar"]
    # Without a breakdown: the one line of all pupils (2 of 3, then 2 of 2).
    html = client.get(reverse("unit", args=[org.unit_n1.pk])).content.decode()
    totals = chart_spec(html, "chart-points")
    assert {d["series"] for d in totals["data"]["values"]} == {"Resultat"}
    assert [round(d["value"], 1) for d in totals["data"]["values"]] == [66.7, 100.0]


def test_the_overview_chart_marks_each_units_target(materialised, users, client):  # noqa: F811
    org = materialised.org
    target_set(node=org.organiser, indicator="on_track_all_subjects", value=90.0)
    client.force_login(users.organiser_admin)
    html = client.get(reverse("overview"), {"diagram": "on_track_all_subjects"}).content.decode()
    spec = chart_spec(html, "overview-chart")
    [norr] = [d for d in spec["data"]["values"] if d["name"] == "Norrskolan"]
    assert (norr["value"], norr["target"]) == (100.0, 90.0)  # the organiser's, inherited
    ticks = [layer for layer in spec["layer"] if layer["mark"]["type"] == "tick"]
    assert [t["encoding"]["x"]["field"] for t in ticks] == ["target"]
    assert spec["usermeta"]["table"]["columns"][-1] == "Målvärde"


def test_a_role_that_sees_only_hidden_values_gets_a_sentence_not_an_empty_chart(
    materialised,  # noqa: F811
    users,
    client,
):
    # 7A's two pupils: every figure of its points section is ".." for the board.
    org = materialised.org
    url = reverse("group", args=[org.group_n1a.pk])
    client.force_login(users.board)
    html = client.get(url).content.decode()
    assert chart_spec(html, "chart-points") is None
    assert 'data-chart-hidden="points"' in html
    client.force_login(users.teacher)  # the group's teacher sees the figures: a chart
    html = client.get(url).content.decode()
    assert chart_spec(html, "chart-points")["usermeta"]["shown"] == 2
    assert 'data-chart-hidden="points"' not in html
