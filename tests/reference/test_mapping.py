"""The mapping of published figures to registry indicators: real keys, and documented."""

from __future__ import annotations

from pathlib import Path

from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.reference.mapping import (
    KOLADA_KPIS,
    SKOLVERKET_MEASURES,
    kolada_year_of,
    mapping_markdown,
    skolverket_indicator,
    subject_code,
)
from skolkvalitet.results.subjects import SUBJECTS

DOC = Path(__file__).resolve().parents[2] / "docs/reference-data.md"


def test_every_mapped_key_is_a_registry_indicator():
    for match in SKOLVERKET_MEASURES.values():
        if "{subject}" in match.indicator_key:
            assert any(match.key_for(s.code) for s in SUBJECTS)
        else:
            assert match.indicator_key in REGISTRY
    for known in KOLADA_KPIS.values():
        if known.match:
            assert known.match.indicator_key in REGISTRY


def test_per_subject_keys_exist_only_where_the_registry_has_them():
    dataset, measure = (
        "Grundskola - Jämförelse av ämnesbetyg över tid",
        "Andel (%) elever som fått godkänt betyg i respektive ämne",
    )
    assert skolverket_indicator(dataset, measure, "MA") == "passed_MA"
    assert skolverket_indicator(dataset, measure, "TN") == ""  # no passed_TN indicator
    assert skolverket_indicator(dataset, measure, "Moderna språk, skolans val") == ""


def test_subject_names():
    assert subject_code("Hem och konsumentkunskap") == "HKK"
    assert subject_code("Svenska som andraspråk") == "SVA"
    assert subject_code("Moderna språk, skolans val") == ""


def test_kolada_dates_an_academic_year_by_its_spring():
    assert kolada_year_of("2018/19") == "2019"


def test_the_documentation_holds_the_mapping_tables():
    assert mapping_markdown() in DOC.read_text(encoding="utf-8")
