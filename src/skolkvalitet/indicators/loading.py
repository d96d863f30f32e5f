"""Loading fact frames from the database for the engine (the Django side of the engine)."""

from __future__ import annotations

import datetime as dt
import select
from collections.abc import Collection, Iterable, Mapping

import polars as pl
from django.db import connection
from django.db.models import Q

from skolkvalitet.indicators.engine import (
    DataTypeLike,
    Facts,
    Organisation,
    periods_frame,
    years_frame,
)
from skolkvalitet.indicators.registry import PeriodKind
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Node, NodeKind, Term
from skolkvalitet.results.grades import GRADE_POINTS
from skolkvalitet.results.models import AssessmentScale, Subject

# The columns of results_grade that the engine reads, as they are read.
GRADE_SCHEMA: dict[str, DataTypeLike] = {
    "pupil_id": pl.Int64,
    "unit_id": pl.Int64,
    "term_id": pl.Int64,
    "year_group": pl.Int64,
    "subject_id": pl.Int64,
    "value": pl.String,
    "grade_type": pl.String,
}


def read_frame(sql: str, schema: Mapping[str, DataTypeLike]) -> pl.DataFrame:
    """Run `sql` (no parameters: callers inline integer ids only) into a Polars frame:
    COPY … TO STDOUT on PostgreSQL, a cursor on SQLite.

    PostgreSQL's CSV is parsed by Polars straight into the column types (integers, floats,
    dates, strings: NULL is an unquoted empty field, an empty string a quoted one); only
    booleans, which COPY writes as t/f, are read as text and mapped."""
    if connection.vendor == "postgresql":
        data = copy_out(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)")
        if not data:
            return pl.DataFrame(schema=schema)
        text = pl.read_csv(
            data,
            has_header=False,
            schema={c: pl.String if t == pl.Boolean else t for c, t in schema.items()},
        )
        booleans = [c for c, t in schema.items() if t == pl.Boolean]
        if booleans:
            text = text.with_columns((pl.col(c) == "t").alias(c) for c in booleans)
        return text
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")


def copy_out(statement: str) -> bytes:
    """The output of a `COPY … TO STDOUT` on this thread's connection (in its transaction),
    read from libpq directly: COPY sends one message per row, and psycopg's Copy iterator
    costs a Python generator round per message; this loop costs one C call per row (half
    the client CPU on millions of rows). Waits on the socket when no row is buffered."""
    from psycopg import errors, pq

    def failed(result) -> Exception:
        if result is None:
            return errors.OperationalError(pgconn.get_error_message())
        return errors.error_from_result(result, encoding=connection.connection.info.encoding)

    connection.ensure_connection()
    pgconn = connection.connection.pgconn  # the psycopg connection's libpq handle

    def wait() -> None:
        select.select([pgconn.socket], [], [])
        pgconn.consume_input()

    pgconn.send_query(statement.encode())
    while pgconn.flush():
        select.select([], [pgconn.socket], [])
    while pgconn.is_busy():
        wait()
    result = pgconn.get_result()
    if result is None or result.status != pq.ExecStatus.COPY_OUT:
        while pgconn.get_result() is not None:
            pass
        raise failed(result)
    data = bytearray()
    while True:
        size, row = pgconn.get_copy_data(1)
        if size > 0:
            data += row
        elif size == 0:
            wait()
        else:
            break
    final = pgconn.get_result()
    while pgconn.get_result() is not None:
        pass
    if final is None or final.status != pq.ExecStatus.COMMAND_OK:
        raise failed(final)
    return bytes(data)


def sql_ids(values: Iterable[int]) -> str:
    """Integer ids as an SQL list to inline (NULL for none: matches nothing)."""
    ids = sorted({int(v) for v in values})
    return ", ".join(str(i) for i in ids) if ids else "NULL"


