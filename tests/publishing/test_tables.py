"""Table exports: CSV and XLSX round trips, formula neutralisation, markers as text."""

from __future__ import annotations

import csv
import io
import math

import openpyxl
import pytest
from django.http import Http404
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from skolkvalitet.publishing.tables import (
    FORMULA_TRIGGERS,
    Column,
    Table,
    neutralise,
    table_csv,
    table_download_response,
    table_xlsx,
)

COLUMNS = [
    Column("unit", "Skolenhet"),
    Column("n", "Antal elever", "number"),
    Column("share", "Andel behöriga", "percent"),
    Column("merit", "Meritvärde", "number"),
    Column("note", "Kommentar"),
]


def _table(rows, footnotes=()):
    return Table(title="Behörighet 2024/25", columns=COLUMNS, rows=rows, footnotes=footnotes)


ROWS = [
    {
        "unit": "Ekskolan",
        "n": 1234,
        "share": 75.25,
        "merit": -1.5,
        "note": '=HYPERLINK("http://x","y")',
    },
    {"unit": "+46701234567", "n": 8, "share": "..", "merit": "..", "note": "-1"},
    {"unit": "@Björkskolan", "n": 40, "share": "~100", "merit": None, "note": "\tx"},
]


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def _xlsx_sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_neutralise():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("+46 70") == "'+46 70"
    assert neutralise("-1") == "'-1"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("\t=1") == "'\t=1"
    assert neutralise("\r=1") == "'\r=1"
    assert neutralise("\uff1d1") == "'\uff1d1"
    assert neutralise("Ekskolan") == "Ekskolan"
    assert neutralise("..") == ".."
    assert neutralise("a=1") == "a=1"
    assert neutralise("") == ""


def test_csv_round_trip():
    rows = _csv_rows(table_csv(_table(ROWS)))
    assert rows[0] == ["Skolenhet", "Antal elever", "Andel behöriga", "Meritvärde", "Kommentar"]
    assert rows[1] == ["Ekskolan", "1234", "75,3", "-1,5", '\'=HYPERLINK("http://x","y")']
    assert rows[2] == ["'+46701234567", "8", "..", "..", "'-1"]
    assert rows[3] == ["'@Björkskolan", "40", "~100", "", "'\tx"]
    assert len(rows) == 4


def test_xlsx_round_trip():
    table = _table(ROWS, footnotes=[".. = färre än 10 elever", "=evil()"])
    ws = _xlsx_sheet(table_xlsx(table))
    assert ws["A1"].value == "Behörighet 2024/25"
    assert ws["A1"].font.b
    assert [c.value for c in ws[3]] == [c.label for c in COLUMNS]
    assert all(c.font.b for c in ws[3])
    first = [c.value for c in ws[4]]
    assert first == ["Ekskolan", 1234, 75.3, -1.5, '\'=HYPERLINK("http://x","y")']
    assert ws["E4"].data_type == "s"  # a string, never a formula
    assert ws["C4"].number_format == '#,##0.0" %"'
    assert ws["B4"].number_format == "#,##0"
    second = [c.value for c in ws[5]]
    assert second == ["'+46701234567", 8, "..", "..", "'-1"]
    assert ws["C5"].data_type == "s" and ws["D5"].data_type == "s"  # markers stay text, not 0
    third = [c.value for c in ws[6]]
    assert third == ["'@Björkskolan", 40, "~100", None, "'\tx"]
    assert ws["A8"].value == ".. = färre än 10 elever"
    assert ws["A9"].value == "'=evil()"
    assert ws.freeze_panes == "A4"
    assert ws.title == "Behörighet 2024-25"  # Excel refuses a slash in a sheet name


def test_no_formula_survives_in_xlsx_xml():
    data = table_xlsx(_table(ROWS))
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet


def test_decimals_and_rounding():
    columns = [Column("a", "A", "number", decimals=2), Column("b", "B", "number")]
    table = Table("t", columns, [{"a": 1.005, "b": 2.25}, {"a": 3, "b": -0.04}])
    assert _csv_rows(table_csv(table))[1:] == [["1,01", "2,3"], ["3,00", "0,0"]]
    ws = _xlsx_sheet(table_xlsx(table))
    assert [c.value for c in ws[4]] == [1.01, 2.3]
    assert [c.value for c in ws[5]] == [3.0, 0.0]
    assert ws["A4"].number_format == "#,##0.00"


def test_nan_and_booleans():
    columns = [Column("a", "A", "number"), Column("b", "B")]
    with translation.override("en"):
        rows = _csv_rows(table_csv(Table("t", columns, [{"a": float("nan"), "b": True}])))
    assert rows[1] == ["", "yes"]


def test_illegal_xml_characters_cannot_hide_a_formula():
    table = Table("t", [Column("a", "A")], [{"a": "\x01=1+1"}])
    ws = _xlsx_sheet(table_xlsx(table))
    assert ws["A4"].value == "'=1+1"


