"""GET /api/v1/nodes, /periods and /indicators."""

from __future__ import annotations

import pytest

from skolkvalitet.indicators.registry import REGISTRY

pytestmark = pytest.mark.django_db


def get(client, path: str, **params) -> dict | list:
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_nodes_are_the_scope_of_each_role(org, users, api_client):
    def names(user, **params) -> set[str]:
        return {n["name"] for n in get(api_client(user), "/api/v1/nodes", **params)["items"]}

    assert len(names(users.organiser_admin)) == 15
    assert names(users.board) == names(users.organiser_admin)
    assert names(users.unit_head) == {"Norrskolan", "Norrskolan 7A", "Norrskolan 7B"}
    assert names(users.teacher) == {"Norrskolan 7A"}
    assert names(users.coach) == {
        "Söder",
        "Söderskolan",
        "Söderskolan 7A",
        "Söderskolan 7B",
        "Ekskolan",
        "Ekskolan 9A",
        "Ekskolan 9B",
    }
    assert names(users.organiser_admin, kind="unit") == {
        "Norrskolan",
        "Björkskolan",
        "Söderskolan",
        "Ekskolan",
    }


def test_a_node_answer_hides_parents_outside_the_scope(org, users, api_client):
    nodes = get(api_client(users.unit_head), "/api/v1/nodes")["items"]
    unit = next(n for n in nodes if n["id"] == org.unit_n1.pk)
    assert unit == {
        "id": org.unit_n1.pk,
        "kind": "unit",
        "name": "Norrskolan",
        "code": "10000001",
        "parent": None,  # area_north is not in rut's scope
        "depth": 3,
        "is_active": True,
    }
    group = next(n for n in nodes if n["id"] == org.group_n1a.pk)
    assert (group["parent"], group["depth"]) == (org.unit_n1.pk, 4)
    admin = get(api_client(users.organiser_admin), "/api/v1/nodes", kind="unit")["items"]
    assert next(n for n in admin if n["id"] == org.unit_n1.pk)["parent"] == org.area_north.pk


def test_nodes_are_paged(org, users, api_client):
    client = api_client(users.organiser_admin)
    first = get(client, "/api/v1/nodes", limit=4)
    rest = get(client, "/api/v1/nodes", limit=100, offset=4)
    assert first["count"] == rest["count"] == 15
    ids = [n["id"] for n in first["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) == 15


def test_periods(materialised, users, api_client):
    org = materialised
    periods = get(api_client(users.teacher), "/api/v1/periods")
    assert [(p["kind"], p["label"]) for p in periods] == [
        ("year", "2024/25"),
        ("term", "HT2024"),
        ("term", "VT2025"),
        ("point", "Uppföljning 1 HT2024"),
    ]
    point = periods[-1]
    assert point == {
        "id": org.point.pk,
        "kind": "point",
        "label": "Uppföljning 1 HT2024",
        "start_date": None,
        "end_date": None,
        "academic_year": org.year.pk,
        "term": org.ht.pk,
        "assessed_on": "2024-10-15",
        "deadline": "2024-11-01",
    }
    terms = get(api_client(users.teacher), "/api/v1/periods", kind="term")
    assert [p["label"] for p in terms] == ["HT2024", "VT2025"]
    assert terms[0]["academic_year"] == org.year.pk


def test_indicators_are_the_registry(users, api_client):
    indicators = get(api_client(users.board), "/api/v1/indicators")
    assert [i["key"] for i in indicators] == list(REGISTRY)
    merit = indicators[0]
    assert merit["key"] == "merit_value_17"
    assert merit["name_sv"] == "Genomsnittligt meritvärde (17 ämnen)"
    assert (merit["unit"], merit["aggregation"], merit["period_kind"]) == ("points", "mean", "year")
    assert merit["breakdowns"] == ["gender", "newly_arrived", "sva", "parents_education"]
    assert (merit["min_n"], merit["higher_is_better"], merit["family"]) == (
        10,
        True,
        "final_grades",
    )
    staff = get(api_client(users.board), "/api/v1/indicators", family="staff")
    assert staff and all(i["family"] == "staff" for i in staff)