def load_organisation(
    *, points: Iterable[int] | None = None, nodes: Collection[int] | None = None
) -> Organisation:
    """The organisation tree, enrolments and pupil backgrounds the engine aggregates over.

    With `points` (follow-up point ids: a materialisation of points only), only what their
    assessments can be joined to: the enrolments of the points' academic years, and no
    pupils.

    With `nodes` (one organiser's node ids: a materialisation of one organiser), only those
    nodes, the enrolments at their units and no pupils.

    Without pupils, the caller reads the pupils of each chunk's facts with load_pupils: the
    engine joins attributes only to the pupils and years of its facts, so this gives the
    same values as the whole organisation."""
    enrolment_filter = ""
    if points is not None:
        point_years = FollowUpPoint.objects.filter(pk__in=list(points)).values_list(
            "term__academic_year_id", flat=True
        )
        enrolment_filter = f" WHERE academic_year_id IN ({sql_ids(point_years)})"
    tree = Node.objects.all() if nodes is None else Node.objects.filter(pk__in=list(nodes))
    # School forms are read for the units only: decoding the JSON of every group costs more
    # than the rest of the tree.
    forms_of_unit = dict(tree.filter(kind=NodeKind.UNIT).values_list("id", "school_forms"))
    rows = [
        (*row, forms_of_unit.get(row[0]))
        for row in tree.values_list("id", "parent_id", "kind", "path", "year_group")
    ]
    if nodes is not None:
        units = sql_ids(n for n, _parent, kind, *_rest in rows if kind == NodeKind.UNIT)
        enrolment_filter += f"{' AND' if enrolment_filter else ' WHERE'} unit_id IN ({units})"
    unit_ancestors = [
        (node_id, int(ancestor))
        for node_id, _parent, kind, path, _year_group, _forms in rows
        if kind == NodeKind.UNIT
        for ancestor in path.strip("/").split("/")[:-1]
    ]
    years = dict(AcademicYear.objects.values_list("id", "start_date"))
    return Organisation(
        nodes=pl.DataFrame(
            [
                (n, p, k, y, (forms or None) if k == NodeKind.UNIT else None)
                for n, p, k, _path, y, forms in rows
            ],
            schema={
                "node_id": pl.Int64,
                "parent_id": pl.Int64,
                "kind": pl.String,
                "year_group": pl.Int64,
                "school_forms": pl.List(pl.String),
            },
            orient="row",
        ),
        unit_ancestors=pl.DataFrame(
            unit_ancestors, schema={"unit_id": pl.Int64, "ancestor_id": pl.Int64}, orient="row"
        ),
        enrolments=read_frame(
            "SELECT pupil_id, academic_year_id, unit_id, group_id, reads_sva, school_form "
            "FROM organisation_enrolment" + enrolment_filter,
            {
                "pupil_id": pl.Int64,
                "academic_year_id": pl.Int64,
                "unit_id": pl.Int64,
                "group_id": pl.Int64,
                "sva": pl.Boolean,
                "school_form": pl.String,
            },
        ),
        pupils=_pupils(" WHERE 0 = 1" if points is not None or nodes is not None else ""),
        years=years_frame(years),
        periods=_periods(),
    )


PUPIL_SCHEMA: dict[str, DataTypeLike] = {
    "pupil_id": pl.Int64,
    "gender": pl.String,
    "arrival_date": pl.Date,
    "born_abroad": pl.Boolean,
    "parents_born_abroad": pl.Boolean,
    "coordination_number": pl.Boolean,
    "parents_education": pl.Int64,
}


# The pupil attributes the indicators read (their breakdowns and who counts as newly
# arrived), in the order of PUPIL_SCHEMA after the id: an import that changes one of them
# changes the figures of every period the pupil has facts in.
PUPIL_BACKGROUND_FIELDS = (
    "legal_gender",
    "arrival_date",
    "born_abroad",
    "parents_born_abroad",
    "coordination_number",
    "parents_highest_education",
)


def _pupils(where: str) -> pl.DataFrame:
    return read_frame(
        f"SELECT id, {', '.join(PUPIL_BACKGROUND_FIELDS)} FROM organisation_pupil" + where,
        PUPIL_SCHEMA,
    )


