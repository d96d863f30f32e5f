"""The suppression rule of each indicator in the registry (issue 10, defects 5 and 6).

Skolverket publishes `~100` for the eligibility shares, year 6's all-subjects share and the
national tests' A–E shares; year 9's all-subjects and subject pass shares as numbers (its
2024/25 unit file has 165 units with 1–4 pupils missing shown as numbers). Its small-number
limit is 10 at school-unit level and, from 2023/24, 5 at the summary levels (10 before).
"""

from __future__ import annotations

import pytest

from skolkvalitet.indicators.registry import (
    LEVEL_OF_KIND,
    NOT_PUPILS,
    REGISTRY,
    SKOLVERKET_SMALL_NUMBERS,
    Aggregation,
    Level,
)
from skolkvalitet.organisation.models import NodeKind


@pytest.mark.parametrize(
    "key",
    [
        "eligible_vocational",
        "eligible_academic_natural_science",
        "eligible_academic_economics",
        "eligible_academic_arts",
        "term_passed_all_subjects",
        "test_passed_MA",
        "test_passed_SV",
        "test_passed_SVA",
        "test_passed_EN",
    ],
)
def test_skolverket_publishes_these_shares_as_near_full(key):
    assert REGISTRY[key].shows_near_full


@pytest.mark.parametrize(
    "key",
    [
        "passed_all_subjects",
        "passed_MA",
        "passed_SV",
        "passed_EN",
        "term_passed_MA",
        "test_grade_F_MA",
        "test_vs_grade_same_MA",
        "on_track_all_subjects",
        "absence_15_percent_or_more",
    ],
)
def test_these_shares_are_published_as_numbers(key):
    assert REGISTRY[key].near_full is not None
    assert not REGISTRY[key].shows_near_full


def test_every_share_has_a_near_full_rule_with_a_source_and_nothing_else_has_one():
    for indicator in REGISTRY.values():
        if indicator.aggregation == Aggregation.SHARE:
            assert indicator.near_full is not None, indicator.key
            assert indicator.near_full.source and indicator.near_full.label
        else:
            assert indicator.near_full is None, indicator.key


def test_the_near_full_sources_quote_skolverkets_footnotes():
    assert "om antalet EJ behöriga är 1-4, så visas andelen behöriga som ~100" in (
        REGISTRY["eligible_vocational"].near_full.source
    )
    assert "antalet elever med provbetyg F är 1-4" in REGISTRY["test_passed_MA"].near_full.source
    assert "165" in REGISTRY["passed_all_subjects"].near_full.source


@pytest.mark.parametrize(
    ("level", "year", "limit"),
    [
        (Level.UNIT, 2022, 10),
        (Level.UNIT, 2023, 10),
        (Level.UNIT, 2024, 10),
        (Level.SUMMARY, 2021, 10),
        (Level.SUMMARY, 2022, 10),  # 2022/23: 10 at every level
        (Level.SUMMARY, 2023, 5),  # from 2023/24
        (Level.SUMMARY, 2024, 5),
        (Level.SUMMARY, None, 10),  # a year not known: the stricter limit
    ],
)
def test_the_small_number_limit_per_level_and_year(level, year, limit):
    assert SKOLVERKET_SMALL_NUMBERS.min_n(level, year) == limit
    assert REGISTRY["merit_value_17"].min_n_at(level, year) == limit


def test_the_small_number_rule_quotes_the_rapportbeskrivning():
    assert "färre än 10 elever på skolenhetsnivå respektive färre än 5 elever" in (
        SKOLVERKET_SMALL_NUMBERS.source
    )
    assert "Rapportbeskrivning" in SKOLVERKET_SMALL_NUMBERS.source


def test_figures_about_pupils_follow_skolverket_and_unit_facts_are_never_hidden():
    for indicator in REGISTRY.values():
        if indicator.family.value in ("staff", "preschool"):
            assert indicator.small_numbers is NOT_PUPILS, indicator.key
            assert indicator.min_n == 0
        else:
            assert indicator.small_numbers is SKOLVERKET_SMALL_NUMBERS, indicator.key
            assert indicator.min_n == 10


def test_units_and_groups_are_unit_level_areas_and_the_organiser_summary_level():
    assert set(LEVEL_OF_KIND) == set(NodeKind.values)
    assert LEVEL_OF_KIND[NodeKind.UNIT] == LEVEL_OF_KIND[NodeKind.GROUP] == Level.UNIT
    assert LEVEL_OF_KIND[NodeKind.AREA] == LEVEL_OF_KIND[NodeKind.ORGANISER] == Level.SUMMARY


def test_linked_indicators_share_their_pupils():
    linked: dict[str, set[str]] = {}
    for indicator in REGISTRY.values():
        if indicator.linked:
            linked.setdefault(indicator.linked, set()).add(indicator.key)
    assert linked["test_grades_MA"] == {f"test_grade_{g}_MA" for g in "ABCDEF"} | {"test_passed_MA"}
    assert linked["test_vs_grade_MA"] == {
        f"test_vs_grade_{c}_MA" for c in ("same", "lower", "higher")
    }
