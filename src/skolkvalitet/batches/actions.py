"""Writing batches: `batch_create` records a new import (every importer's batch is made
here, through ingest/writing/writer.py for imported pupil data and directly by the reference
imports); `batch_recompute_pending` and `batches_recomputed` record whether the figures have
followed a rollback."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User

from skolkvalitet.batches.models import ImportBatch


def batch_create(
    *,
    kind: str,
    source_name: str,
    rows: int = 0,
    created_by: User | None = None,
    file_sha256: str = "",
    organiser_id: int | None = None,
) -> ImportBatch:
    """A new applied batch; the source's name is cut to the column's 255 characters.
    `organiser_id`: the organiser whose data it is (None for published reference figures)."""
    return ImportBatch.objects.create(
        kind=kind,
        source_name=source_name[:255],
        rows=rows,
        created_by=created_by,
        file_sha256=file_sha256,
        organiser_id=organiser_id,
    )


def batch_recompute_pending(
    batch: ImportBatch, years: Iterable[int], points: Iterable[int]
) -> None:
    """Record that `batch`'s organiser's figures of `years` and `points` still include the
    rows its rollback removed (called in the rollback's transaction)."""
    pending = {"years": sorted(set(years)), "points": sorted(set(points))}
    batch.recompute_pending = pending if pending["years"] or pending["points"] else None
    batch.save(update_fields=["recompute_pending"])


def batches_recomputed(
    *, batch_ids: Iterable[int] | None = None, organiser_id: int | None = None
) -> int:
    """Record that the figures have followed the rollbacks of `batch_ids`, or of every batch
    of `organiser_id` (a full recomputation of that organiser), or of every batch (neither
    given: a full recomputation of every organiser). Returns how many were waiting."""
    waiting = ImportBatch.objects.filter(recompute_pending__isnull=False)
    if batch_ids is not None:
        waiting = waiting.filter(pk__in=list(batch_ids))
    elif organiser_id is not None:
        waiting = waiting.filter(organiser_id=organiser_id)
    return waiting.update(recompute_pending=None)
