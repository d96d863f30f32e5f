"""The one write path of imported data: what the file import, the SS 12000 sync, the
Skolenhetsregistret import and the demo builder all call to write, inside their transaction.

A `BatchWriter` is one import: the ImportBatch every row it writes belongs to (created with
the first change, so an import that changes nothing can leave none behind), and the journal of
what it created, replaced or changed in place, so that `import_rollback`
(ingest/writing/rollback.py) can restore the state before it. Its steps, in the order an import
takes them after validation:

- resolve pupils (`pupils_ensure`: the pupils of a pseudonym column, created where new) and
  groups and other nodes (`node_create`), journaled as created;
- change rows in place where an import supplies attributes (`pupils_update`, `node_update`,
  `row_update`), journaled with the values before;
- replace facts (`rows_replace`, by a StoredTable of ingest/writing/tables.py): a row whose key
  is stored with the same values is left alone, a changed one replaces the stored row (kept in
  the journal), a new one is inserted;
- `finish`: the journal is written, in chunks;
- throughout, the batch records the organiser whose nodes and units it writes to (created,
  changed or named in fact rows); an import that reaches two organisers is refused;
- `indicators_refresh` after the commit recomputes the periods the batch touched, one
  recomputation at a time (turns.py).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import polars as pl
from django.contrib.auth.models import User
from django.db import connection, models
from django.utils.translation import gettext as _

from skolkvalitet.batches.actions import batch_create
from skolkvalitet.batches.bulk import bulk_insert_frame
from skolkvalitet.batches.models import ImportBatch, ImportJournal, JournalAction
from skolkvalitet.batches.problems import ImportProblem, ImportRejected
from skolkvalitet.indicators.loading import PUPIL_BACKGROUND_FIELDS, read_frame
from skolkvalitet.indicators.materialise import (
    indicators_materialise,
    periods_touched,
    pupil_periods,
)
from skolkvalitet.indicators.turns import materialisation_turn
from skolkvalitet.ingest.writing.bulk_load import indexes_deferred, table_analyze
from skolkvalitet.ingest.writing.tables import ENROLMENTS, StoredTable
from skolkvalitet.organisation.actions import node_create
from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.models import Node, Pupil
from skolkvalitet.organisation.scopes import organiser_ids

Progress = Callable[[str, int, int], None]
M = TypeVar("M", bound=models.Model)
JOURNAL_CHUNK = 10_000
DELETE_CHUNK = 5_000

# The pupil columns an import may supply, besides the pseudonym.
PUPIL_FIELDS = (
    "given_name",
    "family_name",
    "birth_year",
    "legal_gender",
    "coordination_number",
    "arrival_date",
    "born_abroad",
    "parents_born_abroad",
    "parents_highest_education",
    "parents_mean_education",
)


@dataclass(frozen=True)
class Replaced:
    """What `rows_replace` did: rows inserted (new or replacing), of them replacing a stored
    row, and rows left as they were stored."""

    inserted: int
    replaced: int
    same: int
    # Stored rows of a span table (StoredTable.span) removed because a new row's range
    # overlaps theirs (a month replacing the whole term it lies in, or the other way round).
    overlapped: int = 0

    @property
    def created(self) -> int:
        return self.inserted - self.replaced


class BatchWriter:
    """One import's writes; see the module's docstring. Use inside a transaction."""

    def __init__(
        self,
        *,
        kind: str,
        source_name: str,
        rows: int = 0,
        created_by: User | None = None,
        file_sha256: str = "",
    ) -> None:
        self._create_batch = functools.partial(
            batch_create,
            kind=kind,
            source_name=source_name,
            rows=rows,
            created_by=created_by,
            file_sha256=file_sha256,
        )
        self._batch: ImportBatch | None = None
        self._created_by = created_by
        self._audited = False
        self._journal: list[ImportJournal] = []
        self._source_name = source_name
        self._organiser_id: int | None = None

    # the batch and its journal -------------------------------------------------------------

    @property
    def batch(self) -> ImportBatch:
        """The batch, created at the first call."""
        if self._batch is None:
            self._batch = self._create_batch(organiser_id=self._organiser_id)
        return self._batch

    @property
    def has_batch(self) -> bool:
        return self._batch is not None

    def batch_rows_set(self, rows: int) -> None:
        self.batch.rows = rows
        self.batch.save(update_fields=["rows"])

    def journal(
        self, table: str, action: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        """Record rows an import created (their ids), replaced or changed in place (their
        values before), in chunks of JOURNAL_CHUNK rows."""
        rows = [[_json_value(v) for v in row] for row in rows]
        if not rows:
            return
        for start in range(0, len(rows), JOURNAL_CHUNK):
            self._journal.append(
                ImportJournal(
                    batch=self.batch,
                    table=table,
                    action=action,
                    columns=list(columns),
                    rows=rows[start : start + JOURNAL_CHUNK],
                )
            )

    def organiser_bind(self, paths: Iterable[str]) -> None:
        """Record the organiser of the nodes at `paths` as the batch's (the batch is then seen
        and rolled back by that organiser's users only); refuse an import whose nodes belong
        to two organisers. Creates no batch: one created later is given the organiser."""
        found = organiser_ids(paths)
        if self._organiser_id is not None:
            found.add(self._organiser_id)
        if not found:
            return
        if len(found) > 1:
            raise ImportRejected(
                [
                    ImportProblem(
                        self._source_name,
                        None,
                        None,
                        _(
                            "The import reaches units of more than one organiser; import "
                            "each organiser's data on its own."
                        ),
                    )
                ]
            )
        self._organiser_id = found.pop()
        batch = self._batch
        if batch is not None and batch.organiser_id != self._organiser_id:
            batch.organiser_id = self._organiser_id
            batch.save(update_fields=["organiser"])

    def finish(self) -> ImportBatch | None:
        """Write the journal; returns the batch, or None when nothing was written. The
        import is audit-logged ("import": the batch, its kind and rows, on its organiser)
        once, by the user who imported it (None: a command)."""
        if self._journal:
            ImportJournal.objects.bulk_create(self._journal)
            self._journal = []
        batch = self._batch
        if batch is not None and not self._audited:
            self._audited = True
            audit_record(
                user=self._created_by,
                action="import",
                node=Node.objects.filter(pk=batch.organiser_id).first()
                if batch.organiser_id
                else None,
                detail={"batch": batch.pk, "kind": batch.kind, "rows": batch.rows},
            )
        return batch

    # nodes, pupils and other rows ----------------------------------------------------------

    def node_create(self, *, kind: str, name: str, parent: Node | None = None, **fields) -> Node:
        """A node (organiser, unit, group) created by the import (organisation.actions)."""
        node = node_create(kind=kind, name=name, parent=parent, **fields)
        self.organiser_bind([node.path])
        self.journal("organisation_node", JournalAction.CREATED, ["id"], [[node.pk]])
        return node

    def node_update(self, node: Node, changes: dict[str, Any]) -> bool:
        """Change `node`'s fields to `changes` where they differ; returns whether any did."""
        self.organiser_bind([node.path])
        return self.row_update(node, changes)

    def row_create(self, model: type[M], **fields: Any) -> M:
        """A row of a table without a batch column (staff, employments), journaled."""
        row = model._default_manager.create(**fields)
        self.journal(model._meta.db_table, JournalAction.CREATED, ["id"], [[row.pk]])
        return row

    def row_update(self, row: models.Model, changes: dict[str, Any]) -> bool:
        """Change `row`'s fields to `changes` where they differ, journaling the values before;
        returns whether any did."""
        changed = {f: v for f, v in changes.items() if getattr(row, f) != v}
        if not changed:
            return False
        fields = list(changed)
        before = [row.pk, *(getattr(row, f) for f in fields)]
        self.journal(row._meta.db_table, JournalAction.UPDATED, ["id", *fields], [before])
        for name, value in changed.items():
            setattr(row, name, value)
        row.save(update_fields=fields)
        return True

    def pupils_ensure(self, pupils: pl.DataFrame) -> tuple[pl.DataFrame, int]:
        """The ids of the pupils in `pupils` (a `pupil` column of pseudonyms, unique, and any
        of PUPIL_FIELDS for pupils not yet stored). Returns a frame (pupil, pupil_id) in the
        order of `pupils` and the number of pupils created."""
        known = _pupil_ids()
        new = pupils.join(known, on="pupil", how="anti")
        if new.height:
            fields = [c for c in PUPIL_FIELDS if c in new.columns]
            rows = new.select(pl.col("pupil").alias("pseudonym"), *fields)
            for name in ("given_name", "family_name"):
                if name not in rows.columns:
                    rows = rows.with_columns(pl.lit("").alias(name))
            bulk_insert_frame("organisation_pupil", rows)
            known = _pupil_ids()
            created = new.join(known, on="pupil")["pupil_id"].to_list()
            self.journal(
                "organisation_pupil", JournalAction.CREATED, ["id"], [[i] for i in created]
            )
        ids = pupils.select("pupil").join(known, on="pupil", how="left", maintain_order="left")
        return ids, new.height

    def pupils_update(self, updates: pl.DataFrame, fields: Sequence[str]) -> int:
        """Set `fields` of the pupils in `updates` (a `pupil_id` column and one per field); a
        null keeps what is stored. Returns the number of pupils changed."""
        fields = list(fields)
        pupils = Pupil.objects.in_bulk(updates["pupil_id"].to_list())
        before, changed = [], []
        for row in updates.select("pupil_id", *fields).iter_rows(named=True):
            pupil = pupils[row["pupil_id"]]
            wanted = {
                f: row[f] for f in fields if row[f] is not None and getattr(pupil, f) != row[f]
            }
            if not wanted:
                continue
            before.append([pupil.pk, *(getattr(pupil, f) for f in fields)])
            for name, value in wanted.items():
                setattr(pupil, name, value)
            changed.append(pupil)
        if changed:
            self.journal("organisation_pupil", JournalAction.UPDATED, ["id", *fields], before)
            Pupil.objects.bulk_update(changed, fields, batch_size=2000)
        return len(changed)

    # facts ---------------------------------------------------------------------------------

    def rows_replace(self, table: StoredTable, rows: pl.DataFrame) -> Replaced:
        """Write `rows` (the table's key and value columns, keys unique) to `table`: a key not
        stored is inserted, a stored key with other values is replaced (the stored row kept
        in the journal), a stored identical row is left alone."""
        rows = rows.select(
            [
                pl.col(c).cast(table.dtype(c))
                if c in rows.columns
                else pl.lit(None, dtype=table.dtype(c)).alias(c)
                for c in table.columns
            ]
        )
        if "unit_id" in rows.columns:
            unit_ids = rows["unit_id"].drop_nulls().unique().to_list()
            self.organiser_bind(Node.objects.filter(pk__in=unit_ids).values_list("path", flat=True))
        existing = _stored(table, rows[table.period].drop_nulls().unique().to_list())
        key = list(table.key)
        matched = rows.join(existing, on=key, how="left", suffix="_stored", nulls_equal=True)
        same_mask = pl.lit(True)
        for column in table.values:
            same_mask = same_mask & pl.col(column).eq_missing(pl.col(f"{column}_stored"))
        matched = matched.with_columns((pl.col("id").is_not_null() & same_mask).alias("_same"))
        same = matched.filter(pl.col("_same")).height
        replacing = matched.filter(pl.col("id").is_not_null() & ~pl.col("_same"))
        overlapped = _overlapped(table, rows, existing, keep=matched["id"].drop_nulls())
        superseded = pl.concat([replacing["id"], overlapped]).unique()
        if superseded.len():
            old = existing.filter(pl.col("id").is_in(superseded.implode()))
            if table.has_batch:
                old = _with_batch_ids(table, old)
            self.journal(table.table, JournalAction.SUPERSEDED, old.columns, old.iter_rows())
            delete_ids(table.table, superseded.to_list())
        fresh = matched.filter(~pl.col("_same")).select(table.columns)
        if fresh.height:
            if table.has_batch:
                fresh = fresh.with_columns(pl.lit(self.batch.pk, dtype=pl.Int64).alias("batch_id"))
            with indexes_deferred(table.table, fresh.height):
                bulk_insert_frame(table.table, fresh)
            table_analyze(table.table, fresh.height)
            if not table.has_batch:
                created = _stored(table, fresh[table.period].unique().to_list()).join(
                    fresh.select(key), on=key, how="semi", nulls_equal=True
                )
                self.journal(
                    table.table,
                    JournalAction.CREATED,
                    ["id", table.period],
                    created.select("id", table.period).iter_rows(),
                )
        return Replaced(fresh.height, replacing.height, same, overlapped.len())


