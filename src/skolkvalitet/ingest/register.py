"""Bootstrapping an organiser from Skolenhetsregistret (Skolverket's register of school units):
the pure parser `parse_register` and the write function `units_import`.

The register comes as one workbook with a sheet per school form (plus "Huvudmän") or as CSV
cuts of one sheet each. One run imports ONE organiser (huvudman): with `municipality` the
municipality itself (HUVUDMANNATYP Kommunal, organisationsnummer 212000-xxxx), with
`organiser` any huvudman by organisationsnummer, with neither the one municipal organiser the
file holds. Its units are created or updated (matched by skolenhetskod), a unit listed in
several school-form sheets being one unit with several school forms; the register's pupil
counts are stored as reference values. Units of other organisers are skipped and counted.
See docs/formats-units.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from skolkvalitet.batches.models import BatchStatus, ImportBatch
from skolkvalitet.batches.problems import ImportOutcome, ImportProblem, ImportRejected
from skolkvalitet.batches.tabular import (
    Table,
    is_xlsx,
    read_file_bytes,
    table_from_rows,
    table_read_bytes,
    xlsx_sheets,
)
from skolkvalitet.ingest.files.cells import CellError, unit_code
from skolkvalitet.ingest.writing.writer import BatchWriter
from skolkvalitet.organisation.identity import luhn_check_digit
from skolkvalitet.organisation.models import (
    AcademicYear,
    Node,
    NodeKind,
    OrganiserType,
    SchoolForm,
)
from skolkvalitet.reference.actions import reference_values_store
from skolkvalitet.reference.records import AreaKind, ReferenceRecord, Source

KIND = "units"
DATASET = "Skolenhetsregistret"
MUNICIPAL_TYPE = "Kommunal"
MUNICIPAL_PREFIX = "212000"  # a municipality's organisationsnummer: 212000-xxxx
# HUVUDMANNATYP as the register writes it → the organiser node's type.
REGISTER_ORGANISER_TYPES = {
    "Kommunal": OrganiserType.MUNICIPAL,
    "Enskild": OrganiserType.INDEPENDENT,
    "Region": OrganiserType.REGIONAL,
    "Statlig": OrganiserType.STATE,
}
PLACES_SHOWN = 10  # municipalities named when a file holds several

# The columns every school-form sheet has and the importer reads.
TYPE, NUMBER, MUNICIPALITY, MUNICIPALITY_NAME = (
    "HUVUDMANNATYP",
    "ORGANISATIONSNR",
    "KOMMUN",
    "KOMMUNNAMN",
)
CODE, NAME, ORGANISER_NAME = "SKOLENHETSKOD", "NAMN", "HUVUDMANS NAMN"
COMMON_COLUMNS = (TYPE, NUMBER, MUNICIPALITY, MUNICIPALITY_NAME, CODE, NAME, ORGANISER_NAME)

_YEARS_F_9 = (("FKLASS", 0), *((f"ÅR{year}", year) for year in range(1, 10)))
_YEARS_1_9 = _YEARS_F_9[1:]


@dataclass(frozen=True)
class RegisterForm:
    """One school-form sheet of the register and what the importer reads from it."""

    name: str  # the sheet's name in the workbook: "Grundskola", "Komm. vuxenutb."
    code: str  # the SchoolForm code; "" for forms Skolkvalitet does not keep
    years: tuple[tuple[str, int], ...] = ()  # J/N flag column → year group
    counts: tuple[tuple[str, int], ...] = ()  # pupil-count column → year group
    total: str = ""  # the column with the published total of pupils

    @property
    def covers(self) -> frozenset[str]:
        """The SchoolForm codes a sheet of this form speaks for (present or absent)."""
        if self.code == SchoolForm.GR:
            return frozenset({SchoolForm.GR, SchoolForm.FKLASS})
        return frozenset({self.code}) if self.code else frozenset()

    @property
    def required(self) -> tuple[str, ...]:
        extra = (self.total,) if self.total else ()
        return COMMON_COLUMNS + tuple(c for c, _y in self.years + self.counts) + extra


FORMS: tuple[RegisterForm, ...] = (
    RegisterForm(
        "Grundskola",
        SchoolForm.GR,
        years=_YEARS_F_9,
        counts=tuple((f"ELEVER {column}", year) for column, year in _YEARS_F_9),
    ),
    RegisterForm("Grundsärskola", SchoolForm.GRS, years=_YEARS_1_9),
    RegisterForm("Specialskola", "", years=(*_YEARS_F_9, ("ÅR10", 10))),
    RegisterForm("Sameskola", "", years=_YEARS_F_9),
    RegisterForm("Gymnasieskola", SchoolForm.GY, total="ELEVER TOTALT"),
    RegisterForm("Gymnasiesärskola", SchoolForm.GYS),
    RegisterForm("Komm. vuxenutb.", SchoolForm.VUX),
    RegisterForm("Komm. vuxenutb. i sv. f. inv.", SchoolForm.VUX),
    RegisterForm("Särsk. utb. f. vuxna", SchoolForm.VUX),
)
FORMS_BY_NAME = {form.name: form for form in FORMS}


@dataclass(frozen=True)
class RegisterUnit:
    """One row of one school-form sheet: a school unit as the register lists it."""

    file: str  # the file (and sheet) the row was read from, for problems
    line: int
    form: str  # the register's school form (RegisterForm.name)
    skolenhetskod: str
    name: str
    municipality_code: str
    municipality_name: str
    organiser_type: str  # HUVUDMANNATYP: Kommunal, Enskild, Region, Statlig
    organiser_name: str  # HUVUDMANS NAMN as written ("VALLENTUNA KOMMUN")
    organisationsnummer: str
    school_forms: tuple[str, ...]  # SchoolForm codes, in SchoolForm order
    year_groups: tuple[int, ...]  # 0 = förskoleklass; flagged J or with pupils
    pupils: tuple[tuple[int, int], ...] = ()  # (year group, pupils) as published
    pupils_total: int | None = None  # the sheet's published total, where it has one
    # Year groups flagged N whose published pupil count is above zero: the register's flags
    # and counts disagree, and the counts win (the unit has pupils there).
    years_from_counts: tuple[int, ...] = ()

    @property
    def is_municipal(self) -> bool:
        """Run by a municipality itself (not a kommunalförbund, region or company)."""
        return self.organiser_type == MUNICIPAL_TYPE and self.organisationsnummer.startswith(
            MUNICIPAL_PREFIX
        )


# ---------------------------------------------------------------------------------------------
# Reading the file


def parse_register(data: bytes, file: str) -> list[RegisterUnit]:
    """Every row of every school-form sheet (workbook) or of the one sheet (CSV cut), in file
    order. Raises ImportRejected with all the problems found, each with file:line:column."""
    units: list[RegisterUnit] = []
    problems: list[ImportProblem] = []
    for form, table in register_tables(data, file):
        sheet_units, sheet_problems = _table_units(form, table)
        units.extend(sheet_units)
        problems.extend(sheet_problems)
    if problems:
        raise ImportRejected(problems)
    return units


def register_tables(data: bytes, file: str) -> list[tuple[RegisterForm, Table]]:
    """The school-form tables of the file: a workbook's sheets named after a school form
    (other sheets, like "Huvudmän", are not read), or a CSV cut whose form the file name
    (or failing that the header) tells."""
    if is_xlsx(data):
        return _workbook_tables(data, file)
    table = table_read_bytes(data, file)
    form = form_named(file) or form_from_header(table.header)
    if form is None:
        _reject(
            file,
            _(
                "Cannot tell which school form the file holds: keep the register's name of "
                "the form in the file name (Grundskola, Grundsärskola, Gymnasieskola, "
                "Gymnasiesärskola, Komm_vuxenutb, Komm_vuxenutb_i_sv_f_inv, "
                "Särsk_utb_f_vuxna)."
            ),
        )
    return [(form, table)]


def _workbook_tables(data: bytes, file: str) -> list[tuple[RegisterForm, Table]]:
    tables = []
    for title, rows in xlsx_sheets(data, file).items():
        form = FORMS_BY_NAME.get(title.strip())
        if form is None or not rows:
            continue
        header = list(rows[0][1])
        while header and not header[-1]:
            header.pop()
        # Cells beyond the last heading are not the register's (one row of the 2020 workbook
        # has its principal's name split over two cells); they are not read.
        trimmed = [(line, cells[: len(header)]) for line, cells in rows]
        tables.append((form, table_from_rows(f"{file} [{title}]", trimmed)))
    if not tables:
        _reject(
            file,
            _(
                "The workbook has no sheet named after a school form of the register "
                "(Grundskola, Grundsärskola, Gymnasieskola, ...)."
            ),
        )
    return tables


def _normalised(text: str) -> str:
    """ "Komm. vuxenutb." and "Komm_vuxenutb" alike: lower case, words split by spaces."""
    return " ".join(re.split(r"[\s._\-]+", text.lower())).strip()


def form_named(file: str) -> RegisterForm | None:
    """The school form whose register name the file name contains (the longest such)."""
    words = f" {_normalised(Path(file).stem)} "
    named = [form for form in FORMS if f" {_normalised(form.name)} " in words]
    return max(named, key=lambda form: len(form.name), default=None)


def form_from_header(header: Iterable[str]) -> RegisterForm | None:
    """The school form a header belongs to, where its columns tell it apart."""
    columns = {_heading(column) for column in header}
    if "ELEVER FKLASS" in columns:
        return FORMS_BY_NAME["Grundskola"]
    if "ELEVER TOTALT" in columns:
        return FORMS_BY_NAME["Gymnasieskola"]
    if "INDIVIDUELLA PROGRAM" in columns:
        return FORMS_BY_NAME["Gymnasiesärskola"]
    if "ÅR10" in columns:
        return FORMS_BY_NAME["Specialskola"]
    if "ÅR1" in columns:
        return FORMS_BY_NAME["Sameskola" if "FKLASS" in columns else "Grundsärskola"]
    return None  # the three adult-education sheets have the same columns


def _heading(text: str) -> str:
    return " ".join(text.split()).upper()


def _table_units(
    form: RegisterForm, table: Table
) -> tuple[list[RegisterUnit], list[ImportProblem]]:
    headings: dict[str, str] = {}  # normalised heading → the column key ("c3")
    written: dict[str, str] = {}  # normalised heading → as written
    for index, text in enumerate(table.header):
        headings.setdefault(_heading(text), f"c{index}")
        written.setdefault(_heading(text), text)
    missing = [column for column in form.required if column not in headings]
    if missing:
        message = _("The column %(column)s is missing.")
        return [], [
            ImportProblem(table.file, table.header_line, None, message % {"column": column})
            for column in missing
        ]
    units: list[RegisterUnit] = []
    problems: list[ImportProblem] = []
    first_line: dict[str, int] = {}
    for row in table.rows.iter_rows(named=True):
        cells = {heading: row[key] for heading, key in headings.items()}
        try:
            unit = parse_row(form, cells, file=table.file, line=row["_line"], written=written)
        except ImportRejected as rejected:
            problems.extend(rejected.problems)
            continue
        if unit.skolenhetskod in first_line:
            problems.append(_repeated(unit, first_line[unit.skolenhetskod], written))
            continue
        first_line[unit.skolenhetskod] = unit.line
        units.append(unit)
    return units, problems


def _repeated(unit: RegisterUnit, first: int, written: Mapping[str, str]) -> ImportProblem:
    return ImportProblem(
        unit.file,
        unit.line,
        written.get(CODE, CODE),
        _("The school unit is listed already, on line %(line)d.") % {"line": first},
    )


def parse_row(
    form: RegisterForm,
    cells: Mapping[str, str | None],
    *,
    file: str,
    line: int,
    written: Mapping[str, str] | None = None,
) -> RegisterUnit:
    """One row of a `form` sheet, its cells keyed by heading (upper case). Raises
    ImportRejected with every problem of the row.

    A unit's year groups are those flagged J and those with a published pupil count above zero:
    the register's flags and counts disagree for some units (Kvarnbäcksskolan in Haninge,
    2020-06-01, is flagged without year 7 and has a pupil in it), and a unit with pupils in a
    year group has that year group. A year group flagged J with no pupils is kept."""
    problems: list[ImportProblem] = []

    def read(column: str, reader):
        text = (cells.get(column) or "").strip()
        try:
            return reader(text)
        except CellError as error:
            heading = (written or {}).get(column, column)
            problems.append(ImportProblem(file, line, heading, str(error)))
            return None

    values = {column: read(column, _text) for column in (MUNICIPALITY_NAME, NAME, TYPE)}
    values[ORGANISER_NAME] = read(ORGANISER_NAME, _text)
    code = read(CODE, _required(unit_code))
    number = read(NUMBER, _required(organisationsnummer))
    municipality = read(MUNICIPALITY, _required(municipality_code))
    flags = {year: read(column, flag) for column, year in form.years}
    counts = {year: read(column, pupil_count) for column, year in form.counts}
    total = read(form.total, pupil_count) if form.total else None
    if problems:
        raise ImportRejected(problems)
    flagged = {year for year, offered in flags.items() if offered}
    counted = {year for year, count in counts.items() if count}
    years = tuple(sorted(flagged | counted))
    return RegisterUnit(
        file=file,
        line=line,
        form=form.name,
        skolenhetskod=code,
        name=values[NAME],
        municipality_code=municipality,
        municipality_name=values[MUNICIPALITY_NAME],
        organiser_type=values[TYPE],
        organiser_name=values[ORGANISER_NAME],
        organisationsnummer=number,
        school_forms=_school_forms(form, years),
        year_groups=years,
        pupils=tuple((year, count) for year, count in counts.items() if count is not None),
        pupils_total=total,
        years_from_counts=tuple(sorted(counted - flagged)),
    )


def _school_forms(form: RegisterForm, years: tuple[int, ...]) -> tuple[str, ...]:
    """A Grundskola row runs förskoleklass when FKLASS is J, grundskola when a year 1–9 is
    (or when no year is: it is listed as a grundskola); other rows their sheet's form."""
    if form.code != SchoolForm.GR:
        return (form.code,) if form.code else ()
    codes = set()
    if 0 in years:
        codes.add(SchoolForm.FKLASS)
    if any(year > 0 for year in years) or not years:
        codes.add(SchoolForm.GR)
    return forms_in_order(codes)