def load_pupils(facts: Facts) -> pl.DataFrame:
    """The backgrounds of the pupils `facts` name (Organisation.pupils for those facts)."""
    ids: set[int] = set()
    for frame in (facts.grades, facts.assessments, facts.national_tests, facts.absences):
        if "pupil_id" in frame.columns:
            ids.update(frame["pupil_id"].drop_nulls().unique().to_list())
    if not ids:
        return pl.DataFrame(schema=PUPIL_SCHEMA)
    if connection.vendor == "postgresql":
        return _pupils(f" WHERE id = ANY('{{{sql_ids(ids).replace(' ', '')}}}'::bigint[])")
    return _pupils(f" WHERE id IN ({sql_ids(ids)})")


def _periods() -> pl.DataFrame:
    """Each period's reference day for "newly arrived" (organisation/background.py): an
    academic year's end, a term's start, a follow-up point's assessment date."""
    days: dict[tuple[str, int], dt.date] = {
        (PeriodKind.YEAR, pk): day for pk, day in AcademicYear.objects.values_list("id", "end_date")
    }
    days |= {(PeriodKind.TERM, pk): day for pk, day in Term.objects.values_list("id", "start_date")}
    days |= {
        (PeriodKind.POINT, pk): day
        for pk, day in FollowUpPoint.objects.values_list("id", "assessed_on")
    }
    return periods_frame(days)


def _calendar(years: Iterable[int], points: Iterable[int]):
    """Terms and follow-up points to read, with the small frames that map their ids to the
    academic year (and term kind), and subject ids to Skolverket codes."""
    year_ids = set(years)
    terms = list(
        Term.objects.filter(academic_year_id__in=year_ids).values_list(
            "id", "academic_year_id", "kind"
        )
    )
    point_rows = list(
        FollowUpPoint.objects.filter(
            Q(term__academic_year_id__in=year_ids) | Q(pk__in=list(points))
        ).values_list("id", "term__academic_year_id", "term_id", "assessed_on")
    )
    term_frame = pl.DataFrame(
        terms,
        schema={"term_id": pl.Int64, "academic_year_id": pl.Int64, "term_kind": pl.String},
        orient="row",
    )
    point_frame = pl.DataFrame(
        point_rows,
        schema={
            "point_id": pl.Int64,
            "academic_year_id": pl.Int64,
            "term_id": pl.Int64,
            "assessed_on": pl.Date,
        },
        orient="row",
    )
    subjects = pl.DataFrame(
        list(Subject.objects.values_list("id", "code")),
        schema={"subject_id": pl.Int64, "subject": pl.String},
        orient="row",
    )
    return term_frame, point_frame, subjects


def _term_ends(term_frame: pl.DataFrame) -> pl.DataFrame:
    """term_id, term_ends_on (the term's last day) and year_ends_on (the last day of its
    academic year's last term): whether stored absence reaches a term's or a year's end
    (measures.absence_measures)."""
    rows = list(
        Term.objects.filter(
            academic_year_id__in=term_frame["academic_year_id"].unique().to_list()
        ).values_list("id", "academic_year_id", "end_date")
    )
    frame = pl.DataFrame(
        rows,
        schema={"term_id": pl.Int64, "academic_year_id": pl.Int64, "term_ends_on": pl.Date},
        orient="row",
    )
    return frame.with_columns(
        year_ends_on=pl.col("term_ends_on").max().over("academic_year_id")
    ).drop("academic_year_id")


