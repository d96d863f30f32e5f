"""Tables as pages show them and as users download them (CSV and XLSX).

A `Table` is plain data: a title, columns (key, label, kind) and rows as dicts. The template
publishing/_table.html renders it accessibly; `table_csv` and `table_xlsx` export it;
`table_download_response` wraps an export in an HttpResponse.

Exports are safe to open in a spreadsheet: every text cell that starts with a formula trigger
(= + - @, tab, carriage return, or their full-width forms) is prefixed with an apostrophe, as
OWASP recommends against CSV injection, and XLSX strings are always written as strings, never as
formulas. Numbers stay numbers; suppression markers ("..", "~100", ".") stay text, never 0.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from skolkvalitet.indicators.markers import HIDDEN, MISSING, NEAR_FULL
from skolkvalitet.publishing.formatting import NBSP, format_number, round_half_up

Kind = Literal["text", "number", "percent"]
Cell = str | int | float | None

# What a spreadsheet may read as the start of a formula (OWASP, "CSV Injection"), and the
# full-width forms that some spreadsheet programs normalise to them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

MARKER_TITLES = {
    HIDDEN: gettext_noop(
        "Too few pupils (fewer than 10 at a school unit; from 2023/24 fewer than 5 for an area "
        "or the organiser), or hidden so that a hidden figure cannot be worked out"
    ),
    NEAR_FULL: gettext_noop("1–4 pupils lack the measure: close to 100 %"),
    MISSING: gettext_noop("No figure"),
}

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = "text"
    decimals: int | None = None  # None: one decimal, but whole numbers as they are (not %)

    @property
    def is_numeric(self) -> bool:
        return self.kind != "text"


@dataclass(frozen=True)
class DisplayCell:
    """One cell as the template shows it."""

    text: str
    numeric: bool  # right-aligned, tabular figures
    sort: str  # data-sort: a number with a decimal point, "" for markers and empty cells
    marker_title: str = ""  # set for a suppression marker: the explanation for <abbr title>


@dataclass
class Table:
    title: str
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Any]]
    footnotes: Sequence[str] = field(default_factory=tuple)
    row_headers: bool = True  # the first column names the row (<th scope="row">)
    id: str = ""  # the HTML id; by default "table-" and the title as a slug

    @property
    def dom_id(self) -> str:
        return self.id or f"table-{slugify(self.title) or 'data'}"

    @property
    def body(self) -> list[list[DisplayCell]]:
        return [[display_cell(row.get(c.key), c) for c in self.columns] for row in self.rows]

    @property
    def markers(self) -> list[tuple[str, str]]:
        """The suppression markers that occur in the table, with their explanations."""
        seen = {
            value
            for row in self.rows
            for c in self.columns
            if c.is_numeric and isinstance(value := row.get(c.key), str) and value in MARKER_TITLES
        }
        return [(m, _(MARKER_TITLES[m])) for m in MARKER_TITLES if m in seen]


# ---------------------------------------------------------------------------------------
# Cells


def neutralise(text: str) -> str:
    """Prefix a text that a spreadsheet could take for a formula with an apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def _number(value: Any) -> float | int | None:
    """The value as an int or a finite float, or None if it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def _is_nan(value: Any) -> bool:
    return isinstance(value, float | Decimal) and not math.isfinite(float(value))


def _decimals(value: float | int, column: Column) -> int:
    if column.decimals is not None:
        return column.decimals
    return 0 if isinstance(value, int) and column.kind != "percent" else 1


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def display_cell(value: Any, column: Column) -> DisplayCell:
    number = _number(value)
    if number is not None:
        places = _decimals(number, column)
        text = format_number(number, places)
        if column.kind == "percent":
            text = f"{text}{NBSP}%"
        return DisplayCell(text, column.is_numeric, repr(round(float(number), 6)))
    if value is None or _is_nan(value):
        return DisplayCell("", column.is_numeric, "")
    text = _text(value)
    if column.is_numeric:
        return DisplayCell(text, True, "", _(MARKER_TITLES[text]) if text in MARKER_TITLES else "")
    return DisplayCell(text, False, text)


def export_value(value: Any, column: Column) -> Cell:
    """A cell as exports write it: a rounded number, None, or a neutralised text."""
    number = _number(value)
    if number is not None:
        if isinstance(number, int) and _decimals(number, column) == 0:
            return number
        return float(round_half_up(number, _decimals(number, column))) + 0.0  # no -0.0
    if value is None or _is_nan(value):
        return None
    return neutralise(_text(value))


# ---------------------------------------------------------------------------------------
# CSV


def _csv_text(value: Cell, column: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value + 0.0:.{_decimals(value, column)}f}".replace(".", ",")
    return value


def table_csv(table: Table) -> bytes:
    """The table as CSV that Swedish Excel opens directly: UTF-8 with a byte-order mark, `;`
    between cells, decimal comma, CRLF line ends. Header row and data rows only."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(c.label) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_text(export_value(row.get(c.key), c), c) for c in table.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ---------------------------------------------------------------------------------------
# XLSX


def _xlsx_text(text: str) -> str:
    """Characters XML cannot carry are dropped before neutralising, so that what is left can
    never start with a formula trigger."""
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", text))


def _number_format(column: Column, value: float | int) -> str:
    places = _decimals(value, column)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return f'{pattern}" %"' if column.kind == "percent" else pattern