def forms_in_order(codes: Iterable[str]) -> tuple[str, ...]:
    """SchoolForm codes in SchoolForm's order (FS, FKLASS, FTH, GR, ...); unknown ones last."""
    wanted = set(codes)
    known = [code for code in SchoolForm.values if code in wanted]
    return tuple(known + sorted(wanted - set(known)))


# Cell readers: text in (stripped), value out, or CellError with a message for the user.


def _text(text: str) -> str:
    if not text:
        raise CellError(_("The cell is empty."))
    return " ".join(text.split())


def _required(reader):
    def read(text: str):
        if not text:
            raise CellError(_("The cell is empty."))
        return reader(text)

    return read


def organisationsnummer(text: str) -> str:
    """ "2120000027" or "212000-0027" → "2120000027": ten digits, the last the Luhn check
    digit of the other nine (Skatteverket, SKV 709), as for a personnummer."""
    value = text.strip()
    if re.fullmatch(r"[0-9]{6}-[0-9]{4}", value):
        value = value.replace("-", "")
    if not re.fullmatch(r"[0-9]{10}", value):
        raise CellError(_("An organisationsnummer has 10 digits."))
    if luhn_check_digit(value[:9]) != int(value[9]):
        raise CellError(_("The check digit of the organisationsnummer is wrong."))
    return value