def indicators_refresh(batch: ImportBatch | None, *, progress: Progress | None = None) -> None:
    """Recompute the indicators `batch` can change (batch_recomputation), after the import's
    commit: of its organiser, the one whose units it wrote to (each organiser's figures come
    from its own units' facts), and of any other organiser with facts of a pupil whose
    background it changed; a batch of no organiser recomputes every one."""
    if batch is None:
        return
    wanted = batch_recomputation(batch)
    if wanted.years or wanted.points:
        with materialisation_turn():  # one recomputation at a time (turns.py)
            indicators_materialise(
                years=wanted.years,
                points=wanted.points,
                progress=progress,
                organisers=wanted.organisers,
            )


@dataclass(frozen=True)
class Recomputation:
    """What an import changes, to be recomputed after it is applied or rolled back: the
    indicators of `years` and `points` of `organisers` (None: every organiser)."""

    years: set[int]
    points: set[int]
    organisers: list[int] | None


def batch_recomputation(batch: ImportBatch) -> Recomputation:
    """What `batch` can change: the periods of its facts and of the enrolments it created or
    replaced, at its organiser; and where it changed the background of a pupil who has facts
    or enrolments elsewhere too (a pupils file of one organiser, for a pupil who moved), every
    period of that pupil's, at every organiser holding them. A batch of no organiser (reference
    figures) changes every organiser's."""
    years, points = periods_touched(batch=batch)
    for entry in batch.journal.filter(table=ENROLMENTS.table):
        if "academic_year_id" in entry.columns:
            index = entry.columns.index("academic_year_id")
            years.update(row[index] for row in entry.rows)
    organisers = None if batch.organiser_id is None else {batch.organiser_id}
    changed = _background_changed(batch)
    if changed:
        their_years, their_points, their_organisers = pupil_periods(changed)
        years |= their_years
        points |= their_points
        if organisers is not None:
            organisers |= their_organisers
    return Recomputation(years, points, None if organisers is None else sorted(organisers))