def load_facts(
    *,
    years: Iterable[int] = (),
    points: Iterable[int] = (),
    units: Collection[int] | None = None,
) -> Facts:
    """The facts of the academic years `years` (all kinds, absence also at each of their
    follow-up points) and of the follow-up points `points` (assessments only); with `units`,
    only the facts given at those units (one organiser's: what its own database would hold).

    Each fact table is read with a plain indexed query (term or follow-up point ids), and the
    ids are mapped to years, term kinds and subject codes here: no joins in the database."""
    years, points = list(years), list(points)
    term_frame, point_frame, subjects = _calendar(years, points)
    year_ids = sql_ids(years)
    term_ids = sql_ids(term_frame["term_id"].to_list())
    point_ids = sql_ids(point_frame["point_id"].to_list())
    at = "" if units is None else f" AND unit_id IN ({sql_ids(units)})"
    grades = read_frame(
        "SELECT pupil_id, unit_id, term_id, year_group, subject_id, value, grade_type "
        f"FROM results_grade WHERE term_id IN ({term_ids}){at}",
        GRADE_SCHEMA,
    )
    grades = (
        grades.join(term_frame, on="term_id", how="left")
        .join(subjects, on="subject_id", how="left")
        .drop("subject_id")
        .with_columns(earlier=pl.lit(False))
    )
    grades = pl.concat([grades, _ended_subjects(years, subjects, at)], how="vertical_relaxed")
    assessments = read_frame(
        "SELECT pupil_id, unit_id, follow_up_point_id, year_group, subject_id, scale_id, value "
        f"FROM results_assessment WHERE follow_up_point_id IN ({point_ids}){at}",
        {
            "pupil_id": pl.Int64,
            "unit_id": pl.Int64,
            "point_id": pl.Int64,
            "year_group": pl.Int64,
            "subject_id": pl.Int64,
            "scale_id": pl.Int64,
            "value": pl.String,
        },
    )
    assessments = (
        assessments.join(
            point_frame.select("point_id", "academic_year_id"), on="point_id", how="left"
        )
        .join(subjects, on="subject_id", how="left")
        .drop("subject_id")
        .join(_scale_values(), on=["scale_id", "value"], how="left")
    )
    return Facts(
        grades=grades,
        assessments=assessments.with_columns(pl.col("on_track").fill_null(False)),
        national_tests=read_frame(
            "SELECT pupil_id, unit_id, term_id, year_group, subject_id, scale, value "
            f"FROM results_nationaltest WHERE term_id IN ({term_ids}){at}",
            {
                "pupil_id": pl.Int64,
                "unit_id": pl.Int64,
                "term_id": pl.Int64,
                "year_group": pl.Int64,
                "subject_id": pl.Int64,
                "scale": pl.String,
                "value": pl.String,
            },
        )
        .join(term_frame.drop("term_kind"), on="term_id", how="left")
        .join(subjects, on="subject_id", how="left")
        .drop("term_id", "subject_id"),
        absences=read_frame(
            "SELECT pupil_id, unit_id, term_id, ends_on, year_group, scheduled_minutes, "
            "absent_minutes, unexcused_minutes FROM results_absence "
            f"WHERE term_id IN ({term_ids}){at}",
            {
                "pupil_id": pl.Int64,
                "unit_id": pl.Int64,
                "term_id": pl.Int64,
                "ends_on": pl.Date,
                "year_group": pl.Int64,
                "scheduled": pl.Int64,
                "absent": pl.Int64,
                "unexcused": pl.Int64,
            },
        )
        .join(term_frame.drop("term_kind"), on="term_id", how="left")
        .join(_term_ends(term_frame), on="term_id", how="left"),
        # The points of the years read: absence so far in their term (measures.absence_so_far).
        points=point_frame.filter(pl.col("term_id").is_in(term_frame["term_id"].implode())),
        surveys=read_frame(
            'SELECT unit_id, academic_year_id, survey, "index", respondents, agreeing '
            f"FROM results_surveyresult WHERE academic_year_id IN ({year_ids}){at}",
            {
                "unit_id": pl.Int64,
                "academic_year_id": pl.Int64,
                "survey": pl.String,
                "index": pl.String,
                "respondents": pl.Int64,
                "agreeing": pl.Int64,
            },
        ),
        staff=read_frame(
            "SELECT unit_id, academic_year_id, teachers, teacher_fte, certified_teacher_fte, "
            "pupils FROM results_unitstafffact "
            f"WHERE academic_year_id IN ({year_ids}){at}",
            {
                "unit_id": pl.Int64,
                "academic_year_id": pl.Int64,
                "teachers": pl.Int64,
                "teacher_fte": pl.Float64,
                "certified_fte": pl.Float64,
                "pupils": pl.Int64,
            },
        ),
        preschool=read_frame(
            "SELECT unit_id, group_id, academic_year_id, children, staff_fte, "
            "preschool_teacher_fte FROM results_preschoolgroupfact "
            f"WHERE academic_year_id IN ({year_ids}){at}",
            {
                "unit_id": pl.Int64,
                "group_id": pl.Int64,
                "academic_year_id": pl.Int64,
                "children": pl.Int64,
                "staff_fte": pl.Float64,
                "preschool_teacher_fte": pl.Float64,
            },
        ),
    )