@pytest.mark.parametrize(
    ("fmt", "content_type", "name"),
    [
        ("csv", "text/csv; charset=utf-8", "behörighet.csv"),
        (
            "XLSX",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "behörighet.xlsx",
        ),
    ],
)
def test_download_response(fmt, content_type, name):
    response = table_download_response(_table(ROWS), fmt, "../behörighet")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    assert "behörighet".encode().hex() not in disposition  # encoded, not raw
    from urllib.parse import unquote

    assert unquote(disposition.split("filename*=utf-8''")[1]) == name
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("title", "sheet"),
    [
        # Short enough: only the slash changes.
        ("Behörighet 2024/25", "Behörighet 2024-25"),
        # 35 characters: the text before the year is cut (22 + "…" + " " + 7 = 31).
        ("Betygsfördelning, slutbetyg 2025/26", "Betygsfördelning, slut… 2025-26"),
        # The year first: what follows it is cut instead, the year kept.
        ("2025/26 – Föräldrar: eftergymnasial utbildning", "2025-26 – Föräldrar eftergymna…"),
        # A term as the period.
        ("Genomsnittlig betygspoäng, terminsbetyg VT2026", "Genomsnittlig betygspoä… VT2026"),
        # No period: cut at 30 with an ellipsis.
        ("Läsår: slutbetyg årskurs 9 och frånvaro", "Läsår slutbetyg årskurs 9 och…"),
        ("[]:*?\\", "Tabell"),
    ],
)
def test_sheet_names_fit_excel_and_keep_their_period(title, sheet):
    with translation.override("sv"):
        ws = _xlsx_sheet(table_xlsx(Table(title=title, columns=COLUMNS, rows=[])))
    assert ws.title == sheet
    assert len(ws.title) <= 31
    assert ws["A1"].value == title  # the title itself is written whole in the sheet


@pytest.mark.parametrize(
    ("filename", "saved"),
    [
        (
            "Ekskolan-Betygsfördelning, slutbetyg 2025/26",
            "Ekskolan-Betygsfördelning-slutbetyg-2025-26",
        ),
        ("resultatuppfoljning Uppföljning 1 HT2025", "resultatuppfoljning-Uppföljning-1-HT2025"),
        ("../../etc/passwd", "etc-passwd"),
    ],
)
def test_download_names_keep_the_whole_period(filename, saved):
    from urllib.parse import unquote

    response = table_download_response(_table(ROWS), "csv", filename)
    disposition = response["Content-Disposition"]
    if "filename*=" in disposition:  # RFC 6266 for names beyond ASCII
        name = unquote(disposition.split("filename*=utf-8''")[1])
    else:
        name = disposition.split('filename="')[1].rstrip('"')
    assert name == f"{saved}.csv"


def test_download_response_rejects_other_formats():
    with pytest.raises(Http404):
        table_download_response(_table(ROWS), "html", "x")


def test_display_cells():
    table = _table(ROWS)
    body = table.body
    assert body[0][1].text == "1\u00a0234"
    assert body[0][1].numeric and body[0][1].sort == "1234.0"
    assert body[0][2].text == "75,3\u00a0%"
    assert body[0][3].text == "\u22121,5"
    assert body[1][2].text == ".." and body[1][2].sort == "" and body[1][2].marker_title
    assert not body[0][0].numeric
    with translation.override("en"):
        assert [m for m, _ in table.markers] == ["..", "~100"]


# ---------------------------------------------------------------------------------------
# Property: whatever the texts, no text cell of an export starts with a formula trigger.

cell_values = st.one_of(
    st.text(max_size=20),
    st.text(
        alphabet=st.sampled_from([*FORMULA_TRIGGERS, "\x00", "\x01", "\n", " ", "'", "a", "1"]),
        max_size=6,
    ),
    st.sampled_from(["..", "~100", ".", "-", "=1+1", "+46", "-1", "@x"]),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
)
tables = st.builds(
    lambda title, labels, rows, notes: Table(
        title,
        [Column(f"c{i}", label, kind) for i, (label, kind) in enumerate(labels)],
        [{f"c{i}": v for i, v in enumerate(row)} for row in rows],
        notes,
    ),
    st.text(max_size=40),
    st.lists(
        st.tuples(st.text(max_size=10), st.sampled_from(["text", "number", "percent"])),
        min_size=1,
        max_size=4,
    ),
    st.lists(st.lists(cell_values, min_size=4, max_size=4), max_size=5),
    st.lists(st.text(max_size=15), max_size=2),
)


def _starts_with_trigger(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


@settings(max_examples=150, deadline=None)
@given(tables)
def test_csv_text_cells_never_start_with_a_formula_trigger(table):
    rows = _csv_rows(table_csv(table))
    for r, row in enumerate(rows):
        for i, cell in enumerate(row):
            if r > 0 and _is_number(table.rows[r - 1][table.columns[i].key]):
                continue  # a number, written as one ("-1,5"), not a text
            assert not _starts_with_trigger(cell), (r, i, cell)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


@settings(max_examples=100, deadline=None)
@given(tables)
def test_xlsx_text_cells_never_start_with_a_formula_trigger(table):
    ws = _xlsx_sheet(table_xlsx(table))
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert not _starts_with_trigger(cell.value), cell.coordinate
