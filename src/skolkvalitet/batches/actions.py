"""Writing batches: `batch_create` records a new import (every importer's batch is made
here, through ingest/writing/writer.py for imported pupil data and directly by the reference
imports)."""

from __future__ import annotations

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
