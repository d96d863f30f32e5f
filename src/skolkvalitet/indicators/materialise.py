"""Materialisation: compute indicators for some periods and store them in IndicatorValue.

The one write path of the indicator table. It runs after each import for the periods the import
touched (and from `skolkvalitet indicators --materialise`). Work is done per academic year
(every family) or per follow-up point (assessments), each chunk in its own transaction, so a
chunk is never half-written. Only what changed is written: the chunk's stored values are read
and compared with the new ones, column for column (floats bit for bit); stored rows that
equal a new row stay as they are (ids included), the others are deleted, and only the new
rows without an equal stored one are inserted. Where most of a chunk changed, its old rows
are deleted by period as a whole.

Each organiser is computed as if the database held it alone: from the facts given at its
units only (what its own database would hold). With `organiser`, only that organiser's nodes
are recomputed and every other organiser's stored values stay as they are; without it, a
database of several organisers is computed one organiser after another, so a full run stores
exactly what the organisers' own runs store (a pupil enrolled under two organisers has the
facts of each counted by that organiser only), and an import, which reaches one organiser's
units, needs only that organiser recomputed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial

import polars as pl
from django.db import connection, transaction
from django.db.models import Max

from skolkvalitet.batches.actions import batches_pending, batches_recomputed
from skolkvalitet.batches.bulk import bulk_insert_frame
from skolkvalitet.batches.models import BatchStatus, ImportBatch
from skolkvalitet.indicators.engine import (
    VALUE_SCHEMA,
    Facts,
    Organisation,
    compute,
    float_bits,
)
from skolkvalitet.indicators.loading import (
    load_facts,
    load_organisation,
    load_pupils,
    read_frame,
    sql_ids,
    years_completing,
)
from skolkvalitet.indicators.models import (
    NO_ORGANISER,
    ErasedYear,
    IndicatorValue,
    MaterialisedPeriod,
)
from skolkvalitet.indicators.registry import Family
from skolkvalitet.indicators.turns import figures_write_lock
from skolkvalitet.organisation.models import (
    AcademicYear,
    Enrolment,
    FollowUpPoint,
    Node,
    NodeKind,
    Term,
)
from skolkvalitet.organisation.page_versions import pages_changed
from skolkvalitet.organisation.scopes import organiser_ids as organisers_of_paths

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
# The stored values as read back for the comparison (materialise only writes what changed).
STORED_SCHEMA = {"id": pl.Int64, **VALUE_SCHEMA, "data_version": pl.Int64}
# The columns of IndicatorValue's main index, in its order.
INDEX_ORDER = ["node_id", "period_kind", "period_id", "breakdown", "indicator"]
# Above this share of a chunk's stored rows changed, they are deleted by period, not by id.
DELETE_BY_PERIOD_SHARE = 0.5


@dataclass
class MaterialiseResult:
    """`rows`: the values computed (what the periods hold after); `written` and `deleted`:
    the rows inserted and removed (only what changed); the seconds spent reading facts,
    computing and writing, summed over the chunks (in the pipeline they overlap)."""

    rows: int = 0
    chunks: int = 0
    seconds: float = 0.0
    written: int = 0
    deleted: int = 0
    read_seconds: float = 0.0
    compute_seconds: float = 0.0
    write_seconds: float = 0.0
    per_chunk: list[tuple[str, int, float]] = field(default_factory=list)

    def add(self, other: MaterialiseResult) -> None:
        """Count `other` (another organiser's part of the same run) in."""
        self.rows += other.rows
        self.chunks += other.chunks
        self.written += other.written
        self.deleted += other.deleted
        self.read_seconds += other.read_seconds
        self.compute_seconds += other.compute_seconds
        self.write_seconds += other.write_seconds
        self.per_chunk += other.per_chunk


def data_version_current() -> int:
    """The latest applied import batch: the data version of what is computed now."""
    latest = ImportBatch.objects.filter(status=BatchStatus.APPLIED).aggregate(v=Max("id"))["v"]
    return latest or 0


def indicators_materialise(
    *,
    years: Iterable[int] | None = None,
    points: Iterable[int] = (),
    progress: Callable[[str, int, int], None] | None = None,
    organiser: Node | int | None = None,
    organisers: Iterable[int] | None = None,
) -> MaterialiseResult:
    """Recompute the indicators of the academic years `years` (None: every year) and of the
    follow-up points `points` (assessments only), leaving out the years retention erased and
    their points (their stored values stay as they are).

    With `organiser` (a Node or its id), only the nodes of that organiser (itself, its areas,
    units and groups), from the facts at its units: the other organisers' stored values and
    the years retention erased for it are left as they are. Its figures are those of a run
    on a database holding this organiser alone (a pupil's facts at another organiser's
    units are not read: they are the other organiser's). Without it, every organiser in
    turn, each the same way: a database of one organiser is computed in one go, one of
    several organiser by organiser, so that each organiser's figures are the same whether
    it is computed alone or with the others. With `organisers` (ids), each of them in turn, as
    with `organiser` (an import that changed the background of pupils with facts at other
    organisers' units changes those organisers' figures too).

    Outside a transaction the work runs as a pipeline: while one chunk is computed, the next
    one's facts are read and the previous one's values written, each on its own database
    connection (the database does its part on other cores); the first chunk's facts are read
    while the organisation is. Inside a transaction (the caller's
    atomic block, or a test's) other connections could not see its uncommitted facts, so the
    chunks run one after another on this connection. Both give the same rows."""
    started = time.perf_counter()
    # The rollbacks whose figures this run can settle: those waiting when it begins.
    waiting = batches_pending() if years is None else []
    wanted: list[int] | None = None  # None: every organiser
    if organiser is not None:
        wanted = [organiser.pk if isinstance(organiser, Node) else organiser]
    elif organisers is not None:
        wanted = sorted(set(organisers))
    # Each run: its scope (None: the whole database at once) and the organiser whose period
    # records it writes.
    runs: list[tuple[_Scope | None, int]]
    if wanted is not None:
        # An organiser that no longer exists (a rollback removed the organiser its import
        # created, with all its nodes) has nothing left to compute.
        runs = [(s, s.organiser_id) for s in map(_scope_of, wanted) if s is not None]
    else:
        every = list(
            Node.objects.filter(kind=NodeKind.ORGANISER).order_by("pk").values_list("pk", flat=True)
        )
        if len(every) < 2:
            # One organiser (or none): the whole database at once, which is that organiser.
            runs = [(None, every[0] if every else NO_ORGANISER)]
        else:
            runs = [(s, s.organiser_id) for s in map(_scope_of, every) if s is not None]
    result = MaterialiseResult()
    for scope, records_of in runs:
        result.add(_materialise(years, points, progress, scope, records_of))
    if waiting:
        # Every year recomputed: no earlier rollback's figures wait any more (in this scope).
        batches_recomputed(batch_ids=waiting, organisers=wanted)
    result.seconds = time.perf_counter() - started
    pages_changed(warm=True)  # the page cache: pages show these values (page_versions.py)
    return result


def _materialise(
    years: Iterable[int] | None,
    points: Iterable[int],
    progress: Callable[[str, int, int], None] | None,
    scope: _Scope | None,
    records_of: int,
) -> MaterialiseResult:
    """indicators_materialise() of one organiser's nodes (`scope`), or of every node when
    `scope` is None (a database of one organiser); the period records are `records_of`'s."""
    started = time.perf_counter()
    year_ids = sorted(
        AcademicYear.objects.values_list("id", flat=True) if years is None else set(years)
    )
    point_ids = sorted(set(points))
    # A year whose pupil-level facts retention removed for an organiser keeps that organiser's
    # values as they were (ErasedYear): a year erased for every organiser is not computed at
    # all, one erased for some is computed with their nodes' stored values left alone.
    if scope is None:
        protected_by_year = _erased_nodes_by_year()
    else:
        # One organiser: its erased years are not computed; the other organisers' nodes are
        # outside the scope, so nothing else needs protecting.
        protected_by_year = {
            year: None
            for year in ErasedYear.objects.filter(organiser_id=scope.organiser_id).values_list(
                "academic_year_id", flat=True
            )
        }
    if protected_by_year:
        year_of_point = dict(
            FollowUpPoint.objects.filter(pk__in=point_ids).values_list("id", "term__academic_year")
        )
        year_ids = [y for y in year_ids if not _erased_for_all(protected_by_year, y)]
        point_ids = [
            p for p in point_ids if not _erased_for_all(protected_by_year, year_of_point[p])
        ]
    else:
        year_of_point = {}

    def organisation() -> Organisation:
        # Follow-up points alone (an import of assessments): the organisation of their year
        # only. One organiser, or points alone: the organisation without pupils; each chunk
        # reads those of its facts.
        return load_organisation(
            points=None if year_ids else point_ids, nodes=None if scope is None else scope.nodes
        )

    # Every chunk of the run reads its facts alike: of the scope's units, with their pupils
    # where the organisation has none.
    read = partial(
        _chunk_read,
        scope=scope,
        records_of=records_of,
        own_pupils=scope is not None or not year_ids,
    )
    version = data_version_current()
    chunks: list[tuple[str, int, tuple[int, ...]]] = [
        ("year", y, protected_by_year.get(y) or ()) for y in year_ids
    ] + [("point", p, protected_by_year.get(year_of_point.get(p, 0)) or ()) for p in point_ids]
    result = MaterialiseResult()
    if connection.in_atomic_block or not chunks:
        steps = _chunks_in_sequence(organisation(), read, chunks, version)
    else:
        steps = _chunks_in_pipeline(organisation, read, chunks, version)
    for index, step in enumerate(steps, start=1):
        result.rows += step.rows
        result.written += step.written
        result.deleted += step.deleted
        result.read_seconds += step.read_seconds
        result.compute_seconds += step.compute_seconds
        result.write_seconds += step.write_seconds
        result.chunks += 1
        result.per_chunk.append((step.kind, step.period_id, step.seconds))
        if progress:
            progress(f"{step.kind} {step.period_id}", index, len(chunks))
    result.seconds = time.perf_counter() - started
    return result


@dataclass(frozen=True)
class _Scope:
    """One organiser's part of a materialisation: its id, its nodes (itself and every node
    under it) and its units (whose facts are read)."""

    organiser_id: int
    nodes: tuple[int, ...]
    units: tuple[int, ...]


def _scope_of(organiser: Node | int) -> _Scope | None:
    """The scope of `organiser`, or None when no such node exists (any more)."""
    node = organiser if isinstance(organiser, Node) else Node.objects.filter(pk=organiser).first()
    if node is None:
        return None
    if node.kind != NodeKind.ORGANISER:
        raise ValueError(f"Node {node.pk} is not an organiser.")
    rows = list(Node.objects.filter(path__startswith=node.path).values_list("pk", "kind"))
    return _Scope(
        organiser_id=node.pk,
        nodes=tuple(sorted(pk for pk, _kind in rows)),
        units=tuple(sorted(pk for pk, kind in rows if kind == NodeKind.UNIT)),
    )


@dataclass
class _Chunk:
    kind: str
    period_id: int
    facts: Facts | None
    families: tuple[Family, ...]
    periods: dict[str, list[int]]
    read_seconds: float = 0.0
    compute_seconds: float = 0.0
    # Nodes whose stored values of this chunk stay as they are: those of the organisers that
    # erased the chunk's year (ErasedYear).
    protected: tuple[int, ...] = ()
    # One organiser's materialisation: only its nodes are computed, with the backgrounds of
    # the pupils of its facts (`pupils`, Organisation.pupils for this chunk).
    scope: _Scope | None = None
    pupils: pl.DataFrame | None = None
    # The organiser whose period records (MaterialisedPeriod) the chunk writes.
    records_of: int = NO_ORGANISER


def _erased_for_all(protected_by_year: dict[int, tuple[int, ...] | None], year_id: int) -> bool:
    return year_id in protected_by_year and protected_by_year[year_id] is None


def _erased_nodes_by_year() -> dict[int, tuple[int, ...] | None]:
    """For each academic year erased for some organiser: the ids of those organisers' nodes
    (the organiser and every node under it), or None when it is erased for every organiser
    the database holds (nothing of the year is computed)."""
    erased: dict[int, set[int]] = {}
    for organiser_id, year_id in ErasedYear.objects.values_list("organiser_id", "academic_year_id"):
        erased.setdefault(year_id, set()).add(organiser_id)
    if not erased:
        return {}
    organisers = dict(Node.objects.filter(kind=NodeKind.ORGANISER).values_list("pk", "path"))
    result: dict[int, tuple[int, ...] | None] = {}
    for year_id, organiser_ids in erased.items():
        if set(organisers) <= organiser_ids:
            result[year_id] = None
            continue
        nodes: set[int] = set()
        for organiser_id in organiser_ids & set(organisers):
            nodes.update(
                Node.objects.filter(path__startswith=organisers[organiser_id]).values_list(
                    "pk", flat=True
                )
            )
        result[year_id] = tuple(sorted(nodes))
    return result


@dataclass
class _Step:
    """What materialising one chunk did."""

    kind: str
    period_id: int
    rows: int
    written: int
    deleted: int
    seconds: float
    read_seconds: float
    compute_seconds: float
    write_seconds: float


def _chunk_read(
    kind: str,
    period_id: int,
    protected: tuple[int, ...] = (),
    *,
    scope: _Scope | None = None,
    records_of: int = NO_ORGANISER,
    own_pupils: bool = False,
) -> _Chunk:
    """Read a chunk's facts; with `own_pupils` (the organisation was read without pupils)
    also the backgrounds of the pupils they name."""
    started = time.perf_counter()
    units = None if scope is None else scope.units
    if kind == "year":
        terms = list(Term.objects.filter(academic_year_id=period_id).values_list("id", flat=True))
        points = list(
            FollowUpPoint.objects.filter(term__academic_year_id=period_id).values_list(
                "id", flat=True
            )
        )
        chunk = _Chunk(
            kind,
            period_id,
            load_facts(years=[period_id], units=units),
            YEAR_FAMILIES,
            {"year": [period_id], "term": terms, "point": points},
        )
    else:
        chunk = _Chunk(
            kind,
            period_id,
            load_facts(points=[period_id], units=units),
            POINT_FAMILIES,
            {"point": [period_id]},
        )
    chunk.protected = protected
    chunk.scope = scope
    chunk.records_of = records_of
    if own_pupils and chunk.facts is not None:
        chunk.pupils = load_pupils(chunk.facts)
    chunk.read_seconds = time.perf_counter() - started
    return chunk


def _chunk_compute(org: Organisation, chunk: _Chunk, version: int) -> pl.DataFrame:
    started = time.perf_counter()
    assert chunk.facts is not None
    if chunk.pupils is not None:
        org = replace(org, pupils=chunk.pupils)
    values = compute(chunk.facts, org, families=chunk.families)
    if chunk.scope is not None:
        values = values.filter(pl.col("node_id").is_in(chunk.scope.nodes))
    values = values.with_columns(data_version=pl.lit(version)).select(COLUMNS)
    chunk.compute_seconds = time.perf_counter() - started
    return values


def _period_filter(chunk: _Chunk) -> str:
    """SQL for the stored rows of the chunk's families and periods of the nodes it computes
    (ids and enum values inlined: integers and the registry's fixed names only): with a
    scope its organiser's nodes, less its protected nodes."""
    families = ", ".join(f"'{f.value}'" for f in chunk.families)
    periods = " OR ".join(
        f"(period_kind = '{kind}' AND period_id IN ({sql_ids(ids)}))"
        for kind, ids in chunk.periods.items()
    )
    rows = f"family IN ({families}) AND ({periods})"
    if chunk.scope is not None:
        rows += f" AND node_id IN ({sql_ids(chunk.scope.nodes)})"
    if chunk.protected:
        rows += f" AND node_id NOT IN ({sql_ids(chunk.protected)})"
    return rows


def _comparable(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with its floats as their bit patterns: equal only if bit for bit equal."""
    return frame.with_columns(
        float_bits(frame[c]).alias(c) for c, t in frame.schema.items() if t == pl.Float64
    )


def _changes(stored: pl.DataFrame, values: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """The new rows to insert and the ids of the stored rows to delete: a stored row equal to
    a new one in every column (nulls equal) is kept, and that new row is not written."""
    if stored.is_empty() or values.is_empty():
        return values, stored["id"]
    columns = list(COLUMNS)
    matched = (
        _comparable(values.with_row_index("row"))
        .join(
            _comparable(stored.select("id", *columns)),
            on=columns,
            how="inner",
            nulls_equal=True,
        )
        .select("row", "id")
        .unique("row", keep="first")
        .unique("id", keep="first")
    )
    insert = values.with_row_index("row").join(matched, on="row", how="anti").drop("row")
    delete = stored.join(matched, on="id", how="anti")["id"]
    return insert, delete


def _any_stored_of_version(chunk: _Chunk, version: int) -> bool:
    """Whether any stored row of the chunk's families, periods and nodes was computed at
    data version `version`."""
    table = connection.ops.quote_name(IndicatorValue._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {table} "
            f"WHERE {_period_filter(chunk)} AND data_version = %s)",
            [version],
        )
        return bool(cursor.fetchone()[0])


def _delete_periods(chunk: _Chunk) -> int:
    """Delete the stored rows of the chunk's families, periods and nodes; how many."""
    table = connection.ops.quote_name(IndicatorValue._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {_period_filter(chunk)}")
        return cursor.rowcount


def _delete_ids(ids: pl.Series) -> None:
    table = connection.ops.quote_name(IndicatorValue._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [ids.to_list()])
            return
        for start in range(0, ids.len(), 500):
            batch = ids.slice(start, 500).to_list()
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(batch))})", batch
            )