# The county codes (länskoder) that begin every municipality code (SCB, "Kommuner och län"):
# 01 Stockholm … 25 Norrbotten; 02, 11, 15 and 16 are no longer in use.
COUNTY_CODES = frozenset(
    {"01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14"}
    | {"17", "18", "19", "20", "21", "22", "23", "24", "25"}
)


def municipality_code(text: str) -> str:
    """Four digits, the first two a county's code: "0115" (Vallentuna, Stockholms län)."""
    value = text.strip()
    if not re.fullmatch(r"[0-9]{4}", value):
        raise CellError(_("A municipality code has 4 digits."))
    if value[:2] not in COUNTY_CODES:
        raise CellError(
            _(
                "A municipality code begins with the code of a county (01, 03–10, 12–14, "
                "17–25); %(code)s does not."
            )
            % {"code": value}
        )
    return value


def flag(text: str) -> bool:
    value = text.strip().upper()
    if value not in {"J", "N"}:
        raise CellError(_("Write J (yes) or N (no)."))
    return value == "J"


def pupil_count(text: str) -> int | None:
    """A published count; an empty cell is a count not published (None)."""
    value = text.strip()
    if not value:
        return None
    if not re.fullmatch(r"[0-9]{1,7}", value):
        raise CellError(_("A number of pupils is a whole number, 0 or more."))
    return int(value)


