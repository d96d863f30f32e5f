"""Checking a pupil-data file before anything is written: headings, every cell, and the
rules between cells and rows (known unit, year group taught at the unit, duplicates,
conflicts). The result is a frame of parsed values, or ImportRejected with every problem.

Each column is parsed once per distinct text (see ingest/files/cells.py) and mapped back onto the
rows with Polars, so the cost grows with the number of distinct values, not of rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.batches.problems import ImportProblem, ImportRejected
from skolkvalitet.batches.tabular import SEPARATOR_CANDIDATES, Table
from skolkvalitet.indicators.loading import read_frame
from skolkvalitet.ingest.files import cells
from skolkvalitet.ingest.files.kinds import Column, FileKind, Parse, fold
from skolkvalitet.organisation.identity import PersonalNumber, pseudonym_for
from skolkvalitet.organisation.models import Node, NodeKind, Term
from skolkvalitet.results.models import AssessmentScale, Subject

MAX_PROBLEMS_LISTED = 200

# Parse kind → (cell function, Polars type of its result).
CELL_PARSERS: dict[Parse, tuple[Callable[[str], Any], Any]] = {
    Parse.PSEUDONYM: (cells.pseudonym, pl.String),
    Parse.UNIT_CODE: (cells.unit_code, pl.String),
    Parse.ACADEMIC_YEAR: (cells.academic_year, pl.Int64),
    Parse.TERM: (cells.term, pl.String),
    Parse.YEAR_GROUP: (cells.year_group, pl.Int64),
    Parse.SUBJECT: (cells.subject_code, pl.String),
    Parse.GRADE: (cells.grade, pl.String),
    Parse.GRADE_TYPE: (cells.grade_type, pl.String),
    Parse.SCALE: (cells.text, pl.String),
    Parse.TEXT: (cells.text, pl.String),
    Parse.COUNT: (cells.count, pl.Int64),
    Parse.DECIMAL: (cells.decimal, pl.Float64),
    Parse.DATE: (cells.date, pl.Date),
    Parse.YES_NO: (cells.yes_no, pl.Boolean),
    Parse.EDUCATION: (cells.education, pl.Int64),
    Parse.SCHOOL_FORM: (cells.school_form, pl.String),
    Parse.ORDINAL: (cells.ordinal, pl.Int64),
    Parse.LANGUAGE: (cells.language, pl.String),
    Parse.TEST_RESULT: (lambda text: "|".join(cells.test_result(text)), pl.String),
}


@dataclass
class Checked:
    """A file that passed every check: parsed columns named as the kind's columns, `_line`,
    and the derived `pupil` (pseudonym), `unit_id`, `subject_id`, ... where they apply."""

    kind: FileKind
    file: str
    rows: int
    frame: pl.DataFrame
    people: dict[str, PersonalNumber] = field(default_factory=dict)  # pseudonym → number
    notes: list[str] = field(default_factory=list)


class _Problems:
    def __init__(self, file: str) -> None:
        self.file = file
        self.frames: list[pl.DataFrame] = []
        self.single: list[ImportProblem] = []

    def add(self, line: int | None, column: str | None, message: str) -> None:
        self.single.append(ImportProblem(self.file, line, column, message))

    def add_rows(self, lines: pl.Series, column: str | None, messages: pl.Series | str) -> None:
        if lines.len() == 0:
            return
        if isinstance(messages, str):
            messages = pl.Series([messages] * lines.len(), dtype=pl.String)
        self.frames.append(
            pl.DataFrame(
                {
                    "line": lines.cast(pl.Int64),
                    "column": pl.Series([column] * lines.len(), dtype=pl.String),
                    "message": messages,
                }
            )
        )

    def raise_if_any(self) -> None:
        problems = list(self.single)
        if self.frames:
            frame = pl.concat(self.frames).sort("line", maintain_order=True)
            total = frame.height
            for line, column, message in frame.head(MAX_PROBLEMS_LISTED).iter_rows():
                problems.append(ImportProblem(self.file, line, column, message))
            if total > MAX_PROBLEMS_LISTED:
                problems.append(
                    ImportProblem(
                        self.file,
                        None,
                        None,
                        _("… and %(count)d more problems.")
                        % {"count": total - MAX_PROBLEMS_LISTED},
                    )
                )
        if problems:
            raise ImportRejected(problems)


def match_headings(kind: FileKind, header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column name → index in the file, and the headings that match no column (ignored)."""
    names: dict[str, Column] = {}
    for column in kind.columns:
        for heading in (column.name, column.english, *column.aliases):
            names[fold(heading)] = column
    found: dict[str, int] = {}
    ignored: list[str] = []
    for index, heading in enumerate(header):
        column = names.get(fold(heading))
        if column is None:
            if heading:
                ignored.append(heading)
            continue
        if column.name in found:
            raise ImportRejected(
                [
                    ImportProblem(
                        "",
                        None,
                        heading,
                        _("The column %(column)s appears twice.") % {"column": column.name},
                    )
                ]
            )
        found[column.name] = index
    return found, ignored


