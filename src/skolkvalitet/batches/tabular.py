"""Reading uploaded tables safely: CSV (`;`, `,` or tab; UTF-8 with or without BOM, or
Windows-1252 as Excel writes it) and XLSX, with limits against hostile files.

Everything here is about bytes and cells; what the columns mean is the importers' business.
A file that cannot be read raises ImportRejected with the file's name (and line where known).

The limits (docs/formats.md#limits), each a setting SKOLKVALITET_IMPORT_<NAME>: the file's
size (MAX_BYTES); its rows, counted over the whole file and every sheet read (MAX_ROWS); a
cell's length (MAX_CELL_CHARS, Excel's own limit); and for XLSX, before anything is unpacked,
the number of zip members (XLSX_MAX_MEMBERS), their total unpacked size as the zip's central
directory declares it (XLSX_MAX_UNCOMPRESSED_BYTES; Python's zipfile never unpacks a member
beyond its declared size, so the declaration binds), the packing ratio of every member
(XLSX_MAX_RATIO) and a row's width (XLSX_MAX_COLUMNS). A pupil-data file is read from its
first sheet only; no other sheet is parsed.
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
MAX_ROWS = 5_000_000  # over the whole file: every sheet read counts
MAX_CELL_CHARS = 32_767  # Excel's limit of one cell
XLSX_MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024  # the sum over every member of the zip
XLSX_MAX_RATIO = 100  # uncompressed / compressed size, for every member whatever its size
XLSX_MAX_MEMBERS = 10_000
XLSX_MAX_COLUMNS = 1_000  # a row's width, empty cells before its last one included
MAX_CELL_PROBLEMS = 200
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
    """(line, cells) for every record of a CSV text; `line` is where the record starts.

    Python's csv module refuses a field over its field_size_limit with an error that names
    neither line nor column; the limit is raised to the text's length (the file's size limit
    bounds it), and cells too long are named by `cells_over_limit` instead."""
    if csv.field_size_limit() <= len(text):
        csv.field_size_limit(min(len(text) + 1, 2**31 - 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    line = 1
    for cells in reader:
        rows.append((line, cells))
        line = reader.line_num + 1
    return rows


def _too_long(file: str, line: int, column: str, limit: int) -> ImportProblem:
    return ImportProblem(
        file,
        line,
        column,
        _("The cell holds more than %(limit)d characters.") % {"limit": limit},
    )


def cells_over_limit(
    file: str, rows: Sequence[tuple[int, Sequence[str | None]]], header: Sequence[str]
) -> None:
    """Refuse cells longer than MAX_CELL_CHARS, each named by line and column (its heading,
    or its number beyond the header)."""
    limit = _limit("MAX_CELL_CHARS", MAX_CELL_CHARS)
    problems: list[ImportProblem] = []
    for line, cells in rows:
        for index, cell in enumerate(cells):
            if cell is not None and len(cell) > limit:
                heading = header[index] if index < len(header) else ""
                if not 0 < len(heading) <= limit:
                    heading = str(index + 1)
                problems.append(_too_long(file, line, heading, limit))
                if len(problems) >= MAX_CELL_PROBLEMS:
                    raise ImportRejected(problems)
    if problems:
        raise ImportRejected(problems)


def _check_zip(data: bytes, file: str) -> None:
    """Refuse an XLSX file before anything of it is unpacked: too many members, more unpacked
    bytes in all than allowed, or any member packed harder than a spreadsheet packs. The sizes
    are the central directory's; zipfile stops a member at its declared size (and then fails
    its checksum), so a member that lies about its size cannot unpack to more."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        _reject(file, _("The file is not a valid XLSX file."))
    members = archive.infolist()
    if len(members) > _limit("XLSX_MAX_MEMBERS", XLSX_MAX_MEMBERS):
        _reject(file, _("The XLSX file has too many parts to be a spreadsheet."))
    total = sum(member.file_size for member in members)
    limit = _limit("XLSX_MAX_UNCOMPRESSED_BYTES", XLSX_MAX_UNCOMPRESSED_BYTES)
    if total > limit:
        _reject(
            file,
            _("The XLSX file unpacks to %(size)d MB; the limit is %(limit)d MB.")
            % {"size": total // 2**20, "limit": limit // 2**20},
        )
    ratio = _limit("XLSX_MAX_RATIO", XLSX_MAX_RATIO)
    for member in members:
        if member.file_size > ratio * max(member.compress_size, 1):
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


class _RowBudget:
    """The rows left to read in one file, over every sheet read."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.max_rows = _limit("MAX_ROWS", MAX_ROWS)
        self.left = self.max_rows + 1  # the header row

    def take(self) -> None:
        self.left -= 1
        if self.left < 0:
            _reject(self.file, _("The file has more than %(max)d rows.") % {"max": self.max_rows})


def _sheet_rows(sheet, file: str, budget: _RowBudget) -> list[tuple[int, list[str | None]]]:
    """(row number, cell texts) of one sheet, refusing formulas and over-long cells (listed
    together) and, at once, rows over the file's budget or wider than XLSX_MAX_COLUMNS."""
    from openpyxl.utils import get_column_letter

    # The dimension the sheet declares (A1:XFD1048576, say) would have every row padded to
    # its width and every missing row filled in: read the cells that are there.
    sheet.reset_dimensions()
    max_columns = _limit("XLSX_MAX_COLUMNS", XLSX_MAX_COLUMNS)
    max_chars = _limit("MAX_CELL_CHARS", MAX_CELL_CHARS)
    where = f"{file} [{sheet.title}]"
    rows: list[tuple[int, list[str | None]]] = []
    problems: list[ImportProblem] = []
    for number, row in enumerate(sheet.iter_rows(), start=1):
        budget.take()
        if len(row) > max_columns:
            _reject(
                where,
                _("The row is wider than %(max)d columns.") % {"max": max_columns},
                number,
                get_column_letter(len(row)),
            )
        cells: list[str | None] = []
        for index, cell in enumerate(row, start=1):
            if getattr(cell, "data_type", None) == "f":
                problems.append(
                    ImportProblem(
                        where,
                        number,
                        get_column_letter(index),
                        _("The cell holds a formula; save the sheet with values only."),
                    )
                )
            text = _cell_text(getattr(cell, "value", None))
            if text is not None and len(text) > max_chars:
                problems.append(_too_long(where, number, get_column_letter(index), max_chars))
                text = None
            cells.append(text)
        if len(problems) >= MAX_CELL_PROBLEMS:
            raise ImportRejected(problems)
        while cells and cells[-1] is None:
            cells.pop()
        rows.append((number, cells))
    if problems:
        raise ImportRejected(problems)
    return rows


def _xlsx_read(data: bytes, file: str, *, first_only: bool):
    from openpyxl import load_workbook

    _check_zip(data, file)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for broken files
        _reject(file, _("The file is not a valid XLSX file."))
    budget = _RowBudget(file)
    sheets: dict[str, list[tuple[int, list[str | None]]]] = {}
    try:
        titles = workbook.sheetnames[:1] if first_only else workbook.sheetnames
        for title in titles:
            sheets[title] = _sheet_rows(workbook[title], file, budget)
    except ImportRejected:
        raise
    except Exception:  # a member cut short, a bad checksum, malformed XML
        _reject(file, _("The file is not a valid XLSX file."))
    finally:
        workbook.close()
    return sheets


def xlsx_sheets(data: bytes, file: str) -> dict[str, list[tuple[int, list[str | None]]]]:
    """Every sheet of an XLSX file as (row number, cell texts), within the file's limits (the
    rows counted over all sheets). Formula cells are refused: an import takes values, not
    calculations whose results the file may not hold."""
    return _xlsx_read(data, file, first_only=False)


def xlsx_first_sheet(data: bytes, file: str) -> list[tuple[int, list[str | None]]]:
    """The first sheet of an XLSX file as (row number, cell texts), as xlsx_sheets reads
    it; no other sheet is parsed."""
    return next(iter(_xlsx_read(data, file, first_only=True).values()), [])


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
    limit = _limit("MAX_CELL_CHARS", MAX_CELL_CHARS)
    if frame.select(pl.any_horizontal(pl.col("*").str.len_chars() > limit).any()).item():
        return None  # the careful reader names the cell
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
    """Read a CSV file, or the first sheet of an XLSX file, into a Table, within the limits."""
    max_rows = _limit("MAX_ROWS", MAX_ROWS)
    if is_xlsx(data):
        table = table_from_rows(file, xlsx_first_sheet(data, file))
    else:
        text = decode_text(data, file)
        if "\x00" in text:
            _reject(file, _("The file is not a text (CSV) file in UTF-8 or Windows-1252."))
        if not text.strip():
            _reject(file, _("The file is empty."))
        delimiter = sniff_delimiter(text.split("\n", 1)[0])
        if text.count("\n") > max_rows + 1:
            _reject(file, _("The file has more than %(max)d rows.") % {"max": max_rows})
        fast = _csv_table_fast(file, text, delimiter)
        if fast is None:
            rows = csv_rows(text, delimiter)
            cells_over_limit(file, rows, [cell.strip() for cell in rows[0][1]] if rows else [])
            fast = table_from_rows(file, rows)
        table = fast
        table.delimiter = delimiter
    if table.height > max_rows:
        _reject(file, _("The file has more than %(max)d rows.") % {"max": max_rows})
    return table
