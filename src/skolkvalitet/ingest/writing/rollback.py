"""Rolling an import back as a whole: `import_rollback` deletes the batch's fact rows, removes
what it created, restores what it replaced or changed in place (from its journal, written by
ingest/writing/writer.py) and recomputes the indicators of the periods it touched, in the
recomputations' turn (turns.py) — or leaves that to the caller (`recompute=False`: the Import
page queues it as a job for the worker, ingest/tasks.py)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.apps import apps
from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.batches.actions import batch_recompute_pending, batches_recomputed
from skolkvalitet.batches.bulk import bulk_insert_frame
from skolkvalitet.batches.models import BatchStatus, ImportBatch, ImportJournal, JournalAction
from skolkvalitet.batches.problems import ImportProblem, ImportRejected
from skolkvalitet.indicators.models import IndicatorValue, MaterialisedPeriod
from skolkvalitet.indicators.turns import materialisation_turn, node_removal_lock
from skolkvalitet.ingest.writing.tables import (
    CREATED_TABLES_IN_DELETE_ORDER,
    FACT_TABLES,
    stored_table,
)
from skolkvalitet.ingest.writing.writer import (
    DELETE_CHUNK,
    Progress,
    Recomputation,
    batch_recomputation,
    delete_ids,
)
from skolkvalitet.organisation.audit import audit_nodes_forget, audit_record
from skolkvalitet.organisation.models import Node


def import_rollback(
    batch: ImportBatch,
    *,
    by: User | None = None,
    progress: Progress | None = None,
    request: HttpRequest | None = None,
    recompute: bool = True,
) -> tuple[set[int], set[int]]:
    """Undo `batch` as a whole: delete its rows, restore what it replaced or changed, remove
    what it created, and (with `recompute`) recompute what it changed: its organiser's
    indicators of the periods it touched, and those of any organiser with facts of a pupil
    whose background it changed (writer.batch_recomputation); without, the batch records
    what waits (ImportBatch.recompute_pending). Refused while a later import has
    replaced rows of this one (roll that back first). Audit-logged ("import_rollback", by
    `by` from `request`'s client address).
    Returns the academic years and follow-up points whose indicators the rollback changes."""
    from skolkvalitet.indicators.materialise import indicators_materialise

    wanted = _rollback(batch, by, request)
    if recompute and (wanted.years or wanted.points):
        with materialisation_turn():  # one recomputation at a time (turns.py)
            indicators_materialise(
                years=wanted.years,
                points=wanted.points,
                progress=progress,
                organisers=wanted.organisers,
            )
        batches_recomputed(batch_ids=[batch.pk])
    return wanted.years, wanted.points


@transaction.atomic
def _rollback(batch: ImportBatch, by: User | None, request: HttpRequest | None) -> Recomputation:
    """Undo the rows; returns what the figures must follow (read under the batch's lock,
    before its rows and the journal's changes go)."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.APPLIED:
        raise ImportRejected(
            [ImportProblem(batch.source_name, None, None, _("The import is already rolled back."))]
        )
    _refuse_if_replaced_later(batch)
    wanted = batch_recomputation(batch)
    journal = list(batch.journal.all())
    created = [e for e in journal if e.action == JournalAction.CREATED]
    if any(e.table == Node._meta.db_table for e in created):
        # Before their figures go: a recomputation writing figures of them ends first, and
        # one that comes after finds them gone (indicators/turns.py).
        node_removal_lock()
    with connection.cursor() as cursor:
        for table in FACT_TABLES:
            cursor.execute(f"DELETE FROM {table} WHERE batch_id = %s", [batch.pk])
    for table in CREATED_TABLES_IN_DELETE_ORDER:
        ids = [row[0] for e in created if e.table == table for row in e.rows]
        if ids:
            if table == Node._meta.db_table:
                # Events on those nodes (the import's own event on an organiser it created)
                # keep everything but the node, as when the ORM deletes one.
                audit_nodes_forget(ids)
                # Their figures and an organiser's period records go with them (in chunks,
                # as delete_ids: within every database's limit of parameters).
                for start in range(0, len(ids), DELETE_CHUNK):
                    some = ids[start : start + DELETE_CHUNK]
                    IndicatorValue.objects.filter(node_id__in=some).delete()
                    MaterialisedPeriod.objects.filter(organiser_id__in=some).delete()
            delete_ids(table, ids)
    for entry in journal:
        if entry.action == JournalAction.SUPERSEDED:
            frame = pl.DataFrame(entry.rows, schema=entry.columns, orient="row")
            bulk_insert_frame(entry.table, _restore_types(entry.table, frame))
        elif entry.action == JournalAction.UPDATED:
            _restore_updates(entry)
    batch.status = BatchStatus.ROLLED_BACK
    batch.rolled_back_at = timezone.now()
    batch.rolled_back_by = by
    batch.save(update_fields=["status", "rolled_back_at", "rolled_back_by"])
    # Until the figures are recomputed (here after the commit, or by the worker), the
    # Import page says they still include the rows (ImportBatch.recompute_pending).
    # An organiser the import created is gone with its nodes and figures: only the others'
    # figures can wait (none, unless the import changed their pupils' backgrounds).
    organisers = wanted.organisers
    if organisers is not None:
        organisers = list(Node.objects.filter(pk__in=organisers).values_list("pk", flat=True))
    if organisers is None or organisers:
        batch_recompute_pending(batch, wanted.years, wanted.points, organisers)
    audit_record(
        user=by,
        action="import_rollback",
        node=Node.objects.filter(pk=batch.organiser_id).first() if batch.organiser_id else None,
        detail={"batch": batch.pk, "kind": batch.kind, "rows": batch.rows},
        request=request,
    )
    return wanted


def _refuse_if_replaced_later(batch: ImportBatch) -> None:
    for later in ImportJournal.objects.filter(
        action=JournalAction.SUPERSEDED,
        batch__status=BatchStatus.APPLIED,
        batch__id__gt=batch.pk,
    ).select_related("batch"):
        if "batch_id" not in later.columns:
            continue
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


def _restore_types(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Journal rows hold dates as ISO text; give them back their date type."""
    stored = stored_table(table)
    if stored is None:
        return frame
    return frame.with_columns(
        [
            pl.col(c).str.to_date("%Y-%m-%d") if frame.schema[c] == pl.String else pl.col(c)
            for c, t in stored.types.items()
            if t == pl.Date and c in frame.columns
        ]
    )


def _model_of(table: str) -> type[models.Model]:
    return next(m for m in apps.get_models() if m._meta.db_table == table)


def _restore_updates(entry: ImportJournal) -> None:
    """Put back the values a row had before the import changed it in place."""
    model = _model_of(entry.table)
    fields = [_concrete_field(model, name) for name in entry.columns[1:]]
    rows = model._default_manager.in_bulk([row[0] for row in entry.rows])
    for values in entry.rows:
        row = rows.get(values[0])
        if row is None:
            continue
        for field, value in zip(fields, values[1:], strict=True):
            is_date = isinstance(field, models.DateField)
            if is_date and not isinstance(field, models.DateTimeField) and value:
                value = dt.date.fromisoformat(value)
            setattr(row, field.attname, value)
    model._default_manager.bulk_update(
        list(rows.values()), [f.name for f in fields], batch_size=2000
    )


def _concrete_field(model: type[models.Model], name: str) -> models.Field:
    """The field `name` of `model`: a journal's columns are the row's own fields."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{model._meta.db_table}.{name} is not a column"
    return field