def _separator_name(separator: str) -> str:
    return {
        ";": _("semicolon (;)"),
        ",": _("comma (,)"),
        "\t": _("tab"),
        "|": _("vertical bar (|)"),
        ":": _("colon (:)"),
    }[separator]


def separator_hint(kind: FileKind, table: Table) -> str | None:
    """When no column of `kind` is recognised: the likely cause, a separator other than the
    one the file was read with (or, in XLSX, the CSV text of the header in one cell)."""
    cells_ = [heading for heading in table.header if heading]
    if table.delimiter is not None:
        raw = table.delimiter.join(table.header)
    elif len(cells_) == 1:
        raw = cells_[0]
    else:
        return None
    for separator in SEPARATOR_CANDIDATES:
        if separator == table.delimiter or separator not in raw:
            continue
        try:
            found, _ignored = match_headings(kind, [part.strip() for part in raw.split(separator)])
        except ImportRejected:
            continue
        if len(found) >= 2:
            if table.delimiter is None:
                return _(
                    "No column was recognised: the headings are all in one cell, separated by "
                    "%(found)s. Split the text into columns (Data → Text to Columns) or save "
                    "the file as CSV."
                ) % {"found": _separator_name(separator)}
            return _(
                "No column was recognised: the file was read with %(used)s between the "
                "columns, but its headings are separated by %(found)s. Save the file with "
                "semicolons, commas or tabs between the columns."
            ) % {"used": _separator_name(table.delimiter), "found": _separator_name(separator)}
    if table.delimiter is not None and len(cells_) == 1:
        return _(
            "No column was recognised, and the header reads as a single column: the columns "
            "are not separated by semicolons, commas or tabs. Save the file with one of them "
            "between the columns."
        )
    return None


def _parse_column(
    values: pl.Series, parse: Callable[[str], Any], dtype
) -> tuple[pl.Series, pl.Series]:
    """Parsed values and error messages (null where fine) for a column of texts."""
    distinct = values.drop_nulls().unique().to_list()
    parsed: list[Any] = []
    errors: list[str | None] = []
    for text in distinct:
        try:
            parsed.append(parse(text))
            errors.append(None)
        except cells.CellError as error:
            parsed.append(None)
            errors.append(str(error))
    keys = pl.Series(distinct, dtype=pl.String)
    result = values.replace_strict(keys, pl.Series(parsed, dtype=dtype), default=None)
    messages = values.replace_strict(keys, pl.Series(errors, dtype=pl.String), default=None)
    return result, messages