def _nodes_gone(node_ids: pl.Series) -> list[int]:
    """Of `node_ids`, those no longer in the tree (removed by a rollback since the chunk read
    it), after taking the turn that keeps rollbacks from removing more until the transaction
    ends (turns.py)."""
    figures_write_lock()
    table = connection.ops.quote_name(Node._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT x FROM unnest(%s::bigint[]) AS x "
                f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE id = x)",
                [node_ids.to_list()],
            )
        else:
            cursor.execute(
                f"SELECT value FROM json_each(%s) WHERE value NOT IN (SELECT id FROM {table})",
                [json.dumps(node_ids.to_list())],
            )
        return [row[0] for row in cursor.fetchall()]


def _chunk_replace(chunk: _Chunk, values: pl.DataFrame) -> tuple[int, int]:
    """Make the chunk's stored values equal `values`, writing only what changed, and the
    record of which periods have values (MaterialisedPeriod), in one transaction. Returns
    the rows inserted and deleted."""
    families = [f.value for f in chunk.families]
    table = IndicatorValue._meta.db_table
    if chunk.protected:
        values = values.filter(~pl.col("node_id").is_in(chunk.protected))
    with transaction.atomic():
        # Only for nodes still in the tree: a rollback may have removed some (those the
        # import it undoes created) since the chunk read it, its organiser too.
        nodes = values["node_id"].unique()
        if chunk.records_of != NO_ORGANISER:
            nodes = nodes.append(pl.Series([chunk.records_of], dtype=nodes.dtype))
        gone = _nodes_gone(nodes)
        if gone:
            values = values.filter(~pl.col("node_id").is_in(gone))
        # Every new row carries this run's data version (the latest import).
        version = int(values["data_version"][0]) if values.height else None
        if version is None or not _any_stored_of_version(chunk, version):
            # No stored row can equal a new one (the first recompute after an import, or no
            # new rows): delete the periods whole and write every new row, without reading
            # the stored rows back to compare.
            insert, deleted = values, _delete_periods(chunk)
        else:
            stored = read_frame(
                f"SELECT {', '.join(STORED_SCHEMA)} FROM {table} WHERE {_period_filter(chunk)}",
                STORED_SCHEMA,
            )
            insert, delete = _changes(stored, values)
            if delete.len() > DELETE_BY_PERIOD_SHARE * stored.height:
                # Most of it changed: delete the periods whole and write every new row.
                insert, deleted = values, _delete_periods(chunk)
            else:
                if delete.len():
                    _delete_ids(delete)
                deleted = delete.len()
        # In the order of the table's (node, period, breakdown, indicator) index: each new
        # entry lands beside the last one, not on a page of its own.
        insert = insert.sort(INDEX_ORDER)
        written = bulk_insert_frame(table, insert) if insert.height else 0
        # The organiser's own period records: the other organisers' stay as they are. A
        # database computed in one go (one organiser, or none) replaces every record of
        # the periods, also those written before it had its organiser.
        for period_kind, ids in chunk.periods.items():
            records = MaterialisedPeriod.objects.filter(
                family__in=families, period_kind=period_kind, period_id__in=ids
            )
            if chunk.scope is not None or chunk.protected:
                records = records.filter(organiser_id=chunk.records_of)
            records.delete()
        if chunk.records_of in gone:
            # No records of an organiser that is gone (the next run decides anew whose
            # records it writes).
            return written, deleted
        present = values.group_by("family", "period_kind", "period_id").agg(
            pl.len().alias("rows"), pl.col("data_version").max()
        )
        MaterialisedPeriod.objects.bulk_create(
            MaterialisedPeriod(
                organiser_id=chunk.records_of,
                family=family,
                period_kind=kind,
                period_id=period_id,
                rows=count,
                data_version=version,
            )
            for family, kind, period_id, count, version in present.iter_rows()
        )
        return written, deleted


