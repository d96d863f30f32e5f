"""docs/indicators.md is the registry written out."""

from __future__ import annotations

from pathlib import Path

from skolkvalitet.indicators.docs import indicators_markdown
from skolkvalitet.indicators.registry import REGISTRY

DOC = Path(__file__).resolve().parents[2] / "docs" / "indicators.md"


def test_the_committed_doc_matches_the_registry():
    assert DOC.read_text() == indicators_markdown(), (
        "docs/indicators.md is stale: run "
        "`uv run skolkvalitet indicators --doc > docs/indicators.md`"
    )


def test_every_indicator_has_names_a_definition_and_a_source():
    for indicator in REGISTRY.values():
        assert indicator.name_sv and indicator.name_en and indicator.definition
        assert indicator.source
        assert indicator.key == indicator.key.strip() and " " not in indicator.key


def test_the_keys_the_issue_names_exist():
    for key in (
        "merit_value_17",
        "merit_value_16",
        "passed_all_subjects",
        "eligible_vocational",
        "eligible_academic_natural_science",
        "eligible_academic_economics",
        "eligible_academic_arts",
        "grade_points_MA",
        "passed_SV",
        "test_vs_grade_same_MA",
        "test_vs_grade_lower_EN",
        "test_vs_grade_higher_SVA",
        "absence_mean",
        "absence_15_percent_or_more",
        "certified_teachers_share",
        "pupils_per_teacher_fte",
        "children_per_group",
        "children_per_staff_fte",
        "preschool_teacher_share",
        "on_track_all_subjects",
    ):
        assert key in REGISTRY