def facts_check(kind: FileKind, table: Table, *, unit_paths: list[str] | None = None) -> Checked:
    """Check every row of `table` as a file of `kind`; raise ImportRejected listing every
    problem (file:line:column: message) or return the parsed rows. With `unit_paths` (the
    importing user's managed paths) a row for a unit outside them is a problem too."""
    problems = _Problems(table.file)
    try:
        found, ignored = match_headings(kind, table.header)
    except ImportRejected as rejected:
        problem = rejected.problems[0]
        raise ImportRejected(
            [ImportProblem(table.file, table.header_line, problem.column, problem.message)]
        ) from None
    heading_of = {name: table.header[index] for name, index in found.items()}
    pupil_columns = {"personnummer", "elev_id"}
    if not found:
        hint = separator_hint(kind, table)
        if hint:
            problems.add(table.header_line, None, hint)
    for column in kind.columns:
        if column.required and column.name not in found:
            problems.add(
                table.header_line,
                None,
                _("The column %(column)s is missing.") % {"column": column.name},
            )
    names_pupils = kind.key != "pupils" and any(c.name in pupil_columns for c in kind.columns)
    if names_pupils and not (pupil_columns & set(found)):
        problems.add(
            table.header_line,
            None,
            _("The file needs a column personnummer (or elev_id)."),
        )
    problems.raise_if_any()
    if table.height == 0:
        raise ImportRejected([ImportProblem(table.file, None, None, _("The file has no rows."))])

    lines = table.rows["_line"]
    parsed: dict[str, pl.Series] = {"_line": lines}
    given = pl.Series([False] * table.height)  # rows with a personnummer or pupil id cell
    for name in pupil_columns & set(found):
        given = given | table.rows[f"c{found[name]}"].is_not_null()
    people: dict[str, PersonalNumber] = {}
    for column in kind.columns:
        if column.name not in found:
            continue
        raw = table.rows[f"c{found[column.name]}"]
        heading = heading_of[column.name]
        if column.required and column.name not in pupil_columns:
            empty = raw.is_null()
            problems.add_rows(lines.filter(empty), heading, _("The cell is empty."))
        if column.parse == Parse.PERSONAL_NUMBER:
            values, messages = _parse_personal_numbers(raw, people)
        else:
            parse, dtype = CELL_PARSERS[column.parse]
            values, messages = _parse_column(raw, parse, dtype)
        bad = messages.is_not_null()
        problems.add_rows(lines.filter(bad), heading, messages.filter(bad))
        parsed[column.name] = values
    frame = pl.DataFrame(parsed)
    # The rules below read parsed values; a cell that did not parse is null there and is
    # already reported, so each rule looks only at the cells it can judge.

    checked = Checked(kind=kind, file=table.file, rows=table.height, frame=frame, people=people)
    if ignored:
        checked.notes.append(_("Columns not used: %(columns)s.") % {"columns": ", ".join(ignored)})
    _check_pupils(checked, heading_of, problems, given)
    _check_units(checked, heading_of, problems, unit_paths)
    _check_subjects(checked, heading_of, problems)
    _check_kind_rules(checked, heading_of, problems)
    problems.raise_if_any()
    _check_duplicates(checked, problems)
    problems.raise_if_any()
    if kind.key == "grades":
        _check_final_grades(checked, heading_of, problems)
        problems.raise_if_any()
    return checked


def _parse_personal_numbers(
    raw: pl.Series, people: dict[str, PersonalNumber]
) -> tuple[pl.Series, pl.Series]:
    def parse(text: str) -> str:
        number = cells.personal_number(text)
        key = pseudonym_for(number)
        people[key] = number
        return key

    return _parse_column(raw, parse, pl.String)


def _check_pupils(
    checked: Checked, heading_of: dict[str, str], problems: _Problems, given: pl.Series
) -> None:
    frame = checked.frame
    if "personnummer" not in frame.columns and "elev_id" not in frame.columns:
        return
    by_number = frame.get_column("personnummer") if "personnummer" in frame.columns else None
    by_id = frame.get_column("elev_id") if "elev_id" in frame.columns else None
    if by_number is not None and by_id is not None:
        differ = by_number.is_not_null() & by_id.is_not_null() & (by_number != by_id)
        problems.add_rows(
            frame["_line"].filter(differ),
            heading_of["elev_id"],
            _("The pupil id does not belong to the personnummer on the same row."),
        )
        pupil = by_number.fill_null(by_id)
    else:
        pupil = by_number if by_number is not None else by_id
    missing = ~given
    problems.add_rows(
        frame["_line"].filter(missing),
        heading_of.get("personnummer") or heading_of.get("elev_id"),
        _("The row names no pupil: give a personnummer or a pupil id."),
    )
    if by_id is not None:
        known = _known_pseudonyms()
        ids = by_id.drop_nulls().unique()
        unknown = set(ids.to_list()) - known - set(checked.people)
        if unknown:
            bad = by_id.is_in(list(unknown))
            problems.add_rows(
                frame["_line"].filter(bad),
                heading_of["elev_id"],
                _("No pupil has this id."),
            )
    checked.frame = frame.with_columns(pupil.alias("pupil"))


