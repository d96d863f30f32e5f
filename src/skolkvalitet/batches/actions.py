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
    batch: ImportBatch,
    years: Iterable[int],
    points: Iterable[int],
    organisers: Iterable[int] | None,
) -> None:
    """Record that the figures of `years` and `points` of `organisers` (None: every
    organiser) still include the rows `batch`'s rollback removed (called in the rollback's
    transaction)."""
    pending = {
        "years": sorted(set(years)),
        "points": sorted(set(points)),
        "organisers": None if organisers is None else sorted(set(organisers)),
    }
    batch.recompute_pending = pending if pending["years"] or pending["points"] else None
    batch.save(update_fields=["recompute_pending"])


def batches_recomputed(
    *, batch_ids: Iterable[int] | None = None, organisers: Iterable[int] | None = None
) -> int:
    """Record that the figures have followed the rollbacks of `batch_ids`; or, after a full
    recomputation of `organisers`, of every batch whose waiting figures are all theirs; or,
    with neither (a full recomputation of every organiser), of every batch. Returns how many
    were waiting."""
    waiting = ImportBatch.objects.filter(recompute_pending__isnull=False)
    if batch_ids is not None:
        waiting = waiting.filter(pk__in=list(batch_ids))
    elif organisers is not None:
        computed = set(organisers)
        ids = [
            pk
            for pk, pending in waiting.values_list("pk", "recompute_pending")
            if pending
            and pending.get("organisers") is not None
            and set(pending["organisers"]) <= computed
        ]
        waiting = waiting.filter(pk__in=ids)
    return waiting.update(recompute_pending=None)
