"""Importing pupil-data files (pupils, grades, assessments, national tests, absence, surveys,
staff and preschool facts): the write functions `facts_import` and `facts_import_bytes`.

A file is checked completely first (ingest/files/validation.py); only a file without problems is
written, in one transaction, as one ImportBatch. A stored fact with the same key as a row of
the file is replaced by it (and kept in the batch's journal, so a rollback restores it); a row
identical to what is stored is not written again, so importing the same data twice changes
nothing. After the commit the indicators of the periods the file touched are recomputed.
Everything is written through the one write path, ingest/writing/writer.py, as the kind's
declaration (ingest/files/kinds.py) says; `import_rollback` (ingest/writing/rollback.py)
undoes an import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import polars as pl
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils.translation import gettext as _

from skolkvalitet.batches.models import BatchStatus, ImportBatch
from skolkvalitet.batches.problems import ImportOutcome, ImportProblem, ImportRejected
from skolkvalitet.batches.tabular import read_file_bytes, table_read_bytes
from skolkvalitet.ingest.files.checked import Checked
from skolkvalitet.ingest.files.kinds import FILE_KINDS, FileKind
from skolkvalitet.ingest.files.validation import facts_check
from skolkvalitet.ingest.writing.writer import BatchWriter, indicators_refresh
from skolkvalitet.organisation.actions import academic_year_ensure
from skolkvalitet.organisation.models import FollowUpPoint, Node, NodeKind
from skolkvalitet.organisation.scopes import organiser_ids
from skolkvalitet.quality.actions import calendar_points_default

Progress = Callable[[str, int, int], None]
# The advisory lock (PostgreSQL) that file imports take in turn to write: any constant key.
IMPORT_WRITE_LOCK = 7_216_001


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def facts_import(
    kind: str,
    path: Path,
    *,
    created_by: User | None = None,
    progress: Progress | None = None,
    file: str | None = None,
    materialise: bool = True,
) -> ImportOutcome:
    """Import the file at `path` as a file of `kind` (a key of ingest.formats.FILE_KINDS).
    With materialise=False the caller recomputes the indicators (writer.indicators_refresh)."""
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
    created_by: User | None = None,
    progress: Progress | None = None,
    materialise: bool = True,
    unit_paths: list[str] | None = None,
) -> ImportOutcome:
    """Import `data` (the file's bytes) as a file of `kind`. `unit_paths`: the importing
    user's managed paths (the web UI); None for the operator's command line."""
    if kind not in FILE_KINDS:
        raise ImportRejected([ImportProblem(file, None, None, _("Unknown kind of file."))])
    digest = file_sha256(data)
    earlier = _same_file_imported(kind, digest, unit_paths)
    if earlier is not None:
        return ImportOutcome(batch=earlier, rows=earlier.rows, unchanged=True)
    if progress:
        progress(_("Checking the file"), 0, 0)
    checked = facts_check(FILE_KINDS[kind], table_read_bytes(data, file), unit_paths=unit_paths)
    if progress:
        progress(_("Writing %(rows)d rows") % {"rows": checked.rows}, 0, 0)
    batch, written, earlier = _write(checked, digest, created_by, unit_paths)
    if earlier is not None:  # the same file, imported meanwhile by someone else
        return ImportOutcome(batch=earlier, rows=earlier.rows, unchanged=True)
    assert batch is not None, "a file's import is recorded as a batch"
    outcome = ImportOutcome(batch=batch, rows=checked.rows, notes=checked.notes)
    outcome.notes.extend(written)
    if materialise:
        if progress:
            # The rows are in (committed): from here a failure is not one to try again, the
            # same file would change nothing (ingest/jobs.py reads this from its total).
            progress(_("Computing indicators"), 0, 1)
        indicators_refresh(batch, progress=progress)
    return outcome


def _same_file_imported(kind: str, digest: str, unit_paths: list[str] | None) -> ImportBatch | None:
    """The applied import of the same file (same kind and bytes), if there is one."""
    same = ImportBatch.objects.filter(kind=kind, file_sha256=digest, status=BatchStatus.APPLIED)
    if unit_paths is not None:  # the same file imported by another organiser is not this one
        same = same.filter(organiser_id__in=organiser_ids(unit_paths))
    return same.first()


def _writes_serialised() -> None:
    """Make this transaction the only import writing until it ends. Files are read and checked
    in parallel, but their writes take turns: each compares its rows with what is stored, and
    two imports comparing at once would both insert the same new rows. SQLite's transactions
    take the database's write lock when they begin (settings: IMMEDIATE); PostgreSQL takes a
    transaction-level advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_WRITE_LOCK])


