"""Reading one cell: a date is read from the whole cell, so a personnummer in a date column
is refused instead of becoming its birth date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.ingest.files import cells
from skolkvalitet.organisation.identity import make_personal_number

DATE_HINT = "Write the date as 2024-10-15."
PERSONAL_NUMBER = "The cell holds a personnummer, not a date. Write the date as 2024-10-15."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refusal(text: str) -> str:
    with pytest.raises(cells.CellError) as error:
        cells.date(text)
    return str(error.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-10-15", dt.date(2024, 10, 15)),
        (" 2024-10-15 ", dt.date(2024, 10, 15)),
        ("2024-10-15T08:30:00", dt.date(2024, 10, 15)),  # an XLSX date-time cell
        ("2024-10-15 08:30", dt.date(2024, 10, 15)),  # a CSV export's date and time
        ("2024-02-29", dt.date(2024, 2, 29)),
    ],
)
def test_a_date_with_or_without_its_time_of_day_is_read(text, expected):
    assert cells.date(text) == expected


@pytest.mark.parametrize(
    "text", ["20100101-1234", "201001011234", "100101-1234", "100101+1234", "1001011234"]
)
def test_a_personnummer_in_a_date_column_is_refused_not_read_as_its_birth_date(text):
    assert refusal(text) == PERSONAL_NUMBER


@pytest.mark.parametrize(
    "text",
    [
        "2010-01-01-1234",  # a date with something after it
        "2024-10-15x",
        "20241015",  # the compact form Python's own reader takes
        "2024-02-30",
        "2024-10-15T25:00",
        "15/10/2024",
        "2024-10",
    ],
)
def test_anything_but_a_whole_date_is_refused(text):
    assert refusal(text) == DATE_HINT


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_date_reads_back_as_written_and_no_personnummer_reads_as_a_date(day):
    assert cells.date(day.isoformat()) == day
    number = make_personal_number(day, 123)
    for written in (number, f"{number[:8]}-{number[8:]}", f"{number[2:8]}-{number[8:]}"):
        with pytest.raises(cells.CellError):
            cells.date(written)
