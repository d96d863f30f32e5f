"""One reference value as the parsers read it from a published file, before it is stored.

Reference values are other people's published figures (Skolverket's "Sök statistik" exports,
Kolada's KPIs, Skolenhetsregistret's pupil counts) shown beside the organiser's own figures.
The parsers are pure (file in, records out); `reference.actions` stores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from skolkvalitet.indicators import markers


class Source(StrEnum):
    SKOLVERKET = "skolverket"
    KOLADA = "kolada"
    SKOLENHETSREGISTRET = "skolenhetsregistret"


class AreaKind(StrEnum):
    NATION = "nation"  # riket; area_code "0000" (Kolada's code for the nation)
    COUNTY = "county"  # län; area_code the two-digit länskod
    MUNICIPALITY = "municipality"  # area_code the four-digit kommunkod, "0115"
    ORGANISER = "organiser"  # huvudman; area_code its organisationsnummer
    UNIT = "unit"  # skolenhet; area_code the eight-digit skolenhetskod


class Marker(StrEnum):
    """Skolverket's markers for a figure that is not shown; never stored as zero."""

    NONE = ""  # the value is shown
    MISSING = markers.MISSING  # "." missing or does not occur
    SUPPRESSED = markers.HIDDEN  # ".." fewer than 10 pupils (or complementary suppression)
    NEAR_ALL = markers.NEAR_FULL  # "~100" 1–4 pupils lack the measure: "about 100 %"


@dataclass(frozen=True)
class ReferenceRecord:
    source: Source
    dataset: str  # the export's title or the Kolada KPI id: "Grundskola - Antal elever per årskurs"
    measure: str  # the column heading as published, or the KPI title
    area_kind: AreaKind
    area_code: str
    area_name: str
    period: str  # academic year "2024/25" or calendar year "2024", as the source states it
    value: float | None  # None whenever marker is not NONE (and for an empty cell)
    marker: Marker = Marker.NONE
    n: int | None = None  # the pupils behind the value, where the source gives it
    organiser_type: str = ""  # "Samtliga", "Kommunal", "Enskild" (typ av huvudman); "" = all
    breakdown: str = ""  # "" for all pupils, else "gender=F" / "gender=M" (registry style)
    subject: str = ""  # Skolverket subject code ("MA") where the measure is per subject; the
    # subject as published where it has no code ("Moderna språk, skolans val")
    indicator_key: str = ""  # the registry indicator it corresponds to, where one does
    kpi: str = ""  # Kolada KPI id ("N15419") where the measure is one
    unit: str = ""  # the value's unit where the source states one: "tkr" (thousands of
    # kronor), "kr"; "" for shares in per cent, means and counts named by the measure itself
    note: str = ""  # the source's caveat for this value or the publication it comes from

    def identity(self) -> tuple:
        """What makes a value the same value in a later file (for idempotent upserts)."""
        return (
            self.source,
            self.dataset,
            self.measure,
            self.area_kind,
            self.area_code,
            self.period,
            self.organiser_type,
            self.breakdown,
            self.subject,
        )


@dataclass(frozen=True)
class GroupMember:
    """One municipality's membership of a group of similar municipalities."""

    grouping: str  # "sekom": Kolada/SKR's socio-economic groups (sekom.json)
    group: str  # "Orange"
    municipality_code: str
    municipality_name: str