def _known_pseudonyms() -> set[str]:
    frame = read_frame("SELECT pseudonym FROM organisation_pupil", {"pseudonym": pl.String})
    return set(frame["pseudonym"].to_list())


def unit_lookup() -> pl.DataFrame:
    rows = Node.objects.filter(kind=NodeKind.UNIT).values_list(
        "code", "id", "year_groups", "name", "path"
    )
    return pl.DataFrame(
        [(code, pk, list(years or []), name, path) for code, pk, years, name, path in rows],
        schema={
            "skolenhetskod": pl.String,
            "unit_id": pl.Int64,
            "unit_year_groups": pl.List(pl.Int64),
            "unit_name": pl.String,
            "unit_path": pl.String,
        },
        orient="row",
    )


def _check_units(
    checked: Checked,
    heading_of: dict[str, str],
    problems: _Problems,
    unit_paths: list[str] | None,
) -> None:
    frame = checked.frame.join(unit_lookup(), on="skolenhetskod", how="left")
    parsed = frame["skolenhetskod"].is_not_null()
    if unit_paths is not None:
        inside = pl.any_horizontal(
            [pl.col("unit_path").str.starts_with(path) for path in unit_paths] or [pl.lit(False)]
        )
        outside = frame.select(pl.col("unit_id").is_not_null() & ~inside).to_series()
        problems.add_rows(
            frame["_line"].filter(outside),
            heading_of["skolenhetskod"],
            _("You may not import data for this school unit."),
        )
    unknown = frame["unit_id"].is_null() & parsed
    problems.add_rows(
        frame["_line"].filter(unknown),
        heading_of["skolenhetskod"],
        _(
            "No school unit with this skolenhetskod; import the units first "
            "(skolkvalitet import units)."
        ),
    )
    if "årskurs" in frame.columns:
        misfit = (
            frame["unit_id"].is_not_null()
            & frame["årskurs"].is_not_null()
            & (frame["unit_year_groups"].list.len() > 0)
            & ~frame.select(pl.col("unit_year_groups").list.contains(pl.col("årskurs")))
            .to_series()
            .fill_null(False)
        )
        misfits = frame.filter(misfit)
        messages = misfits.select(
            pl.format(
                _("The unit {} does not teach year group {}."),
                pl.col("unit_name"),
                pl.col("årskurs"),
            )
        ).to_series()
        problems.add_rows(misfits["_line"], heading_of["årskurs"], messages)
    checked.frame = frame.drop("unit_year_groups", "unit_name", "unit_path")


def _check_subjects(checked: Checked, heading_of: dict[str, str], problems: _Problems) -> None:
    if "ämne" not in checked.frame.columns:
        return
    subjects = pl.DataFrame(
        list(Subject.objects.values_list("code", "id")),
        schema={"ämne": pl.String, "subject_id": pl.Int64},
        orient="row",
    )
    frame = checked.frame.join(subjects, on="ämne", how="left")
    unknown = frame["subject_id"].is_null() & frame["ämne"].is_not_null()
    problems.add_rows(
        frame["_line"].filter(unknown),
        heading_of["ämne"],
        _("Unknown subject code; use Skolverket's codes (SV, SVA, EN, MA, ...)."),
    )
    checked.frame = frame


