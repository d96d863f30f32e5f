"""Skolverket's "Sök statistik" exports (CSV and XLSX) → reference records. Pure: bytes in,
records out; nothing is stored here (see reference/imports.py).

An export looks like this (`;`-separated, UTF-8 with BOM)::

    Statistik från Skolverket, https://www.skolverket.se          preamble
    Grundskola - Betyg årskurs 6, ... per kön                      title  → dataset
    Valt läsår: 2024/25                                            period ("Valt år: 2024")
    ;;;;;Flickor;Flickor;...;Pojkar;...                            optional upper heading row
    Kommun;Kommun-kod;Län;Läns-kod;Typ av huvudman;Antal elever;…  heading row
    Ale;1440;Västra Götalands län;14;Samtliga;217;17,1;82,0;…      data rows
                                                                   blank line
    Rapportbeskrivning och definitioner etc.                       footnotes (ignored)

Headings name the area (Kommun/Kommun-kod/Kommunkod, Län/Läns-kod, Skola/Skol-enhetskod,
Huvudman orgnr, a "Riket" row), the type of organiser, the gender (Kön) and the subject (Ämne);
every other column is a measure, or in "over time" layouts a period ("2024/25"). Numbers use a
decimal comma and spaces between thousands; `.`, `..`, `~100` and `-` are markers, kept as
markers with no value (never zero).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import NoReturn

from django.utils.translation import gettext as _

from skolkvalitet.batches.problems import ImportProblem, ImportRejected
from skolkvalitet.batches.tabular import csv_rows, decode_text, is_xlsx, xlsx_sheets
from skolkvalitet.reference.mapping import PUPIL_COUNT_BASES, skolverket_indicator, subject_code
from skolkvalitet.reference.records import AreaKind, Marker, ReferenceRecord, Source

MARKERS: dict[str, Marker] = {
    ".": Marker.MISSING,
    "..": Marker.SUPPRESSED,
    "~100": Marker.NEAR_ALL,
    "-": Marker.MISSING,  # older tables: "does not occur", what "." means today
    "–": Marker.MISSING,
}
SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})
SWEDISH_NUMBER = re.compile(r"-?(?:\d{1,3}(?: \d{3})+|\d+)(?:,\d+)?")
POINT_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
PERIOD = re.compile(r"\d{4}(?:/\d{2})?")
NATION_NAMES = {"riket", "hela riket", "samtliga kommuner"}
GENDERS = {"flickor": "gender=F", "pojkar": "gender=M", "samtliga": "", "totalt": ""}
MAX_PROBLEMS = 200
PREAMBLE_ROWS = 40

# Heading (lower case, without spaces and hyphens) → the role of the column.
AREA_COLUMNS = {
    "kommun": "municipality_name",
    "skolkommun": "municipality_name",
    "kommunkod": "municipality_code",
    "län": "county_name",
    "länskod": "county_code",
    "skola": "unit_name",
    "skolenhet": "unit_name",
    "skolenhetskod": "unit_code",
    "huvudman": "organiser_name",
    "huvudmanorgnr": "organiser_code",
    "typavhuvudman": "organiser_type",
    "kön": "gender",
    "ämne": "subject",
    "uppgift": "measure",
}
# Most specific first: a row is about the unit when a unit code is given, and so on.
AREA_KINDS = (
    (AreaKind.UNIT, "unit_code", "unit_name", 8),
    (AreaKind.ORGANISER, "organiser_code", "organiser_name", 10),
    (AreaKind.MUNICIPALITY, "municipality_code", "municipality_name", 4),
    (AreaKind.COUNTY, "county_code", "county_name", 2),
)
NATION_CODE = "0000"


class NotANumber(ValueError):
    pass


def parse_cell(text: str | None, *, point_decimals: bool = False) -> tuple[float | None, Marker]:
    """(value, marker) of one published cell: "1 234,5" → (1234.5, NONE), ".." →
    (None, SUPPRESSED), "" → (None, NONE). XLSX cells hold real numbers ("224.5"):
    `point_decimals` accepts those too. Raises NotANumber for anything else."""
    if text is None or not text.strip():
        return None, Marker.NONE
    stripped = text.strip()
    if stripped in MARKERS:
        return None, MARKERS[stripped]
    spaced = " ".join(stripped.translate(SPACES).split(" "))
    if SWEDISH_NUMBER.fullmatch(spaced):
        return float(spaced.replace(" ", "").replace(",", ".")), Marker.NONE
    if point_decimals and POINT_NUMBER.fullmatch(stripped):
        return float(stripped), Marker.NONE
    raise NotANumber(stripped)


def _key(heading: str) -> str:
    return heading.lower().replace("-", "").replace(" ", "")


def _clean(cell: str | None) -> str:
    return " ".join((cell or "").split())


@dataclass
class Preamble:
    title: str = ""
    period: str = ""
    organiser_type: str = ""
    caveat: str = ""  # the export's own words above the table about this year's figures


# A footnote that says a measure is in thousands of kronor ("Den totala kostnaden i tusentals
# kronor för valt år", Grundskola - Kostnader per kommun); the per-pupil costs are in kronor.
THOUSANDS_OF_KRONOR = "tusentals kronor"
COST_DATASET = "kostnader"


@dataclass
class Column:
    index: int
    heading: str  # as written; the upper heading in parentheses when there are two rows
    measure: str = ""
    breakdown: str = ""
    period: str = ""  # over-time layouts: the column's period


@dataclass
class Layout:
    roles: dict[str, int]  # area/gender/subject/measure role → column index
    measures: list[Column]
    label: Column | None = None  # over-time layout: the column naming the row's measure/subject
    headings: dict[int, str] = field(default_factory=dict)  # column index → heading as written


@dataclass
class _Reader:
    file: str
    point_decimals: bool
    problems: list[ImportProblem] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # rows naming no coded area

    def problem(self, line: int | None, column: str | None, message: str) -> None:
        self.problems.append(ImportProblem(self.file, line, column, message))
        if len(self.problems) >= MAX_PROBLEMS:
            raise ImportRejected(self.problems)


@dataclass
class SkolverketExport:
    records: list[ReferenceRecord]
    skipped: list[tuple[str, int, str]]  # (file, line, name) of rows that name no coded area


def parse_skolverket_export(data: bytes, file: str) -> list[ReferenceRecord]:
    """Every value of a "Sök statistik" export (CSV, or XLSX with one table per sheet).
    Raises ImportRejected (file:line:column) for a file that is not such an export or holds a
    malformed number or code; then no record is returned."""
    return read_skolverket_export(data, file).records


def read_skolverket_export(data: bytes, file: str) -> SkolverketExport:
    """parse_skolverket_export, also telling which rows were skipped: rows naming an area
    without a code (Skolverket lists kommunalförbund so), which no reference can be tied to."""
    if not is_xlsx(data):
        text = decode_text(data, file)
        return _parse_table(csv_rows(text, ";"), file, point_decimals=False)
    tables = [
        (f"{file} [{name}]", rows)
        for name, rows in xlsx_sheets(data, file).items()
        if _heading_index(rows) is not None
    ]
    if not tables:
        _reject_not_export(file)
    export = SkolverketExport([], [])
    problems: list[ImportProblem] = []
    for name, rows in tables:
        try:
            sheet = _parse_table(rows, name, point_decimals=True)
        except ImportRejected as rejected:
            problems += rejected.problems
            continue
        export.records += sheet.records
        export.skipped += sheet.skipped
    if problems:
        raise ImportRejected(problems)
    return export


def _reject_not_export(file: str, line: int | None = None) -> NoReturn:
    raise ImportRejected(
        [
            ImportProblem(
                file,
                line,
                None,
                _(
                    "The file is not a Skolverket “Sök statistik” export: it needs the title "
                    "and a “Valt läsår:” or “Valt år:” line above a table whose first heading "
                    "is Kommun, Län, Skola or Huvudman."
                ),
            )
        ]
    )


def _heading_index(rows: list[tuple[int, list]]) -> int | None:
    for index, (_line, cells) in enumerate(rows[:PREAMBLE_ROWS]):
        first = _key(_clean(cells[0])) if cells else ""
        if AREA_COLUMNS.get(first, "").endswith("_name"):
            return index
    return None


def _parse_table(
    rows: list[tuple[int, list]], file: str, *, point_decimals: bool
) -> SkolverketExport:
    heading_index = _heading_index(rows)
    if heading_index is None:
        _reject_not_export(file)
    preamble = _preamble(rows[:heading_index])
    if not preamble.title or not preamble.period:
        _reject_not_export(file, rows[heading_index][0])
    reader = _Reader(file, point_decimals)
    layout = _layout(rows, heading_index, reader)
    records: list[ReferenceRecord] = []
    end = len(rows)
    for position, (line, cells) in enumerate(rows[heading_index + 1 :], heading_index + 1):
        texts = [_clean(cell) for cell in cells]
        if sum(1 for text in texts if text) <= 2:
            end = position
            break  # a blank line or a footnote: the table has ended
        records += _row_records(line, texts, layout, preamble, reader)
    records = _with_units(records, preamble.title, _footnotes(rows[end:]))
    if reader.problems:
        raise ImportRejected(reader.problems)
    if not records:
        reader.problem(layout_line(rows, heading_index), None, _("The table has no rows."))
        raise ImportRejected(reader.problems)
    return SkolverketExport(records, [(file, line, name) for line, name in reader.skipped])


def layout_line(rows: list[tuple[int, list]], heading_index: int) -> int:
    return rows[heading_index][0]


def _preamble(rows: list[tuple[int, list]]) -> Preamble:
    """Title, period and type of organiser above the table; any other sentences there are the
    export's caveat about the year (2017/18's national tests: "Under vårterminen 2018 fanns
    indikationer på att vissa av de nationella delproven ... hade varit åtkomliga på förhand"),
    kept with every value. Lines explaining the markers ("Om data saknas visas en prick") are
    the same in every export and are not a caveat."""
    preamble = Preamble()
    caveat: list[str] = []
    for _line, cells in rows:
        text = _clean(cells[0]) if cells else ""
        if not text or text.startswith("Statistik från Skolverket"):
            continue
        label, _sep, rest = text.partition(":")
        if label in ("Valt läsår", "Valt år") and PERIOD.fullmatch(rest.strip()):
            preamble.period = rest.strip()
        elif label == "Typ av huvudman":
            preamble.organiser_type = rest.strip()
        elif text == "Endast kommunal huvudman":
            preamble.organiser_type = "Kommunal"
        elif not preamble.title:
            preamble.title = text
        elif preamble.period and not text.startswith("Om "):
            caveat.append(text)
    preamble.caveat = " ".join(caveat)
    return preamble


def _footnotes(rows: list[tuple[int, list]]) -> dict[str, str]:
    """The definitions below the table: "Totalt;Den totala kostnaden i tusentals kronor …"."""
    notes: dict[str, str] = {}
    for _line, cells in rows:
        texts = [_clean(cell) for cell in cells]
        if len(texts) >= 2 and texts[0] and texts[1]:
            notes.setdefault(texts[0], texts[1])
    return notes


def _with_units(
    records: list[ReferenceRecord], dataset: str, footnotes: dict[str, str]
) -> list[ReferenceRecord]:
    """Give cost measures their unit: "tkr" where the footnote says thousands of kronor, "kr"
    for the per-pupil costs of a cost export."""

    def unit(measure: str) -> str:
        if THOUSANDS_OF_KRONOR in footnotes.get(measure, "").lower():
            return "tkr"
        if COST_DATASET in dataset.lower() and measure.lower().endswith("per elev"):
            return "kr"
        return ""

    units = {measure: unit(measure) for measure in {r.measure for r in records}}
    return [replace(r, unit=units[r.measure]) if units[r.measure] else r for r in records]


def _layout(rows: list[tuple[int, list]], heading_index: int, reader: _Reader) -> Layout:
    header_line, header = rows[heading_index]
    upper: list = []
    if heading_index > 0:
        above_line, above = rows[heading_index - 1]
        if above_line == header_line - 1 and above and not _clean(above[0]) and any(above):
            upper = above
    roles: dict[str, int] = {}
    plain: list[Column] = []
    periods: list[Column] = []
    for index, cell in enumerate(header):
        heading = _clean(cell)
        if not heading:
            continue
        role = AREA_COLUMNS.get(_key(heading))
        if role:
            roles.setdefault(role, index)
        elif PERIOD.fullmatch(heading):
            periods.append(Column(index, heading, period=heading))
        else:
            over = _clean(upper[index]) if index < len(upper) else ""
            plain.append(_measure_column(index, heading, over))
    label = None
    if periods:
        if "measure" in roles:
            label = Column(roles.pop("measure"), "Uppgift")
        elif len(plain) == 1:
            label = plain.pop()  # the heading is the measure, the cells name the subject
        else:
            reader.problem(header_line, None, _("The table's headings are not understood."))
            raise ImportRejected(reader.problems)
    headings = {index: _clean(cell) for index, cell in enumerate(header)}
    return Layout(roles, periods or plain, label, headings)


def _measure_column(index: int, heading: str, over: str) -> Column:
    """A measure column; with an upper heading, one of the two is the gender or both name it."""
    if not over:
        return Column(index, heading, measure=heading)
    written = f"{heading} ({over})"
    if heading.lower() in GENDERS:
        return Column(index, written, measure=over, breakdown=GENDERS[heading.lower()])
    if over.lower() in GENDERS:
        return Column(index, written, measure=heading, breakdown=GENDERS[over.lower()])
    return Column(index, written, measure=f"{over.lstrip('#').strip()}, {heading}")


def _cell(texts: list[str], index: int | None) -> str:
    if index is None or index >= len(texts):
        return ""
    return texts[index]


def _row_records(
    line: int, texts: list[str], layout: Layout, preamble: Preamble, reader: _Reader
) -> list[ReferenceRecord]:
    area = _area(line, texts, layout, reader)
    if area is None:
        return []
    kind, code, name = area
    roles = layout.roles
    organiser_type = _cell(texts, roles.get("organiser_type")) or preamble.organiser_type
    row_breakdown = _row_gender(line, texts, layout, reader)
    if row_breakdown is None:
        return []
    subject_name = _cell(texts, roles.get("subject"))
    label = _cell(texts, layout.label.index) if layout.label else ""
    if layout.label and layout.label.heading != "Uppgift":
        subject_name = label
    row_measure = label if layout.label and layout.label.heading == "Uppgift" else ""
    if layout.label and not row_measure:
        row_measure = layout.label.heading
    records = []
    for column in layout.measures:
        measure = column.measure or row_measure
        text = _cell(texts, column.index)
        try:
            value, marker = parse_cell(text, point_decimals=reader.point_decimals)
        except NotANumber:
            reader.problem(
                line,
                column.heading,
                _(
                    "“%(text)s” is not a number as Skolverket writes them (1 234,5) nor one "
                    "of the markers . .. ~100 -."
                )
                % {"text": text},
            )
            continue
        subject = (subject_code(subject_name) or subject_name) if subject_name else ""
        records.append(
            ReferenceRecord(
                source=Source.SKOLVERKET,
                dataset=preamble.title,
                measure=measure,
                area_kind=kind,
                area_code=code,
                area_name=name,
                period=column.period or preamble.period,
                value=value,
                marker=marker,
                organiser_type=organiser_type,
                breakdown=column.breakdown or row_breakdown,
                subject=subject,
                indicator_key=skolverket_indicator(preamble.title, measure, subject),
                note=preamble.caveat,
            )
        )
    return _with_pupil_counts(records, preamble.title)


def _area(
    line: int, texts: list[str], layout: Layout, reader: _Reader
) -> tuple[AreaKind, str, str] | None:
    roles = layout.roles
    names = [_cell(texts, roles.get(role)) for role in roles if role.endswith("_name")]
    if any(name.lower() in NATION_NAMES for name in names):
        return AreaKind.NATION, NATION_CODE, "Riket"
    for kind, code_role, name_role, digits in AREA_KINDS:
        if code_role not in roles:
            continue
        code = _cell(texts, roles[code_role])
        name = _cell(texts, roles.get(name_role))
        if not code and name:
            reader.skipped.append((line, name))  # e.g. a kommunalförbund, which has no code
            return None
        if code.isdigit() and len(code) < digits:
            code = code.zfill(digits)  # a spreadsheet dropped the leading zeros
        if not (code.isdigit() and len(code) == digits):
            reader.problem(
                line,
                layout.headings[roles[code_role]],
                _("“%(code)s” is not a code of %(digits)d digits.")
                % {"code": code, "digits": digits},
            )
            return None
        return kind, code, name
    reader.problem(line, None, _("The table names no area (Kommun-kod, Skolenhetskod, …)."))
    raise ImportRejected(reader.problems)


def _row_gender(line: int, texts: list[str], layout: Layout, reader: _Reader) -> str | None:
    """The breakdown a Kön column gives the row ("" without one)."""
    if "gender" not in layout.roles:
        return ""
    index = layout.roles["gender"]
    gender = _cell(texts, index)
    if gender.lower() in GENDERS:
        return GENDERS[gender.lower()]
    reader.problem(
        line,
        layout.headings[index],
        _("“%(text)s” is not Flickor, Pojkar or Samtliga.") % {"text": gender},
    )
    return None


def _with_pupil_counts(records: list[ReferenceRecord], dataset: str) -> list[ReferenceRecord]:
    """Give each measure the pupil count of its row that is its base (PUPIL_COUNT_BASES)."""
    counts: dict[tuple[str, str], int] = {}
    for record in records:
        bases = PUPIL_COUNT_BASES.get((dataset, record.measure))
        if bases and record.value is not None:
            for measure in bases:
                counts[(measure, record.breakdown)] = int(record.value)
    if not counts:
        return records
    return [
        replace(record, n=counts[(record.measure, record.breakdown)])
        if (record.measure, record.breakdown) in counts
        else record
        for record in records
    ]
