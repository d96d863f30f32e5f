"""Reading reference values: per unit or municipality, and per registry indicator beside the
organiser's own figures (nation, municipality, similar municipalities)."""

from __future__ import annotations

import pytest

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.reference.actions import reference_values_store, similar_municipalities_store
from skolkvalitet.reference.mapping import NATIONAL_TESTS_9
from skolkvalitet.reference.records import (
    AreaKind,
    GroupMember,
    Marker,
    ReferenceRecord,
    Source,
)
from skolkvalitet.reference.selectors import reference_for_indicator, reference_values

pytestmark = pytest.mark.django_db

KOLADA_MERIT = "Elever i åk. 9, meritvärde kommunala skolor, genomsnitt (17 ämnen)"


def kolada(code: str, value: float | None, period: str = "2019", **fields) -> ReferenceRecord:
    return ReferenceRecord(
        source=Source.KOLADA,
        dataset="Kolada",
        measure=KOLADA_MERIT,
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


def skolverket(kind: AreaKind, code: str, value: float, **fields) -> ReferenceRecord:
    defaults = {
        "dataset": "Grundskola - Slutbetyg årskurs 9, samtliga elever",
        "measure": "Genomsnittligt meritvärde (17 ämnen)",
        "period": "2018/19",
        "indicator_key": "merit_value_17",
        "organiser_type": "Samtliga",
    }
    return ReferenceRecord(
        source=Source.SKOLVERKET,
        area_kind=kind,
        area_code=code,
        area_name=code,
        value=value,
        **(defaults | fields),
    )


@pytest.fixture
def stored():
    batch = ImportBatch.objects.create(kind="kolada", source_name="test")
    reference_values_store(
        [
            kolada("0000", 224.5),
            kolada("0115", 233.6),
            kolada("0117", 240.0),
            kolada("0162", None),  # suppressed: not in the mean
            kolada("0136", 210.0),  # another group
            kolada("0115", 230.0, period="2018"),  # 2017/18: another year
            kolada("0115", 244.8, breakdown="gender=F"),
            skolverket(AreaKind.MUNICIPALITY, "0115", 238.6),
            skolverket(AreaKind.UNIT, "28145722", 98.0, organiser_type="Enskild"),
        ],
        batch,
    )
    similar_municipalities_store(
        [
            GroupMember("sekom", "Lila", "0115", "Vallentuna"),
            GroupMember("sekom", "Lila", "0117", "Österåker"),
            GroupMember("sekom", "Lila", "0162", "Danderyd"),
            GroupMember("sekom", "Orange", "0136", "Haninge"),
        ],
        batch,
    )
    return batch


def test_an_academic_year_finds_kolada_values_dated_by_its_spring(stored):
    values = reference_values(municipality_code="0115", period="2018/19")
    assert sorted((v.source, v.period, v.value) for v in values) == [
        ("kolada", "2019", 233.6),
        ("kolada", "2019", 244.8),
        ("skolverket", "2018/19", 238.6),
    ]


def test_values_of_a_unit(stored):
    (merit,) = reference_values(unit_code="28145722")
    assert (merit.value, merit.organiser_type) == (98.0, "Enskild")


def test_exactly_one_area_is_asked_for():
    with pytest.raises(ValueError):
        reference_values(unit_code="28145722", municipality_code="0115")


def test_nation_municipality_and_similar_municipalities_for_an_indicator(stored):
    reference = reference_for_indicator(
        indicator_key="merit_value_17", municipality_code="0115", period="2018/19"
    )
    assert [(p.source, p.value) for p in reference.nation] == [("kolada", 224.5)]
    assert [(p.source, p.organiser_type, p.value) for p in reference.municipality] == [
        ("kolada", "Kommunal", 233.6),
        ("skolverket", "Samtliga", 238.6),
    ]
    (similar,) = [p for p in reference.similar if p.source == "kolada"]
    # Vallentuna 233.6 and Österåker 240.0; Danderyd's suppressed value is left out.
    assert (similar.value, similar.n, similar.area_code) == (236.8, 2, "sekom Lila")
    assert similar.compare_with_breakdown == ""


def test_a_gender_breakdown_is_asked_for_explicitly(stored):
    reference = reference_for_indicator(
        indicator_key="merit_value_17",
        municipality_code="0115",
        period="2018/19",
        breakdown="gender=F",
    )
    assert [p.value for p in reference.municipality] == [244.8]


def test_a_year_9_test_result_is_compared_with_the_organisers_year_9_figure():
    batch = ImportBatch.objects.create(kind="skolverket", source_name="test")
    reference_values_store(
        [
            skolverket(
                AreaKind.MUNICIPALITY,
                "0115",
                98.1,
                dataset=NATIONAL_TESTS_9,
                measure="Andel (%) med provbetyg A-E",
                subject="EN",
                indicator_key="test_passed_EN",
            )
        ],
        batch,
    )
    reference = reference_for_indicator(
        indicator_key="test_passed_EN", municipality_code="0115", period="2018/19"
    )
    assert reference.municipality[0].compare_with_breakdown == "year_group=9"


def test_without_groups_there_are_no_similar_municipalities(stored):
    reference = reference_for_indicator(
        indicator_key="merit_value_17", municipality_code="9999", period="2018/19"
    )
    assert reference.similar == [] and reference.municipality == []
