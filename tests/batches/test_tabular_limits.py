"""Hostile spreadsheets are refused before they cost anything: the zip's members are bounded
in total and each in its packing ratio before anything is unpacked, only the sheet an import
uses is parsed, rows are counted over the whole file, rows are bounded in width, and a cell
over the size limit is named by file, line and column."""

from __future__ import annotations

import hashlib
import io
import time
import zipfile

import pytest
from django.utils import translation

from skolkvalitet.batches.problems import ImportRejected
from skolkvalitet.batches.tabular import table_read_bytes, xlsx_sheets

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}</Types>"
)
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook(sheets: list[str], *, extra: dict[str, bytes] | None = None) -> bytes:
    """An XLSX file, written part by part, whose sheets hold the given <sheetData> XML (and
    any further members): what a hostile file can be and a spreadsheet program would not
    write."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        count = len(sheets)
        archive.writestr(
            "[Content_Types].xml",
            CONTENT_TYPES.format(
                sheets="".join(SHEET_TYPE.format(n=n) for n in range(1, count + 1))
            ),
        )
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            + "".join(
                f'<sheet name="Blad{n}" sheetId="{n}" r:id="rId{n}"/>' for n in range(1, count + 1)
            )
            + "</sheets></workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{RELS}/worksheet" '
                f'Target="worksheets/sheet{n}.xml"/>'
                for n in range(1, count + 1)
            )
            + "</Relationships>",
        )
        for n, data in enumerate(sheets, start=1):
            archive.writestr(
                f"xl/worksheets/sheet{n}.xml",
                f'<worksheet xmlns="{MAIN}">{data}</worksheet>',
            )
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def rows_xml(count: int, *, first: int = 1, width: int = 3) -> str:
    """<sheetData> of `count` rows of `width` small inline-string cells."""
    letters = "ABCDEFGHIJ"
    return (
        "<sheetData>"
        + "".join(
            f'<row r="{r}">'
            + "".join(
                f'<c r="{letters[i]}{r}" t="inlineStr"><is><t>v{r}x{i}</t></is></c>'
                for i in range(width)
            )
            + "</row>"
            for r in range(first, first + count)
        )
        + "</sheetData>"
    )


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def rejected(data: bytes, name: str = "f.xlsx", read=table_read_bytes) -> list[str]:
    with pytest.raises(ImportRejected) as error:
        read(data, name)
    return [str(problem) for problem in error.value.problems]


def test_the_hand_built_workbook_reads_as_a_spreadsheet():
    table = table_read_bytes(workbook([rows_xml(3)]), "f.xlsx")
    assert table.header == ["v1x0", "v1x1", "v1x2"]
    assert table.rows["c2"].to_list() == ["v2x2", "v3x2"]


def test_a_small_member_packed_like_a_zip_bomb_is_refused_before_it_is_unpacked():
    # 1 MiB of one byte: below the size the ratio check used to start at, packed ~1000:1.
    data = workbook([rows_xml(3)], extra={"xl/media/padding.bin": b"0" * 2**20})
    assert rejected(data) == ["f.xlsx: The XLSX file is packed suspiciously hard (a zip bomb?)."]


def test_the_members_unpacked_sizes_are_bounded_in_total(settings):
    settings.SKOLKVALITET_IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = 4 * 2**20
    # 480 sheets, none large and none packed suspiciously hard, 7 MB unpacked in all.
    data = workbook([rows_xml(100)] * 480)
    unpacked = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert len(data) < 2**20 and unpacked // 2**20 == 7
    assert rejected(data) == ["f.xlsx: The XLSX file unpacks to 7 MB; the limit is 4 MB."]


def test_of_a_workbook_of_many_sheets_only_the_first_is_parsed(settings):
    # 479 sheets after the first, each of which would be refused if it were read at all: it
    # holds a formula, and their 10 rows each are more in all than the row limit allows.
    settings.SKOLKVALITET_IMPORT_MAX_ROWS = 100
    formula = '<row r="11"><c r="A11"><f>1+1</f><v>2</v></c></row></sheetData>'
    other = rows_xml(10).replace("</sheetData>", formula)
    data = workbook([rows_xml(3), *[other] * 479])
    assert rejected(data, read=xlsx_sheets) == [  # read whole, the workbook is refused
        "f.xlsx [Blad2]:11:A: The cell holds a formula; save the sheet with values only."
    ]
    started = time.perf_counter()
    table = table_read_bytes(data, "f.xlsx")
    assert time.perf_counter() - started < 5
    assert table.height == 2


def test_rows_are_counted_over_the_whole_file_not_per_sheet(settings):
    settings.SKOLKVALITET_IMPORT_MAX_ROWS = 100
    data = workbook([rows_xml(60), rows_xml(60)])
    assert len(xlsx_sheets(workbook([rows_xml(60)]), "f.xlsx")["Blad1"]) == 60
    assert rejected(data, read=xlsx_sheets) == ["f.xlsx: The file has more than 100 rows."]


def test_a_row_far_down_the_sheet_counts_every_row_above_it(settings):
    settings.SKOLKVALITET_IMPORT_MAX_ROWS = 1000
    far = '<row r="900000000"><c r="A900000000"><v>1</v></c></row></sheetData>'
    data = workbook([rows_xml(1).replace("</sheetData>", far)])
    started = time.perf_counter()
    assert rejected(data) == ["f.xlsx: The file has more than 1000 rows."]
    assert time.perf_counter() - started < 5


def test_a_row_wider_than_the_limit_is_refused_at_once():
    # One cell in the sheet's last column: read as is, the row is 16 384 cells wide, and a
    # million such rows would take hours.
    sheet = (
        "<sheetData>"
        + "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(1, 1000))
        + "</sheetData>"
    )
    started = time.perf_counter()
    assert rejected(workbook([sheet])) == [
        "f.xlsx [Blad1]:1:XFD: The row is wider than 1000 columns."
    ]
    assert time.perf_counter() - started < 5


def test_a_declared_dimension_does_not_pad_the_rows_read():
    sheet = '<dimension ref="A1:XFD1048576"/>' + rows_xml(3)
    started = time.perf_counter()
    table = table_read_bytes(workbook([sheet]), "f.xlsx")
    assert time.perf_counter() - started < 5
    assert table.header == ["v1x0", "v1x1", "v1x2"] and table.height == 2


def test_a_member_that_unpacks_to_more_than_it_declares_is_refused():
    # The central directory says the sheet unpacks to 100 bytes (so the size checks pass);
    # zipfile stops the member there and its checksum fails: the declaration binds.
    data = bytearray(workbook([rows_xml(2000)]))
    name = b"xl/worksheets/sheet1.xml"
    at = data.find(b"PK\x01\x02")
    while data[at + 46 : at + 46 + len(name)] != name:
        at = data.find(b"PK\x01\x02", at + 1)
    data[at + 24 : at + 28] = (100).to_bytes(4, "little")
    assert rejected(bytes(data)) == ["f.xlsx: The file is not a valid XLSX file."]


def test_a_cell_over_the_size_limit_in_xlsx_is_named_by_sheet_line_and_column():
    # Excel never writes a cell over 32 767 characters (nor does openpyxl); a hostile file
    # can. Hex digits, so that the member packs as text does, not as a bomb.
    long = "".join(hashlib.sha256(str(n).encode()).hexdigest() for n in range(1250))
    cell = f'<c r="B2" t="inlineStr"><is><t>{long}</t></is></c>'
    sheet = rows_xml(1).replace("</sheetData>", f'<row r="2">{cell}</row></sheetData>')
    assert rejected(workbook([sheet]), "betyg.xlsx") == [
        "betyg.xlsx [Blad1]:2:B: The cell holds more than 32767 characters."
    ]


def test_the_cell_limit_is_a_setting_and_every_cell_over_it_is_listed(settings):
    settings.SKOLKVALITET_IMPORT_MAX_CELL_CHARS = 5
    data = b"a;b\n123456;1\n1;2\n1;abcdefgh\n"
    assert rejected(data, "f.csv") == [
        "f.csv:2:a: The cell holds more than 5 characters.",
        "f.csv:4:b: The cell holds more than 5 characters.",
    ]