def register_snapshot(file: str) -> dt.date | None:
    """The register's date as its file name writes it ("skolenhetsregistret_2020-06-01...")."""
    for match in re.finditer(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)", file):
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
    return None


def academic_year_of(date: dt.date) -> str:
    """The academic year a date falls in, 1 July to 30 June: 2020-06-01 → "2019/20"."""
    return AcademicYear.code_for(date.year if date.month >= 7 else date.year - 1)


# ---------------------------------------------------------------------------------------------
# Choosing the organiser and merging its rows (pure)


@dataclass(frozen=True)
class Huvudman:
    organisationsnummer: str
    name: str  # as Skolkvalitet shows it: "Vallentuna kommun"
    organiser_type: str
    municipality_code: str  # the municipality's code for a municipality itself, else ""


@dataclass
class UnitPlan:
    """One school unit of the organiser, merged from its rows in every school-form sheet."""

    skolenhetskod: str
    name: str
    municipality_code: str
    file: str
    line: int
    school_forms: set[str] = field(default_factory=set)
    year_groups: set[int] = field(default_factory=set)
    pupils: dict[str, int] = field(default_factory=dict)  # measure → pupils
    years_from_counts: set[int] = field(default_factory=set)  # see RegisterUnit


def organiser_display_name(written: str, municipality_name: str) -> str:
    """The register writes organisers of the public sector in capitals ("ÖSTERÅKERS KOMMUN");
    they are shown as "Österåkers kommun", the municipality's name spelt as the register
    spells it in KOMMUNNAMN. Names not all in capitals are kept as written."""
    if not written.isupper():
        return written
    name = written[:1] + written[1:].lower()
    start = name.lower().find(municipality_name.lower()) if municipality_name else -1
    if start >= 0:
        name = name[:start] + municipality_name + name[start + len(municipality_name) :]
    return name


