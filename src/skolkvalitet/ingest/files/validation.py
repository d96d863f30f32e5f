"""Checking a pupil-data file before anything is written: headings, every cell, and the
rules between cells and rows (known unit, year group taught at the unit, duplicates,
conflicts). The result is a frame of parsed values, or ImportRejected with every problem.

Each column is parsed once per distinct text (see ingest/files/cells.py) and mapped back onto the
rows with Polars, so the cost grows with the number of distinct values, not of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl
from django.conf import settings
from django.utils.translation import gettext as _

from skolkvalitet.batches.problems import ImportProblem, ImportRejected
from skolkvalitet.batches.tabular import SEPARATOR_CANDIDATES, Table
from skolkvalitet.indicators.loading import read_frame
from skolkvalitet.ingest.files import cells
from skolkvalitet.ingest.files.checked import Checked, Problems
from skolkvalitet.ingest.files.kinds import Column, FileKind, Parse, fold
from skolkvalitet.organisation.identity import FEMALE, MALE, PersonalNumber, pseudonym_for
from skolkvalitet.organisation.models import Node, NodeKind
from skolkvalitet.results.models import Subject

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


def match_headings(kind: FileKind, header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column name → index in the file, and the headings that match no column (ignored)."""
    names: dict[str, Column] = {}
    for column in kind.columns:
        for heading in (column.name, column.english, *column.aliases):
            names[fold(heading)] = column
    found: dict[str, int] = {}
    ignored: list[str] = []
    for index, heading in enumerate(header):
        matched = names.get(fold(heading))
        if matched is None:
            if heading:
                ignored.append(heading)
            continue
        if matched.name in found:
            raise ImportRejected(
                [
                    ImportProblem(
                        "",
                        None,
                        heading,
                        _("The column %(column)s appears twice.") % {"column": matched.name},
                    )
                ]
            )
        found[matched.name] = index
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
    problems = Problems(table.file)
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
    # A kind whose personnummer column is optional takes a pupil id instead; one is needed.
    names_pupils = any(c.name in pupil_columns and not c.required for c in kind.columns)
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
    for rule in kind.rules:
        rule(checked, heading_of, problems)
    problems.raise_if_any()
    _check_duplicates(checked, problems)
    problems.raise_if_any()
    for rule in kind.rules_after_duplicates:
        rule(checked, heading_of, problems)
        problems.raise_if_any()
    return checked


def _parse_personal_numbers(
    raw: pl.Series, people: dict[str, PersonalNumber]
) -> tuple[pl.Series, pl.Series]:
    """Pseudonyms and error messages for a column of personnummer; `people` gets each
    pseudonym's number. The usual 12-digit forms are validated for the whole column at once
    (personal_numbers_valid); any other text goes through parse_personal_number, which also
    gives the message for a number that is not valid."""
    distinct = raw.drop_nulls().unique()
    valid = personal_numbers_valid(distinct)
    key_text = settings.PSEUDONYM_KEY  # read once, not once per pupil (a lazy setting)
    texts: list[str] = []
    keys: list[str | None] = []
    errors: list[str | None] = []
    for text, canonical, birth_date, gender, coordination in valid.iter_rows():
        number = PersonalNumber(
            canonical=canonical,
            birth_date=birth_date,
            legal_gender=gender,
            is_coordination_number=coordination,
        )
        key = pseudonym_for(number, key=key_text or None)
        people[key] = number
        texts.append(text)
        keys.append(key)
        errors.append(None)
    for text in distinct.filter(~distinct.is_in(valid["text"].implode())).to_list():
        texts.append(text)
        try:
            number = cells.personal_number(text)
        except cells.CellError as error:
            keys.append(None)
            errors.append(str(error))
            continue
        key = pseudonym_for(number, key=key_text or None)
        people[key] = number
        keys.append(key)
        errors.append(None)
    lookup = pl.Series(texts, dtype=pl.String)
    result = raw.replace_strict(lookup, pl.Series(keys, dtype=pl.String), default=None)
    messages = raw.replace_strict(lookup, pl.Series(errors, dtype=pl.String), default=None)
    return result, messages