def _replace_step(chunk: _Chunk, values: pl.DataFrame, started: float) -> _Step:
    began = time.perf_counter()
    written, deleted = _chunk_replace(chunk, values)
    ended = time.perf_counter()
    return _Step(
        chunk.kind,
        chunk.period_id,
        values.height,
        written,
        deleted,
        ended - started,
        chunk.read_seconds,
        chunk.compute_seconds,
        ended - began,
    )


def _chunks_in_sequence(org, read, chunks, version):
    for kind, period_id, protected in chunks:
        started = time.perf_counter()
        chunk = read(kind, period_id, protected)
        values = _chunk_compute(org, chunk, version)
        yield _replace_step(chunk, values, started)


def _on_own_connection(function):
    """Run `function` in a worker thread on that thread's own connection, closed after."""

    def run(*args):
        try:
            return function(*args)
        finally:
            connection.close()

    return run


def _chunks_in_pipeline(organisation, read, chunks, version):
    """The chunks as a pipeline; the organisation (`organisation()`) is read while the first
    chunk's facts are (`read`)."""
    read = _on_own_connection(read)
    replace = _on_own_connection(_replace_step)
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="indicators-read") as reader,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="indicators-write") as writer,
    ):
        next_chunk = reader.submit(read, *chunks[0])
        org = organisation()
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
            writing = writer.submit(replace, chunk, values, started)
        assert writing is not None  # chunks is never empty
        yield writing.result()


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


