"""Reading uploaded tables safely: CSV (`;`, `,` or tab; UTF-8 with or without BOM, or
Windows-1252 as Excel writes it) and XLSX, with limits against hostile files.

Everything here is about bytes and cells; what the columns mean is the importers' business.
A file that cannot be read raises ImportRejected with the file's name (and line where known).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.conf import settings
from django.utils.translation import gettext as _

from skolkvalitet.batches.problems import ImportProblem, ImportRejected

# Defaults; each can be set in settings (SKOLKVALITET_IMPORT_MAX_BYTES, ...).
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_ROWS = 5_000_000
XLSX_MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
XLSX_MAX_RATIO = 100  # uncompressed / compressed size of one member
XLSX_MAX_MEMBERS = 10_000
DELIMITERS = (";", ",", "\t")


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, f"SKOLKVALITET_IMPORT_{name}", default))


def _reject(file: str, message: str, line: int | None = None, column: str | None = None):
    raise ImportRejected([ImportProblem(file, line, column, message)])


@dataclass
class Table:
    """A table read from a file: the header as written, and every data row as text.

    `rows` has one Utf8 column per header (named by position, "c0", "c1", ...) plus `_line`,
    the row's line in the file (1-based), so problems can point at the line the user sees.
    Empty cells are null.
    """

    file: str
    header: list[str]
    header_line: int
    rows: pl.DataFrame
    delimiter: str | None = None  # the separator a CSV file was read with; None for XLSX

    @property
    def height(self) -> int:
        return self.rows.height


def read_file_bytes(path: Path) -> bytes:
    """The file's bytes, refusing files above the size limit before reading them."""
    limit = _limit("MAX_BYTES", MAX_FILE_BYTES)
    size = path.stat().st_size
    if size > limit:
        _reject(
            path.name,
            _("The file is %(size)d MB; the limit is %(limit)d MB.")
            % {"size": size // 2**20, "limit": limit // 2**20},
        )
    return path.read_bytes()


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def decode_text(data: bytes, file: str) -> str:
    """Text of a CSV file: UTF-8 (a BOM is dropped), else Windows-1252 (Excel's "CSV")."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_or_reject(data, "utf-16", file)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_or_reject(data, "cp1252", file)


def _decode_or_reject(data: bytes, encoding: str, file: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        _reject(file, _("The file is not a text (CSV) file in UTF-8 or Windows-1252."))
        raise AssertionError("unreachable") from None


# Separators a header may have been written with, to name the likely cause when no column
# is recognised (only DELIMITERS are read).
SEPARATOR_CANDIDATES = (";", ",", "\t", "|", ":")


def sniff_delimiter(header_line: str) -> str:
    """The separator of a header line: the most frequent of `;`, `,` and tab."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ";"


def csv_rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(line, cells) for every record of a CSV text; `line` is where the record starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    line = 1
    for cells in reader:
        rows.append((line, cells))
        line = reader.line_num + 1
    return rows


def _check_zip(data: bytes, file: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        _reject(file, _("The file is not a valid XLSX file."))
    members = archive.infolist()
    if len(members) > _limit("XLSX_MAX_MEMBERS", XLSX_MAX_MEMBERS):
        _reject(file, _("The XLSX file has too many parts to be a spreadsheet."))
    total = sum(member.file_size for member in members)
    if total > _limit("XLSX_MAX_UNCOMPRESSED_BYTES", XLSX_MAX_UNCOMPRESSED_BYTES):
        _reject(file, _("The XLSX file unpacks to more than the allowed size."))
    ratio = _limit("XLSX_MAX_RATIO", XLSX_MAX_RATIO)
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > ratio * max(
            member.compress_size, 1
        ):
            _reject(file, _("The XLSX file is packed suspiciously hard (a zip bomb?)."))


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def xlsx_sheets(data: bytes, file: str) -> dict[str, list[tuple[int, list[str | None]]]]:
    """Every sheet of an XLSX file as (row number, cell texts). Formula cells are refused:
    an import takes values, not calculations whose results the file may not hold."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    _check_zip(data, file)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for broken files
        _reject(file, _("The file is not a valid XLSX file."))
    max_rows = _limit("MAX_ROWS", MAX_ROWS)
    sheets: dict[str, list[tuple[int, list[str | None]]]] = {}
    problems: list[ImportProblem] = []
    try:
        for sheet in workbook.worksheets:
            rows: list[tuple[int, list[str | None]]] = []
            for number, row in enumerate(sheet.iter_rows(), start=1):
                if number > max_rows + 1:
                    _reject(file, _("The file has more than %(max)d rows.") % {"max": max_rows})
                cells: list[str | None] = []
                for index, cell in enumerate(row, start=1):
                    if getattr(cell, "data_type", None) == "f":
                        problems.append(
                            ImportProblem(
                                f"{file} [{sheet.title}]",
                                number,
                                get_column_letter(index),
                                _("The cell holds a formula; save the sheet with values only."),
                            )
                        )
                    cells.append(_cell_text(getattr(cell, "value", None)))
                while cells and cells[-1] is None:
                    cells.pop()
                rows.append((number, cells))
            sheets[sheet.title] = rows
    finally:
        workbook.close()
    if problems:
        raise ImportRejected(problems)
    return sheets


def table_from_rows(
    file: str, rows: Sequence[tuple[int, Sequence[str | None]]], *, header_index: int = 0
) -> Table:
    """A Table from (line, cells) rows whose `header_index`-th row is the header."""
    if len(rows) <= header_index:
        _reject(file, _("The file is empty."))
    header_line, header_cells = rows[header_index]
    header = [(cell or "").strip() for cell in header_cells]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    lines: list[int] = []
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for line, cells in rows[header_index + 1 :]:
        cleaned = [(cell.strip() or None) if isinstance(cell, str) else cell for cell in cells]
        if not any(cleaned):
            continue  # blank line
        if len(cleaned) > width and any(cleaned[width:]):
            _reject(
                file,
                _("The row has more cells than the header has columns."),
                line,
                str(width + 1),
            )
        lines.append(line)
        for index in range(width):
            columns[index].append(cleaned[index] if index < len(cleaned) else None)
    frame = pl.DataFrame(
        {"_line": pl.Series(lines, dtype=pl.Int64)}
        | {f"c{index}": pl.Series(values, dtype=pl.Utf8) for index, values in enumerate(columns)}
    )
    return Table(file=file, header=header, header_line=header_line, rows=frame)


def _csv_table_fast(file: str, text: str, delimiter: str) -> Table | None:
    """Polars' reader for plain files (no quotes, so every record is one line); None when
    the file needs the careful reader."""
    if '"' in text:
        return None
    first_line, _, body = text.partition("\n")
    header = [cell.strip() for cell in first_line.rstrip("\r").split(delimiter)]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    if width == 0:
        return None
    if not body.strip():
        return None
    try:
        frame = pl.read_csv(
            body.encode("utf-8"),
            has_header=False,
            separator=delimiter,
            infer_schema=False,
            quote_char=None,
        )
    except pl.exceptions.PolarsError:
        return None  # ragged lines: the careful reader names them
    if frame.width > width:
        extra = frame.select(frame.columns[width:])
        has_extra = extra.select(
            pl.any_horizontal(pl.col("*").str.strip_chars().str.len_chars() > 0)
        ).to_series()
        if has_extra.any():
            return None  # let the careful reader name the line
        frame = frame.select(frame.columns[:width])
    if frame.width < width:
        return None
    frame = frame.rename({old: f"c{index}" for index, old in enumerate(frame.columns)})
    frame = frame.with_columns(
        pl.col(f"c{index}").str.strip_chars().replace("", None) for index in range(width)
    )
    frame = frame.with_row_index("_line", offset=2).with_columns(pl.col("_line").cast(pl.Int64))
    frame = frame.filter(pl.any_horizontal(pl.col(f"c{i}").is_not_null() for i in range(width)))
    return Table(file=file, header=header, header_line=1, rows=frame)


def table_read(path: Path, *, file: str | None = None) -> Table:
    """Read a CSV or XLSX file (the first sheet) into a Table, within the limits."""
    name = file or path.name
    data = read_file_bytes(path)
    return table_read_bytes(data, name)


def table_read_bytes(data: bytes, file: str) -> Table:
    max_rows = _limit("MAX_ROWS", MAX_ROWS)
    if is_xlsx(data):
        sheets = xlsx_sheets(data, file)
        rows = next(iter(sheets.values()), [])
        table = table_from_rows(file, rows)
    else:
        text = decode_text(data, file)
        if "\x00" in text:
            _reject(file, _("The file is not a text (CSV) file in UTF-8 or Windows-1252."))
        if not text.strip():
            _reject(file, _("The file is empty."))
        delimiter = sniff_delimiter(text.split("\n", 1)[0])
        if text.count("\n") > max_rows + 1:
            _reject(file, _("The file has more than %(max)d rows.") % {"max": max_rows})
        table = _csv_table_fast(file, text, delimiter) or table_from_rows(
            file, csv_rows(text, delimiter)
        )
        table.delimiter = delimiter
    if table.height > max_rows:
        _reject(file, _("The file has more than %(max)d rows.") % {"max": max_rows})
    return table
