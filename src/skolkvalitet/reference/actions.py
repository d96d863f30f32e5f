"""The one write path for reference values."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.reference.models import ReferenceValue, SimilarMunicipality
from skolkvalitet.reference.records import GroupMember, ReferenceRecord

_IDENTITY = (
    "source",
    "dataset",
    "measure",
    "area_kind",
    "area_code",
    "period",
    "organiser_type",
    "breakdown",
    "subject",
)
_FIELDS = ("area_name", "value", "marker", "n", "indicator_key", "kpi", "unit", "note")


def _attributes(record: ReferenceRecord) -> dict:
    return {
        "area_name": record.area_name,
        "value": record.value,
        "marker": str(record.marker),
        "n": record.n,
        "indicator_key": record.indicator_key,
        "kpi": record.kpi,
        "unit": record.unit,
        "note": record.note,
    }


def _new_row(record: ReferenceRecord, batch: ImportBatch) -> ReferenceValue:
    return ReferenceValue(
        source=str(record.source),
        dataset=record.dataset,
        measure=record.measure,
        area_kind=str(record.area_kind),
        area_code=record.area_code,
        period=record.period,
        organiser_type=record.organiser_type,
        breakdown=record.breakdown,
        subject=record.subject,
        batch=batch,
        **_attributes(record),
    )


@transaction.atomic
def reference_values_store(records: Iterable[ReferenceRecord], batch: ImportBatch) -> int:
    """Insert or replace `records` (keyed by ReferenceRecord.identity()) as belonging to
    `batch`. A value published again with a change replaces the stored one; a value published
    again unchanged stays as it is (with the import that brought it); nothing else is touched.
    Returns the number of distinct values in `records`."""
    by_identity: dict[tuple, ReferenceRecord] = {}
    for record in records:
        by_identity[tuple(str(part) for part in record.identity())] = record  # later wins
    if not by_identity:
        return 0
    existing: dict[tuple, tuple[int, dict]] = {}
    for source, dataset in {(key[0], key[1]) for key in by_identity}:
        rows = ReferenceValue.objects.filter(source=source, dataset=dataset).values_list(
            "id", *_IDENTITY, *_FIELDS
        )
        for row in rows:
            identity = tuple(row[1 : 1 + len(_IDENTITY)])
            existing[identity] = (
                row[0],
                dict(zip(_FIELDS, row[1 + len(_IDENTITY) :], strict=True)),
            )
    replaced: list[int] = []
    to_create: list[ReferenceValue] = []
    for identity, record in by_identity.items():
        stored = existing.get(identity)
        if stored is not None:
            if stored[1] == _attributes(record):
                continue
            replaced.append(stored[0])
        to_create.append(_new_row(record, batch))
    for start in range(0, len(replaced), 5000):
        ReferenceValue.objects.filter(id__in=replaced[start : start + 5000]).delete()
    ReferenceValue.objects.bulk_create(to_create, batch_size=5000)
    return len(by_identity)


@transaction.atomic
def similar_municipalities_store(members: Iterable[GroupMember], batch: ImportBatch) -> int:
    """Replace the stored groups of each grouping in `members` by `members` (a group file
    lists every municipality, so the newer file is the whole truth)."""
    members = list(members)
    for grouping in {member.grouping for member in members}:
        SimilarMunicipality.objects.filter(grouping=grouping).delete()
    SimilarMunicipality.objects.bulk_create(
        SimilarMunicipality(
            grouping=member.grouping,
            group=member.group,
            municipality_code=member.municipality_code,
            municipality_name=member.municipality_name,
            batch=batch,
        )
        for member in members
    )
    return len(members)
