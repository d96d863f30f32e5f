"""The rule for final grades (slutbetyg), wherever they come from (a grades file, an SS 12000
sync): one final grade per pupil and subject, and a warning for final grades in both SV and
SVA. See final_grades_checked."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from django.utils.translation import gettext as _

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.batches.problems import ImportProblem
from skolkvalitet.indicators.loading import read_frame
from skolkvalitet.ingest.files.checked import Checked, Problems
from skolkvalitet.organisation.models import Term
from skolkvalitet.results.models import Subject
from skolkvalitet.results.subjects import SWEDISH, SWEDISH_SECOND_LANGUAGE, SWEDISH_SUBJECTS

MAX_WARNINGS_LISTED = 20


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
    # Only rows whose pupil and subject come twice can be a second one: rank those alone
    # (one hashing pass over the rows instead of four windows over all of them).
    repeated = final.select(pl.struct("pupil", "subject_id").is_duplicated()).to_series()
    ranked = (
        final.filter(repeated)
        .sort("_line")
        .with_columns(
            pl.col("_line").first().over("pupil", "subject_id").alias("_first"),
            pl.col("läsår").first().over("pupil", "subject_id").alias("_first_year"),
            pl.col("termin").first().over("pupil", "subject_id").alias("_first_term"),
            pl.col("årskurs").first().over("pupil", "subject_id").alias("_first_group"),
        )
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


def grades_final(checked: Checked, heading_of: dict[str, str], problems: Problems) -> None:
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
            pl.col("_line").filter(pl.col("ämne") == SWEDISH_SECOND_LANGUAGE).min().alias("_sva"),
            pl.col("_line").filter(pl.col("ämne") == SWEDISH).min().alias("_sv"),
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
