"""The subject list (results/subjects.py) is the one list: every named set of subjects
elsewhere is drawn from it."""

from __future__ import annotations

from skolkvalitet.demo.generator import SUBJECT_PARAMS
from skolkvalitet.indicators import final_grades
from skolkvalitet.indicators.registry import GRADED_SUBJECTS, TESTED_SUBJECTS
from skolkvalitet.results.subjects import (
    COMPULSORY_BESIDES_SWEDISH,
    NATIONAL_TEST_SUBJECTS,
    SUBJECTS,
    SWEDISH_SUBJECTS,
)

CODES = {s.code for s in SUBJECTS}


def test_codes_are_unique():
    assert len(CODES) == len(SUBJECTS)


def test_every_named_set_is_drawn_from_the_list():
    for named in (
        COMPULSORY_BESIDES_SWEDISH,
        NATIONAL_TEST_SUBJECTS,
        SWEDISH_SUBJECTS,
        GRADED_SUBJECTS,
        TESTED_SUBJECTS,
        [code for code, *_params in SUBJECT_PARAMS],
    ):
        assert set(named) <= CODES, named


def test_the_sixteen_and_swedish():
    assert SWEDISH_SUBJECTS == ("SV", "SVA")
    assert len(COMPULSORY_BESIDES_SWEDISH) == 15
    assert not set(COMPULSORY_BESIDES_SWEDISH) & set(SWEDISH_SUBJECTS)
    assert (final_grades.SWEDISH, final_grades.SWEDISH_SECOND_LANGUAGE) == SWEDISH_SUBJECTS
    assert TESTED_SUBJECTS == NATIONAL_TEST_SUBJECTS == ("SV", "SVA", "EN", "MA")