# How far back a subject's final grade can have been given before year 9: a subject ended
# in year 6 at the earliest, plus a repeated year.
ENDED_SUBJECT_YEARS_BACK = 4


def years_completing(year_ids: Iterable[int]) -> set[int]:
    """The academic years whose year-9 leaving certificates may hold an ended subject's final
    grade given in `year_ids` (the ENDED_SUBJECT_YEARS_BACK years after each): what must be
    recomputed when such a grade is imported or rolled back."""
    starts = list(
        AcademicYear.objects.filter(pk__in=list(year_ids)).values_list("start_date", flat=True)
    )
    if not starts:
        return set()
    first, last = min(starts), max(starts)
    return set(
        AcademicYear.objects.filter(
            start_date__gt=first,
            start_date__lte=last.replace(year=last.year + ENDED_SUBJECT_YEARS_BACK),
        ).values_list("id", flat=True)
    )


def _ended_subjects(years: Iterable[int], subjects: pl.DataFrame, at: str = "") -> pl.DataFrame:
    """Final grades of subjects ended before year 9 (year group below 9) given in the
    academic years before `years` (at most ENDED_SUBJECT_YEARS_BACK): they belong to the
    leaving certificate of a year-9 pupil of `years` (measures.leaving_certificates). Marked
    `earlier`, so that only the final-grade family reads them."""
    starts = list(
        AcademicYear.objects.filter(pk__in=list(years)).values_list("start_date", flat=True)
    )
    terms: list = []
    if starts:
        first, last = min(starts), max(starts)
        terms = list(
            Term.objects.filter(
                academic_year__start_date__lt=last,
                academic_year__start_date__gte=first.replace(
                    year=first.year - ENDED_SUBJECT_YEARS_BACK
                ),
            )
            .exclude(academic_year_id__in=list(years))
            .values_list("id", "academic_year_id", "kind")
        )
    term_frame = pl.DataFrame(
        terms,
        schema={"term_id": pl.Int64, "academic_year_id": pl.Int64, "term_kind": pl.String},
        orient="row",
    )
    if term_frame.is_empty():
        frame = pl.DataFrame(schema=GRADE_SCHEMA)
    else:
        frame = read_frame(
            "SELECT pupil_id, unit_id, term_id, year_group, subject_id, value, grade_type "
            f"FROM results_grade WHERE term_id IN ({sql_ids(term_frame['term_id'].to_list())}) "
            f"AND grade_type = 'final' AND year_group < 9{at}",
            GRADE_SCHEMA,
        )
    return (
        frame.join(term_frame, on="term_id", how="left")
        .join(subjects, on="subject_id", how="left")
        .drop("subject_id")
        .with_columns(earlier=pl.lit(True))
    )


def _scale_values() -> pl.DataFrame:
    """(scale_id, value) → on_track, and grade points where the scale is A–F."""
    rows = []
    for scale in AssessmentScale.objects.all():
        for entry in scale.values:
            points = GRADE_POINTS.get(entry["value"]) if len(entry["value"]) == 1 else None
            rows.append((scale.pk, entry["value"], bool(entry["on_track"]), points))
    return pl.DataFrame(
        rows,
        schema={
            "scale_id": pl.Int64,
            "value": pl.String,
            "on_track": pl.Boolean,
            "points": pl.Float64,
        },
        orient="row",
    )
