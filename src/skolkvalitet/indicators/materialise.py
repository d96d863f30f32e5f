"""Materialisation: compute indicators for some periods and store them in IndicatorValue.

The one write path of the indicator table. It runs after each import for the periods the import
touched (and from `skolkvalitet indicators --materialise`). Work is done per academic year
(every family) or per follow-up point (assessments), each chunk in its own transaction:
the chunk's old rows are deleted and the new ones written, so a chunk is never half-written.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import polars as pl
from django.db import connection, transaction
from django.db.models import Max

from skolkvalitet.batches.bulk import bulk_insert_frame
from skolkvalitet.batches.models import BatchStatus, ImportBatch
from skolkvalitet.indicators.engine import Facts, Organisation, compute
from skolkvalitet.indicators.loading import load_facts, load_organisation, years_completing
from skolkvalitet.indicators.models import ErasedYear, IndicatorValue, MaterialisedPeriod
from skolkvalitet.indicators.registry import Family
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
    follow-up points `points` (assessments only), leaving out the years retention erased and
    their points (their stored values stay as they are).

    Outside a transaction the work runs as a pipeline: while one chunk is computed, the next
    one's facts are read and the previous one's values written, each on its own database
    connection (the database does its part on other cores). Inside a transaction (the caller's
    atomic block, or a test's) other connections could not see its uncommitted facts, so the
    chunks run one after another on this connection. Both give the same rows."""
    started = time.perf_counter()
    year_ids = sorted(
        AcademicYear.objects.values_list("id", flat=True) if years is None else set(years)
    )
    point_ids = sorted(set(points))
    # A year whose pupil-level facts retention removed keeps the values it had (ErasedYear).
    erased = set(ErasedYear.objects.values_list("academic_year_id", flat=True))
    if erased:
        year_ids = [y for y in year_ids if y not in erased]
        point_ids = sorted(
            FollowUpPoint.objects.filter(pk__in=point_ids)
            .exclude(term__academic_year_id__in=erased)
            .values_list("id", flat=True)
        )
    org = load_organisation()
    version = data_version_current()
    chunks: list[tuple[str, int]] = [("year", y) for y in year_ids] + [
        ("point", p) for p in point_ids
    ]
    result = MaterialiseResult()
    if connection.in_atomic_block or len(chunks) < 2:
        steps = _chunks_in_sequence(org, chunks, version)
    else:
        steps = _chunks_in_pipeline(org, chunks, version)
    for index, ((kind, period_id), rows, seconds) in enumerate(steps, start=1):
        result.rows += rows
        result.chunks += 1
        result.per_chunk.append((kind, period_id, seconds))
        if progress:
            progress(f"{kind} {period_id}", index, len(chunks))
    result.seconds = time.perf_counter() - started
    return result


@dataclass
class _Chunk:
    kind: str
    period_id: int
    facts: Facts
    families: tuple[Family, ...]
    periods: dict[str, list[int]]


def _chunk_read(kind: str, period_id: int) -> _Chunk:
    if kind == "year":
        terms = list(Term.objects.filter(academic_year_id=period_id).values_list("id", flat=True))
        points = list(
            FollowUpPoint.objects.filter(term__academic_year_id=period_id).values_list(
                "id", flat=True
            )
        )
        return _Chunk(
            kind,
            period_id,
            load_facts(years=[period_id]),
            YEAR_FAMILIES,
            {"year": [period_id], "term": terms, "point": points},
        )
    return _Chunk(
        kind, period_id, load_facts(points=[period_id]), POINT_FAMILIES, {"point": [period_id]}
    )


def _chunk_compute(org: Organisation, chunk: _Chunk, version: int) -> pl.DataFrame:
    values = compute(chunk.facts, org, families=chunk.families)
    return values.with_columns(data_version=pl.lit(version)).select(COLUMNS)


def _chunk_replace(chunk: _Chunk, values: pl.DataFrame) -> int:
    """Replace the chunk's stored values with `values`, and the record of which periods have
    values (MaterialisedPeriod), in one transaction."""
    families = [f.value for f in chunk.families]
    with transaction.atomic():
        for period_kind, ids in chunk.periods.items():
            IndicatorValue.objects.filter(
                family__in=families, period_kind=period_kind, period_id__in=ids
            ).delete()
            MaterialisedPeriod.objects.filter(
                family__in=families, period_kind=period_kind, period_id__in=ids
            ).delete()
        rows = bulk_insert_frame(IndicatorValue._meta.db_table, values)
        present = values.group_by("family", "period_kind", "period_id").agg(
            pl.len().alias("rows"), pl.col("data_version").max()
        )
        MaterialisedPeriod.objects.bulk_create(
            MaterialisedPeriod(
                family=family,
                period_kind=kind,
                period_id=period_id,
                rows=count,
                data_version=version,
            )
            for family, kind, period_id, count, version in present.iter_rows()
        )
        return rows


def _chunks_in_sequence(org, chunks, version):
    for kind, period_id in chunks:
        started = time.perf_counter()
        chunk = _chunk_read(kind, period_id)
        rows = _chunk_replace(chunk, _chunk_compute(org, chunk, version))
        yield (kind, period_id), rows, time.perf_counter() - started


def _on_own_connection(function):
    """Run `function` in a worker thread on that thread's own connection, closed after."""

    def run(*args):
        try:
            return function(*args)
        finally:
            connection.close()

    return run


def _chunks_in_pipeline(org, chunks, version):
    read = _on_own_connection(_chunk_read)
    replace = _on_own_connection(_chunk_replace)
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="indicators-read") as reader,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="indicators-write") as writer,
    ):
        next_chunk = reader.submit(read, *chunks[0])
        writing = None
        for index in range(len(chunks)):
            started = time.perf_counter()
            chunk = next_chunk.result()
            if index + 1 < len(chunks):
                next_chunk = reader.submit(read, *chunks[index + 1])
            values = _chunk_compute(org, chunk, version)
            chunk.facts = None  # free the facts while the values are written
            if writing is not None:
                yield writing.result()
            writing = writer.submit(_timed_replace, replace, chunk, values, started)
        assert writing is not None  # chunks is never empty
        yield writing.result()


def _timed_replace(replace, chunk: _Chunk, values: pl.DataFrame, started: float):
    rows = replace(chunk, values)
    return (chunk.kind, chunk.period_id), rows, time.perf_counter() - started


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
    # An ended subject's final grade belongs to the later year-9 leaving certificate.
    years |= years_completing(
        Grade.objects.filter(batch=batch, grade_type="final", year_group__lt=9)
        .values_list("term__academic_year_id", flat=True)
        .distinct()
    )
    for yearly_model in (SurveyResult, UnitStaffFact, PreschoolGroupFact):
        years.update(
            yearly_model.objects.filter(batch=batch)
            .values_list("academic_year_id", flat=True)
            .distinct()
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