def _check_kind_rules(checked: Checked, heading_of: dict[str, str], problems: _Problems) -> None:
    frame = checked.frame
    key = checked.kind.key
    if key == "absence":
        unexcused = (
            pl.col("ogiltig frånvaro").fill_null(0)
            if "ogiltig frånvaro" in frame.columns
            else pl.lit(0)
        )
        frame = frame.with_columns(unexcused.alias("ogiltig frånvaro"))
        over = frame["frånvaro"] > frame["schemalagd tid"]
        problems.add_rows(
            frame["_line"].filter(over),
            heading_of["frånvaro"],
            _("The absence is longer than the scheduled time."),
        )
        over = frame["ogiltig frånvaro"] > frame["frånvaro"]
        problems.add_rows(
            frame["_line"].filter(over),
            heading_of.get("ogiltig frånvaro"),
            _("The invalid absence is longer than all absence."),
        )
    elif key == "surveys":
        over = frame["svarande"] > frame["inbjudna"]
        problems.add_rows(
            frame["_line"].filter(over),
            heading_of["svarande"],
            _("More respondents than invited."),
        )
        over = frame["instämmer"] > frame["svarande"]
        problems.add_rows(
            frame["_line"].filter(over),
            heading_of["instämmer"],
            _("More agreeing than respondents."),
        )
        frame = _fill_text(frame, "respondentgrupp")
    elif key == "staff":
        over = frame["legitimerade lärare heltidstjänster"] > frame["lärare heltidstjänster"]
        problems.add_rows(
            frame["_line"].filter(over),
            heading_of["legitimerade lärare heltidstjänster"],
            _("More certified teachers than teachers."),
        )
    elif key == "preschool":
        over = frame["förskollärare heltidstjänster"] > frame["personal heltidstjänster"]
        problems.add_rows(
            frame["_line"].filter(over),
            heading_of["förskollärare heltidstjänster"],
            _("More preschool teachers than staff."),
        )
        frame = _fill_text(frame, "avdelning")
    elif key == "assessments":
        frame = _check_assessment_values(frame, heading_of, problems)
    elif key == "grades":
        frame = _fill_text(frame, "språk")
        not_read = frame["betyg"] == cells.NOT_READ
        if not_read.any():
            frame = frame.filter(~not_read)
            checked.notes.append(
                _(
                    "%(count)d rows with the code 3 (anpassad studiegång: the subject was not "
                    "read) were left out: the pupil has no grade in those subjects."
                )
                % {"count": not_read.sum()}
            )
    elif key == "pupils":
        school_form = pl.col("skolform") if "skolform" in frame.columns else pl.lit(None)
        frame = frame.with_columns(school_form.fill_null("GR").cast(pl.String).alias("skolform"))
    checked.frame = frame


