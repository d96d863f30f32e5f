"""GET /api/v1/reference and /reference/indicator/{key}: public statistics for any token."""

from __future__ import annotations

import pytest

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.reference.actions import reference_values_store, similar_municipalities_store
from skolkvalitet.reference.records import AreaKind, GroupMember, Marker, ReferenceRecord, Source

pytestmark = pytest.mark.django_db

MERIT = "Elever i åk. 9, meritvärde kommunala skolor, genomsnitt (17 ämnen)"


def kolada(code: str, value: float | None, period: str = "2019", **fields) -> ReferenceRecord:
    return ReferenceRecord(
        source=Source.KOLADA,
        dataset="Kolada",
        measure=MERIT,
        area_kind=AreaKind.NATION if code == "0000" else AreaKind.MUNICIPALITY,
        area_code=code,
        area_name=code,
        period=period,
        value=value,
        marker=Marker.NONE if value is not None else Marker.SUPPRESSED,
        organiser_type="Kommunal",
        indicator_key="merit_value_17",
        kpi="N15505",
        **fields,
    )


@pytest.fixture
def stored(db):
    batch = ImportBatch.objects.create(kind="kolada", source_name="test")
    reference_values_store(
        [
            kolada("0000", 224.5),
            kolada("0115", 233.6),
            kolada("0117", 240.0),
            kolada("0162", None),
            kolada("0115", 230.0, period="2018"),
            ReferenceRecord(
                source=Source.SKOLVERKET,
                dataset="Grundskola - Slutbetyg årskurs 9, samtliga elever",
                measure="Genomsnittligt meritvärde (17 ämnen)",
                area_kind=AreaKind.UNIT,
                area_code="28145722",
                area_name="Hagaskolan",
                period="2018/19",
                value=98.0,
                n=25,
                organiser_type="Enskild",
            ),
        ],
        batch,
    )
    similar_municipalities_store(
        [
            GroupMember("sekom", "Lila", "0115", "Vallentuna"),
            GroupMember("sekom", "Lila", "0117", "Österåker"),
            GroupMember("sekom", "Lila", "0162", "Danderyd"),
        ],
        batch,
    )


def test_any_token_reads_a_municipalitys_values(stored, make_user, api_client):
    client = api_client(make_user("integration"))  # no role at all
    response = client.get("/api/v1/reference", {"municipality": "0115"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["count"] == 2
    assert {(v["period"], v["value"]) for v in body["items"]} == {("2019", 233.6), ("2018", 230.0)}
    item = next(v for v in body["items"] if v["period"] == "2019")
    assert item == {
        "source": "kolada",
        "dataset": "Kolada",
        "measure": MERIT,
        "area": {"kind": "municipality", "code": "0115", "name": "0115"},
        "period": "2019",
        "organiser_type": "Kommunal",
        "breakdown": "",
        "subject": "",
        "value": 233.6,
        "n": None,
        "marker": "",
        "indicator": "merit_value_17",
        "unit": "",
        "note": "",
    }


def test_a_year_filters_and_finds_koladas_spring_year(stored, users, api_client):
    client = api_client(users.board)
    body = client.get("/api/v1/reference", {"municipality": "0115", "year": "2018/19"}).json()
    assert [v["period"] for v in body["items"]] == ["2019"]


def test_a_units_values(stored, users, api_client):
    body = api_client(users.teacher).get("/api/v1/reference", {"unit": "28145722"}).json()
    (item,) = body["items"]
    assert (item["area"]["name"], item["value"], item["n"], item["indicator"]) == (
        "Hagaskolan",
        98.0,
        25,
        None,
    )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"municipality": "0115", "unit": "28145722"},
        {"municipality": "115"},
        {"unit": "2814572"},
        {"municipality": "0115", "year": "2018-19"},
    ],
)
def test_invalid_reference_queries(stored, users, api_client, params):
    response = api_client(users.board).get("/api/v1/reference", params)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)


def test_reference_for_an_indicator(stored, users, api_client):
    response = api_client(users.board).get(
        "/api/v1/reference/indicator/merit_value_17", {"municipality": "0115", "year": "2018/19"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["indicator"], body["period"]) == ("merit_value_17", "2018/19")
    assert [p["value"] for p in body["nation"]] == [224.5]
    assert [p["value"] for p in body["municipality"]] == [233.6]
    (similar,) = body["similar"]
    assert similar["value"] == pytest.approx((233.6 + 240.0) / 2)
    assert (similar["n"], similar["area"]["kind"]) == (2, "similar")


def test_reference_for_an_unknown_indicator_is_not_found(stored, users, api_client):
    response = api_client(users.board).get(
        "/api/v1/reference/indicator/no_such", {"municipality": "0115", "year": "2018/19"}
    )
    assert response.status_code == 404


def test_reference_needs_a_token(stored, client):
    assert client.get("/api/v1/reference", {"municipality": "0115"}).status_code == 401
