"""Importing reference data: Skolverket's "Sök statistik" exports and Kolada's files.

Each import is all or nothing and idempotent: the file is parsed whole first (any problem
rejects it and nothing is written), then one transaction records the ImportBatch and stores the
values. The same file again (same SHA-256 as an applied import of the same kind) changes
nothing. `skolkvalitet import skolverket FILE` / `import kolada FILE` call these.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from skolkvalitet.batches.actions import batch_create
from skolkvalitet.batches.models import BatchStatus, ImportBatch
from skolkvalitet.batches.problems import ImportOutcome
from skolkvalitet.batches.tabular import read_file_bytes
from skolkvalitet.reference.actions import reference_values_store, similar_municipalities_store
from skolkvalitet.reference.nation import (
    KOLADA_NATION_FILE,
    SKOLVERKET_NATION_FILE,
    skolverket_nation_records,
)
from skolkvalitet.reference.records import GroupMember, Marker, ReferenceRecord
from skolkvalitet.reference.sources.kolada import (
    KPIS_FILE,
    MUNICIPALITIES_FILE,
    KoladaFile,
    KoladaKind,
    parse_kolada_file,
)
from skolkvalitet.reference.sources.skolverket import SkolverketExport, read_skolverket_export

SKOLVERKET = "skolverket"
KOLADA = "kolada"
NATION = "nation"


def _earlier_import(kind: str, sha256: str) -> ImportBatch | None:
    return (
        ImportBatch.objects.filter(kind=kind, file_sha256=sha256, status=BatchStatus.APPLIED)
        .order_by("-created_at")
        .first()
    )


def _unchanged(batch: ImportBatch) -> ImportOutcome:
    return ImportOutcome(batch=batch, rows=batch.rows, unchanged=True)


def skolverket_import(path: Path, *, created_by: User | None = None) -> ImportOutcome:
    """Import one "Sök statistik" export (CSV or XLSX) as reference values."""
    data = read_file_bytes(path)
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = _earlier_import(SKOLVERKET, sha256)
    if earlier is not None:
        return _unchanged(earlier)
    export = read_skolverket_export(data, path.name)
    notes = _value_notes(export.records) + _skipped_notes(export)
    return _store(
        SKOLVERKET,
        path.name,
        sha256,
        records=export.records,
        rows=len(export.records),
        created_by=created_by,
        notes=notes,
    )


def kolada_import(path: Path, *, created_by: User | None = None) -> ImportOutcome:
    """Import one of Kolada's files. Kommuner.txt and Nyckeltal.txt are taken from the same
    folder when there (MasterData.txt and sekom.json need Kommuner.txt). Importing one of those
    two master-data files itself checks it and records the import; it stores no values."""
    data = read_file_bytes(path)
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = _earlier_import(KOLADA, sha256)
    if earlier is not None:
        return _unchanged(earlier)
    companions = {
        name: read_file_bytes(path.parent / name)
        for name in (MUNICIPALITIES_FILE, KPIS_FILE)
        if name != path.name and (path.parent / name).is_file()
    }
    parsed = parse_kolada_file(data, path.name, companions=companions)
    rows = len(parsed.records) or len(parsed.groups) or parsed.master_rows
    return _store(
        KOLADA,
        path.name,
        sha256,
        records=parsed.records,
        groups=parsed.groups,
        rows=rows,
        created_by=created_by,
        notes=_kolada_notes(parsed),
    )


def nation_import(*, created_by: User | None = None) -> ImportOutcome:
    """Store the nation's published values that ship with Skolkvalitet (reference/data/):
    Kolada's nation rows and Skolverket's national figures, each with its source. Idempotent:
    the same shipped files again change nothing."""
    kolada = KOLADA_NATION_FILE.read_bytes()
    skolverket = SKOLVERKET_NATION_FILE.read_bytes()
    sha256 = hashlib.sha256(kolada + b"\0" + skolverket).hexdigest()
    earlier = _earlier_import(NATION, sha256)
    if earlier is not None:
        return _unchanged(earlier)
    records = parse_kolada_file(kolada, KOLADA_NATION_FILE.name).records
    records += skolverket_nation_records(skolverket)
    return _store(
        NATION,
        "Skolkvalitet: reference/data (Kolada riket, Skolverket riket)",
        sha256,
        records=records,
        rows=len(records),
        created_by=created_by,
        notes=_value_notes(records),
    )


@transaction.atomic
def _store(
    kind: str,
    source_name: str,
    sha256: str,
    *,
    records: list[ReferenceRecord],
    rows: int,
    created_by: User | None,
    notes: list[str],
    groups: list[GroupMember] | None = None,
) -> ImportOutcome:
    batch = batch_create(
        kind=kind,
        source_name=source_name,
        file_sha256=sha256,
        rows=rows,
        created_by=created_by,
    )
    reference_values_store(records, batch)
    if groups:
        similar_municipalities_store(groups, batch)
    return ImportOutcome(batch=batch, rows=rows, notes=notes)


def _value_notes(records: list[ReferenceRecord]) -> list[str]:
    if not records:
        return []
    markers = sum(1 for record in records if record.marker != Marker.NONE)
    mapped = sum(1 for record in records if record.indicator_key)
    return [
        _(
            "%(values)d reference values, %(markers)d of them markers without a value; "
            "%(mapped)d correspond to an indicator."
        )
        % {"values": len(records), "markers": markers, "mapped": mapped}
    ]


def _skipped_notes(export: SkolverketExport) -> list[str]:
    if not export.skipped:
        return []
    file, line, name = export.skipped[0]
    return [
        _(
            "%(count)d rows name an area without a code (the first: %(name)s, %(file)s:%(line)d); "
            "they were skipped."
        )
        % {"count": len(export.skipped), "name": name, "file": file, "line": line}
    ]


def _kolada_notes(parsed: KoladaFile) -> list[str]:
    if parsed.kind == KoladaKind.KPIS:
        return [
            _(
                "Master data: %(count)d KPI titles. No values are stored; Kolada imports read "
                "the titles from this folder."
            )
            % {"count": parsed.master_rows}
        ]
    if parsed.kind == KoladaKind.MUNICIPALITIES:
        return [
            _(
                "Master data: %(count)d municipality codes and names. No values are stored; "
                "Kolada imports read them from this folder."
            )
            % {"count": parsed.master_rows}
        ]
    if parsed.kind == KoladaKind.SIMILAR_GROUPS:
        groups = {member.group for member in parsed.groups}
        return [
            _("%(count)d municipalities in %(groups)d groups of similar municipalities.")
            % {"count": len(parsed.groups), "groups": len(groups)}
        ]
    return _value_notes(parsed.records)