def organiser_select(
    units: list[RegisterUnit],
    *,
    file: str,
    municipality: str | None = None,
    organiser: str | None = None,
) -> Huvudman:
    """The organiser one run imports: by organisationsnummer, the municipality itself, or the
    one municipal organiser of the file. Raises ImportRejected when the choice is unclear."""
    if organiser:
        rows = [u for u in units if u.organisationsnummer == organiser]
        if not rows:
            _reject(
                file,
                _("The file has no school units of the organiser %(number)s.")
                % {"number": organiser},
            )
        return _huvudman(rows)
    if municipality:
        return _municipality_organiser(units, file, municipality)
    municipal = {u.organisationsnummer for u in units if u.is_municipal}
    if len(municipal) == 1:
        return _huvudman([u for u in units if u.organisationsnummer in municipal])
    if not municipal:
        _reject(
            file,
            _(
                "The file holds no school units of a municipality; choose the organiser by "
                "its organisationsnummer (--organiser)."
            ),
        )
    places = sorted(
        {f"{u.municipality_code} {u.municipality_name}" for u in units if u.is_municipal}
    )
    shown = ", ".join(places[:PLACES_SHOWN]) + (", ..." if len(places) > PLACES_SHOWN else "")
    _reject(
        file,
        _(
            "The file holds school units of %(count)d municipalities (%(places)s); choose one "
            "with --municipality."
        )
        % {"count": len(municipal), "places": shown},
    )


def _municipality_organiser(units: list[RegisterUnit], file: str, code: str) -> Huvudman:
    rows = Counter(
        u.organisationsnummer for u in units if u.is_municipal and u.municipality_code == code
    )
    ranked = rows.most_common(2)
    if not ranked:
        _reject(
            file,
            _("The file has no school units of the municipality %(code)s run by it.")
            % {"code": code},
        )
    if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
        _reject(
            file,
            _(
                "Two municipal organisers run as many school units in %(code)s (%(numbers)s); "
                "choose one with --organiser."
            )
            % {"code": code, "numbers": ", ".join(number for number, _n in ranked)},
        )
    number = ranked[0][0]
    huvudman = _huvudman([u for u in units if u.organisationsnummer == number])
    return Huvudman(number, huvudman.name, huvudman.organiser_type, code)


def _huvudman(rows: list[RegisterUnit]) -> Huvudman:
    """The organiser of `rows` (at least one, all of one organisationsnummer), named after
    its first row."""
    first = rows[0]
    is_municipal = first.is_municipal
    home = Counter(u.municipality_code for u in rows).most_common(1)[0][0]
    home_name = next(u.municipality_name for u in rows if u.municipality_code == home)
    return Huvudman(
        organisationsnummer=first.organisationsnummer,
        name=organiser_display_name(first.organiser_name, home_name if is_municipal else ""),
        organiser_type=first.organiser_type,
        municipality_code=home if is_municipal else "",
    )


