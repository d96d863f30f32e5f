"""The field checks of what an SS 12000 server sends (checks.py): the same parsers as the
file importers, one problem per wrong field, named by object id and field, and never a
personnummer repeated."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.ingest.ss12000.checks import is_temporary_number, object_problems
from skolkvalitet.organisation.identity import make_personal_number

UNIT = {"id": "u1", "displayName": "Ängsskolan", "organisationType": "Skolenhet"}


@given(st.text(max_size=12))
def test_a_school_unit_code_is_accepted_exactly_when_it_is_eight_ascii_digits(code):
    problems = object_problems("organisations", {**UNIT, "schoolUnitCode": code})

    if code == "" or re.fullmatch(r"[0-9]{8}", code.strip()):
        assert problems == []
    else:
        (problem,) = problems
        assert (problem.file, problem.column) == ("organisations/u1", "schoolUnitCode")
        assert problem.message.endswith("A skolenhetskod has 8 digits.")


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2020, 12, 31)))
def test_a_wrong_personnummer_is_reported_without_its_digits(birth):
    number = make_personal_number(birth, 123)
    wrong = number[:-1] + str((int(number[-1]) + 5) % 10)
    person = {"id": "p1", "givenName": "A", "familyName": "B", "civicNo": {"value": wrong}}

    (problem,) = object_problems("persons", person)

    assert problem.column == "civicNo.value"
    assert wrong[2:8] not in problem.message and wrong[-4:] not in problem.message
    assert object_problems("persons", {**person, "civicNo": {"value": number}}) == []


def test_the_spec_s_temporary_numbers_are_told_from_junk():
    assert is_temporary_number("20130101TF01")
    assert not is_temporary_number("ipsum dolor")
    assert not is_temporary_number("201301010123")


def test_a_list_of_the_wrong_kind_is_one_problem_not_a_crash():
    person = {"id": "p1", "givenName": "A", "familyName": "B", "enrolments": "GR"}

    assert [str(p) for p in object_problems("persons", person)] == [
        "persons/p1: enrolments (GR): The field should be a list."
    ]