# The forms personal_numbers_valid checks at once: the century written out, with or without
# the hyphen (YYYYMMDDNNNN, YYYYMMDD-NNNN), as the templates and most exports write them.
_FULL_FORM = r"^[0-9]{8}-?[0-9]{4}$"


def personal_numbers_valid(texts: pl.Series, *, today: dt.date | None = None) -> pl.DataFrame:
    """Of `texts`, those in a 12-digit form that are valid personnummer or samordningsnummer,
    checked as organisation.identity.parse_personal_number checks them (the date exists, is
    not in the future, the Luhn check digit is right), with what it would return: text,
    canonical, birth_date, legal_gender, is_coordination_number. Vectorised; texts in any
    other form, and invalid ones, are left out (the caller parses those one by one)."""
    today = today or dt.date.today()
    frame = pl.DataFrame({"text": texts.cast(pl.String)})
    digits = pl.col("text").str.strip_chars().str.replace_all(" ", "", literal=True)
    frame = frame.with_columns(digits.alias("_clean")).filter(
        pl.col("_clean").str.contains(_FULL_FORM)
    )
    frame = frame.with_columns(pl.col("_clean").str.replace("-", "", literal=True).alias("_d"))
    parts = [pl.col("_d").str.slice(i, 1).cast(pl.Int64) for i in range(12)]
    # The Luhn sum over YYMMDDNNN (positions 2–10), weights 2, 1, 2, ...
    luhn = pl.lit(0, dtype=pl.Int64)
    for index, part in enumerate(parts[2:11]):
        product = part * (2 if index % 2 == 0 else 1)
        luhn = luhn + product // 10 + product % 10
    day = pl.col("_d").str.slice(6, 2).cast(pl.Int64)
    coordination = day > 60
    month = pl.col("_d").str.slice(4, 2).cast(pl.Int64)
    plain_day = pl.when(coordination).then(day - 60).otherwise(day)
    frame = frame.with_columns(
        month.alias("_month"),
        plain_day.alias("_day"),
        pl.col("_d").str.slice(0, 4).cast(pl.Int64).alias("_year"),
        coordination.alias("is_coordination_number"),
        ((10 - luhn % 10) % 10 == parts[11]).alias("_luhn"),
        pl.when(parts[10] % 2 == 1)
        .then(pl.lit(MALE))
        .otherwise(pl.lit(FEMALE))
        .alias("legal_gender"),
        pl.col("_d").alias("canonical"),
    )
    frame = frame.filter(
        pl.col("_luhn") & pl.col("_month").is_between(1, 12) & pl.col("_day").is_between(1, 31)
    )
    # A date that does not exist (30 February) does not parse: null, left to the slow path.
    frame = frame.with_columns(
        pl.format(
            "{}-{}-{}",
            pl.col("_d").str.slice(0, 4),
            pl.col("_d").str.slice(4, 2),
            pl.col("_day").cast(pl.String).str.zfill(2),
        )
        .str.to_date("%Y-%m-%d", strict=False)
        .alias("birth_date")
    )
    frame = frame.filter(
        pl.col("birth_date").is_not_null()
        & (pl.col("birth_date") <= today)
        & (pl.col("_year") >= 1)
    )
    return frame.select("text", "canonical", "birth_date", "legal_gender", "is_coordination_number")


def _check_pupils(
    checked: Checked, heading_of: dict[str, str], problems: Problems, given: pl.Series
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
    elif by_number is not None:
        pupil = by_number
    else:
        assert by_id is not None  # the return above: one of the two columns is present
        pupil = by_id
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
    problems: Problems,
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


def _check_subjects(checked: Checked, heading_of: dict[str, str], problems: Problems) -> None:
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


def _check_duplicates(checked: Checked, problems: Problems) -> None:
    """Two rows with the same key: the same row twice, or a conflict (different values)."""
    key = list(checked.kind.key_columns)
    frame = checked.frame
    values = [c for c in frame.columns if c not in {*key, "_line"}]
    # Only rows whose key comes twice can repeat or conflict: rank those alone.
    frame = frame.filter(frame.select(pl.struct(key).is_duplicated()).to_series())
    if frame.height == 0:
        return
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