def unit_plans(rows: list[RegisterUnit]) -> list[UnitPlan]:
    """The organiser's rows merged into one plan per skolenhetskod, in file order; the name is
    the unit's first row's. Rows of forms Skolkvalitet does not keep are left out."""
    plans: dict[str, UnitPlan] = {}
    flagged: defaultdict[str, set[int]] = defaultdict(set)
    for row in rows:
        if not row.school_forms:
            continue
        plan = plans.get(row.skolenhetskod)
        if plan is None:
            plan = plans[row.skolenhetskod] = UnitPlan(
                row.skolenhetskod, row.name, row.municipality_code, row.file, row.line
            )
        plan.school_forms.update(row.school_forms)
        plan.year_groups.update(row.year_groups)
        plan.years_from_counts.update(row.years_from_counts)
        plan.pupils.update(_measures(row))
        flagged[row.skolenhetskod] |= set(row.year_groups) - set(row.years_from_counts)
    for code, plan in plans.items():
        # A year group another sheet flags J (Grundsärskola) is not one taken from counts.
        plan.years_from_counts -= flagged[code]
    return list(plans.values())


def years_from_counts_note(plans: list[UnitPlan]) -> str | None:
    """The import summary's line naming the units whose year groups were taken from the
    register's pupil counts though flagged N, or None when there are none."""
    added = [plan for plan in plans if plan.years_from_counts]
    if not added:
        return None
    units = "; ".join(
        f"{plan.skolenhetskod} {plan.name}: "
        + ", ".join(_year_label(year) for year in sorted(plan.years_from_counts))
        for plan in added
    )
    return _(
        "%(count)d school units have pupils in year groups the register flags N; the year "
        "groups were taken from the pupil counts: %(units)s."
    ) % {"count": len(added), "units": units}


def _year_label(year: int) -> str:
    return "F" if year == 0 else str(year)


def _measures(row: RegisterUnit) -> dict[str, int]:
    """The row's pupil counts under the names they are stored with."""
    measures = {_year_measure(year): count for year, count in row.pupils}
    school_years = [count for year, count in row.pupils if year > 0]
    if row.form == "Grundskola" and school_years:
        measures["Elever årskurs 1–9"] = sum(school_years)
    if row.pupils_total is not None:
        measures[f"Elever {row.form.lower()}"] = row.pupils_total
    return measures


def _year_measure(year: int) -> str:
    return "Elever förskoleklass" if year == 0 else f"Elever årskurs {year}"


YEAR_GROUP_FORMS = frozenset({SchoolForm.FKLASS, SchoolForm.GR, SchoolForm.GRS})


def forms_merged(
    existing_forms: Iterable[str],
    existing_years: Iterable[int],
    covered: frozenset[str],
    forms: Iterable[str],
    years: Iterable[int],
) -> tuple[list[str], list[int]]:
    """A unit's school forms and year groups after an import: the file decides the forms it
    covers (its sheets), the unit keeps the others. Year groups are the file's; the unit's
    earlier ones are kept too while it keeps a form with year groups the file does not cover
    (Grundsärskola imported after Grundskola adds to F–6, it does not replace it)."""
    kept = set(existing_forms) - covered
    merged_forms = forms_in_order(kept | set(forms))
    merged_years = set(years)
    if kept & YEAR_GROUP_FORMS:
        merged_years |= set(existing_years)
    return list(merged_forms), sorted(merged_years)


# ---------------------------------------------------------------------------------------------
# Writing


def units_import(
    path: Path,
    *,
    municipality: str | None = None,
    organiser: str | None = None,
    created_by: User | None = None,
    snapshot: dt.date | None = None,
) -> ImportOutcome:
    """Import the organiser and its school units from the register file at `path`.
    `snapshot`: the register's date when the file name does not give it."""
    return units_import_bytes(
        read_file_bytes(path),
        path.name,
        municipality=municipality,
        organiser=organiser,
        created_by=created_by,
        snapshot=snapshot,
    )


