"""The rules of each kind of pupil-data file beyond its cells: each kind names its rules in
ingest/files/kinds.py (FileKind.rules), and validation.py runs them after every cell has been
parsed. A rule reads the parsed columns (named as the kind's Swedish headings), adds what it
finds to `problems` (at the row's line and the column's heading as written in the file), and
may complete the frame: defaults for optional columns, derived columns for the stored table."""

from __future__ import annotations

import polars as pl
from django.utils.translation import gettext as _

from skolkvalitet.ingest.files import cells
from skolkvalitet.ingest.files.checked import Checked, Problems
from skolkvalitet.organisation.calendar import default_term_dates
from skolkvalitet.organisation.models import AcademicYear, Term
from skolkvalitet.results.models import AssessmentScale


def pupils(checked: Checked, heading_of: dict[str, str], problems: Problems) -> None:
    """School form GR when not given; the two flags false when not given."""
    frame = checked.frame
    school_form = pl.col("skolform") if "skolform" in frame.columns else pl.lit(None)
    flags = [
        (pl.col(c).fill_null(False) if c in frame.columns else pl.lit(False)).alias(c)
        for c in ("svenska som andraspråk", "särskilt stöd")
    ]
    checked.frame = frame.with_columns(
        school_form.fill_null("GR").cast(pl.String).alias("skolform"), *flags
    )


def grades(checked: Checked, heading_of: dict[str, str], problems: Problems) -> None:
    """Rows with the code 3 (the subject was not read) are left out, with a note."""
    frame = _fill_text(checked.frame, "språk")
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
    checked.frame = frame


def national_tests(checked: Checked, heading_of: dict[str, str], problems: Problems) -> None:
    """The test result (scale|value, as cells.test_result reads it) as its two columns."""
    parts = pl.col("provbetyg").str.split("|")
    checked.frame = checked.frame.with_columns(
        parts.list.get(0).alias("scale"), parts.list.get(1).alias("value")
    )


def absence(checked: Checked, heading_of: dict[str, str], problems: Problems) -> None:
    """Each row's period inside its term (the whole term when från and till are both empty),
    the periods of a pupil and unit not overlapping, absence within the scheduled time and
    invalid absence within all absence."""
    frame = checked.frame
    for name in ("från", "till"):
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Date).alias(name))
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
    frame = _absence_periods(frame, heading_of, problems)
    checked.frame = frame


def _absence_periods(frame: pl.DataFrame, heading_of: dict[str, str], problems: Problems):
    """från/till completed from the term's dates, and checked against the term and each
    other."""
    half = frame["från"].is_null() != frame["till"].is_null()
    problems.add_rows(
        frame["_line"].filter(half),
        heading_of.get("från") or heading_of.get("till"),
        _(
            "Give both från and till (the period's first and last day), or neither for the "
            "whole term."
        ),
    )
    terms = _term_dates(frame["läsår"].drop_nulls().unique().to_list())
    frame = frame.join(terms, on=["läsår", "termin"], how="left")
    whole = frame["från"].is_null() & frame["till"].is_null()
    frame = frame.with_columns(
        pl.when(whole).then(pl.col("_term_start")).otherwise(pl.col("från")).alias("från"),
        pl.when(whole).then(pl.col("_term_end")).otherwise(pl.col("till")).alias("till"),
    )
    dated = frame.filter(pl.col("från").is_not_null() & pl.col("till").is_not_null())
    backwards = dated.filter(pl.col("till") < pl.col("från"))
    problems.add_rows(
        backwards["_line"],
        heading_of.get("till"),
        _("The period ends before it starts."),
    )
    outside = dated.filter(
        (pl.col("till") >= pl.col("från"))
        & pl.col("_term_start").is_not_null()
        & ((pl.col("från") < pl.col("_term_start")) | (pl.col("till") > pl.col("_term_end")))
    )
    problems.add_rows(
        outside["_line"],
        heading_of.get("från"),
        outside.select(
            pl.format(
                _("The period {} – {} is not inside the term {}{} ({} – {})."),
                pl.col("från"),
                pl.col("till"),
                pl.col("termin"),
                pl.col("_term_start").dt.year(),
                pl.col("_term_start"),
                pl.col("_term_end"),
            )
        ).to_series(),
    )
    group = ["pupil", "unit_id", "läsår", "termin"]
    if all(c in dated.columns for c in group):
        ordered = dated.filter(pl.col("till") >= pl.col("från"))
        # Per first day the latest last day (and its line); then, for each first day, the
        # latest last day of the periods that start before it. Two periods with the same first
        # day are a repeated key (reported as such), not an overlap.
        by_start = (
            ordered.sort([*group, "från", "till", "_line"], descending=[False] * 5 + [True, False])
            .group_by([*group, "från"], maintain_order=True)
            .agg(pl.col("till").first().alias("_end"), pl.col("_line").first().alias("_end_line"))
            .sort([*group, "från"])
            .with_columns(
                pl.col("_end").cum_max().over(group).alias("_reach"),
            )
            .with_columns(
                pl.when(pl.col("_end") == pl.col("_reach"))
                .then(pl.col("_end_line"))
                .otherwise(None)
                .forward_fill()
                .over(group)
                .alias("_reach_line")
            )
            .with_columns(
                pl.col("_reach").shift(1).over(group).alias("_before_end"),
                pl.col("_reach_line").shift(1).over(group).alias("_before_line"),
            )
            .select(*group, "från", "_before_end", "_before_line")
        )
        overlapping = ordered.join(by_start, on=[*group, "från"], how="left").filter(
            pl.col("från") <= pl.col("_before_end")
        )
        problems.add_rows(
            overlapping["_line"],
            heading_of.get("från"),
            overlapping.select(
                pl.format(
                    _("The period overlaps the one on line {} (the same pupil, unit and term)."),
                    pl.col("_before_line"),
                )
            ).to_series(),
        )
    return frame.drop("_term_start", "_term_end")


