"""The nation's published values that ship with Skolkvalitet (reference/data/README.md).

Pure: reads the shipped files into reference records; `ingest.reference_imports.nation_import`
stores them. Kolada's nation file is read by the Kolada parser like any imported copy of it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from skolkvalitet.reference.mapping import skolverket_indicator
from skolkvalitet.reference.records import AreaKind, ReferenceRecord, Source

DATA = Path(__file__).resolve().parent / "data"
KOLADA_NATION_FILE = DATA / "kolada_riket.txt"
SKOLVERKET_NATION_FILE = DATA / "skolverket_riket.csv"
NATION_CODE = "0000"
NATION_NAME = "Riket"
COLUMNS = ["dataset", "measure", "period", "organiser_type", "breakdown", "value", "n", "source"]


def skolverket_nation_records(data: bytes) -> list[ReferenceRecord]:
    """The rows of skolverket_riket.csv as records of the nation, each citing its source."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8")), delimiter=";")
    if reader.fieldnames != COLUMNS:
        raise ValueError(f"{SKOLVERKET_NATION_FILE.name}: the columns must be {COLUMNS}")
    return [
        ReferenceRecord(
            source=Source.SKOLVERKET,
            dataset=row["dataset"],
            measure=row["measure"],
            area_kind=AreaKind.NATION,
            area_code=NATION_CODE,
            area_name=NATION_NAME,
            period=row["period"],
            value=float(row["value"]),
            n=int(row["n"]) if row["n"] else None,
            organiser_type=row["organiser_type"],
            breakdown=row["breakdown"],
            indicator_key=skolverket_indicator(row["dataset"], row["measure"]),
            note=row["source"],
        )
        for row in reader
    ]
