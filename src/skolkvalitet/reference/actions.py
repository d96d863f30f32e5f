"""The one write path for reference values."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from skolkvalitet.ingest.models import ImportBatch
from skolkvalitet.reference.models import ReferenceValue
from skolkvalitet.reference.records import ReferenceRecord

_FIELDS = (
    "area_name",
    "value",
    "marker",
    "n",
    "indicator_key",
    "kpi",
    "batch",
)


def _identity_of(row: ReferenceValue) -> tuple:
    return (
        row.source,
        row.dataset,
        row.measure,
        row.area_kind,
        row.area_code,
        row.period,
        row.organiser_type,
        row.breakdown,
        row.subject,
    )


@transaction.atomic
def reference_values_store(records: Iterable[ReferenceRecord], batch: ImportBatch) -> int:
    """Insert or update `records` (keyed by ReferenceRecord.identity()) as belonging to
    `batch`. A value published again replaces the stored one; nothing else is touched.
    Returns the number of records stored."""
    by_identity: dict[tuple, ReferenceRecord] = {}
    for record in records:
        by_identity[record.identity()] = record  # a later duplicate in one file wins
    if not by_identity:
        return 0
    datasets = {(key[0], key[1]) for key in by_identity}
    existing: dict[tuple, ReferenceValue] = {}
    for source, dataset in datasets:
        for row in ReferenceValue.objects.filter(source=source, dataset=dataset):
            existing[_identity_of(row)] = row
    to_update: list[ReferenceValue] = []
    to_create: list[ReferenceValue] = []
    for identity, record in by_identity.items():
        attributes = {
            "area_name": record.area_name,
            "value": record.value,
            "marker": str(record.marker),
            "n": record.n,
            "indicator_key": record.indicator_key,
            "kpi": record.kpi,
            "batch": batch,
        }
        row = existing.get(tuple(str(part) for part in identity))
        if row is None:
            to_create.append(
                ReferenceValue(
                    source=str(record.source),
                    dataset=record.dataset,
                    measure=record.measure,
                    area_kind=str(record.area_kind),
                    area_code=record.area_code,
                    period=record.period,
                    organiser_type=record.organiser_type,
                    breakdown=record.breakdown,
                    subject=record.subject,
                    **attributes,
                )
            )
        else:
            for name, value in attributes.items():
                setattr(row, name, value)
            to_update.append(row)
    ReferenceValue.objects.bulk_create(to_create, batch_size=5000)
    ReferenceValue.objects.bulk_update(to_update, _FIELDS, batch_size=2000)
    return len(by_identity)