def units_import_bytes(
    data: bytes,
    file: str,
    *,
    municipality: str | None = None,
    organiser: str | None = None,
    created_by: User | None = None,
    snapshot: dt.date | None = None,
) -> ImportOutcome:
    municipality, organiser = _options_checked(file, municipality, organiser)
    digest = _digest(data, municipality, organiser, snapshot)
    earlier = ImportBatch.objects.filter(
        kind=KIND, file_sha256=digest, status=BatchStatus.APPLIED
    ).first()
    if earlier is not None:
        return ImportOutcome(batch=earlier, rows=earlier.rows, unchanged=True)
    rows = parse_register(data, file)
    date = snapshot or register_snapshot(file)
    if date is None:
        _reject(
            file,
            _(
                "The register's date is not known: keep it in the file name "
                "(skolenhetsregistret_2020-06-01.xlsx) or give it (--snapshot 2020-06-01)."
            ),
        )
    huvudman = organiser_select(rows, file=file, municipality=municipality, organiser=organiser)
    own = [row for row in rows if row.organisationsnummer == huvudman.organisationsnummer]
    batch, notes = _write(
        file=file,
        digest=digest,
        rows=len(rows),
        created_by=created_by,
        huvudman=huvudman,
        plans=unit_plans(own),
        covered=frozenset().union(*(FORMS_BY_NAME[row.form].covers for row in rows)),
        period=academic_year_of(date),
    )
    notes.extend(_skipped_notes(rows, own, huvudman))
    return ImportOutcome(batch=batch, rows=len(rows), notes=notes)


def _options_checked(
    file: str, municipality: str | None, organiser: str | None
) -> tuple[str | None, str | None]:
    if municipality and organiser:
        _reject(file, _("Choose a municipality or an organiser, not both."))
    try:
        return (
            municipality_code(municipality) if municipality else None,
            organisationsnummer(organiser) if organiser else None,
        )
    except CellError as error:
        _reject(file, str(error))


def _digest(
    data: bytes, municipality: str | None, organiser: str | None, snapshot: dt.date | None
) -> str:
    """The file's hash with the options: the same file for another organiser is another
    import."""
    options = f"municipality={municipality or ''};organiser={organiser or ''};"
    options += f"snapshot={snapshot.isoformat() if snapshot else ''}"
    return hashlib.sha256(data + b"\0" + options.encode()).hexdigest()


@transaction.atomic
def _write(
    *,
    file: str,
    digest: str,
    rows: int,
    created_by: User | None,
    huvudman: Huvudman,
    plans: list[UnitPlan],
    covered: frozenset[str],
    period: str,
) -> tuple[ImportBatch, list[str]]:
    writer = BatchWriter(
        kind=KIND, source_name=file, file_sha256=digest, rows=rows, created_by=created_by
    )
    batch = writer.batch
    organiser, state = _organiser_ensure(writer, huvudman)
    existing = _existing_units(organiser, plans)
    created = updated = 0
    for plan in plans:
        unit = existing.get(plan.skolenhetskod)
        if unit is None:
            _unit_create(writer, organiser, plan)
            created += 1
        elif _unit_update(writer, unit, plan, covered):
            updated += 1
    stored = reference_values_store(_records(plans, period), batch)
    writer.finish()
    notes = [
        state % {"name": organiser.name},
        _("%(created)d school units created, %(updated)d updated, %(same)d unchanged.")
        % {"created": created, "updated": updated, "same": len(plans) - created - updated},
        _("%(count)d pupil counts stored as reference values for %(period)s.")
        % {"count": stored, "period": period},
    ]
    from_counts = years_from_counts_note(plans)
    if from_counts:
        notes.append(from_counts)
    return batch, notes


def _organiser_ensure(writer: BatchWriter, huvudman: Huvudman) -> tuple[Node, str]:
    """The organiser node of `huvudman`, found by its organisationsnummer (or, for a
    municipality, by its municipality code as the node's code) or created. An existing
    organiser keeps its name (organisers often name their administration); an empty code or
    municipality code is filled in. Returns the node and a note ("%(name)s" to fill)."""
    codes = [huvudman.organisationsnummer]
    if huvudman.municipality_code:
        codes.append(huvudman.municipality_code)
    found = sorted(
        Node.objects.filter(kind=NodeKind.ORGANISER, code__in=codes),
        key=lambda node: codes.index(node.code),
    )
    if not found:
        node = writer.node_create(
            kind=NodeKind.ORGANISER,
            name=huvudman.name,
            code=huvudman.organisationsnummer,
            municipality_code=huvudman.municipality_code,
            organiser_type=REGISTER_ORGANISER_TYPES.get(huvudman.organiser_type, ""),
        )
        return node, _("Organiser %(name)s created.")
    node = found[0]
    changes = {}
    if huvudman.municipality_code and not node.municipality_code:
        changes["municipality_code"] = huvudman.municipality_code
    organiser_type = REGISTER_ORGANISER_TYPES.get(huvudman.organiser_type, "")
    if organiser_type and not node.organiser_type:
        changes["organiser_type"] = organiser_type
    if writer.node_update(node, changes):
        return node, _("Organiser %(name)s updated.")
    return node, _("Organiser %(name)s was up to date.")


