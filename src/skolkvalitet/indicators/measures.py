"""Per-pupil (or per-unit) measures: the first, pure step of the indicator engine.

Each function takes fact frames and returns a *measure frame*, one row per indicator and pupil
(or unit fact) with:

    indicator, unit_id, group_id, academic_year_id, period_kind, period_id,
    pupil_id, year_group, num, den, n

`num / den` summed over rows gives the indicator's value; `n` summed gives the number of pupils
(or respondents, teachers, children) behind it. The engine (engine.py) aggregates these frames
per node and breakdown. No Django here.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import polars as pl

from skolkvalitet.indicators import final_grades as fg
from skolkvalitet.indicators.registry import (
    GRADED_SUBJECTS,
    REGISTRY,
    TEST_GRADES,
    TESTED_SUBJECTS,
    PeriodKind,
)
from skolkvalitet.results.absence import ABSENCE_THRESHOLD
from skolkvalitet.results.grades import GRADE_POINTS, PASSING_GRADES

MEASURE_SCHEMA = {
    "indicator": pl.String,
    "unit_id": pl.Int64,
    "group_id": pl.Int64,
    "academic_year_id": pl.Int64,
    "period_kind": pl.String,
    "period_id": pl.Int64,
    "pupil_id": pl.Int64,
    "year_group": pl.Int64,
    "num": pl.Float64,
    "den": pl.Float64,
    "n": pl.Int64,
}
PASSING = list(PASSING_GRADES)
POINTS_EXPR = pl.col("value").replace_strict(GRADE_POINTS, default=None, return_dtype=pl.Float64)

# The merit means count only pupils with at least one grade A–E (Skolverket).
COUNTED_IF_ANY_PASS = frozenset({"merit_value_17", "merit_value_16"})


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=MEASURE_SCHEMA)


def _finish(frame: pl.DataFrame) -> pl.DataFrame:
    """Cast to the measure schema, adding the columns a family does not have."""
    for column, dtype in MEASURE_SCHEMA.items():
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(column))
    return frame.select([pl.col(c).cast(t) for c, t in MEASURE_SCHEMA.items()])


def grade_matrix(grades: pl.DataFrame, keys: list[str]) -> tuple[pl.DataFrame, np.ndarray, list]:
    """Pivot long grades to one row per `keys` combination and one column per subject, as
    grade points (NaN where the pupil has no grade in the subject)."""
    subjects = sorted(grades["subject"].unique().to_list())
    rows = grades.select(keys).unique(maintain_order=True).with_row_index("row")
    indexed = grades.join(rows, on=keys, how="left").select(
        "row",
        pl.col("subject").cast(pl.Enum(subjects)).to_physical().alias("column"),
        POINTS_EXPR.alias("points"),
    )
    matrix = np.full((rows.height, len(subjects)), np.nan)
    matrix[indexed["row"].to_numpy(), indexed["column"].to_numpy()] = indexed["points"].to_numpy()
    return rows.drop("row"), matrix, subjects


MATRIX_FUNCTIONS = {
    "merit_value_17": lambda m, s: fg.merit_values(m, s),
    "merit_value_16": lambda m, s: fg.merit_values(m, s, include_language_choice=False),
    "passed_all_subjects": lambda m, s: fg.passed_all_subjects(m, s),
    "eligible_vocational": lambda m, s: fg.eligible_vocational(m, s),
    "eligible_academic_natural_science": lambda m, s: fg.eligible_academic(
        m, s, required=("BI", "FY", "KE")
    ),
    "eligible_academic_economics": lambda m, s: fg.eligible_academic(
        m, s, required=("GE", "HI", "RE", "SH")
    ),
    "eligible_academic_arts": lambda m, s: fg.eligible_academic(m, s, required=()),
}


def matrix_measures(
    matrix: np.ndarray, subjects: list[str], only: Collection[str] | None = None
) -> dict[str, np.ndarray]:
    """The per-pupil measures of a pupil × subject grade matrix (docs/indicators.md), all or `only`
    those named; "counted" (at least one pass: in the merit mean) always."""
    out = {
        key: compute(matrix, subjects)
        for key, compute in MATRIX_FUNCTIONS.items()
        if only is None or key in only
    }
    out["counted"] = fg.has_any_pass(matrix, subjects)
    return out


def _current(grades: pl.DataFrame) -> pl.DataFrame:
    """The grades of the periods computed, without the rows loading.py adds only to complete
    leaving certificates (`earlier`: ended subjects' final grades of earlier years)."""
    if "earlier" in grades.columns:
        return grades.filter(~pl.col("earlier").fill_null(False))
    return grades


def leaving_certificates(final: pl.DataFrame) -> pl.DataFrame:
    """Each year-9 pupil's leaving certificate (slutbetyg) from final grades: the year-9 final
    grades, plus the final grades of subjects the pupil ended in an earlier year group
    (avslutade ämnen, year group below 9, from this or an earlier academic year), which are
    counted with the year-9 unit, academic year and year group. One grade per subject: the
    one given last (higher year group, then VT after HT) when a subject has two (the import
    refuses that, so it comes only from older data). Of SV and SVA only one: the one given
    last, and SVA when both were given at the same time (skolförordningen 5 kap. 15 §:
    svenska som andraspråk replaces svenska).

    `final`: pupil_id, unit_id, academic_year_id, year_group, subject, value and optionally
    term_kind; returns the same columns for the year-9 pupils only."""
    keys = ["pupil_id", "unit_id", "academic_year_id", "year_group"]
    order = pl.col("year_group") * 2 + (
        (pl.col("term_kind") == "VT").fill_null(True).cast(pl.Int64)
        if "term_kind" in final.columns
        else pl.lit(1)
    )
    final = final.with_columns(_given=order)
    nine = final.filter(pl.col("year_group") == 9)
    if nine.is_empty():
        return nine.drop("_given")
    ended = final.filter(pl.col("year_group") < 9).select("pupil_id", "subject", "value", "_given")
    holders = nine.select(keys).unique()
    carried = ended.join(holders, on="pupil_id", how="inner")
    rows = pl.concat(
        [
            nine.select(*keys, "subject", "value", "_given"),
            carried.select(*keys, "subject", "value", "_given"),
        ],
        how="vertical_relaxed",
    )
    swedish = pl.col("subject").is_in([fg.SWEDISH, fg.SWEDISH_SECOND_LANGUAGE])
    # One row per pupil and slot (a subject; SV and SVA share one): the highest rank, i.e.
    # given last, then SVA, then (a tie only old data can hold) the later row. A window maximum
    # instead of a sort: the same rows, in about 40 % of the time.
    rank = (
        pl.col("_given") * 2 + (pl.col("subject") == fg.SWEDISH_SECOND_LANGUAGE).cast(pl.Int64)
    ) * 2**32 + pl.col("_row").cast(pl.Int64)
    rows = rows.with_row_index("_row").with_columns(
        _slot=pl.when(swedish).then(pl.lit("SV|SVA")).otherwise(pl.col("subject")),
        _rank=rank,
    )
    kept = rows.filter(pl.col("_rank") == pl.col("_rank").max().over([*keys, "_slot"]))
    return kept.drop("_given", "_slot", "_rank", "_row")


def _subject_measures(grades: pl.DataFrame, prefix: str, period_id: str, kind: str):
    """grade_points_<S> (mean) and passed_<S> (share) per pupil and subject."""
    base = grades.filter(pl.col("subject").is_in(GRADED_SUBJECTS)).with_columns(
        period_kind=pl.lit(kind), period_id=pl.col(period_id), den=pl.lit(1.0), n=pl.lit(1)
    )
    points = base.with_columns(
        indicator=pl.lit(f"{prefix}grade_points_") + pl.col("subject"), num=POINTS_EXPR
    )
    passed = base.with_columns(
        indicator=pl.lit(f"{prefix}passed_") + pl.col("subject"),
        num=pl.col("value").is_in(PASSING).cast(pl.Float64),
    )
    return [_finish(points), _finish(passed)]


def final_grade_measures(grades: pl.DataFrame, only: Collection[str] | None = None) -> pl.DataFrame:
    """Year 9 leaving certificates (leaving_certificates: year 9's final grades and those of
    subjects ended earlier, SV or SVA once) → merit values, passed all, eligibility,
    per-subject measures (all, or `only` the indicators named).

    `grades`: pupil_id, unit_id, academic_year_id, term_id, year_group, subject, value,
    grade_type, and optionally term_kind and earlier (loading.py)."""
    final = leaving_certificates(grades.filter(pl.col("grade_type") == "final"))
    if final.is_empty():
        return empty()
    keys = ["pupil_id", "unit_id", "academic_year_id", "year_group"]
    rows, matrix, subjects = grade_matrix(final, keys)
    measures = matrix_measures(matrix, subjects, only)
    parts = []
    for key in [k for k in MATRIX_FUNCTIONS if k in measures]:
        frame = rows.with_columns(
            indicator=pl.lit(key),
            num=pl.Series(measures[key].astype(float)),
            den=pl.lit(1.0),
            n=pl.lit(1),
            period_kind=pl.lit(PeriodKind.YEAR.value),
            period_id=pl.col("academic_year_id"),
        )
        if key in COUNTED_IF_ANY_PASS:
            frame = frame.filter(pl.Series(measures["counted"]))
        parts.append(_finish(frame))
    if only is None or any(k.startswith(("grade_points_", "passed_")) for k in only):
        parts += _subject_measures(final, "", "academic_year_id", PeriodKind.YEAR.value)
    return pl.concat(parts) if parts else empty()


def term_grade_measures(grades: pl.DataFrame) -> pl.DataFrame:
    """Each term's grades in years 6–9 (the year 9 spring term's are the final grades)."""
    term = _current(grades).filter(pl.col("year_group").is_between(6, 9))
    if term.is_empty():
        return empty()
    keys = ["pupil_id", "unit_id", "academic_year_id", "term_id", "year_group"]
    rows, matrix, subjects = grade_matrix(term, keys)
    measures = matrix_measures(matrix, subjects, ("merit_value_17", "passed_all_subjects"))
    common = {
        "den": pl.lit(1.0),
        "n": pl.lit(1),
        "period_kind": pl.lit(PeriodKind.TERM.value),
        "period_id": pl.col("term_id"),
    }
    merit = rows.with_columns(
        indicator=pl.lit("term_merit_value"),
        num=pl.Series(measures["merit_value_17"]),
        **common,
    ).filter(pl.Series(measures["counted"]))
    passed_all = rows.with_columns(
        indicator=pl.lit("term_passed_all_subjects"),
        num=pl.Series(measures["passed_all_subjects"].astype(float)),
        **common,
    )
    parts = [_finish(merit), _finish(passed_all)]
    parts += _subject_measures(term, "term_", "term_id", PeriodKind.TERM.value)
    return pl.concat(parts)


def assessment_measures(assessments: pl.DataFrame) -> pl.DataFrame:
    """`assessments`: pupil_id, unit_id, academic_year_id, point_id, year_group, subject,
    value, on_track (bool, from the scale), points (float or null: A–F scales only)."""
    if assessments.is_empty():
        return empty()
    base = assessments.filter(pl.col("subject").is_in(GRADED_SUBJECTS)).with_columns(
        period_kind=pl.lit(PeriodKind.POINT.value),
        period_id=pl.col("point_id"),
        den=pl.lit(1.0),
        n=pl.lit(1),
    )
    on_track = base.with_columns(
        indicator=pl.lit("on_track_") + pl.col("subject"),
        num=pl.col("on_track").cast(pl.Float64),
    )
    points = base.filter(pl.col("points").is_not_null()).with_columns(
        indicator=pl.lit("forecast_points_") + pl.col("subject"), num=pl.col("points")
    )
    keys = ["pupil_id", "unit_id", "academic_year_id", "point_id", "year_group"]
    all_subjects = (
        base.group_by(keys)
        .agg(num=pl.col("on_track").all().cast(pl.Float64))
        .with_columns(
            indicator=pl.lit("on_track_all_subjects"),
            period_kind=pl.lit(PeriodKind.POINT.value),
            period_id=pl.col("point_id"),
            den=pl.lit(1.0),
            n=pl.lit(1),
        )
    )
    return pl.concat([_finish(on_track), _finish(points), _finish(all_subjects)])


def national_test_measures(tests: pl.DataFrame, grades: pl.DataFrame) -> pl.DataFrame:
    """`tests`: pupil_id, unit_id, academic_year_id, year_group, subject, scale, value.
    `grades`: as for final_grade_measures; the spring term's grade is compared with the test
    grade (the term grade in year 6, the final grade in year 9)."""
    if tests.is_empty():
        return empty()
    common = {
        "period_kind": pl.lit(PeriodKind.YEAR.value),
        "period_id": pl.col("academic_year_id"),
        "den": pl.lit(1.0),
        "n": pl.lit(1),
    }
    graded = tests.filter((pl.col("scale") == "grade") & pl.col("subject").is_in(TESTED_SUBJECTS))
    parts = [
        _finish(
            graded.with_columns(
                indicator=pl.lit(f"test_grade_{g}_") + pl.col("subject"),
                num=(pl.col("value") == g).cast(pl.Float64),
                **common,
            )
        )
        for g in TEST_GRADES
    ]
    parts.append(
        _finish(
            graded.with_columns(
                indicator=pl.lit("test_passed_") + pl.col("subject"),
                num=pl.col("value").is_in(PASSING).cast(pl.Float64),
                **common,
            )
        )
    )
    requirement = tests.filter(pl.col("scale") == "requirement").with_columns(
        indicator=pl.lit("test_requirement_met_") + pl.col("subject"),
        num=(pl.col("value") == "met").cast(pl.Float64),
        **common,
    )
    parts.append(_finish(requirement.filter(pl.col("indicator").is_in(list(REGISTRY)))))
    if grades.is_empty():
        return pl.concat(parts)
    spring = (
        _current(grades)
        .filter(pl.col("term_kind") == "VT")
        .select("pupil_id", "academic_year_id", "subject", pl.col("value").alias("grade"))
    )
    compared = (
        graded.join(spring, on=["pupil_id", "academic_year_id", "subject"], how="inner")
        .filter(pl.col("grade") != "-")
        .with_columns(
            test_points=POINTS_EXPR,
            grade_points=pl.col("grade").replace_strict(GRADE_POINTS, return_dtype=pl.Float64),
        )
    )
    for name, condition in (
        ("same", pl.col("grade_points") == pl.col("test_points")),
        ("lower", pl.col("grade_points") < pl.col("test_points")),
        ("higher", pl.col("grade_points") > pl.col("test_points")),
    ):
        parts.append(
            _finish(
                compared.with_columns(
                    indicator=pl.lit(f"test_vs_grade_{name}_") + pl.col("subject"),
                    num=condition.cast(pl.Float64),
                    **common,
                )
            )
        )
    return pl.concat(parts)


ABSENCE_SUMS = (
    pl.col("year_group").max(),
    pl.col("scheduled").sum(),
    pl.col("absent").sum(),
    pl.col("unexcused").sum(),
)


def absence_so_far(absences: pl.DataFrame, points: pl.DataFrame) -> pl.DataFrame:
    """Each pupil's absence at each unit so far in the term of each follow-up point: the sums
    of the periods of the point's term that end on or before the point's date (whole periods
    only: a period still running on that day is not counted, in part or whole).

    `absences`: pupil_id, unit_id, academic_year_id, term_id, ends_on, year_group, scheduled,
    absent, unexcused; `points`: point_id, term_id, assessed_on. Returns pupil_id, unit_id,
    academic_year_id, point_id and the sums."""
    if absences.is_empty() or points.is_empty():
        return pl.DataFrame(
            schema={
                "pupil_id": pl.Int64,
                "unit_id": pl.Int64,
                "academic_year_id": pl.Int64,
                "point_id": pl.Int64,
                "year_group": pl.Int64,
                "scheduled": pl.Int64,
                "absent": pl.Int64,
                "unexcused": pl.Int64,
            }
        )
    return (
        absences.join(points.select("point_id", "term_id", "assessed_on"), on="term_id")
        .filter(pl.col("ends_on") <= pl.col("assessed_on"))
        .group_by(["pupil_id", "unit_id", "academic_year_id", "point_id"])
        .agg(*ABSENCE_SUMS)
    )


def _ended_in_the_data(absences: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The period rows that count for a term's and for an academic year's absence.

    A term's absence is given only for a term whose last day the stored periods reach (the
    latest period of all the rows read ends on or after the term's last day), and a year's only
    when they reach the year's last day: the months of a running term are absence "so far"
    (shown at its follow-up points, absence_so_far), not the term's or the year's absence.
    Without the calendar columns (term_ends_on, year_ends_on) every row counts."""
    needed = {"ends_on", "term_ends_on", "year_ends_on"}
    if not needed <= set(absences.columns):
        return absences, absences
    data_until = absences["ends_on"].max()
    return (
        absences.filter(pl.col("term_ends_on") <= data_until),
        absences.filter(pl.col("year_ends_on") <= data_until),
    )


def absence_measures(absences: pl.DataFrame, points: pl.DataFrame | None = None) -> pl.DataFrame:
    """`absences`: one row per pupil, unit and period of a term (pupil_id, unit_id,
    academic_year_id, term_id, year_group, scheduled, absent, unexcused minutes, and ends_on
    for the follow-up points). Per term over the term's periods, per academic year over the
    year's terms, and, for `points` (point_id, term_id, assessed_on), so far in each point's
    term (absence_so_far). A pupil is counted at each unit with scheduled time."""
    if absences.is_empty():
        return empty()
    termly_rows, yearly_rows = _ended_in_the_data(absences)
    termly = termly_rows.group_by(["pupil_id", "unit_id", "academic_year_id", "term_id"]).agg(
        *ABSENCE_SUMS
    )
    yearly = (
        yearly_rows.group_by(["pupil_id", "unit_id", "academic_year_id", "term_id"])
        .agg(*ABSENCE_SUMS)
        .group_by(["pupil_id", "unit_id", "academic_year_id"])
        .agg(*ABSENCE_SUMS)
    )
    shares = [
        (termly, PeriodKind.TERM.value, "term_id", ""),
        (yearly, PeriodKind.YEAR.value, "academic_year_id", "_year"),
    ]
    if points is not None and "ends_on" in absences.columns:
        so_far = absence_so_far(absences, points)
        shares.append((so_far, PeriodKind.POINT.value, "point_id", ""))
    parts = []
    for frame, kind, period_column, suffix in shares:
        frame = frame.filter(pl.col("scheduled") > 0).with_columns(
            share=pl.col("absent") / pl.col("scheduled"),
            unexcused_share=pl.col("unexcused") / pl.col("scheduled"),
            period_kind=pl.lit(kind),
            period_id=pl.col(period_column),
            den=pl.lit(1.0),
            n=pl.lit(1),
        )
        parts += [
            _finish(
                frame.with_columns(
                    indicator=pl.lit(f"absence_mean{suffix}"), num=pl.col("share") * 100
                )
            ),
            _finish(
                frame.with_columns(
                    indicator=pl.lit(f"absence_15_percent_or_more{suffix}"),
                    num=(pl.col("share") >= ABSENCE_THRESHOLD).cast(pl.Float64),
                )
            ),
            _finish(
                frame.with_columns(
                    indicator=pl.lit(f"unexcused_absence_mean{suffix}"),
                    num=pl.col("unexcused_share") * 100,
                )
            ),
        ]
    return pl.concat(parts)


def survey_measures(surveys: pl.DataFrame) -> pl.DataFrame:
    """`surveys`: unit_id, academic_year_id, survey, index, respondents, agreeing."""
    if surveys.is_empty():
        return empty()
    frame = surveys.with_columns(
        indicator=pl.lit("survey_") + pl.col("survey") + pl.lit("_") + pl.col("index"),
        num=pl.col("agreeing").cast(pl.Float64),
        den=pl.col("respondents").cast(pl.Float64),
        n=pl.col("respondents"),
        period_kind=pl.lit(PeriodKind.YEAR.value),
        period_id=pl.col("academic_year_id"),
    )
    return _finish(frame.filter(pl.col("indicator").is_in(list(REGISTRY))))


def staff_measures(staff: pl.DataFrame) -> pl.DataFrame:
    """`staff`: unit_id, academic_year_id, teachers, teacher_fte, certified_fte, pupils."""
    if staff.is_empty():
        return empty()
    common = {
        "period_kind": pl.lit(PeriodKind.YEAR.value),
        "period_id": pl.col("academic_year_id"),
        "n": pl.col("teachers"),
        "den": pl.col("teacher_fte"),
    }
    return pl.concat(
        [
            _finish(
                staff.with_columns(
                    indicator=pl.lit("certified_teachers_share"),
                    num=pl.col("certified_fte"),
                    **common,
                )
            ),
            _finish(
                staff.with_columns(
                    indicator=pl.lit("pupils_per_teacher_fte"),
                    num=pl.col("pupils").cast(pl.Float64),
                    **common,
                )
            ),
        ]
    )


def preschool_measures(groups: pl.DataFrame) -> pl.DataFrame:
    """`groups`: unit_id, group_id, academic_year_id, children, staff_fte,
    preschool_teacher_fte (one row per barngrupp)."""
    if groups.is_empty():
        return empty()
    common = {
        "period_kind": pl.lit(PeriodKind.YEAR.value),
        "period_id": pl.col("academic_year_id"),
        "n": pl.col("children"),
    }
    return pl.concat(
        [
            _finish(
                groups.with_columns(
                    indicator=pl.lit("children_per_group"),
                    num=pl.col("children").cast(pl.Float64),
                    den=pl.lit(1.0),
                    **common,
                )
            ),
            _finish(
                groups.with_columns(
                    indicator=pl.lit("children_per_staff_fte"),
                    num=pl.col("children").cast(pl.Float64),
                    den=pl.col("staff_fte"),
                    **common,
                )
            ),
            _finish(
                groups.with_columns(
                    indicator=pl.lit("preschool_teacher_share"),
                    num=pl.col("preschool_teacher_fte"),
                    den=pl.col("staff_fte"),
                    **common,
                )
            ),
        ]
    )
