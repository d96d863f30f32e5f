"""The common model: the default that ships is valid, and a broken model is refused with
every problem named."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.quality.common_model import (
    QUESTIONS,
    SCHOOL_FORMS,
    ModelError,
    default_model,
    template_checked,
)


def test_the_default_model_has_a_template_per_school_form() -> None:
    model = default_model()
    # One per school form, and the organiser's own (its analysis and priorities).
    assert set(model) == {"forskola", "grundskola", "gymnasieskola", "huvudman"}
    assert [s.key for s in model["huvudman"].sections][-1] == "prioriteringar"
    grundskola = model["grundskola"]
    assert [s.key for s in grundskola.sections][:2] == ["kunskaper", "normer"]
    assert "merit_value_17" in grundskola.section("kunskaper").indicators
    assert grundskola.section("analys").questions["var_ar_vi"]


def test_every_indicator_of_the_default_applies_to_its_school_form() -> None:
    for form, template in default_model().items():
        for section in template.sections:
            for key in section.indicators:
                if form == "huvudman":  # the organiser's report covers every school form
                    assert key in REGISTRY
                    continue
                assert SCHOOL_FORMS[form] & set(REGISTRY[key].school_forms), (form, key)


def test_every_section_asks_along_the_four_questions() -> None:
    for template in default_model().values():
        for section in template.sections:
            assert list(section.questions) == [key for key, _label in QUESTIONS]
            assert any(section.questions.values()), section.key


def _section(**changes):
    return {
        "key": "kunskaper",
        "title": "Kunskaper",
        "questions": {"var_ar_vi": ["Hur går det?"]},
        "indicators": ["merit_value_17"],
        "charts": [{"kind": "trend", "indicator": "merit_value_17"}],
    } | changes


def test_a_broken_model_names_every_problem() -> None:
    with pytest.raises(ModelError) as error:
        template_checked(
            "grundskola",
            "Rapport",
            [
                _section(indicators=["no_such_indicator", "children_per_group"]),
                _section(charts=[{"kind": "pie"}]),
                _section(key="analys", title="", questions={"why": ["?"]}),
            ],
        )
    assert error.value.problems == [
        "section 1: no indicator 'no_such_indicator'",
        "section 1: children_per_group does not apply to the school form",
        "section 2: the key 'kunskaper' is used twice",
        "section 2: unknown chart 'pie'",
        "section 3: a title of 1–200 characters is needed",
        "section 3: unknown questions ['why']",
    ]


def test_a_template_needs_sections_and_a_known_school_form() -> None:
    with pytest.raises(ModelError) as error:
        template_checked("komvux", "", [])
    assert error.value.problems == [
        "unknown school form 'komvux'",
        "the template has no name",
        "the template has no sections",
    ]


@given(st.sampled_from(sorted(default_model())))
def test_a_template_read_back_from_its_data_is_the_same(form: str) -> None:
    template = default_model()[form]
    again = template_checked(
        template.school_form, template.name, [s.as_data() for s in template.sections]
    )
    assert again == template