def pupil_periods(pupil_ids: Iterable[int]) -> tuple[set[int], set[int], set[int]]:
    """The academic years and follow-up points in which the pupils `pupil_ids` have facts
    or enrolments, and the organisers whose units hold them: what must be recomputed when
    their background changes (every organiser's figures that count them)."""
    from skolkvalitet.results.models import Absence, Assessment, Grade, NationalTest

    ids = sorted(set(pupil_ids))
    years: set[int] = set()
    points: set[int] = set()
    units: set[int] = set()
    # Each table with a pupil column: its period column and the set that period goes to.
    tables = [
        *((model, "term__academic_year_id", years) for model in (Grade, NationalTest, Absence)),
        (Assessment, "follow_up_point_id", points),
        (Enrolment, "academic_year_id", years),
    ]
    for start in range(0, len(ids), 5000):  # within every database's limit of parameters
        chunk = ids[start : start + 5000]
        for model, period, periods in tables:
            rows = model.objects.filter(pupil_id__in=chunk).values_list(period, "unit_id")
            for period_id, unit in rows.distinct():
                periods.add(period_id)
                units.add(unit)
    paths = Node.objects.filter(pk__in=units).values_list("path", flat=True)
    return years, points, organisers_of_paths(paths)


def indicators_materialise_batch(*, batch: ImportBatch, progress=None) -> MaterialiseResult:
    """Recompute only what `batch` touched: every family of the years it wrote grades, tests,
    absence or unit facts for, and the assessments of the follow-up points it wrote, of the
    batch's organiser (every organiser for a batch of none). The facts' periods only: after an
    import, ingest/writing/writer.py indicators_refresh also follows the enrolments and the
    pupils' backgrounds it changed."""
    years, points = periods_touched(batch=batch)
    return indicators_materialise(
        years=years, points=points, progress=progress, organiser=batch.organiser_id
    )
