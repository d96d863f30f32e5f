"""Downloadable templates for the import files (CSV and XLSX) and docs/formats.md, both
made from ingest/files/kinds.py so they cannot drift from what the importer reads."""

from __future__ import annotations

import io

from skolkvalitet.ingest.files.kinds import FILE_KINDS, PUPIL_PARSES, FileKind


def _example_row(kind: FileKind) -> list[str]:
    return [column.example for column in _template_columns(kind)]


def _template_columns(kind: FileKind):
    # Templates offer personnummer; elev_id is the alternative documented in formats.md.
    return [column for column in kind.columns if column.name != "elev_id"]


def template_csv(kind_key: str) -> bytes:
    """Header and one example row, `;`-separated UTF-8 with BOM (Excel opens it as is)."""
    kind = FILE_KINDS[kind_key]
    header = ";".join(column.name for column in _template_columns(kind))
    example = ";".join(_example_row(kind))
    return ("\ufeff" + header + "\r\n" + example + "\r\n").encode("utf-8")


def template_xlsx(kind_key: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    kind = FILE_KINDS[kind_key]
    book = Workbook()
    sheet = book.active
    sheet.title = kind.name[:31]
    sheet.append([column.name for column in _template_columns(kind)])
    sheet.append(_example_row(kind))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.number_format = "@"
    for column_cells in sheet.columns:
        for cell in column_cells:
            cell.number_format = "@"  # text: keeps leading zeros and "2024/25" as written
        sheet.column_dimensions[column_cells[0].column_letter].width = 22
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def formats_markdown() -> str:
    lines = [
        "# Import file formats",
        "",
        "<!-- Generated from src/skolkvalitet/ingest/files/kinds.py by "
        "`skolkvalitet import formats`; a test checks that this file matches. -->",
        "",
        "Every pupil-data file is imported with `skolkvalitet import KIND FILE` or on the "
        "Import page (Importera) of the web UI, where the templates can be downloaded "
        "(CSV and XLSX). How a file is read:",
        "",
        "- **CSV** separated by `;`, `,` or tab; UTF-8 with or without BOM, or Windows-1252 "
        "(what Excel writes as \u201cCSV (semikolonavgr\u00e4nsad)\u201d). **XLSX**: the "
        "first sheet; cells with formulas are refused (save values only).",
        "- The first row holds the headings. A column is found by its Swedish or English "
        "heading, in any case, with or without \u00e5/\u00e4/\u00f6, spaces or underscores "
        "(`\u00e4mne`, `Amne`, `subject`). Columns not listed are ignored and named in "
        "the outcome.",
        "- Every cell and row is checked before anything is written: personnummer (format, "
        "date, Luhn digit), known school unit (import the units first, "
        "`skolkvalitet import units`), subject code, grade, year group taught at the unit, "
        "duplicate rows and conflicting rows (same key, other values). Each problem is "
        "reported as `file:line:column: message`; a file with any problem changes nothing.",
        "- A valid file is written in one transaction as one import (who, when, file hash, "
        "rows), listed by `skolkvalitet import list` and on the Import page. The same file "
        "again changes nothing; a stored fact with the same key is replaced (and restored if "
        "the import is rolled back: `skolkvalitet import rollback ID`). After the import the "
        "indicators of the periods it touched are recomputed; where a pupils file changes "
        "a pupil's background, every period in which that pupil has facts, at whichever "
        "organiser, is recomputed too.",
        "- Dates are written 2024-10-15 (an XLSX date cell reads as its date; a time of day "
        "after it is ignored). The whole cell is read: a personnummer in a date column "
        "(20100101-1234) is refused, not read as its birth date.",
        "- Limits against hostile files, checked before anything is written (see "
        "[Limits](#limits)): 256 MB per file, 5 000 000 rows over the whole file, 32 767 "
        "characters per cell; an XLSX file is refused before it is unpacked if it has more "
        "than 10 000 parts, unpacks to more than 512 MB in all or has any part packed more "
        "than 100:1, and only its first sheet is read.",
        "- Personnummer are replaced by a keyed pseudonym at import and never stored. "
        "A pupil not yet known is created from the number (gender and birth year derived).",
        "",
        "Kinds: " + ", ".join(f"`{key}`" for key in FILE_KINDS) + ". "
        "Reference data (`units`, `skolverket`, `kolada`) are described in "
        "[reference-data.md](reference-data.md) and [formats-units.md](formats-units.md); "
        "SS 12000 in [ss12000.md](ss12000.md).",
        "",
    ]
    for kind in FILE_KINDS.values():
        lines += [
            f"## `{kind.key}`: {kind.name}",
            "",
            kind.description,
            f"A row's key (a second row with the same key is a conflict; a stored fact with "
            f"the same key is replaced): {', '.join(kind.key_columns)}.",
            "",
            "| column | English heading | required | meaning | example |",
            "| --- | --- | --- | --- | --- |",
        ]
        for column in kind.columns:
            required = "yes" if column.required else "no"
            if column.parse in PUPIL_PARSES and not column.required:
                required = "one of the two"
            lines.append(
                f"| `{column.name}` | `{column.english}` | {required} | "
                f"{column.description} | {column.example} |"
            )
        lines.append("")
    return "\n".join(lines + LIMITS)


LIMITS = [
    "## Limits",
    "",
    "A file over a limit is refused with a message that says which, and nothing is written. "
    "The limits are in `skolkvalitet.batches.tabular`; the first two are also set by "
    "environment variables.",
    "",
    "| limit | default | set by |",
    "| --- | --- | --- |",
    "| the file's size | 256 MB | `SKOLKVALITET_IMPORT_MAX_BYTES` |",
    "| rows, counted over the whole file (every sheet read) | 5 000 000 | "
    "`SKOLKVALITET_IMPORT_MAX_ROWS` |",
    "| one cell | 32 767 characters (Excel's own limit); a longer cell is named by "
    "`file:line:column` | |",
    "| XLSX: parts (members of the zip) | 10 000 | |",
    "| XLSX: all parts unpacked, as the zip's directory declares them before anything is "
    "unpacked (a part is never unpacked beyond its declared size: it then fails its "
    "checksum) | 512 MB | |",
    "| XLSX: the packing ratio of every part, whatever its size | 100:1 | |",
    "| XLSX: a row's width | 1 000 columns | |",
    "| XLSX: sheets read | the first; no other sheet is parsed | |",
    "",
    "An upload on the Import page is imported in a process of its own whose memory is "
    "limited (`SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB`, [operations.md](operations.md#imports-"
    "in-a-separate-process)); the uploaded file is deleted when the import ends, however it "
    "ends ([security.md](security.md#uploaded-files)).",
    "",
]
