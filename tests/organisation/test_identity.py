"""Personnummer and samordningsnummer: validation, century, gender, pseudonyms.

Hand-computed Luhn digits (weights 2,1,2,1,... over the nine digits YYMMDDNNN; a product of
two digits counts as the sum of its digits; check digit = (10 - sum mod 10) mod 10):

    811218-987?  16→7 +1 +2 +2 +2 +8 +18→9 +8 +14→5 = 44  → 6  (Skatteverket's example)
    701063-239?  14→5 +0 +2 +0 +12→3 +3 +4 +3 +18→9 = 29  → 1  (samordningsnummer example)
    121212-121?  2+2+2+2+2+2+2+2+2 = 18                  → 2
    900115-124?  18→9 +0 +0 +1 +2 +5 +2 +2 +8 = 29        → 1
    300101-987?  6 +0 +0 +1 +0 +1 +18→9 +8 +14→5 = 30     → 0
    000229-123?  0 +0 +0 +2 +4 +9 +2 +2 +6 = 25           → 5  (also 230230-123? → 5)
    251224-987?  4 +5 +2 +2 +4 +4 +18→9 +8 +14→5 = 43     → 7
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.organisation.identity import (
    FEMALE,
    MALE,
    InvalidPersonalNumber,
    PersonalNumber,
    luhn_check_digit,
    make_personal_number,
    parse_personal_number,
    pseudonym_for,
)

TODAY = dt.date(2025, 6, 30)


def parse(text: str, today: dt.date = TODAY) -> PersonalNumber:
    return parse_personal_number(text, today=today)


# -- the check digit -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nine", "check"),
    [
        ("811218987", 6),
        ("701063239", 1),
        ("121212121", 2),
        ("900115124", 1),
        ("300101987", 0),
        ("000229123", 5),
        ("251224987", 7),
        ("000000000", 0),
    ],
)
def test_luhn_check_digit_of_hand_computed_cases(nine, check):
    assert luhn_check_digit(nine) == check


# -- valid numbers in every accepted form ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "198112189876",
        "19811218-9876",
        "811218-9876",
        "8112189876",
        " 811218-9876 ",
        "19811218 9876",
    ],
)
def test_every_written_form_of_skatteverkets_example_is_the_same_number(text):
    number = parse(text)
    assert number.canonical == "198112189876"
    assert number.birth_date == dt.date(1981, 12, 18)
    assert number.birth_year == 1981
    assert number.legal_gender == MALE  # second-to-last digit 7 is odd
    assert number.is_coordination_number is False


def test_plus_sign_means_a_hundred_years_older():
    assert parse("121212-1212").birth_date == dt.date(2012, 12, 12)
    assert parse("121212+1212").birth_date == dt.date(1912, 12, 12)
    assert parse("121212+1212").canonical == "191212121212"


def test_samordningsnummer_adds_sixty_to_the_day():
    number = parse("701063-2391")
    assert number.is_coordination_number is True
    assert number.birth_date == dt.date(1970, 10, 3)
    assert number.legal_gender == MALE  # 9
    assert number.canonical == "197010632391"  # the day stays as written


def test_samordningsnummer_in_twelve_digit_form():
    number = parse("197010632391")
    assert number.is_coordination_number is True
    assert number.birth_date == dt.date(1970, 10, 3)


@pytest.mark.parametrize(
    ("text", "gender"),
    [
        ("900115-1241", FEMALE),  # 4 is even
        ("811218-9876", MALE),  # 7 is odd
        ("121212-1212", MALE),  # 1 is odd
    ],
)
def test_gender_is_read_from_the_second_to_last_digit(text, gender):
    assert parse(text).legal_gender == gender


@pytest.mark.parametrize(
    ("today", "birth_date"),
    [
        (dt.date(2025, 6, 30), dt.date(2012, 12, 12)),
        (dt.date(2012, 12, 12), dt.date(2012, 12, 12)),  # born today
        (dt.date(2012, 12, 11), dt.date(1912, 12, 12)),  # 2012-12-12 is still to come
        (dt.date(1999, 1, 1), dt.date(1912, 12, 12)),
        (dt.date(2101, 1, 1), dt.date(2012, 12, 12)),
    ],
)
def test_century_is_the_latest_that_does_not_put_the_birth_in_the_future(today, birth_date):
    assert parse("121212-1212", today=today).birth_date == birth_date


def test_century_of_a_samordningsnummer_uses_the_real_day():
    # 701063 is 3 October 1970; on 2070-10-02 that day of 2070 is still to come.
    assert parse("701063-2391", today=dt.date(2070, 10, 2)).birth_date == dt.date(1970, 10, 3)
    assert parse("701063-2391", today=dt.date(2070, 10, 3)).birth_date == dt.date(2070, 10, 3)


def test_leap_day_depends_on_the_century():
    assert parse("20000229-1235").birth_date == dt.date(2000, 2, 29)
    with pytest.raises(InvalidPersonalNumber, match="datum som inte finns"):
        parse("19000229-1235")


def test_plus_sign_from_the_start_of_the_year_the_holder_turns_hundred():
    assert parse("251224+9877", today=dt.date(2025, 3, 1)).birth_date == dt.date(1925, 12, 24)


# -- invalid numbers -------------------------------------------------------------------

INVALID = [
    # wrong check digit
    ("811218-9875", "kontrollsiffra"),
    ("198112189870", "kontrollsiffra"),
    ("701063-2392", "kontrollsiffra"),
    # dates that do not exist
    ("20230230-1235", "datum som inte finns"),
    ("19000229-1235", "datum som inte finns"),
    ("811318-9876", "datum som inte finns"),  # month 13
    ("811200-9876", "datum som inte finns"),  # day 0
    ("811232-9876", "datum som inte finns"),  # day 32
    ("811260-9876", "datum som inte finns"),  # day 60: neither ordinary nor coordination
    ("811292-9876", "datum som inte finns"),  # day 92 = coordination day 32
    # born after today (only possible when the century is written out)
    ("20300101-9870", "framtiden"),
    ("20250701-1234", "framtiden"),
    # garbage
    ("", "fel format"),
    ("   ", "fel format"),
    ("abcdef-ghij", "fel format"),
    ("811218-987", "fel format"),
    ("1981121898765", "fel format"),
    ("811218--9876", "fel format"),
    ("811218/9876", "fel format"),
    ("81121-89876", "fel format"),
    ("8112189876x", "fel format"),
    ("19811218+9876", "fel format"),  # '+' makes no sense with the century written out
    ("811218_9876", "fel format"),
    ("811218-9876\n811218-9876", "fel format"),
]


@pytest.mark.parametrize(("text", "reason"), INVALID)
def test_invalid_numbers_are_rejected_with_the_reason(text, reason):
    with pytest.raises(InvalidPersonalNumber, match=reason):
        parse(text)


def test_born_today_is_fine_but_born_tomorrow_is_not():
    # 250630-123? : 4 +5 +0 +6 +6 +0 +2 +2 +6 = 31 → 9;  250701-123? : 4+5+0+7+0+1+2+2+6 = 27 → 3
    assert parse("20250630-1239").birth_date == TODAY
    with pytest.raises(InvalidPersonalNumber, match="framtiden"):
        parse("20250701-1233")


def test_invalid_personal_number_is_a_value_error():
    assert issubclass(InvalidPersonalNumber, ValueError)


@pytest.mark.parametrize(("text", "reason"), INVALID)
def test_the_message_never_repeats_the_number(text, reason):
    with pytest.raises(InvalidPersonalNumber) as caught:
        parse(text)
    message = str(caught.value)
    digits = re.sub(r"\D", "", text)
    assert re.search(r"\d{4}", message) is None, message
    if digits:
        assert digits not in message
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__ or caught.value.__context__ is None


@given(st.text(alphabet="0123456789-+ ", max_size=16))
def test_no_message_for_any_input_contains_a_run_of_its_digits(text):
    try:
        parse(text)
    except InvalidPersonalNumber as error:
        assert re.search(r"\d{4}", str(error)) is None


def test_non_ascii_digits_are_rejected_or_normalised():
    fullwidth = "８１１２１８-９８７６"
    try:
        number = parse(fullwidth)
    except InvalidPersonalNumber:
        return
    assert number.canonical == "198112189876"


# -- never shown -------------------------------------------------------------------------


def test_repr_and_str_do_not_show_the_number():
    number = parse("811218-9876")
    for shown in (repr(number), str(number), f"{number}", repr([number])):
        assert "198112189876" not in shown
        assert "8112189876" not in shown
        assert "9876" not in shown
        assert "1218" not in shown


# -- pseudonyms --------------------------------------------------------------------------


def test_pseudonym_is_deterministic_per_key():
    number = parse("811218-9876")
    first = pseudonym_for(number, key="nyckel-ett")
    assert first == pseudonym_for(parse("198112189876"), key="nyckel-ett")
    assert first != pseudonym_for(number, key="nyckel-två")
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert "8112189876" not in first


def test_pseudonym_differs_between_two_numbers():
    assert pseudonym_for(parse("811218-9876"), key="k") != pseudonym_for(
        parse("121212-1212"), key="k"
    )


def test_pseudonym_uses_the_configured_key_by_default(settings):
    number = parse("811218-9876")
    settings.PSEUDONYM_KEY = "inställd-nyckel"
    assert pseudonym_for(number) == pseudonym_for(number, key="inställd-nyckel")


# -- properties -------------------------------------------------------------------------

birth_dates = st.dates(min_value=dt.date(1890, 1, 1), max_value=TODAY)
serials = st.integers(min_value=0, max_value=999)


@given(birth_dates, serials, st.booleans())
def test_made_number_parses_back_to_its_date_and_gender(birth_date, serial, coordination):
    text = make_personal_number(birth_date, serial, coordination=coordination)
    number = parse(text)
    assert number.canonical == text
    assert number.birth_date == birth_date
    assert number.is_coordination_number is coordination
    assert number.legal_gender == (MALE if serial % 2 else FEMALE)


@given(st.dates(min_value=dt.date(1925, 7, 1), max_value=TODAY), serials, st.booleans())
def test_short_form_with_dash_parses_back_for_anyone_under_a_hundred(
    birth_date, serial, coordination
):
    text = make_personal_number(birth_date, serial, coordination=coordination)
    number = parse(f"{text[2:8]}-{text[8:]}")
    assert number.birth_date == birth_date
    assert number.canonical == text


@given(
    # '+' from 1 January of the year the holder turns 100, up to the year they turn 199.
    st.dates(
        min_value=dt.date(TODAY.year - 199, 1, 1), max_value=dt.date(TODAY.year - 100, 12, 31)
    ),
    serials,
    st.booleans(),
)
def test_short_form_with_plus_parses_back_for_anyone_over_a_hundred(
    birth_date, serial, coordination
):
    text = make_personal_number(birth_date, serial, coordination=coordination)
    number = parse(f"{text[2:8]}+{text[8:]}")
    assert number.birth_date == birth_date
    assert number.canonical == text


@given(birth_dates, serials, st.integers(min_value=1, max_value=9))
def test_any_other_check_digit_is_rejected(birth_date, serial, shift):
    ten = make_personal_number(birth_date, serial)[2:]
    wrong = f"{ten[:9]}{(int(ten[9]) + shift) % 10}"
    with pytest.raises(InvalidPersonalNumber):
        parse(wrong)


@given(
    birth_dates,
    serials,
    st.integers(min_value=0, max_value=9),
    st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_change_is_rejected(birth_date, serial, position, shift):
    ten = make_personal_number(birth_date, serial)[2:]
    changed = ten[:position] + str((int(ten[position]) + shift) % 10) + ten[position + 1 :]
    with pytest.raises(InvalidPersonalNumber):
        parse(changed)