def _background_changed(batch: ImportBatch) -> set[int]:
    """The pupils whose background (the attributes the indicators read) `batch` changed in
    place: its journal holds their values before, and one of them differs from now."""
    changed: set[int] = set()
    entries = batch.journal.filter(table=Pupil._meta.db_table, action=JournalAction.UPDATED)
    for entry in entries:
        fields = [c for c in entry.columns[1:] if c in PUPIL_BACKGROUND_FIELDS]
        if not fields:
            continue  # names only (an SS 12000 sync)
        positions = [entry.columns.index(f) for f in fields]
        before = {row[0]: [row[i] for i in positions] for row in entry.rows}
        for pk, *now in Pupil.objects.filter(pk__in=list(before)).values_list("pk", *fields):
            if [_json_value(value) for value in now] != before[pk]:
                changed.add(pk)
    return changed


# --- helpers ------------------------------------------------------------------------------


def _pupil_ids() -> pl.DataFrame:
    return read_frame(
        "SELECT id, pseudonym FROM organisation_pupil",
        {"pupil_id": pl.Int64, "pupil": pl.String},
    )


def _stored(table: StoredTable, period_ids: list[int]) -> pl.DataFrame:
    columns = ("id", *table.columns)
    schema = table.schema(columns)
    if not period_ids:
        return pl.DataFrame(schema=schema)
    ids = ",".join(str(int(i)) for i in period_ids)
    select = ", ".join(connection.ops.quote_name(c) for c in columns)
    return read_frame(f"SELECT {select} FROM {table.table} WHERE {table.period} IN ({ids})", schema)


