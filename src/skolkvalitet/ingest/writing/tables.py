"""Where each kind of fact is stored: its table, the columns that identify one fact (the
table's unique key), the columns that carry its values, and the period column the write path
compares stored rows within. The file kinds (ingest/files/kinds.py), the SS 12000 sync and the
demo builder all write through these declarations (ingest/writing/writer.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from skolkvalitet.indicators.engine import DataTypeLike


@dataclass(frozen=True)
class StoredTable:
    """One table the write path replaces rows in."""

    table: str
    key: tuple[str, ...]
    values: tuple[str, ...]
    period: str  # the column that scopes the stored rows compared: term_id, ...
    types: Mapping[str, DataTypeLike] = field(default_factory=dict)  # others are Int64
    # Fact tables carry the batch that wrote each row; enrolments do not, so the journal
    # records the enrolments an import created.
    has_batch: bool = True
    # A table of date ranges (first and last day columns; the first is part of the key): a
    # row replaces, besides a stored row of its key, every stored row of the same key but
    # for the first day whose range overlaps its own, so that stored ranges never overlap.
    span: tuple[str, str] | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.key, *self.values)

    def dtype(self, column: str) -> DataTypeLike:
        return self.types.get(column, pl.Int64)

    def schema(self, columns: tuple[str, ...] | None = None) -> dict[str, DataTypeLike]:
        return {c: self.dtype(c) for c in (columns or self.columns)}

    def frame(self, rows: list[tuple]) -> pl.DataFrame:
        """`rows` (tuples in the order of `columns`) as a frame of this table's types."""
        return pl.DataFrame(rows, schema=self.schema(), orient="row")


GRADES = StoredTable(
    "results_grade",
    ("pupil_id", "term_id", "subject_id", "grade_type"),
    ("unit_id", "year_group", "value", "language"),
    "term_id",
    {"grade_type": pl.String, "value": pl.String, "language": pl.String},
)
ASSESSMENTS = StoredTable(
    "results_assessment",
    ("pupil_id", "follow_up_point_id", "subject_id"),
    ("unit_id", "year_group", "scale_id", "value"),
    "follow_up_point_id",
    {"value": pl.String},
)
NATIONAL_TESTS = StoredTable(
    "results_nationaltest",
    ("pupil_id", "term_id", "subject_id"),
    ("unit_id", "year_group", "scale", "value"),
    "term_id",
    {"scale": pl.String, "value": pl.String},
)
ABSENCE = StoredTable(
    "results_absence",
    ("pupil_id", "term_id", "unit_id", "starts_on"),
    ("ends_on", "year_group", "scheduled_minutes", "absent_minutes", "unexcused_minutes"),
    "term_id",
    {"starts_on": pl.Date, "ends_on": pl.Date},
    span=("starts_on", "ends_on"),
)
SURVEYS = StoredTable(
    "results_surveyresult",
    ("unit_id", "academic_year_id", "survey", "index", "respondent_group"),
    ("invited", "respondents", "agreeing"),
    "academic_year_id",
    {"survey": pl.String, "index": pl.String, "respondent_group": pl.String},
)
STAFF = StoredTable(
    "results_unitstafffact",
    ("unit_id", "academic_year_id"),
    ("teachers", "teacher_fte", "certified_teacher_fte", "pupils"),
    "academic_year_id",
    {"teacher_fte": pl.Float64, "certified_teacher_fte": pl.Float64},
)
PRESCHOOL = StoredTable(
    "results_preschoolgroupfact",
    ("unit_id", "group_id", "academic_year_id"),
    ("counted_on", "children", "staff_fte", "preschool_teacher_fte"),
    "academic_year_id",
    {"counted_on": pl.Date, "staff_fte": pl.Float64, "preschool_teacher_fte": pl.Float64},
)
ENROLMENTS = StoredTable(
    "organisation_enrolment",
    ("pupil_id", "academic_year_id", "unit_id"),
    ("group_id", "school_form", "year_group", "reads_sva", "special_support"),
    "academic_year_id",
    {"school_form": pl.String, "reads_sva": pl.Boolean, "special_support": pl.Boolean},
    has_batch=False,
)

STORED_TABLES: tuple[StoredTable, ...] = (
    GRADES,
    ASSESSMENTS,
    NATIONAL_TESTS,
    ABSENCE,
    SURVEYS,
    STAFF,
    PRESCHOOL,
    ENROLMENTS,
)

# Tables whose rows carry their batch: a rollback deletes the batch's rows there.
FACT_TABLES: tuple[str, ...] = tuple(t.table for t in STORED_TABLES if t.has_batch)

# Tables whose rows an import may create without a batch column (journaled as created), in
# an order that deletes each row before the rows it refers to.
CREATED_TABLES_IN_DELETE_ORDER = (
    "organisation_enrolment",
    "organisation_staffemployment",
    "organisation_staffmember",
    "organisation_node",
    "organisation_pupil",
)


def stored_table(table: str) -> StoredTable | None:
    return next((t for t in STORED_TABLES if t.table == table), None)
