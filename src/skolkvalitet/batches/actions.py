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


def batches_pending() -> list[int]:
    """The ids of the batches whose figures wait for the recomputation after their rollback."""
    return list(
        ImportBatch.objects.filter(recompute_pending__isnull=False).values_list("pk", flat=True)
    )


def batches_recomputed(
    *, batch_ids: Iterable[int] | None = None, organisers: Iterable[int] | None = None
) -> int:
    """Record that the figures have followed the rollbacks of the batches `batch_ids` (all
    waiting ones when None) — with `organisers` (a full recomputation of those organisers)
    only of those whose waiting figures are all theirs. Returns how many were waiting.

    A full recomputation passes the batches that waited when it began (batches_pending): a
    rollback committed while it ran may have been read before, and waits for its own."""
    waiting = ImportBatch.objects.filter(recompute_pending__isnull=False)
    if batch_ids is not None:
        waiting = waiting.filter(pk__in=list(batch_ids))
    if organisers is not None:
        computed = set(organisers)
        ids = []
        for pk, organiser_id, pending in waiting.values_list(
            "pk", "organiser_id", "recompute_pending"
        ):
            waits_for = _pending_organisers(pending or {}, organiser_id)
            if waits_for is not None and set(waits_for) <= computed:
                ids.append(pk)
        waiting = waiting.filter(pk__in=ids)
    return waiting.update(recompute_pending=None)


def batch_pending_organisers(batch: ImportBatch) -> list[int] | None:
    """The organisers whose figures wait for `batch`'s rollback (None: every organiser)."""
    return _pending_organisers(batch.recompute_pending or {}, batch.organiser_id)


def _pending_organisers(pending: dict, organiser_id: int | None) -> list[int] | None:
    """The organisers a pending record waits for (None: every one); a record without them
    (written before they were recorded) waits for its batch's organiser."""
    if "organisers" in pending:
        return pending["organisers"]
    return None if organiser_id is None else [organiser_id]
