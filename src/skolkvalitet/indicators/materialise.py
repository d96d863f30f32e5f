"""Materialisation: compute indicators for some periods and store them in IndicatorValue.

The one write path of the indicator table. It runs after each import for the periods the import
touched (and from `skolkvalitet indicators --materialise`). Work is done per academic year
(every family) or per follow-up point (assessments), each chunk in its own transaction:
the chunk's old rows are deleted and the new ones written, so a chunk is never half-written.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import polars as pl
from django.db import transaction
from django.db.models import Max

from skolkvalitet.indicators.engine import Organisation, compute
from skolkvalitet.indicators.loading import load_facts, load_organisation
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.indicators.registry import Family
from skolkvalitet.ingest.bulk import bulk_insert_frame
from skolkvalitet.ingest.models import BatchStatus, ImportBatch
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Term

YEAR_FAMILIES = tuple(Family)
POINT_FAMILIES = (Family.ASSESSMENTS,)
COLUMNS = (
    "indicator",
    "family",
    "node_id",
    "period_kind",
    "period_id",
    "breakdown",
    "value",
    "n",
    "numerator",
    "denominator",
    "suppression",
    "data_version",
)


@dataclass
class MaterialiseResult:
    rows: int = 0
    chunks: int = 0
    seconds: float = 0.0
    per_chunk: list[tuple[str, int, float]] = field(default_factory=list)


def data_version_current() -> int:
    """The latest applied import batch: the data version of what is computed now."""
    latest = ImportBatch.objects.filter(status=BatchStatus.APPLIED).aggregate(v=Max("id"))["v"]
    return latest or 0


def indicators_materialise(
    *,
    years: Iterable[int] | None = None,
    points: Iterable[int] = (),
    progress: Callable[[str, int, int], None] | None = None,
) -> MaterialiseResult:
    """Recompute the indicators of the academic years `years` (None: every year) and of the
    follow-up points `points` (assessments only)."""
    started = time.perf_counter()
    year_ids = sorted(
        AcademicYear.objects.values_list("id", flat=True) if years is None else set(years)
    )
    point_ids = sorted(set(points))
    org = load_organisation()
    version = data_version_current()
    chunks: list[tuple[str, int]] = [("year", y) for y in year_ids] + [
        ("point", p) for p in point_ids
    ]
    result = MaterialiseResult()
    for index, (kind, period_id) in enumerate(chunks, start=1):
        chunk_started = time.perf_counter()
        rows = _materialise_chunk(org, kind, period_id, version)
        result.rows += rows
        result.chunks += 1
        result.per_chunk.append((kind, period_id, time.perf_counter() - chunk_started))
        if progress:
            progress(f"{kind} {period_id}", index, len(chunks))
    result.seconds = time.perf_counter() - started
    return result


def periods_touched(*, batch: ImportBatch) -> tuple[set[int], set[int]]:
    """The academic years and follow-up points whose facts `batch` wrote: what must be
    recomputed after it is imported or rolled back."""
    from skolkvalitet.results.models import (
        Absence,
        Assessment,
        Grade,
        NationalTest,
        PreschoolGroupFact,
        SurveyResult,
        UnitStaffFact,
    )

    years: set[int] = set()
    for model in (Grade, NationalTest, Absence):
        years.update(
            model.objects.filter(batch=batch)
            .values_list("term__academic_year_id", flat=True)
            .distinct()
        )
    for model in (SurveyResult, UnitStaffFact, PreschoolGroupFact):
        years.update(
            model.objects.filter(batch=batch).values_list("academic_year_id", flat=True).distinct()
        )
    points = set(
        Assessment.objects.filter(batch=batch)
        .values_list("follow_up_point_id", flat=True)
        .distinct()
    )
    return years, points


def indicators_materialise_batch(*, batch: ImportBatch, progress=None) -> MaterialiseResult:
    """Recompute only what `batch` touched: every family of the years it wrote grades, tests,
    absence or unit facts for, and the assessments of the follow-up points it wrote."""
    years, points = periods_touched(batch=batch)
    return indicators_materialise(years=years, points=points, progress=progress)


def _materialise_chunk(org: Organisation, kind: str, period_id: int, version: int) -> int:
    if kind == "year":
        facts = load_facts(years=[period_id])
        families = YEAR_FAMILIES
        terms = list(Term.objects.filter(academic_year_id=period_id).values_list("id", flat=True))
        points = list(
            FollowUpPoint.objects.filter(term__academic_year_id=period_id).values_list(
                "id", flat=True
            )
        )
        periods = {"year": [period_id], "term": terms, "point": points}
    else:
        facts = load_facts(points=[period_id])
        families = POINT_FAMILIES
        periods = {"point": [period_id]}
    values = compute(facts, org, families=families)
    values = values.with_columns(data_version=pl.lit(version))
    with transaction.atomic():
        for period_kind, ids in periods.items():
            IndicatorValue.objects.filter(
                family__in=[f.value for f in families],
                period_kind=period_kind,
                period_id__in=ids,
            ).delete()
        return bulk_insert_frame(IndicatorValue._meta.db_table, values.select(COLUMNS))