@transaction.atomic
def _write(
    checked: Checked, digest: str, created_by: User | None, unit_paths: list[str] | None
) -> tuple[ImportBatch | None, list[str], ImportBatch | None]:
    """Write a checked file; or, should the same file have been imported while it was
    checked, nothing (returns that import as the third item)."""
    _writes_serialised()
    earlier = _same_file_imported(checked.kind.key, digest, unit_paths)
    if earlier is not None:
        return None, [], earlier
    kind = checked.kind
    writer = BatchWriter(
        kind=kind.key,
        source_name=checked.file,
        file_sha256=digest,
        rows=checked.rows,
        created_by=created_by,
    )
    batch = writer.batch  # a file's import is recorded even when it changes nothing
    frame = _with_periods(checked)
    frame, created_pupils = _with_pupil_ids(checked, frame, writer)
    if kind.group_column:
        frame = _with_groups(kind, frame, writer)
    _pupil_attributes_update(kind, frame, writer)
    done = writer.rows_replace(kind.stored, _stored_rows(kind, frame))
    writer.finish()
    notes = [
        _(
            "%(new)d rows written, %(replaced)d of them replacing stored ones; %(same)d rows "
            "were already stored as they are."
        )
        % {"new": done.inserted, "replaced": done.replaced, "same": done.same},
    ]
    if created_pupils:
        notes.append(_("%(count)d new pupils.") % {"count": created_pupils})
    return batch, notes, None


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
    checked: Checked, frame: pl.DataFrame, writer: BatchWriter
) -> tuple[pl.DataFrame, int]:
    """The pupils' ids; a pupil named by a personnummer not yet stored is created."""
    if "pupil" not in frame.columns:
        return frame, 0
    wanted = frame.select("pupil").unique()
    people = [checked.people.get(p) for p in wanted["pupil"].to_list()]
    pupils = wanted.with_columns(
        pl.Series("birth_year", [n.birth_year if n else None for n in people], pl.Int64),
        pl.Series("legal_gender", [n.legal_gender if n else None for n in people], pl.String),
        pl.Series(
            "coordination_number",
            [n.is_coordination_number if n else None for n in people],
            pl.Boolean,
        ),
    )
    ids, created = writer.pupils_ensure(pupils)
    return frame.join(ids, on="pupil", how="left"), created


def _with_groups(kind: FileKind, frame: pl.DataFrame, writer: BatchWriter) -> pl.DataFrame:
    """Group ids for the kind's group column (class, avdelning); new groups are created
    under their unit for the academic year."""
    column = kind.group_column
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
    rows = []
    for unit_id, year_id, name, school_form, year_group in wanted.iter_rows():
        pk = existing.get((unit_id, year_id, name))
        if pk is None:
            pk = writer.node_create(
                kind=NodeKind.GROUP,
                name=name,
                parent=units[unit_id],
                academic_year_id=year_id,
                school_form=school_form if isinstance(school_form, str) else "FS",
                year_group=year_group,
            ).pk
        rows.append((unit_id, year_id, name, pk))
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


def _pupil_attributes_update(kind: FileKind, frame: pl.DataFrame, writer: BatchWriter) -> None:
    """The pupil attributes a file gives (names, background, parents' education), from the
    latest academic year's row of each pupil; an empty cell keeps what is stored."""
    present = [c for c in kind.columns if c.pupil_field and c.name in frame.columns]
    if not present:
        return
    latest = frame.sort("läsår").unique("pupil_id", keep="last")
    updates = latest.select("pupil_id", *(pl.col(c.name).alias(c.pupil_field) for c in present))
    writer.pupils_update(updates, [c.pupil_field for c in present])


def _stored_rows(kind: FileKind, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame's rows as the stored table's columns: each column under its field's name;
    ids (pupil, unit, subject, period, group) and the rules' derived columns as they are."""
    frame = frame.rename(
        {c.name: c.field for c in kind.columns if c.field and c.name in frame.columns}
    )
    return frame.select([c for c in kind.stored.columns if c in frame.columns])