def _term_dates(start_years: list[int]) -> pl.DataFrame:
    """The first and last day of each term of the academic years starting in `start_years`:
    the organiser's stored dates, or the default dates for a year not yet stored (the import
    creates it with them)."""
    rows: dict[tuple[int, str], tuple] = {}
    for start_year in start_years:
        for kind, (first, last) in default_term_dates(start_year).items():
            rows[(start_year, kind)] = (first, last)
    codes = {AcademicYear.code_for(y): y for y in start_years}
    for code, kind, first, last in Term.objects.filter(
        academic_year__code__in=list(codes)
    ).values_list("academic_year__code", "kind", "start_date", "end_date"):
        rows[(codes[code], kind)] = (first, last)
    return pl.DataFrame(
        [(y, k, first, last) for (y, k), (first, last) in rows.items()],
        schema={
            "läsår": pl.Int64,
            "termin": pl.String,
            "_term_start": pl.Date,
            "_term_end": pl.Date,
        },
        orient="row",
    )


def surveys(checked: Checked, heading_of: dict[str, str], problems: Problems) -> None:
    """Respondents within the invited, agreeing within the respondents."""
    frame = checked.frame
    over = frame["svarande"] > frame["inbjudna"]
    problems.add_rows(
        frame["_line"].filter(over), heading_of["svarande"], _("More respondents than invited.")
    )
    over = frame["instämmer"] > frame["svarande"]
    problems.add_rows(
        frame["_line"].filter(over),
        heading_of["instämmer"],
        _("More agreeing than respondents."),
    )
    checked.frame = _fill_text(frame, "respondentgrupp")


def staff(checked: Checked, heading_of: dict[str, str], problems: Problems) -> None:
    """Certified teachers within the teachers."""
    frame = checked.frame
    over = frame["legitimerade lärare heltidstjänster"] > frame["lärare heltidstjänster"]
    problems.add_rows(
        frame["_line"].filter(over),
        heading_of["legitimerade lärare heltidstjänster"],
        _("More certified teachers than teachers."),
    )


def preschool(checked: Checked, heading_of: dict[str, str], problems: Problems) -> None:
    """Preschool teachers within the staff."""
    frame = checked.frame
    over = frame["förskollärare heltidstjänster"] > frame["personal heltidstjänster"]
    problems.add_rows(
        frame["_line"].filter(over),
        heading_of["förskollärare heltidstjänster"],
        _("More preschool teachers than staff."),
    )
    checked.frame = _fill_text(frame, "avdelning")


def _fill_text(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    if column in frame.columns:
        return frame.with_columns(pl.col(column).fill_null(""))
    return frame.with_columns(pl.lit("").alias(column))


_ASSESSMENT_WORDS = {"når": "reaches", "nar": "reaches", "riskerar": "at_risk"}


def assessments(checked: Checked, heading_of: dict[str, str], problems: Problems) -> None:
    """The value is on the scale the row names (the forecast A–F scale when empty); the
    scale's id and the value's code are added."""
    frame = checked.frame
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
    checked.frame = frame.drop("_v").join(scale_ids, on="skala", how="left")
