"""Importing pupil-data files (pupils, grades, assessments, national tests, absence, surveys,
staff and preschool facts): the write functions `facts_import` and `import_rollback`.

A file is checked completely first (ingest/files/validation.py); only a file without problems is
written, in one transaction, as one ImportBatch. A stored fact with the same key as a row of
the file is replaced by it (and kept in the batch's journal, so a rollback restores it); a row
identical to what is stored is not written again, so importing the same data twice changes
nothing. After the commit the indicators of the periods the file touched are recomputed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.batches.bulk import bulk_insert_frame
from skolkvalitet.batches.models import BatchStatus, ImportBatch, ImportJournal, JournalAction
from skolkvalitet.batches.problems import ImportOutcome, ImportProblem, ImportRejected
from skolkvalitet.batches.tabular import read_file_bytes, table_read_bytes
from skolkvalitet.indicators.loading import read_frame
from skolkvalitet.indicators.materialise import indicators_materialise, periods_touched
from skolkvalitet.ingest.files.kinds import FILE_KINDS
from skolkvalitet.ingest.files.validation import Checked, facts_check
from skolkvalitet.organisation.actions import academic_year_ensure, node_create
from skolkvalitet.organisation.models import FollowUpPoint, Node, NodeKind
from skolkvalitet.quality.actions import calendar_points_default

Progress = Callable[[str, int, int], None]
JOURNAL_CHUNK = 10_000


@dataclass(frozen=True)
class Target:
    """Where a kind's rows are stored: the table, the columns that identify a fact (its
    unique constraint) and the columns that carry its values."""

    table: str
    key: tuple[str, ...]
    values: tuple[str, ...]
    period: str  # the column that scopes the stored rows compared: term_id, ...
    types: dict[str, pl.DataType]


TARGETS: dict[str, Target] = {
    "grades": Target(
        "results_grade",
        ("pupil_id", "term_id", "subject_id", "grade_type"),
        ("unit_id", "year_group", "value", "language"),
        "term_id",
        {"grade_type": pl.String, "value": pl.String, "language": pl.String},
    ),
    "assessments": Target(
        "results_assessment",
        ("pupil_id", "follow_up_point_id", "subject_id"),
        ("unit_id", "year_group", "scale_id", "value"),
        "follow_up_point_id",
        {"value": pl.String},
    ),
    "national_tests": Target(
        "results_nationaltest",
        ("pupil_id", "term_id", "subject_id"),
        ("unit_id", "year_group", "scale", "value"),
        "term_id",
        {"scale": pl.String, "value": pl.String},
    ),
    "absence": Target(
        "results_absence",
        ("pupil_id", "term_id", "unit_id"),
        ("year_group", "scheduled_minutes", "absent_minutes", "unexcused_minutes"),
        "term_id",
        {},
    ),
    "surveys": Target(
        "results_surveyresult",
        ("unit_id", "academic_year_id", "survey", "index", "respondent_group"),
        ("invited", "respondents", "agreeing"),
        "academic_year_id",
        {"survey": pl.String, "index": pl.String, "respondent_group": pl.String},
    ),
    "staff": Target(
        "results_unitstafffact",
        ("unit_id", "academic_year_id"),
        ("teachers", "teacher_fte", "certified_teacher_fte", "pupils"),
        "academic_year_id",
        {"teacher_fte": pl.Float64, "certified_teacher_fte": pl.Float64},
    ),
    "preschool": Target(
        "results_preschoolgroupfact",
        ("unit_id", "group_id", "academic_year_id"),
        ("counted_on", "children", "staff_fte", "preschool_teacher_fte"),
        "academic_year_id",
        {"counted_on": pl.Date, "staff_fte": pl.Float64, "preschool_teacher_fte": pl.Float64},
    ),
    "pupils": Target(
        "organisation_enrolment",
        ("pupil_id", "academic_year_id", "unit_id"),
        ("group_id", "school_form", "year_group", "reads_sva", "special_support"),
        "academic_year_id",
        {"school_form": pl.String, "reads_sva": pl.Boolean, "special_support": pl.Boolean},
    ),
}


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def facts_import(
    kind: str,
    path: Path,
    *,
    created_by=None,
    progress: Progress | None = None,
    file: str | None = None,
    materialise: bool = True,
) -> ImportOutcome:
    """Import the file at `path` as a file of `kind` (a key of ingest.formats.FILE_KINDS).
    With materialise=False the caller recomputes the indicators (indicators_materialise_batch)."""
    name = file or path.name
    return facts_import_bytes(
        kind,
        read_file_bytes(path),
        name,
        created_by=created_by,
        progress=progress,
        materialise=materialise,
    )


def facts_import_bytes(
    kind: str,
    data: bytes,
    file: str,
    *,
    created_by=None,
    progress: Progress | None = None,
    materialise: bool = True,
    unit_paths: list[str] | None = None,
) -> ImportOutcome:
    """Import `data` (the file's bytes) as a file of `kind`. `unit_paths`: the importing
    user's managed paths (the web UI); None for the operator's command line."""
    if kind not in FILE_KINDS:
        raise ImportRejected([ImportProblem(file, None, None, _("Unknown kind of file."))])
    digest = file_sha256(data)
    earlier = ImportBatch.objects.filter(
        kind=kind, file_sha256=digest, status=BatchStatus.APPLIED
    ).first()
    if earlier is not None:
        return ImportOutcome(batch=earlier, rows=earlier.rows, unchanged=True)
    if progress:
        progress(_("Checking the file"), 0, 0)
    checked = facts_check(FILE_KINDS[kind], table_read_bytes(data, file), unit_paths=unit_paths)
    if progress:
        progress(_("Writing %(rows)d rows") % {"rows": checked.rows}, 0, 0)
    batch, written = _write(checked, digest, created_by)
    outcome = ImportOutcome(batch=batch, rows=checked.rows, notes=checked.notes)
    outcome.notes.extend(written)
    if materialise:
        years, points = _touched(batch)
        if years or points:
            indicators_materialise(years=years, points=points, progress=progress)
    return outcome


def _touched(batch: ImportBatch) -> tuple[set[int], set[int]]:
    years, points = periods_touched(batch=batch)
    for entry in batch.journal.filter(table="organisation_enrolment"):
        if "academic_year_id" in entry.columns:
            index = entry.columns.index("academic_year_id")
            years.update(row[index] for row in entry.rows)
    return years, points


@transaction.atomic
def _write(checked: Checked, digest: str, created_by) -> tuple[ImportBatch, list[str]]:
    batch = ImportBatch.objects.create(
        kind=checked.kind.key,
        source_name=checked.file[:255],
        file_sha256=digest,
        rows=checked.rows,
        created_by=created_by,
    )
    frame = _with_periods(checked)
    frame, created_pupils = _with_pupil_ids(checked, frame, batch)
    if checked.kind.key in {"pupils", "preschool"}:
        frame = _with_groups(checked.kind.key, frame, batch)
    if checked.kind.key == "pupils":
        _pupil_attributes_update(frame, batch)
    rows = _target_rows(checked.kind.key, frame)
    inserted, replaced, same = _store(TARGETS[checked.kind.key], rows, batch)
    notes = [
        _(
            "%(new)d rows written, %(replaced)d of them replacing stored ones; %(same)d rows "
            "were already stored as they are."
        )
        % {"new": inserted, "replaced": replaced, "same": same},
    ]
    if created_pupils:
        notes.append(_("%(count)d new pupils.") % {"count": created_pupils})
    return batch, notes


def _with_periods(checked: Checked) -> pl.DataFrame:
    frame = checked.frame
    years: dict[int, int] = {}
    terms: dict[tuple[int, str], int] = {}
    for start in frame["läsår"].unique().to_list():
        year, year_terms = academic_year_ensure(start)
        years[start] = year.pk
        for kind, term in year_terms.items():
            terms[(start, kind)] = term.pk
    frame = frame.with_columns(
        pl.col("läsår").replace_strict(years, return_dtype=pl.Int64).alias("academic_year_id")
    )
    if "termin" in frame.columns:
        term_frame = pl.DataFrame(
            [(start, kind, pk) for (start, kind), pk in terms.items()],
            schema={"läsår": pl.Int64, "termin": pl.String, "term_id": pl.Int64},
            orient="row",
        )
        frame = frame.join(term_frame, on=["läsår", "termin"], how="left")
    if "uppföljning" in frame.columns:
        # The organiser's calendar (quality app) decides the follow-up points; a year without
        # one gets the default calendar, and a point the calendar lacks is a problem.
        for start in years:
            calendar_points_default(academic_year=start)
        wanted = frame.select("term_id", "uppföljning").unique()
        known = {
            (term_id, ordinal): pk
            for pk, term_id, ordinal in FollowUpPoint.objects.filter(
                term_id__in=wanted["term_id"].to_list()
            ).values_list("pk", "term_id", "ordinal")
        }
        point_frame = pl.DataFrame(
            [(t, o, pk) for (t, o), pk in known.items()],
            schema={"term_id": pl.Int64, "uppföljning": pl.Int64, "follow_up_point_id": pl.Int64},
            orient="row",
        )
        missing = frame.join(point_frame, on=["term_id", "uppföljning"], how="anti")
        if missing.height:
            raise ImportRejected(
                [
                    ImportProblem(
                        checked.file,
                        line,
                        "uppföljning",
                        _(
                            "The calendar has no follow-up point %(ordinal)d in that term; add it "
                            "on the calendar page first."
                        )
                        % {"ordinal": ordinal},
                    )
                    for line, ordinal in missing.select("_line", "uppföljning").head(200).rows()
                ]
            )
        frame = frame.join(point_frame, on=["term_id", "uppföljning"], how="left")
    return frame


def _with_pupil_ids(
    checked: Checked, frame: pl.DataFrame, batch: ImportBatch
) -> tuple[pl.DataFrame, int]:
    if "pupil" not in frame.columns:
        return frame, 0
    known = read_frame(
        "SELECT id, pseudonym FROM organisation_pupil",
        {"pupil_id": pl.Int64, "pupil": pl.String},
    )
    wanted = frame.select("pupil").unique()
    new = wanted.join(known, on="pupil", how="anti")
    created = 0
    if new.height:
        people = [checked.people[p] for p in new["pupil"].to_list()]
        rows = pl.DataFrame(
            {
                "pseudonym": new["pupil"],
                "given_name": [""] * new.height,
                "family_name": [""] * new.height,
                "birth_year": [n.birth_year for n in people],
                "legal_gender": [n.legal_gender for n in people],
                "coordination_number": [n.is_coordination_number for n in people],
            },
            schema_overrides={"birth_year": pl.Int64},
        )
        bulk_insert_frame("organisation_pupil", rows)
        known = read_frame(
            "SELECT id, pseudonym FROM organisation_pupil",
            {"pupil_id": pl.Int64, "pupil": pl.String},
        )
        new_ids = new.join(known, on="pupil")["pupil_id"].to_list()
        _journal(batch, "organisation_pupil", JournalAction.CREATED, ["id"], [[i] for i in new_ids])
        created = len(new_ids)
    return frame.join(known, on="pupil", how="left"), created


def _with_groups(kind: str, frame: pl.DataFrame, batch: ImportBatch) -> pl.DataFrame:
    """Group ids for the class (pupils) or avdelning (preschool) column; new groups are
    created under their unit for the academic year."""
    column = "klass" if kind == "pupils" else "avdelning"
    if column not in frame.columns:
        return frame.with_columns(pl.lit(None, dtype=pl.Int64).alias("group_id"))
    wanted = (
        frame.filter(pl.col(column).is_not_null() & (pl.col(column) != ""))
        .group_by("unit_id", "academic_year_id", column)
        .agg(
            (pl.col("skolform").first() if "skolform" in frame.columns else pl.lit("FS")).alias(
                "skolform"
            ),
            (
                pl.col("årskurs").drop_nulls().first()
                if "årskurs" in frame.columns
                else pl.lit(None, dtype=pl.Int64)
            ).alias("årskurs"),
        )
    )
    existing = {
        (unit, year, name): pk
        for pk, unit, year, name in Node.objects.filter(kind=NodeKind.GROUP).values_list(
            "id", "parent_id", "academic_year_id", "name"
        )
    }
    units = Node.objects.in_bulk(wanted["unit_id"].unique().to_list())
    created: list[int] = []
    rows = []
    for unit_id, year_id, name, *rest in wanted.iter_rows():
        school_form = rest[0] if rest and isinstance(rest[0], str) else "FS"
        year_group = rest[1] if len(rest) > 1 else None
        pk = existing.get((unit_id, year_id, name))
        if pk is None:
            group = node_create(
                kind=NodeKind.GROUP,
                name=name,
                parent=units[unit_id],
                academic_year_id=year_id,
                school_form=school_form,
                year_group=year_group,
            )
            pk = group.pk
            created.append(pk)
        rows.append((unit_id, year_id, name, pk))
    if created:
        _journal(batch, "organisation_node", JournalAction.CREATED, ["id"], [[i] for i in created])
    groups = pl.DataFrame(
        rows,
        schema={
            "unit_id": pl.Int64,
            "academic_year_id": pl.Int64,
            column: pl.String,
            "group_id": pl.Int64,
        },
        orient="row",
    )
    return frame.join(groups, on=["unit_id", "academic_year_id", column], how="left")


_PUPIL_ATTRIBUTES = {
    "förnamn": "given_name",
    "efternamn": "family_name",
    "ankomstdatum": "arrival_date",
    "född utomlands": "born_abroad",
    "båda föräldrarna födda utomlands": "parents_born_abroad",
    "föräldrars utbildning": "parents_highest_education",
}


def _pupil_attributes_update(frame: pl.DataFrame, batch: ImportBatch) -> None:
    """Names, background (immigration date, born abroad, parents born abroad) and parents'
    education from a pupils file, where given: an empty cell keeps what is stored."""
    from skolkvalitet.organisation.models import Pupil

    present = [c for c in _PUPIL_ATTRIBUTES if c in frame.columns]
    if not present:
        return
    fields = [_PUPIL_ATTRIBUTES[c] for c in present]
    latest = frame.sort("läsår").unique("pupil_id", keep="last")
    pupils = Pupil.objects.in_bulk(latest["pupil_id"].to_list())
    before, changed = [], []
    for row in latest.select("pupil_id", *present).iter_rows(named=True):
        pupil = pupils[row["pupil_id"]]
        updates = {
            field: row[column]
            for column, field in zip(present, fields, strict=True)
            if row[column] is not None and getattr(pupil, field) != row[column]
        }
        if not updates:
            continue
        before.append([pupil.pk, *[_json_value(getattr(pupil, f)) for f in fields]])
        for field, value in updates.items():
            setattr(pupil, field, value)
        changed.append(pupil)
    if changed:
        _journal(batch, "organisation_pupil", JournalAction.UPDATED, ["id", *fields], before)
        Pupil.objects.bulk_update(changed, fields, batch_size=2000)


def _target_rows(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame's rows as the target table's columns."""
    renames = {
        "grades": {
            "årskurs": "year_group",
            "betyg": "value",
            "betygstyp": "grade_type",
            "språk": "language",
        },
        "assessments": {"årskurs": "year_group"},
        "national_tests": {"årskurs": "year_group"},
        "absence": {
            "årskurs": "year_group",
            "schemalagd tid": "scheduled_minutes",
            "frånvaro": "absent_minutes",
            "ogiltig frånvaro": "unexcused_minutes",
        },
        "surveys": {
            "enkät": "survey",
            "index": "index",
            "respondentgrupp": "respondent_group",
            "inbjudna": "invited",
            "svarande": "respondents",
            "instämmer": "agreeing",
        },
        "staff": {
            "lärare": "teachers",
            "lärare heltidstjänster": "teacher_fte",
            "legitimerade lärare heltidstjänster": "certified_teacher_fte",
            "elever": "pupils",
        },
        "preschool": {
            "räknedatum": "counted_on",
            "barn": "children",
            "personal heltidstjänster": "staff_fte",
            "förskollärare heltidstjänster": "preschool_teacher_fte",
        },
        "pupils": {
            "skolform": "school_form",
            "årskurs": "year_group",
            "svenska som andraspråk": "reads_sva",
            "särskilt stöd": "special_support",
        },
    }[kind]
    if kind == "national_tests":
        parts = pl.col("provbetyg").str.split("|")
        frame = frame.with_columns(
            parts.list.get(0).alias("scale"), parts.list.get(1).alias("value")
        )
    frame = frame.rename({k: v for k, v in renames.items() if k in frame.columns})
    for flag in ("reads_sva", "special_support"):
        if kind == "pupils":
            frame = frame.with_columns(
                (pl.col(flag).fill_null(False) if flag in frame.columns else pl.lit(False)).alias(
                    flag
                )
            )
    target = TARGETS[kind]
    columns = [*target.key, *target.values]
    missing = [c for c in columns if c not in frame.columns]  # optional columns not in file
    frame = frame.with_columns(
        pl.lit(None, dtype=target.types.get(c, pl.Int64)).alias(c) for c in missing
    )
    return frame.select(columns)


def _existing(target: Target, period_ids: list[int]) -> pl.DataFrame:
    columns = ["id", *target.key, *target.values]
    schema = {c: target.types.get(c, pl.Int64) for c in columns}
    if not period_ids:
        return pl.DataFrame(schema=schema)
    ids = ",".join(str(int(i)) for i in period_ids)
    select = ", ".join(connection.ops.quote_name(c) for c in columns)
    return read_frame(
        f"SELECT {select} FROM {target.table} WHERE {target.period} IN ({ids})", schema
    )


def _store(target: Target, rows: pl.DataFrame, batch: ImportBatch) -> tuple[int, int, int]:
    """Write `rows`: new keys inserted, changed keys replaced, identical rows skipped.
    Returns (rows inserted, of which replacing, rows left as stored)."""
    rows = rows.with_columns(
        [pl.col(c).cast(t) for c, t in target.types.items() if c in rows.columns]
    )
    existing = _existing(target, rows[target.period].unique().to_list())
    key = list(target.key)
    matched = rows.join(existing, on=key, how="left", suffix="_stored", nulls_equal=True)
    same_mask = pl.lit(True)
    for column in target.values:
        same_mask = same_mask & pl.col(column).eq_missing(pl.col(f"{column}_stored"))
    matched = matched.with_columns((pl.col("id").is_not_null() & same_mask).alias("_same"))
    same = matched.filter(pl.col("_same")).height
    replacing = matched.filter(pl.col("id").is_not_null() & ~pl.col("_same"))
    if replacing.height:
        old = existing.filter(pl.col("id").is_in(replacing["id"].implode()))
        if target.table != "organisation_enrolment":
            old = old.with_columns(pl.lit(None).alias("batch_id"))
            old = _with_batch_ids(target, old)
        _journal_frame(batch, target.table, JournalAction.SUPERSEDED, old)
        _delete_ids(target.table, replacing["id"].to_list())
    fresh = matched.filter(~pl.col("_same")).select(rows.columns)
    if target.table != "organisation_enrolment":
        fresh = fresh.with_columns(pl.lit(batch.pk, dtype=pl.Int64).alias("batch_id"))
        bulk_insert_frame(target.table, fresh)
    else:
        bulk_insert_frame(target.table, fresh)
        created = _existing(target, fresh["academic_year_id"].unique().to_list()).join(
            fresh.select(key), on=key, how="semi", nulls_equal=True
        )
        _journal(
            batch,
            target.table,
            JournalAction.CREATED,
            ["id", "academic_year_id"],
            created.select("id", "academic_year_id").rows(),
        )
    return fresh.height, replacing.height, same


def _with_batch_ids(target: Target, old: pl.DataFrame) -> pl.DataFrame:
    ids = ",".join(str(int(i)) for i in old["id"].to_list()) or "0"
    batches = read_frame(
        f"SELECT id, batch_id FROM {target.table} WHERE id IN ({ids})",
        {"id": pl.Int64, "batch_id": pl.Int64},
    )
    return old.drop("batch_id").join(batches, on="id", how="left")


def _delete_ids(table: str, ids: list[int]) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({placeholders})", chunk)


def _json_value(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _journal_frame(batch: ImportBatch, table: str, action: str, frame: pl.DataFrame) -> None:
    rows = [[_json_value(v) for v in row] for row in frame.iter_rows()]
    _journal(batch, table, action, frame.columns, rows)


def _journal(batch: ImportBatch, table: str, action: str, columns: list[str], rows) -> None:
    rows = [list(row) for row in rows]
    ImportJournal.objects.bulk_create(
        ImportJournal(
            batch=batch,
            table=table,
            action=action,
            columns=list(columns),
            rows=rows[start : start + JOURNAL_CHUNK],
        )
        for start in range(0, len(rows), JOURNAL_CHUNK)
    )


# --- rollback ---------------------------------------------------------------------------

# Tables whose rows an import (file or SS 12000 sync) may create, in an order that deletes
# each row before the rows it refers to.
CREATED_TABLES_IN_DELETE_ORDER = (
    "organisation_enrolment",
    "organisation_staffemployment",
    "organisation_staffmember",
    "organisation_node",
    "organisation_pupil",
)

FACT_TABLES = (
    "results_grade",
    "results_assessment",
    "results_nationaltest",
    "results_absence",
    "results_surveyresult",
    "results_unitstafffact",
    "results_preschoolgroupfact",
)


def import_rollback(batch: ImportBatch, *, by=None, progress: Progress | None = None) -> None:
    """Undo `batch` as a whole: delete its rows, restore what it replaced or changed, remove
    what it created, and recompute the indicators of the periods it touched. Refused while a
    later import has replaced rows of this one (roll that back first)."""
    years, points = _touched(batch)
    _rollback(batch, by)
    if years or points:
        indicators_materialise(years=years, points=points, progress=progress)


@transaction.atomic
def _rollback(batch: ImportBatch, by) -> None:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.APPLIED:
        raise ImportRejected(
            [ImportProblem(batch.source_name, None, None, _("The import is already rolled back."))]
        )
    for later in ImportJournal.objects.filter(
        action=JournalAction.SUPERSEDED,
        batch__status=BatchStatus.APPLIED,
        batch__id__gt=batch.pk,
    ).select_related("batch"):
        if "batch_id" in later.columns:
            index = later.columns.index("batch_id")
            if any(row[index] == batch.pk for row in later.rows):
                raise ImportRejected(
                    [
                        ImportProblem(
                            batch.source_name,
                            None,
                            None,
                            _(
                                "A later import (%(name)s, %(when)s) replaced rows of this "
                                "one; roll that back first."
                            )
                            % {
                                "name": later.batch.source_name,
                                "when": f"{later.batch.created_at:%Y-%m-%d %H:%M}",
                            },
                        )
                    ]
                )
    with connection.cursor() as cursor:
        for table in FACT_TABLES:
            cursor.execute(f"DELETE FROM {table} WHERE batch_id = %s", [batch.pk])
    journal = list(batch.journal.all())
    created = [e for e in journal if e.action == JournalAction.CREATED]
    for table in CREATED_TABLES_IN_DELETE_ORDER:
        ids = [row[0] for e in created if e.table == table for row in e.rows]
        if ids:
            _delete_ids(table, ids)
    for entry in journal:
        if entry.action == JournalAction.SUPERSEDED:
            frame = pl.DataFrame(entry.rows, schema=entry.columns, orient="row")
            frame = _restore_types(entry.table, frame)
            bulk_insert_frame(entry.table, frame)
        elif entry.action == JournalAction.UPDATED:
            _restore_updates(entry)
    batch.status = BatchStatus.ROLLED_BACK
    batch.rolled_back_at = timezone.now()
    batch.rolled_back_by = by
    batch.save(update_fields=["status", "rolled_back_at", "rolled_back_by"])


def _restore_types(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    for target in TARGETS.values():
        if target.table == table:
            return frame.with_columns(
                [
                    pl.col(c).cast(pl.Date) if t == pl.Date else pl.col(c)
                    for c, t in target.types.items()
                    if c in frame.columns
                ]
            )
    return frame


def _restore_updates(entry: ImportJournal) -> None:
    from skolkvalitet.organisation.models import Pupil

    fields = entry.columns[1:]
    pupils = Pupil.objects.in_bulk([row[0] for row in entry.rows])
    for row in entry.rows:
        pupil = pupils.get(row[0])
        if pupil is None:
            continue
        for field, value in zip(fields, row[1:], strict=True):
            if field == "arrival_date" and value:
                value = dt.date.fromisoformat(value)
            setattr(pupil, field, value)
    Pupil.objects.bulk_update(list(pupils.values()), fields, batch_size=2000)
