"""Checking a whole file: when every column is "missing", the likely cause is named."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from skolkvalitet.batches.problems import ImportRejected
from skolkvalitet.batches.tabular import table_read_bytes
from skolkvalitet.ingest.files.kinds import FILE_KINDS
from skolkvalitet.ingest.files.validation import facts_check
from skolkvalitet.organisation.identity import make_personal_number

pytestmark = pytest.mark.django_db

COLUMNS = ["personnummer", "skolenhetskod", "läsår", "termin", "årskurs", "ämne", "betyg"]
ROW = ["20100402-2466", "20000002", "2024/25", "VT", "9", "MA", "C"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def problems(data: bytes, name: str) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        facts_check(FILE_KINDS["grades"], table_read_bytes(data, name))
    return [str(problem) for problem in rejected.value.problems]


def csv(separator: str, *, header_separator: str | None = None) -> bytes:
    header = (header_separator or separator).join([*COLUMNS, "betygstyp"])
    return f"{header}\n{separator.join([*ROW, 'slutbetyg'])}\n".encode()


@pytest.mark.parametrize(("separator", "name"), [("|", "vertical bar (|)"), (":", "colon (:)")])
def test_a_header_in_another_separator_names_it_before_the_missing_columns(separator, name):
    messages = problems(csv(separator), "betyg.csv")
    assert messages[0] == (
        "betyg.csv:1: No column was recognised: the file was read with semicolon (;) between "
        f"the columns, but its headings are separated by {name}. Save the file with "
        "semicolons, commas or tabs between the columns."
    )
    assert "betyg.csv:1: The column betyg is missing." in messages


def test_a_header_of_one_column_without_a_known_separator_says_so():
    messages = problems(csv(" "), "betyg.csv")
    assert messages[0] == (
        "betyg.csv:1: No column was recognised, and the header reads as a single column: the "
        "columns are not separated by semicolons, commas or tabs. Save the file with one of "
        "them between the columns."
    )


def test_a_file_read_with_the_wrong_of_two_separators_says_which():
    # The headings are separated by commas, but a comment with semicolons makes ';' the most
    # frequent character of the header line, so the file is read with ';'.
    header = ",".join([*COLUMNS, "betygstyp"]) + ",kommentar (t.ex.; a; b; c; d; e; f; g; h)"
    data = f"{header}\n{','.join([*ROW, 'slutbetyg', 'x'])}\n".encode()
    messages = problems(data, "betyg.csv")
    assert messages[0] == (
        "betyg.csv:1: No column was recognised: the file was read with semicolon (;) between "
        "the columns, but its headings are separated by comma (,). Save the file with "
        "semicolons, commas or tabs between the columns."
    )


def test_a_spreadsheet_with_the_csv_text_in_one_cell_says_so():
    book = Workbook()
    book.active.append([";".join([*COLUMNS, "betygstyp"])])
    book.active.append([";".join([*ROW, "slutbetyg"])])
    buffer = io.BytesIO()
    book.save(buffer)
    messages = problems(buffer.getvalue(), "betyg.xlsx")
    assert messages[0] == (
        "betyg.xlsx:1: No column was recognised: the headings are all in one cell, separated "
        "by semicolon (;). Split the text into columns (Data → Text to Columns) or save the "
        "file as CSV."
    )


def test_a_file_with_some_columns_found_gets_no_separator_hint():
    data = b"personnummer;skolenhetskod\n20100402-2466;20000002\n"
    messages = problems(data, "betyg.csv")
    assert not any("recognised" in message for message in messages)
    assert "betyg.csv:1: The column betyg is missing." in messages


def test_a_personnummer_in_a_date_column_is_refused_at_its_line_and_column(org):
    pupil = make_personal_number(dt.date(2010, 4, 2), 246)
    data = (
        "personnummer;skolenhetskod;läsår;ankomstdatum\n"
        f"{pupil};20000002;2024/25;2019-08-20\n"
        f"{pupil};20000002;2023/24;{pupil}\n"
    ).encode()
    with pytest.raises(ImportRejected) as rejected:
        facts_check(FILE_KINDS["pupils"], table_read_bytes(data, "elever.csv"))
    assert [str(problem) for problem in rejected.value.problems] == [
        "elever.csv:3:ankomstdatum: The cell holds a personnummer, not a date. Write the date "
        "as 2024-10-15."
    ]
    assert pupil not in str(rejected.value)  # the message never quotes the cell


def test_a_cell_over_the_size_limit_is_refused_at_its_line_and_column_not_as_a_failure():
    long = "x" * 200_000  # beyond Python's csv field limit, which names no line or column
    for quoted in (long, f'"{long}"'):
        data = (";".join([*COLUMNS, "betygstyp"]) + "\n" + ";".join(ROW) + f";{quoted}\n").encode()
        assert problems(data, "betyg.csv") == [
            "betyg.csv:2:betygstyp: The cell holds more than 32767 characters."
        ]