def _existing_units(organiser: Node, plans: list[UnitPlan]) -> dict[str, Node]:
    """The stored units with the plans' codes; a unit of another organiser rejects the file
    (it is not moved between organisers)."""
    existing = {
        unit.code: unit
        for unit in Node.objects.filter(
            kind=NodeKind.UNIT, code__in=[plan.skolenhetskod for plan in plans]
        )
    }
    problems = []
    for plan in plans:
        unit = existing.get(plan.skolenhetskod)
        if unit is not None and not unit.is_within(organiser):
            owner = Node.objects.get(pk=unit.ancestor_ids()[0])
            problems.append(
                ImportProblem(
                    plan.file,
                    plan.line,
                    CODE,
                    _(
                        "The school unit %(code)s (%(name)s) belongs to the organiser "
                        "%(organiser)s; it is not moved to another organiser."
                    )
                    % {"code": unit.code, "name": unit.name, "organiser": owner.name},
                )
            )
    if problems:
        raise ImportRejected(problems)
    return existing


def _unit_create(writer: BatchWriter, organiser: Node, plan: UnitPlan) -> Node:
    return writer.node_create(
        kind=NodeKind.UNIT,
        name=plan.name,
        parent=organiser,
        code=plan.skolenhetskod,
        municipality_code=plan.municipality_code,
        school_forms=list(forms_in_order(plan.school_forms)),
        year_groups=sorted(plan.year_groups),
    )


def _unit_update(writer: BatchWriter, unit: Node, plan: UnitPlan, covered: frozenset[str]) -> bool:
    """Bring a stored unit in line with the register: name, municipality, school forms and
    year groups (see forms_merged). Where it hangs in the tree is left alone. Returns whether
    anything changed."""
    forms, years = forms_merged(
        unit.school_forms, unit.year_groups, covered, plan.school_forms, plan.year_groups
    )
    wanted = {
        "name": plan.name,
        "municipality_code": plan.municipality_code,
        "school_forms": forms,
        "year_groups": years,
    }
    return writer.node_update(unit, wanted)


def _records(plans: list[UnitPlan], period: str) -> list[ReferenceRecord]:
    return [
        ReferenceRecord(
            source=Source.SKOLENHETSREGISTRET,
            dataset=DATASET,
            measure=measure,
            area_kind=AreaKind.UNIT,
            area_code=plan.skolenhetskod,
            area_name=plan.name,
            period=period,
            value=float(count),
        )
        for plan in plans
        for measure, count in plan.pupils.items()
    ]


def _skipped_notes(
    rows: list[RegisterUnit], own: list[RegisterUnit], huvudman: Huvudman
) -> list[str]:
    notes = []
    own_codes = {row.skolenhetskod for row in own}
    if huvudman.municipality_code:
        others = {
            row.skolenhetskod
            for row in rows
            if row.municipality_code == huvudman.municipality_code
            and row.skolenhetskod not in own_codes
        }
        if others:
            notes.append(
                _(
                    "%(count)d school units of other organisers in the municipality "
                    "(independent schools and others) were skipped."
                )
                % {"count": len(others)}
            )
    not_kept = sorted({row.form for row in own if not row.school_forms})
    if not_kept:
        count = len({row.skolenhetskod for row in own if not row.school_forms})
        notes.append(
            _(
                "%(count)d school units of forms Skolkvalitet does not keep (%(forms)s) were "
                "skipped."
            )
            % {"count": count, "forms": ", ".join(not_kept)}
        )
    return notes


def _reject(file: str, message: str) -> NoReturn:
    raise ImportRejected([ImportProblem(file, None, None, message)])
