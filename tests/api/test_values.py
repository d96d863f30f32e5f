"""GET /api/v1/values: the token user's scope and suppression, as on the pages."""

from __future__ import annotations

import pytest

from skolkvalitet.api.endpoints.common import MAX_LIMIT
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.organisation.models import Pupil

pytestmark = pytest.mark.django_db

VALUES = "/api/v1/values"


def items(client, **params) -> list[dict]:
    response = client.get(VALUES, params)
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    return response.json()["items"]


def by_node(rows: list[dict]) -> dict[str, tuple]:
    return {r["node_name"]: (r["value"], r["n"], r["marker"], r["suppressed"]) for r in rows}


def test_the_board_gets_markers_where_the_unit_head_gets_the_real_value(
    materialised, users, api_client
):
    org = materialised
    board = by_node(items(api_client(users.board), node=org.unit_n1.pk, indicator="passed_MA"))
    head = by_node(items(api_client(users.unit_head), node=org.unit_n1.pk, indicator="passed_MA"))
    assert board == {"Norrskolan": (None, None, "..", True)}
    assert head == {"Norrskolan": (pytest.approx(60.0), 5, "..", False)}


def test_the_board_sees_figures_that_need_no_suppression(materialised, users, api_client):
    rows = items(api_client(users.board), node=materialised.organiser.pk, indicator="passed_MA")
    assert by_node(rows) == {"Exempelstads kommun": (pytest.approx(50.0), 10, "", False)}
    # 9 of 10 passed EN: Skolverket publishes subject pass shares as numbers, never ~100.
    one_missing = items(
        api_client(users.board), node=materialised.organiser.pk, indicator="passed_EN"
    )
    assert by_node(one_missing) == {"Exempelstads kommun": (pytest.approx(90.0), 10, "", False)}


def test_each_item_has_the_documented_fields(materialised, users, api_client):
    (row,) = items(api_client(users.unit_head), node=materialised.unit_n1.pk, indicator="passed_MA")
    stored = IndicatorValue.objects.get(
        node=materialised.unit_n1, indicator="passed_MA", breakdown=""
    )
    assert row == {
        "indicator": "passed_MA",
        "node": materialised.unit_n1.pk,
        "node_name": "Norrskolan",
        "period_kind": "year",
        "period_id": materialised.year.pk,
        "period": "2024/25",
        "breakdown": "",
        "value": pytest.approx(60.0),
        "n": 5,
        "marker": "..",
        "suppressed": False,
        "data_version": stored.data_version,
    }


def test_without_a_node_every_node_in_scope_and_no_other(materialised, users, api_client):
    org = materialised
    head = {r["node"] for r in items(api_client(users.unit_head), indicator="passed_MA")}
    assert head == {org.unit_n1.pk, org.group_n1a.pk, org.group_n1b.pk}
    teacher = {r["node"] for r in items(api_client(users.teacher), indicator="passed_MA")}
    assert teacher == {org.group_n1a.pk}
    coach = items(api_client(users.coach), indicator="passed_MA")
    south = {n.pk for n in org.nodes.values() if n.is_within(org.area_south)}
    assert {org.area_south.pk, org.unit_s1.pk} <= {r["node"] for r in coach} <= south
    assert all(r["suppressed"] and r["value"] is None for r in coach)  # all below 10 pupils


def test_a_node_outside_the_scope_is_not_found_like_a_missing_one(materialised, users, api_client):
    client = api_client(users.unit_head)
    outside = client.get(VALUES, {"node": materialised.unit_s1.pk})
    missing = client.get(VALUES, {"node": 999_999})
    above = client.get(VALUES, {"node": materialised.area_north.pk})
    assert outside.status_code == missing.status_code == above.status_code == 404
    assert outside.json() == missing.json() == above.json()
    assert outside["Cache-Control"] == "no-store"


def test_a_user_without_roles_sees_nothing(materialised, make_user, api_client):
    client = api_client(make_user("nobody"))
    assert items(client) == []
    assert client.get(VALUES, {"node": materialised.organiser.pk}).status_code == 404


def test_breakdown_adds_the_categories(materialised, users, api_client):
    client = api_client(users.organiser_admin)
    node = materialised.organiser.pk
    totals = items(client, node=node, indicator="passed_MA")
    split = items(client, node=node, indicator="passed_MA", breakdown="gender")
    assert [r["breakdown"] for r in totals] == [""]
    assert [r["breakdown"] for r in split] == ["", "gender=F", "gender=M"]
    girls = next(r for r in split if r["breakdown"] == "gender=F")
    assert (girls["value"], girls["n"]) == (pytest.approx(100 * 5 / 6), 6)  # all but Ida


def test_period_filters(materialised, users, api_client):
    client = api_client(users.organiser_admin)
    node = materialised.organiser.pk
    year = items(client, node=node, period_kind="year", period=materialised.year.pk)
    assert year and {r["period_kind"] for r in year} == {"year"}
    assert items(client, node=node, period_kind="year", period=materialised.year.pk + 1) == []
    missing_kind = client.get(VALUES, {"period": materialised.year.pk})
    assert missing_kind.status_code == 422
    assert missing_kind.json()["errors"][0]["loc"] == ["query", "period"]


def test_an_unknown_indicator_is_an_invalid_request(materialised, users, api_client):
    response = api_client(users.organiser_admin).get(VALUES, {"indicator": "no_such"})
    assert response.status_code == 422
    assert set(response.json()) == {"detail", "errors"}


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": MAX_LIMIT + 1}, {"offset": -1}, {"node": "x"}, {"breakdown": "pupil"}],
)
def test_invalid_parameters(materialised, users, api_client, params):
    response = api_client(users.organiser_admin).get(VALUES, params)
    assert response.status_code == 422
    assert response["Cache-Control"] == "no-store"


def test_pages_cover_every_value_once(materialised, users, api_client):
    client = api_client(users.organiser_admin)
    whole = client.get(VALUES, {"limit": MAX_LIMIT}).json()
    assert whole["count"] == len(whole["items"]) > 20
    seen = []
    for offset in range(0, whole["count"], 7):
        page = client.get(VALUES, {"limit": 7, "offset": offset}).json()
        assert page["count"] == whole["count"] and (page["limit"], page["offset"]) == (7, offset)
        seen += page["items"]
    assert seen == whole["items"]


def test_no_pupil_identity_in_any_answer(materialised, users, api_client):
    client = api_client(users.organiser_admin)
    text = "".join(
        client.get(path, {"limit": MAX_LIMIT}).content.decode()
        for path in (VALUES, "/api/v1/nodes", "/api/v1/periods", "/api/v1/indicators")
    )
    for pupil in Pupil.objects.all():
        assert pupil.pseudonym not in text
        assert pupil.given_name not in text
