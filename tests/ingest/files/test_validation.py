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


def test_the_whole_column_check_of_personnummer_agrees_with_parsing_them_one_by_one():
    """personal_numbers_valid keeps exactly the 12-digit texts parse_personal_number accepts,
    with what it returns; every other text is left to it."""
    import random

    import polars as pl

    from skolkvalitet.ingest.files.validation import personal_numbers_valid
    from skolkvalitet.organisation.identity import (
        InvalidPersonalNumber,
        make_personal_number,
        parse_personal_number,
    )

    rng = random.Random(7)
    texts = [
        "20100402-2467", " 201004022467 ", "2010 0402 2467", "100402-2467", "100402+2467",
        "20100402+2467", "20230230-1234", "20230229-1236", "20240229-1237", "19000101-0009",
        "00000101-0000", "20991231-1234", "20100462-1235", "20100492-1230", "20101332-1238",
        "2010040224", "x0100402-2467", "",
    ]  # fmt: skip
    for _ in range(400):
        birth = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(20000))
        number = make_personal_number(birth, rng.randrange(1000), coordination=rng.random() < 0.2)
        if rng.random() < 0.3:  # a wrong check digit
            number = number[:-1] + str((int(number[-1]) + rng.randrange(1, 10)) % 10)
        texts.append(number if rng.random() < 0.5 else f"{number[:8]}-{number[8:]}")
    today = dt.date.today()
    found = {
        row["text"]: row
        for row in personal_numbers_valid(pl.Series(texts), today=today).iter_rows(named=True)
    }
    for text in texts:
        try:
            number = parse_personal_number(text, today=today)
        except InvalidPersonalNumber:
            assert text not in found, text
            continue
        cleaned = text.strip().replace(" ", "")
        if len(cleaned.replace("-", "")) == 12 and "+" not in cleaned:
            row = found[text]
            assert row["canonical"] == number.canonical
            assert row["birth_date"] == number.birth_date
            assert row["legal_gender"] == number.legal_gender
            assert row["is_coordination_number"] == number.is_coordination_number
        else:
            assert text not in found, text
    assert len(found) > 150  # the generated valid numbers born by today