# Excel's longest sheet name; the characters it refuses in one.
SHEET_TITLE_MAX = 31
# A period as titles name it: an academic year (2025-26, once its slash is replaced), a term
# (HT2025, VT2026) or a calendar year. Shortened sheet titles keep it whole.
PERIOD_RE = re.compile(r"(?:HT|VT) ?\d{4}|\d{4}-\d{2}(?:\d{2})?|\d{4}")


def _cut(text: str, length: int) -> str:
    """The text within `length` characters, an ellipsis where it was cut."""
    if len(text) <= length:
        return text
    if length <= 1:
        return ""
    return text[: length - 1].rstrip(" ,;–-") + "…"


def _sheet_title(title: str) -> str:
    """A sheet name Excel accepts: without \\ / ? * [ ] : (a slash becomes "-", so that
    2025/26 reads 2025-26) and within 31 characters. A longer title is shortened with an
    ellipsis where it loses text, but its period (the last academic year, term or year it
    names) is kept whole: "Betygsfördelning, slutbetyg 2025-26" becomes
    "Betygsfördelning, slutb… 2025-26"."""
    cleaned = ILLEGAL_CHARACTERS_RE.sub("", title).replace("/", "-")
    cleaned = re.sub(r"[\[\]:*?\\]", " ", cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" '")
    if len(cleaned) > SHEET_TITLE_MAX:
        periods = list(PERIOD_RE.finditer(cleaned))
        if not periods or periods[-1].end() <= SHEET_TITLE_MAX - 1:
            # No period, or it fits before the cut: cut the end.
            cleaned = _cut(cleaned, SHEET_TITLE_MAX)
        else:
            period = periods[-1]
            after = _cut(cleaned[period.end() :], max(0, SHEET_TITLE_MAX - 12 - len(period[0])))
            kept = f"{period[0]}{after}"
            before = cleaned[: period.start()].rstrip()
            room = SHEET_TITLE_MAX - len(kept) - 1
            cleaned = f"{_cut(before, room)} {kept}".strip() if before else kept
    return cleaned.strip(" '") or _("Table")


def _write_text(ws: Any, row: int, col: int, text: str, **style: Any) -> None:
    cell = ws.cell(row=row, column=col, value=_xlsx_text(text))
    cell.data_type = "s"
    for name, value in style.items():
        setattr(cell, name, value)


def table_xlsx(table: Table) -> bytes:
    """The table as an XLSX workbook: the title in row 1, a bold header row, numbers as
    numbers (formatted to the decimals shown), markers and texts as strings, then the
    footnotes."""
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(table.title)
    wb.properties.creator = "Skolkvalitet"
    _write_text(ws, 1, 1, table.title, font=Font(bold=True, size=13))
    header = 3
    for col, column in enumerate(table.columns, start=1):
        align = Alignment(horizontal="right") if column.is_numeric else Alignment()
        _write_text(ws, header, col, column.label, font=Font(bold=True), alignment=align)
    for r, row in enumerate(table.rows, start=header + 1):
        for col, column in enumerate(table.columns, start=1):
            _write_xlsx_cell(ws, r, col, export_value(row.get(column.key), column), column)
    foot = header + len(table.rows) + 2
    for i, note in enumerate(table.footnotes):
        _write_text(ws, foot + i, 1, note, font=Font(italic=True))
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    _fit_columns(ws, table)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_xlsx_cell(ws: Any, row: int, col: int, value: Cell, column: Column) -> None:
    if value is None:
        return
    if isinstance(value, str):
        align = Alignment(horizontal="right") if column.is_numeric else Alignment()
        _write_text(ws, row, col, value, alignment=align)
        return
    cell = ws.cell(row=row, column=col, value=value)
    cell.number_format = _number_format(column, value)


def _fit_columns(ws: Any, table: Table) -> None:
    for col, column in enumerate(table.columns, start=1):
        texts = [column.label, *(display_cell(r.get(column.key), column).text for r in table.rows)]
        width = min(60, max(8, *(len(t) for t in texts)) + 2)
        ws.column_dimensions[get_column_letter(col)].width = width


# ---------------------------------------------------------------------------------------
# Responses


def download_filename(filename: str, fmt: str) -> str:
    """A safe file name with the right extension: letters (å, ä, ö too), digits, - _ .
    Anything else, a slash too, becomes "-", so a period reads whole ("2025/26" → "2025-26")
    and no name can name a folder."""
    stem = filename
    if stem.lower().endswith(f".{fmt}"):
        stem = stem[: -len(fmt) - 1]
    stem = re.sub(r"[^\w.-]+", "-", stem, flags=re.UNICODE).strip(".-_") or "tabell"
    return f"{stem[:100]}.{fmt}"


def table_download_response(table: Table, fmt: str, filename: str) -> HttpResponse:
    """The table as a download: fmt "csv" or "xlsx" (anything else is a 404)."""
    fmt = fmt.lower()
    if fmt == "csv":
        body, content_type = table_csv(table), CSV_CONTENT_TYPE
    elif fmt == "xlsx":
        body, content_type = table_xlsx(table), XLSX_CONTENT_TYPE
    else:
        raise Http404(f"unknown export format {fmt!r}")
    response = HttpResponse(body, content_type=content_type)
    disposition = content_disposition_header(True, download_filename(filename, fmt))
    if disposition is None:  # never: an attachment always has a header
        raise ValueError("no Content-Disposition for an attachment")
    response["Content-Disposition"] = disposition
    patch_cache_control(response, private=True, no_store=True)
    return response