def _overlapped(
    table: StoredTable, rows: pl.DataFrame, existing: pl.DataFrame, *, keep: pl.Series
) -> pl.Series:
    """The ids of stored rows of a span table whose range overlaps a row of `rows` with the
    same key but for the first day; not those in `keep` (matched by their whole key)."""
    if table.span is None or existing.is_empty():
        return pl.Series("id", [], dtype=pl.Int64)
    first, last = table.span
    group = [c for c in table.key if c != first]
    ranges = rows.select(*group, pl.col(first).alias("_first"), pl.col(last).alias("_last"))
    hit = existing.join(ranges, on=group, how="inner", nulls_equal=True).filter(
        (pl.col(first) <= pl.col("_last"))
        & (pl.col(last) >= pl.col("_first"))
        & ~pl.col("id").is_in(keep.implode())
    )
    return hit["id"].unique()


def _with_batch_ids(table: StoredTable, old: pl.DataFrame) -> pl.DataFrame:
    ids = ",".join(str(int(i)) for i in old["id"].to_list()) or "0"
    batches = read_frame(
        f"SELECT id, batch_id FROM {table.table} WHERE id IN ({ids})",
        {"id": pl.Int64, "batch_id": pl.Int64},
    )
    return old.join(batches, on="id", how="left")


def delete_ids(table: str, ids: list[int]) -> None:
    """Delete the rows of `table` with these ids (rollback and replacement)."""
    with connection.cursor() as cursor:
        for start in range(0, len(ids), DELETE_CHUNK):
            chunk = ids[start : start + DELETE_CHUNK]
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({placeholders})", chunk)


def _json_value(value: Any) -> Any:
    """A value as the journal's JSON holds it (a date as its ISO text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value
