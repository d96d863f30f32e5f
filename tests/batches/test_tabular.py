"""Reading uploaded tables: what any CSV or XLSX a school system writes reads back as, and
which hostile files are refused before they cost anything."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from skolkvalitet.batches.problems import ImportRejected
from skolkvalitet.batches.tabular import (
    read_file_bytes,
    sniff_delimiter,
    table_read_bytes,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def rejected(data: bytes, name: str = "f.csv") -> list[str]:
    with pytest.raises(ImportRejected) as error:
        table_read_bytes(data, name)
    return [str(problem) for problem in error.value.problems]


def rows_of(table) -> list[list[str | None]]:
    return [list(row[1:]) for row in table.rows.iter_rows()]


# Cells as school systems write them: letters (Swedish too), digits, spaces inside, / - . ,
cell = (
    st.text(alphabet=st.sampled_from(list("abcåäöÅÄÖxyz0123456789 /-.,")), min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=8),
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_any_csv_reads_back_as_written(rows, delimiter, encoding, newline):
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(["första", "andra", "tredje"])
    writer.writerows(rows)
    table = table_read_bytes(buffer.getvalue().encode(encoding), "f.csv")
    assert table.header == ["första", "andra", "tredje"]
    assert rows_of(table) == rows
    assert table.rows["_line"].to_list() == list(range(2, len(rows) + 2))


def test_line_numbers_count_blank_lines_and_quoted_line_breaks():
    data = b'a;b\n1;"two\nlines"\n\n3;4\n'
    table = table_read_bytes(data, "f.csv")
    assert rows_of(table) == [["1", "two\nlines"], ["3", "4"]]
    assert table.rows["_line"].to_list() == [2, 5]


def test_the_separator_is_the_most_frequent_of_semicolon_comma_and_tab():
    assert sniff_delimiter("a;b;c,d") == ";"
    assert sniff_delimiter("a,b,c") == ","
    assert sniff_delimiter("a\tb") == "\t"
    assert sniff_delimiter("single") == ";"


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path, settings):
    settings.SKOLKVALITET_IMPORT_MAX_BYTES = 1000
    path = tmp_path / "big.csv"
    path.write_bytes(b"a;b\n" + b"1;2\n" * 500)
    with pytest.raises(ImportRejected) as error:
        read_file_bytes(path)
    assert "the limit is 0 MB" in str(error.value)


def test_too_many_rows_are_refused(settings):
    settings.SKOLKVALITET_IMPORT_MAX_ROWS = 10
    assert rejected(b"a;b\n" + b"1;2\n" * 11) == ["f.csv: The file has more than 10 rows."]


def test_binary_and_empty_files_are_refused():
    assert rejected(b"\x00\x01\x02") == [
        "f.csv: The file is not a text (CSV) file in UTF-8 or Windows-1252."
    ]
    assert rejected(b"  \n") == ["f.csv: The file is empty."]


def test_a_row_longer_than_the_header_is_refused_with_its_line():
    assert rejected(b"a;b\n1;2\n1;2;3\n") == [
        "f.csv:3:3: The row has more cells than the header has columns."
    ]


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    assert rejected(buffer.getvalue(), "bomb.xlsx") == [
        "bomb.xlsx: The XLSX file is packed suspiciously hard (a zip bomb?)."
    ]


def test_an_xlsx_with_too_many_parts_is_refused(settings):
    settings.SKOLKVALITET_IMPORT_XLSX_MAX_MEMBERS = 5
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(6):
            archive.writestr(f"part{index}.xml", b"<x/>")
    assert rejected(buffer.getvalue(), "many.xlsx") == [
        "many.xlsx: The XLSX file has too many parts to be a spreadsheet."
    ]


def test_a_broken_xlsx_is_refused():
    assert rejected(b"PK\x03\x04not really a zip", "broken.xlsx") == [
        "broken.xlsx: The file is not a valid XLSX file."
    ]


def test_xlsx_numbers_and_dates_read_as_a_person_would_write_them():
    import datetime as dt

    book = Workbook()
    book.active.append(["årskurs", "datum", "andel", "tom"])
    book.active.append([9, dt.datetime(2024, 10, 15), 12.5, None])
    buffer = io.BytesIO()
    book.save(buffer)
    table = table_read_bytes(buffer.getvalue(), "f.xlsx")
    assert rows_of(table) == [["9", "2024-10-15", "12.5", None]]


@pytest.mark.parametrize(
    ("text", "separator"),
    [("a;b;c\n1;2;3\n", ";"), ("a,b,c\n1,2,3\n", ","), ('a\tb\t"c"\n1\t2\t3\n', "\t")],
)
def test_a_csv_table_records_the_separator_it_was_read_with(text, separator):
    assert table_read_bytes(text.encode(), "f.csv").delimiter == separator


def test_an_xlsx_table_has_no_separator():
    book = Workbook()
    book.active.append(["a", "b"])
    book.active.append(["1", "2"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert table_read_bytes(buffer.getvalue(), "f.xlsx").delimiter is None