def _fill_text(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    if column in frame.columns:
        return frame.with_columns(pl.col(column).fill_null(""))
    return frame.with_columns(pl.lit("").alias(column))


_ASSESSMENT_WORDS = {"når": "reaches", "nar": "reaches", "riskerar": "at_risk"}


def _check_assessment_values(
    frame: pl.DataFrame, heading_of: dict[str, str], problems: _Problems
) -> pl.DataFrame:
    scales = {scale.code: scale for scale in AssessmentScale.objects.all()}
    frame = _fill_text(frame, "skala").with_columns(
        pl.when(pl.col("skala") == "")
        .then(pl.lit("forecast_af"))
        .otherwise(pl.col("skala"))
        .alias("skala")
    )
    unknown = ~frame["skala"].is_in(list(scales)) & frame["skala"].is_not_null()
    problems.add_rows(
        frame["_line"].filter(unknown),
        heading_of.get("skala"),
        _("Unknown assessment scale; the scales are %(scales)s.")
        % {"scales": ", ".join(sorted(scales))},
    )
    mapping_rows = []
    for code, scale in scales.items():
        for entry in scale.values:
            for spelling in (entry["value"], entry["label"]):
                mapping_rows.append((code, spelling.lower(), entry["value"]))
        if code == "on_track":
            for word, value in _ASSESSMENT_WORDS.items():
                mapping_rows.append((code, word, value))
    mapping = pl.DataFrame(
        mapping_rows,
        schema={"skala": pl.String, "_v": pl.String, "value": pl.String},
        orient="row",
    ).unique(["skala", "_v"])
    frame = frame.with_columns(pl.col("bedömning").str.to_lowercase().alias("_v")).join(
        mapping, on=["skala", "_v"], how="left"
    )
    bad = frame["value"].is_null() & ~unknown & frame["bedömning"].is_not_null()
    problems.add_rows(
        frame["_line"].filter(bad),
        heading_of["bedömning"],
        _("The value is not on the assessment scale."),
    )
    scale_ids = pl.DataFrame(
        [(code, scale.pk) for code, scale in scales.items()],
        schema={"skala": pl.String, "scale_id": pl.Int64},
        orient="row",
    )
    return frame.drop("_v").join(scale_ids, on="skala", how="left")


def _check_duplicates(checked: Checked, problems: _Problems) -> None:
    """Two rows with the same key: the same row twice, or a conflict (different values)."""
    key = list(checked.kind.key_columns)
    frame = checked.frame
    values = [c for c in frame.columns if c not in {*key, "_line"}]
    ranked = frame.with_columns(
        pl.col("_line").first().over(key).alias("_first"),
        pl.struct(values).hash().alias("_hash") if values else pl.lit(0).alias("_hash"),
    ).with_columns(pl.col("_hash").first().over(key).alias("_first_hash"))
    repeated = ranked.filter(pl.col("_line") != pl.col("_first"))
    if repeated.height == 0:
        return
    same = repeated.filter(pl.col("_hash") == pl.col("_first_hash"))
    problems.add_rows(
        same["_line"],
        None,
        same.select(pl.format(_("The row repeats line {}."), pl.col("_first"))).to_series(),
    )
    conflict = repeated.filter(pl.col("_hash") != pl.col("_first_hash"))
    problems.add_rows(
        conflict["_line"],
        None,
        conflict.select(
            pl.format(
                _("The row conflicts with line {}: the same {} with other values."),
                pl.col("_first"),
                pl.lit(", ".join("personnummer" if k == "pupil" else k for k in key)),
            )
        ).to_series(),
    )


# --- Final grades: one per pupil and subject; SV and SVA are alternatives ------------------

MAX_WARNINGS_LISTED = 20
SWEDISH_SUBJECTS = ("SV", "SVA")


def _school_year(column: str) -> pl.Expr:
    """2024 → "2024/25"."""
    return pl.format(
        "{}/{}",
        pl.col(column),
        ((pl.col(column) + 1) % 100).cast(pl.String).str.zfill(2),
    )


def _stored_final_grades(pupils: list[str]) -> pl.DataFrame:
    """The stored final grades of the pupils (pseudonyms): pupil, subject_id, läsår (start
    year), termin, årskurs and the name of the file that imported them."""
    schema = {
        "pupil": pl.String,
        "subject_id": pl.Int64,
        "läsår": pl.Int64,
        "termin": pl.String,
        "årskurs": pl.Int64,
        "source": pl.String,
    }
    known = read_frame(
        "SELECT id, pseudonym FROM organisation_pupil", {"pupil_id": pl.Int64, "pupil": pl.String}
    ).filter(pl.col("pupil").is_in(pupils))
    ids = known["pupil_id"].to_list()
    if not ids:
        return pl.DataFrame(schema=schema)
    parts = []
    for start in range(0, len(ids), 5000):
        chunk = ", ".join(str(int(i)) for i in ids[start : start + 5000])
        parts.append(
            read_frame(
                "SELECT pupil_id, term_id, subject_id, year_group, batch_id FROM results_grade "
                f"WHERE grade_type = 'final' AND pupil_id IN ({chunk})",
                {
                    "pupil_id": pl.Int64,
                    "term_id": pl.Int64,
                    "subject_id": pl.Int64,
                    "årskurs": pl.Int64,
                    "batch_id": pl.Int64,
                },
            )
        )
    stored = pl.concat(parts)
    if stored.is_empty():
        return pl.DataFrame(schema=schema)
    terms = pl.DataFrame(
        [
            (pk, start.year, kind)
            for pk, start, kind in Term.objects.filter(
                pk__in=stored["term_id"].unique().to_list()
            ).values_list("id", "academic_year__start_date", "kind")
        ],
        schema={"term_id": pl.Int64, "läsår": pl.Int64, "termin": pl.String},
        orient="row",
    )
    batches = pl.DataFrame(
        list(
            ImportBatch.objects.filter(pk__in=stored["batch_id"].unique().to_list()).values_list(
                "id", "source_name"
            )
        ),
        schema={"batch_id": pl.Int64, "source": pl.String},
        orient="row",
    )
    return (
        stored.join(known, on="pupil_id")
        .join(terms, on="term_id", how="left")
        .join(batches, on="batch_id", how="left")
        .with_columns(pl.col("source").fill_null("?"))
        .select(list(schema))
    )


@dataclass
class FinalGradeFindings:
    """What the one-final-grade-per-subject rule finds among new final grades (the rows of
    the frame given to final_grades_checked, with their columns)."""

    # Rows naming a pupil and subject that an earlier row (lower `_line`) names in another
    # term: _first (that row's _line), _first_year, _first_term, _first_group.
    second: pl.DataFrame
    # Rows beside a stored final grade of the pupil in the subject of another term or year
    # group: läsår_stored, termin_stored, årskurs_stored, source (the import's name).
    stored: pl.DataFrame
    # Pupils with final grades in both SV and SVA: _at (the row to warn on: the SVA one, else
    # the SV one), _sva and _sv (their rows; null where only a stored grade has it).
    swedish: pl.DataFrame


def final_grades_checked(final: pl.DataFrame) -> FinalGradeFindings:
    """The rule for new final grades, wherever they come from (a grades file, an SS 12000
    sync): a pupil has one final grade per subject (the leaving certificate lists each
    subject once, those ended before year 9 with the year group they ended in), so a second
    final grade among the new ones, or beside a stored one of another term or year group, is
    a conflict; the same term and year group again is a correction, which replaces the stored
    grade. Final grades in both SV and SVA are not a conflict but a warning: they are
    alternatives (a pupil who moved from one to the other can have both), and the indicators
    count one.

    `final`: one row per new final grade with `_line` (the order they were read in: a file's
    line, or a running number), pupil (pseudonym), subject_id, ämne (the subject's code),
    läsår (start year), termin and årskurs. Reads the pupils' stored final grades."""
    ranked = final.sort("_line").with_columns(
        pl.col("_line").first().over("pupil", "subject_id").alias("_first"),
        pl.col("läsår").first().over("pupil", "subject_id").alias("_first_year"),
        pl.col("termin").first().over("pupil", "subject_id").alias("_first_term"),
        pl.col("årskurs").first().over("pupil", "subject_id").alias("_first_group"),
    )
    second = ranked.filter(pl.col("_line") != pl.col("_first"))
    stored = _stored_final_grades(final["pupil"].unique().to_list())
    matched = final.join(stored, on=["pupil", "subject_id"], how="inner", suffix="_stored")
    other = matched.filter(
        (pl.col("läsår") != pl.col("läsår_stored"))
        | (pl.col("termin") != pl.col("termin_stored"))
        | (pl.col("årskurs") != pl.col("årskurs_stored"))
    )
    return FinalGradeFindings(second=second, stored=other, swedish=_swedish_twice(final, stored))


def stored_final_grade_messages(stored: pl.DataFrame) -> pl.Series:
    """The message for each row of FinalGradeFindings.stored."""
    return stored.select(
        pl.format(
            _(
                "The pupil already has a final grade in {} ({} {}, year group {}, imported "
                "from {}): a pupil has one final grade per subject. Correct that grade with "
                "its own term and year group, or roll its import back first."
            ),
            pl.col("ämne"),
            _school_year("läsår_stored"),
            pl.col("termin_stored"),
            pl.col("årskurs_stored"),
            pl.col("source"),
        )
    ).to_series()


def swedish_twice_message_stored() -> str:
    """The warning for a pupil whose other Swedish final grade was imported before."""
    return _(
        "The pupil has final grades in both SV and SVA (the other already imported). They are "
        "alternatives: the indicators count one, the one given last, and SVA when both were "
        "given in the same term (skolförordningen 5 kap. 15 §)."
    )


def swedish_twice_more_message(count: int) -> str:
    return _("… and %(count)d more pupils with final grades in both SV and SVA.") % {"count": count}


def _check_final_grades(checked: Checked, heading_of: dict[str, str], problems: _Problems) -> None:
    """final_grades_checked on the file's final grades: conflicts are problems at the
    subject cell, SV and SVA together a warning (a note with file:line:ämne)."""
    frame = checked.frame
    if "pupil" not in frame.columns:
        return
    final = frame.filter(pl.col("betygstyp") == "final").select(
        "_line", "pupil", "subject_id", "ämne", "läsår", "termin", "årskurs"
    )
    if final.is_empty():
        return
    subject_heading = heading_of["ämne"]
    findings = final_grades_checked(final)
    # In the file: the same pupil and subject in another term (the same term is a duplicate
    # key, reported by _check_duplicates).
    second = findings.second
    problems.add_rows(
        second["_line"],
        subject_heading,
        second.select(
            pl.format(
                _(
                    "A second final grade in {} for the pupil (line {}: {} {}, year group {}): "
                    "a pupil has one final grade per subject, given in the year group the "
                    "subject ended."
                ),
                pl.col("ämne"),
                pl.col("_first"),
                _school_year("_first_year"),
                pl.col("_first_term"),
                pl.col("_first_group"),
            )
        ).to_series(),
    )
    # Against the stored final grades.
    problems.add_rows(
        findings.stored["_line"], subject_heading, stored_final_grade_messages(findings.stored)
    )
    _warn_swedish_twice(checked, findings.swedish, subject_heading)


def _swedish_twice(final: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    schema = {"_at": pl.Int64, "_sva": pl.Int64, "_sv": pl.Int64, "pupil": pl.String}
    swedish = final.filter(pl.col("ämne").is_in(SWEDISH_SUBJECTS))
    if swedish.is_empty():
        return pl.DataFrame(schema=schema)
    codes = pl.DataFrame(
        list(Subject.objects.filter(code__in=SWEDISH_SUBJECTS).values_list("id", "code")),
        schema={"subject_id": pl.Int64, "ämne": pl.String},
        orient="row",
    )
    # Stored grades the new ones replace (the same term and subject) no longer count.
    kept = (
        stored.join(codes, on="subject_id", how="inner")
        .join(swedish, on=["pupil", "subject_id", "läsår", "termin"], how="anti")
        .select("pupil", "ämne", pl.lit(None, dtype=pl.Int64).alias("_line"))
    )
    return (
        pl.concat([swedish.select("pupil", "ämne", pl.col("_line").cast(pl.Int64)), kept])
        .group_by("pupil")
        .agg(
            pl.col("ämne").n_unique().alias("_subjects"),
            pl.col("_line").filter(pl.col("ämne") == "SVA").min().alias("_sva"),
            pl.col("_line").filter(pl.col("ämne") == "SV").min().alias("_sv"),
        )
        .filter(pl.col("_subjects") == 2)
        .with_columns(pl.coalesce("_sva", "_sv").alias("_at"))
        .sort("_at")
        .select(list(schema))
    )


def _warn_swedish_twice(checked: Checked, both: pl.DataFrame, heading: str) -> None:
    message_file = _(
        "The pupil has final grades in both SV and SVA (the other on line %(line)d). They are "
        "alternatives: the indicators count one, the one given last, and SVA when both were "
        "given in the same term (skolförordningen 5 kap. 15 §)."
    )
    message_stored = swedish_twice_message_stored()
    for at, sva, sv in both.head(MAX_WARNINGS_LISTED).select("_at", "_sva", "_sv").iter_rows():
        other = sv if at == sva else sva
        message = message_file % {"line": other} if other is not None else message_stored
        checked.notes.append(str(ImportProblem(checked.file, at, heading, message)))
    if both.height > MAX_WARNINGS_LISTED:
        checked.notes.append(swedish_twice_more_message(both.height - MAX_WARNINGS_LISTED))
