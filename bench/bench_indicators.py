"""Benchmark: the indicator engine on a Stockholm-sized organiser, against DuckDB.

    uv run python bench/bench_indicators.py [--scale 13] [--database-url URL] [--repeat 3]
        [--no-doc]

1. The demo generator builds an organiser `--scale` times the demo (13: about 100 000 pupils
   a year, six academic years, about 19 M grade and assessment rows); its facts are written to
   Parquet files in a temporary directory (not timed as part of the goals).
2. In separate processes (each reports its own peak RSS):
   full         the engine computes every indicator of every year (all families, every node,
                period and breakdown, with suppression) from the Parquet facts;
   incremental  the engine computes one new follow-up point (its assessments only);
   merit        the engine's path for merit_value_17 per unit and year: per-pupil measures
                from the final grades and their aggregation per unit;
   duckdb       the baseline: one DuckDB SQL query computing merit_value_17 per unit and year
                over the same Parquet file (2 threads). Its result must equal the engine's.
3. With --database-url (PostgreSQL), the same organiser is built into that (recreated)
   database with demo_build, the database is ANALYZEd, and, each in its own process:
   db_full_empty  `indicators_materialise()` of every year and point into an empty values
                  table (every value written);
   db_full        the same again over the stored values (a recompute that changes nothing);
   db_incremental one new follow-up point: the latest point's stored values of what a
                  point's recomputation writes (its assessments) are removed first (not
                  timed), then `indicators_materialise(points=[it])`;
   and the floor of a full materialisation, measured on the same database in the same run:
   floor_read     the server's COPY of the fact columns the engine reads, discarded;
   floor_joins    DuckDB (2 threads) joining every grade and assessment of the Parquet facts
                  to its pupil's enrolment and background and summing them per unit, group
                  and each breakdown dimension (the engine's joins and group-bys, without
                  its indicator rules);
   floor_write    COPY of every stored value (as CSV prepared before the clock) into a new
                  table without indexes, committed.
   The floor is their sum; the report gives each materialisation's ratio to it.
   The floor of one new follow-up point likewise, of db_incremental's point alone:
   floor_point_read (the COPY of its assessments' columns), floor_point_joins (DuckDB on
   the Parquet facts' latest point) and floor_point_write (COPY of the values its
   recomputation writes into a table without indexes).

Every measurement runs `--repeat` times (interleaved); the report gives min / median / max.
Figures go to the "## Indicator engine" section of docs/benchmarks.md (not with --no-doc).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Throwaway keys for the benchmark's throwaway databases: the settings read keys from the
# environment (or files that `skolkvalitet keys create` writes); the child processes inherit
# these. Nothing is written.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
os.environ.setdefault("SKOLKVALITET_PSEUDONYM_KEY", secrets.token_urlsafe(48))
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Indicator engine"
GOALS = {
    "full": 60.0,
    "incremental": 10.0,
    "ratio": 3.0,
    "memory_mib": 4096,
    # Issue 16: a full materialisation within twice its floor, one follow-up point in 1 s.
    "floor_ratio": 2.0,
    "point": 1.0,
}

DUCKDB_MERIT = """
WITH g AS (
    SELECT pupil_id, unit_id, academic_year_id, subject,
           CASE value WHEN 'A' THEN 20 WHEN 'B' THEN 17.5 WHEN 'C' THEN 15 WHEN 'D' THEN 12.5
                      WHEN 'E' THEN 10 ELSE 0 END AS points,
           value IN ('A', 'B', 'C', 'D', 'E') AS passed
    FROM read_parquet('{path}')
    WHERE grade_type = 'final' AND year_group = 9
), ranked AS (
    SELECT pupil_id, unit_id, academic_year_id, points,
           row_number() OVER (PARTITION BY pupil_id, unit_id, academic_year_id
                              ORDER BY points DESC) AS place
    FROM g WHERE subject <> 'M1'
), pupils AS (
    SELECT pupil_id, unit_id, academic_year_id,
           sum(points) FILTER (WHERE place <= 16) AS best16
    FROM ranked GROUP BY ALL
), language_choice AS (
    SELECT pupil_id, unit_id, academic_year_id, points AS m1 FROM g WHERE subject = 'M1'
), counted AS (
    SELECT pupil_id, unit_id, academic_year_id FROM g GROUP BY ALL HAVING bool_or(passed)
)
SELECT unit_id, academic_year_id, avg(coalesce(best16, 0) + coalesce(m1, 0)) AS merit,
       count(*) AS n
FROM counted
LEFT JOIN pupils USING (pupil_id, unit_id, academic_year_id)
LEFT JOIN language_choice USING (pupil_id, unit_id, academic_year_id)
GROUP BY ALL
"""


def peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM). Not ru_maxrss: Linux carries that across
    exec, so a child would report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the measured children ---------------------------------------------------------------


def _org(workdir: Path):
    import polars as pl

    from skolkvalitet.indicators.engine import Organisation

    read = {
        name: pl.read_parquet(workdir / f"org_{name}.parquet")
        for name in ("nodes", "unit_ancestors", "enrolments", "pupils", "years")
    }
    return Organisation(**read)


def _facts(workdir: Path, year: int, *, point: int | None = None):
    import polars as pl

    from skolkvalitet.indicators.engine import Facts

    def read(kind: str) -> pl.DataFrame:
        return pl.read_parquet(workdir / f"{kind}_{year}.parquet")

    if point is not None:
        assessments = read("assessments").filter(pl.col("point_id") == point)
        return Facts(assessments=assessments)
    return Facts(
        grades=read("grades"),
        assessments=read("assessments"),
        national_tests=read("national_tests"),
        absences=read("absences"),
        points=read("points"),  # absence so far at each follow-up point, as materialised
    )


def child_full(workdir: Path, years: int) -> dict:
    from skolkvalitet.indicators.engine import compute

    started = time.perf_counter()
    org = _org(workdir)
    rows = 0
    for year in range(years):
        rows += compute(_facts(workdir, year), org).height
    return {"seconds": time.perf_counter() - started, "rows": rows}


def child_incremental(workdir: Path, year: int, point: int) -> dict:
    from skolkvalitet.indicators.engine import compute
    from skolkvalitet.indicators.registry import Family

    started = time.perf_counter()
    org = _org(workdir)
    values = compute(_facts(workdir, year, point=point), org, families=(Family.ASSESSMENTS,))
    return {"seconds": time.perf_counter() - started, "rows": values.height}


def child_merit(workdir: Path) -> dict:
    import polars as pl

    from skolkvalitet.indicators import measures

    grades = pl.read_parquet(workdir / "final_grades.parquet")
    started = time.perf_counter()
    merit = (
        measures.final_grade_measures(grades, only={"merit_value_17"})
        .group_by("unit_id", "academic_year_id")
        .agg(merit=pl.col("num").sum() / pl.col("den").sum(), n=pl.col("n").sum())
    )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": merit.height,
        "values": sorted(merit.select("unit_id", "academic_year_id", "merit").rows()),
    }


def child_duckdb(workdir: Path) -> dict:
    import duckdb

    connection = duckdb.connect()
    connection.execute("SET threads = 2")
    started = time.perf_counter()
    rows = connection.execute(DUCKDB_MERIT.format(path=workdir / "final_grades.parquet")).fetchall()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": len(rows),
        "values": sorted((u, y, float(m)) for u, y, m, _n in rows),
    }


def child_materialise(mode: str) -> dict:
    import django

    django.setup()
    from django.db import connection

    from skolkvalitet.indicators.materialise import indicators_materialise
    from skolkvalitet.indicators.models import IndicatorValue, MaterialisedPeriod
    from skolkvalitet.organisation.models import FollowUpPoint

    if mode == "incremental":
        with connection.cursor() as cursor:
            cursor.execute(LATEST_POINT)
            latest = FollowUpPoint.objects.get(pk=cursor.fetchone()[0])
        # A new follow-up point: the values a point's recomputation writes (its assessments;
        # the point's absence so far belongs to its year's chunk) are not stored yet.
        try:
            from skolkvalitet.indicators.materialise import POINT_FAMILIES

            families = [str(family) for family in POINT_FAMILIES]
        except ImportError:  # the code before issue 16 (--baseline-src)
            families = ["assessments"]
        point = {"period_kind": "point", "period_id": latest.pk, "family__in": families}
        IndicatorValue.objects.filter(**point).delete()
        MaterialisedPeriod.objects.filter(**point).delete()
        result = indicators_materialise(years=[], points=[latest.pk])
    else:
        if mode == "empty":
            with connection.cursor() as cursor:
                for model in (IndicatorValue, MaterialisedPeriod):
                    cursor.execute(f"TRUNCATE {model._meta.db_table}")
        result = indicators_materialise()
    measured = {"seconds": result.seconds, "rows": result.rows}
    if hasattr(result, "written"):  # not in the code before issue 16 (--baseline-src)
        measured["written"] = result.written
        measured["stages"] = {
            "read": result.read_seconds,
            "compute": result.compute_seconds,
            "write": result.write_seconds,
        }
    return measured


FLOOR_READ = {
    "results_grade": "pupil_id, unit_id, term_id, year_group, subject_id, value, grade_type",
    "results_assessment": "pupil_id, unit_id, follow_up_point_id, year_group, subject_id, "
    "scale_id, value",
    "results_nationaltest": "pupil_id, unit_id, term_id, year_group, subject_id, scale, value",
    "results_absence": "pupil_id, unit_id, term_id, ends_on, year_group, scheduled_minutes, "
    "absent_minutes, unexcused_minutes",
}


def child_floor_read(database_url: str) -> dict:
    """The server's side of reading the facts: COPY of the columns the engine reads, as
    text, every byte received and dropped."""
    import psycopg

    rows = 0
    started = time.perf_counter()
    with psycopg.connect(database_url) as db, db.cursor() as cursor:
        for table, columns in FLOOR_READ.items():
            with cursor.copy(f"COPY (SELECT {columns} FROM {table}) TO STDOUT") as copy:
                for chunk in copy:
                    rows += bytes(chunk).count(b"\n")
    return {"seconds": time.perf_counter() - started, "rows": rows}


# The follow-up point db_incremental recomputes: the latest one with assessments.
LATEST_POINT = (
    "SELECT p.id FROM organisation_followuppoint p WHERE EXISTS "
    "(SELECT 1 FROM results_assessment a WHERE a.follow_up_point_id = p.id) "
    "ORDER BY p.assessed_on DESC, p.id DESC LIMIT 1"
)


def latest_point(database_url: str) -> int:
    """db_incremental's point (LATEST_POINT) in the database."""
    import psycopg

    with psycopg.connect(database_url) as db:
        return int(db.execute(LATEST_POINT).fetchone()[0])


def child_floor_point_read(database_url: str) -> dict:
    """The server's side of reading one follow-up point's facts (db_incremental's point):
    COPY of the assessment columns the engine reads, every byte received and dropped."""
    import psycopg

    rows = 0
    with psycopg.connect(database_url) as db, db.cursor() as cursor:
        point = cursor.execute(LATEST_POINT).fetchone()[0]
        started = time.perf_counter()
        query = (
            f"SELECT {FLOOR_READ['results_assessment']} FROM results_assessment "
            f"WHERE follow_up_point_id = {int(point)}"
        )
        with cursor.copy(f"COPY ({query}) TO STDOUT") as copy:
            for chunk in copy:
                rows += bytes(chunk).count(b"\n")
    return {"seconds": time.perf_counter() - started, "rows": rows}


def child_floor_write(database_url: str, point: bool = False) -> dict:
    """COPY of every stored value (with `point`: of db_incremental's point, the values its
    recomputation writes) into a new table without indexes, committed."""
    import io

    import psycopg

    columns = (
        "indicator, family, node_id, period_kind, period_id, breakdown, value, n, numerator, "
        "denominator, suppression, data_version"
    )
    buffer = io.BytesIO()
    with psycopg.connect(database_url, autocommit=True) as db, db.cursor() as cursor:
        where = ""
        if point:
            point_id = int(cursor.execute(LATEST_POINT).fetchone()[0])
            where = (
                f" WHERE period_kind = 'point' AND period_id = {point_id} "
                "AND family = 'assessments'"
            )
        query = f"SELECT {columns} FROM indicators_indicatorvalue{where}"
        with cursor.copy(f"COPY ({query}) TO STDOUT") as c:
            for chunk in c:
                buffer.write(chunk)
        cursor.execute("DROP TABLE IF EXISTS bench_floor_values")
        data = buffer.getvalue()
        rows = data.count(b"\n")
        started = time.perf_counter()
        with db.transaction():
            cursor.execute(
                "CREATE TABLE bench_floor_values "
                "(LIKE indicators_indicatorvalue INCLUDING DEFAULTS INCLUDING IDENTITY)"
            )
            with cursor.copy(f"COPY bench_floor_values ({columns}) FROM STDIN") as copy:
                copy.write(data)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_floor_values")
    return {"seconds": seconds, "rows": rows}


DUCKDB_FACTS = """
    SELECT pupil_id, unit_id, academic_year_id, year_group, subject, grade_type AS kind,
           value IN ('A', 'B', 'C', 'D', 'E') AS passed
    FROM read_parquet('{workdir}/grades_*.parquet')
    UNION ALL
    SELECT pupil_id, unit_id, academic_year_id, year_group, subject,
           'point ' || point_id AS kind, on_track AS passed
    FROM read_parquet('{workdir}/assessments_*.parquet')
"""
# One follow-up point's assessments only (the Parquet facts' latest point).
DUCKDB_POINT_FACTS = """
    SELECT pupil_id, unit_id, academic_year_id, year_group, subject,
           'point ' || point_id AS kind, on_track AS passed
    FROM read_parquet('{workdir}/assessments_*.parquet')
    WHERE point_id = {point}
"""
DUCKDB_JOINS = """
WITH facts AS ({facts}), attributed AS (
    SELECT f.*, e.group_id, coalesce(e.sva, false) AS sva, p.gender, p.parents_education,
           p.born_abroad AND p.parents_born_abroad
               AND year(p.arrival_date) > 2010 AS newly_arrived
    FROM facts f
    LEFT JOIN read_parquet('{workdir}/org_enrolments.parquet') e
        USING (pupil_id, academic_year_id, unit_id)
    LEFT JOIN read_parquet('{workdir}/org_pupils.parquet') p USING (pupil_id)
)
SELECT kind, subject, academic_year_id, unit_id, group_id, gender, sva, parents_education,
       year_group, newly_arrived, count(*) AS n, count(*) FILTER (WHERE passed) AS passed
FROM attributed
GROUP BY GROUPING SETS (
    (kind, subject, academic_year_id, group_id),
    (kind, subject, academic_year_id, unit_id),
    (kind, subject, academic_year_id, unit_id, gender),
    (kind, subject, academic_year_id, unit_id, sva),
    (kind, subject, academic_year_id, unit_id, parents_education),
    (kind, subject, academic_year_id, unit_id, year_group),
    (kind, subject, academic_year_id, unit_id, newly_arrived)
)
"""


def child_floor_joins(workdir: Path, point: int | None = None) -> dict:
    """DuckDB's joins and group-bys of every fact (with `point`: of that follow-up point's
    assessments only)."""
    import duckdb

    facts = (
        DUCKDB_FACTS.format(workdir=workdir)
        if point is None
        else DUCKDB_POINT_FACTS.format(workdir=workdir, point=point)
    )
    connection = duckdb.connect()
    connection.execute("SET threads = 2")
    started = time.perf_counter()
    query = DUCKDB_JOINS.format(facts=facts, workdir=workdir)
    rows = connection.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
    return {"seconds": time.perf_counter() - started, "rows": rows}


def run_child(args: list[str], env: dict | None = None) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
        cwd=ROOT,
    )
    if completed.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# -- setting up -----------------------------------------------------------------------------


def write_parquet(scale: float, workdir: Path) -> dict:
    import polars as pl

    from skolkvalitet.demo import catalogue as cat
    from skolkvalitet.demo.frames import DemoFrames
    from skolkvalitet.demo.generator import generate

    started = time.perf_counter()
    data = generate(scale=scale)
    generated = time.perf_counter() - started
    frames = DemoFrames(data)
    org = frames.organisation()
    for name in ("nodes", "unit_ancestors", "enrolments", "pupils", "years"):
        getattr(org, name).write_parquet(workdir / f"org_{name}.parquet")
    finals, facts_rows = [], 0
    for year in data.years:
        facts = frames.facts(year.index)
        for kind in ("grades", "assessments", "national_tests", "absences", "points"):
            frame = getattr(facts, kind)
            facts_rows += frame.height if kind in ("grades", "assessments") else 0
            frame.write_parquet(workdir / f"{kind}_{year.index}.parquet")
        finals.append(facts.grades.filter(pl.col("grade_type") == "final"))
    pl.concat(finals).write_parquet(workdir / "final_grades.parquet")
    last_year = data.years[-1]
    point = max(
        (p for t in last_year.terms for p in t.points if p.assessed_on <= cat.TODAY),
        key=lambda p: p.assessed_on,
    )
    return {
        "generate_seconds": generated,
        "pupils_per_year": int(org.enrolments.height / len(data.years)),
        "grade_and_assessment_rows": facts_rows,
        "years": len(data.years),
        "last_year": last_year.index,
        "last_point": int(frames.point_ids[point.index]),
    }


def build_database(scale: float, database_url: str) -> dict:
    import psycopg

    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    # The settings module is named here, not only in main(): bench_load.py calls this too.
    env = {"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "skolkvalitet.config.settings"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "skolkvalitet.cli", "migrate", "-v0"],
        env={**os.environ, **env},
        check=True,
        cwd=ROOT,
    )
    code = (
        "import django; django.setup();"
        "from skolkvalitet.demo.builder import demo_build;"
        f"r = demo_build(scale={scale}); print(r.counts)"
    )
    built = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if built.returncode != 0:
        raise SystemExit(f"demo_build failed:\n{built.stderr[-3000:]}")
    return {"build_seconds": time.perf_counter() - started, **analyse_database(database_url)}


def analyse_database(database_url: str) -> dict:
    """The planner's statistics and the visibility map, as after an import (a fresh bulk
    load has neither)."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(database_url, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")
    return {"analyse_seconds": time.perf_counter() - started}


# -- reporting ------------------------------------------------------------------------------


def machine() -> str:
    return (
        f"nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def write_doc(body: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    start = text.find(SECTION)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        # The generated part ends at the next heading: hand-written subsections after it
        # (### Earlier runs …) stay.
        ends = [text.find(h, start + len(SECTION)) for h in ("\n## ", "\n### ")]
        end = min((e for e in ends if e != -1), default=-1)
        text = text[:start] + body + (text[end + 1 :] if end != -1 else "")
    DOC.write_text(text.rstrip("\n") + "\n")


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def summary(runs: list[dict]) -> dict:
    """min / median / max seconds of a measurement's runs; rows and peak RSS of the median run
    (the largest peak RSS of all runs)."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    seconds = [r["seconds"] for r in ordered]
    return {
        **ordered[(len(ordered) - 1) // 2],
        "seconds": statistics.median(seconds),
        "min": seconds[0],
        "max": seconds[-1],
        "peak_mib": max(r["peak_mib"] for r in runs),
        "runs": seconds,
    }


def spread(m: dict, digits: int = 1) -> str:
    if m["min"] == m["max"]:
        return f"{m['seconds']:.{digits}f}"
    return f"{m['min']:.{digits}f} / **{m['seconds']:.{digits}f}** / {m['max']:.{digits}f}"


def stages(m: dict) -> str:
    if "stages" not in m:
        return ""
    s = m["stages"]
    return (
        f"read {s['read']:.1f} s, compute {s['compute']:.1f} s, write {s['write']:.1f} s; "
        f"{m['written']:,} values written"
    )


def report(setup: dict, results: dict, args) -> str:
    full, inc = results["full"], results["incremental"]
    merit, duck = results["merit"], results["duckdb"]
    ratio = merit["seconds"] / duck["seconds"]
    lines = [
        SECTION,
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}, "
        f"{args.repeat} run(s) of each measurement: seconds as min / **median** / max.",
        "",
        "```sh",
        f"uv run python bench/bench_indicators.py --scale {args.scale:g} --repeat {args.repeat}"
        + (" --database-url postgres://…" if args.database_url else ""),
        "```",
        "",
        f"Organiser: the demo generator at scale {args.scale:g}: "
        f"{setup['pupils_per_year']:,} pupils a year, {setup['years']} academic years, "
        f"{setup['grade_and_assessment_rows']:,} grade and assessment rows "
        f"(generated in {setup['generate_seconds']:.0f} s, not part of the goals).",
        "",
        "| measurement | seconds | values | peak RSS MiB | goal |",
        "|---|---:|---:|---:|---|",
        f"| full: every indicator, year, node and breakdown (engine, from Parquet) | "
        f"{spread(full)} | {full['rows']:,} | {full['peak_mib']:.0f} | "
        f"< {GOALS['full']:.0f} s: {verdict(full['seconds'] < GOALS['full'])}; "
        f"< 4 GiB: {verdict(full['peak_mib'] < GOALS['memory_mib'])} |",
        f"| incremental: one new follow-up point | {spread(inc)} | {inc['rows']:,} | "
        f"{inc['peak_mib']:.0f} | < {GOALS['incremental']:.0f} s: "
        f"{verdict(inc['seconds'] < GOALS['incremental'])} |",
        f"| merit_value_17 per unit and year, engine | {spread(merit, 2)} | "
        f"{merit['rows']:,} | {merit['peak_mib']:.0f} | |",
        f"| merit_value_17 per unit and year, DuckDB SQL (baseline) | {spread(duck, 2)} | "
        f"{duck['rows']:,} | {duck['peak_mib']:.0f} | |",
        f"| ratio engine / DuckDB (medians) | {ratio:.2f} | | | ≤ {GOALS['ratio']:.0f}: "
        f"{verdict(ratio <= GOALS['ratio'])} |",
    ]
    notes = []
    if "db_full" in results:
        empty, db_full, db_inc = (
            results["db_full_empty"],
            results["db_full"],
            results["db_incremental"],
        )
        read, joins, write = results["floor_read"], results["floor_joins"], results["floor_write"]
        floor = read["seconds"] + joins["seconds"] + write["seconds"]
        lines += [
            f"| PostgreSQL: `indicators_materialise()`, full, into an empty values table | "
            f"{spread(empty)} | {empty['rows']:,} | {empty['peak_mib']:.0f} | "
            f"< {GOALS['full']:.0f} s: {verdict(empty['seconds'] < GOALS['full'])}; "
            f"≤ {GOALS['floor_ratio']:.0f}× floor: "
            f"{verdict(empty['seconds'] <= GOALS['floor_ratio'] * floor)} |",
            f"| PostgreSQL: `indicators_materialise()`, full, over the stored values | "
            f"{spread(db_full)} | {db_full['rows']:,} | {db_full['peak_mib']:.0f} | "
            f"≤ {GOALS['floor_ratio']:.0f}× floor: "
            f"{verdict(db_full['seconds'] <= GOALS['floor_ratio'] * floor)} |",
            f"| PostgreSQL: one new follow-up point | {spread(db_inc, 2)} | "
            f"{db_inc['rows']:,} | {db_inc['peak_mib']:.0f} | "
            f"≤ {GOALS['point']:.0f} s: {verdict(db_inc['seconds'] <= GOALS['point'])} |",
            f"| floor: the server's COPY of the fact columns, discarded | {spread(read)} | "
            f"{read['rows']:,} rows | {read['peak_mib']:.0f} | |",
            f"| floor: DuckDB joining the facts to enrolments and pupils, summed per unit, "
            f"group and breakdown | {spread(joins)} | {joins['rows']:,} rows | "
            f"{joins['peak_mib']:.0f} | |",
            f"| floor: COPY of the values into a table without indexes | {spread(write)} | "
            f"{write['rows']:,} | {write['peak_mib']:.0f} | |",
            f"| floor: the sum (medians) | {floor:.1f} | | | |",
            f"| ratio full (empty table) / floor | {empty['seconds'] / floor:.2f} | | | "
            f"≤ {GOALS['floor_ratio']:.0f}: "
            f"{verdict(empty['seconds'] <= GOALS['floor_ratio'] * floor)} |",
            f"| ratio full (over stored values) / floor | {db_full['seconds'] / floor:.2f} | | | "
            f"≤ {GOALS['floor_ratio']:.0f}: "
            f"{verdict(db_full['seconds'] <= GOALS['floor_ratio'] * floor)} |",
        ]
        if "floor_point_read" in results:
            p_read, p_joins, p_write = (
                results["floor_point_read"],
                results["floor_point_joins"],
                results["floor_point_write"],
            )
            point_floor = p_read["seconds"] + p_joins["seconds"] + p_write["seconds"]
            lines += [
                f"| floor of one point: the server's COPY of its assessment columns | "
                f"{spread(p_read, 2)} | {p_read['rows']:,} rows | {p_read['peak_mib']:.0f} | |",
                "| floor of one point: DuckDB's joins and group-bys of its assessments"
                + (
                    " (the same point)"
                    if setup.get("db_last_point") == setup["last_point"]
                    else f" (the Parquet facts' point {setup['last_point']}, "
                    f"the database's {setup.get('db_last_point')})"
                )
                + " | "
                f"{spread(p_joins, 2)} | {p_joins['rows']:,} rows | "
                f"{p_joins['peak_mib']:.0f} | |",
                f"| floor of one point: COPY of its values into a table without indexes | "
                f"{spread(p_write, 2)} | {p_write['rows']:,} | {p_write['peak_mib']:.0f} | |",
                f"| floor of one point: the sum (medians) | {point_floor:.2f} | | | |",
                f"| ratio one point / its floor | {db_inc['seconds'] / point_floor:.2f} | | | "
                f"(the goal of {GOALS['point']:.0f} s is "
                f"{GOALS['point'] / point_floor:.2f}× this floor) |",
            ]
        for label, name, full_run in (
            ("before_db_full_empty", "full, into an empty values table", True),
            ("before_db_full", "full, over the stored values", True),
            ("before_db_incremental", "one new follow-up point", False),
        ):
            if label in results:
                m = results[label]
                ratio_text = f"ratio to floor {m['seconds'] / floor:.2f}" if full_run else ""
                lines.append(
                    f"| before (`--baseline-src`): {name} | {spread(m)} | {m['rows']:,} | "
                    f"{m['peak_mib']:.0f} | {ratio_text} |"
                )
        notes = [
            "",
            "Inside the materialisations (the median run, or the faster of the middle two; the "
            "stages overlap in the pipeline, so "
            "they add up to more than the total): "
            f"full into an empty table: {stages(empty)}; "
            f"over the stored values: {stages(db_full)}; "
            f"one follow-up point: {stages(db_inc)}. "
            + (
                f"The database was built with demo_build in {setup['build_seconds']:.0f} s"
                if "build_seconds" in setup
                else "The database was built before the run (`--no-build`)"
            )
            + f" and VACUUM ANALYZEd ({setup['analyse_seconds']:.0f} s) before the runs.",
        ]
    lines += notes
    lines += [
        "",
        "The engine's merit values equal DuckDB's for every unit and year (checked in the run). "
        "Each measurement runs in its own process; peak RSS is that process's maximum (the "
        "largest of the runs). "
        "The engine's merit path is the same code the materialisation runs (per-pupil "
        "measures, then a sum per unit); the full run adds every other indicator, the areas "
        "and the organiser, the breakdowns and suppression.",
        "",
    ]
    return "\n".join(lines)


def run_all(args, kinds: list[tuple], env: dict | None = None) -> dict:
    """Every measurement `args.repeat` times, interleaved; the runs of each. A kind is
    (kind, extra arguments) or (label, kind, extra arguments, environment)."""
    runs: dict[str, list[dict]] = {}
    for repeat in range(args.repeat):
        for entry in kinds:
            label, kind, extra, own_env = (
                entry if len(entry) == 4 else (entry[0], entry[0], entry[1], {})
            )
            result = run_child([kind, *extra], {**(env or {}), **own_env})
            runs.setdefault(label, []).append(result)
            shown = {k: v for k, v in result.items() if k != "values"}
            print(f"[{repeat + 1}/{args.repeat}] {label}", shown, flush=True)
    return runs


def baseline_kinds(args) -> list[tuple]:
    """With --baseline-src: the materialisations again with the code in that directory (a
    `src` exported from an earlier commit, put ahead on PYTHONPATH), interleaved with the
    others: before and after in the same run."""
    if not args.baseline_src:
        return []
    env = {"PYTHONPATH": str(Path(args.baseline_src).resolve())}
    return [
        ("before_db_full_empty", "db_full_empty", [], env),
        ("before_db_full", "db_full", [], env),
        ("before_db_incremental", "db_incremental", [], env),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=13.0)
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-doc", action="store_true", help="print only; leave the doc alone")
    parser.add_argument(
        "--no-build",
        action="store_true",
        help="use the --database-url database as it is (built before at the same --scale); "
        "only ANALYZE it",
    )
    parser.add_argument(
        "--baseline-src",
        help="a src directory of earlier code (git archive); its materialisations are timed "
        "too, interleaved, as the figures before",
    )
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        workdir = Path(rest[0]) if rest else None
        result = {
            "full": lambda: child_full(workdir, int(rest[1])),
            "incremental": lambda: child_incremental(workdir, int(rest[1]), int(rest[2])),
            "merit": lambda: child_merit(workdir),
            "duckdb": lambda: child_duckdb(workdir),
            "db_full_empty": lambda: child_materialise("empty"),
            "db_full": lambda: child_materialise("full"),
            "db_incremental": lambda: child_materialise("incremental"),
            "floor_read": lambda: child_floor_read(os.environ["DATABASE_URL"]),
            "floor_write": lambda: child_floor_write(os.environ["DATABASE_URL"]),
            "floor_joins": lambda: child_floor_joins(workdir),
            "floor_point_read": lambda: child_floor_point_read(os.environ["DATABASE_URL"]),
            "floor_point_joins": lambda: child_floor_joins(workdir, int(rest[1])),
            "floor_point_write": lambda: child_floor_write(os.environ["DATABASE_URL"], True),
        }[kind]()
        result["peak_mib"] = peak_rss_mib()
        print(json.dumps(result))
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skolkvalitet.config.settings")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        print(f"generating scale {args.scale:g} …", flush=True)
        setup = write_parquet(args.scale, workdir)
        runs = run_all(
            args,
            [
                ("duckdb", [str(workdir)]),
                ("merit", [str(workdir)]),
                ("full", [str(workdir), str(setup["years"])]),
                (
                    "incremental",
                    [str(workdir), str(setup["last_year"]), str(setup["last_point"])],
                ),
            ],
        )
        for kind in ("merit", "duckdb"):
            values = [run.pop("values") for run in runs[kind]]
            assert all(v == values[0] for v in values), f"{kind} differs between runs"
            runs[kind][0]["values"] = values[0]
        engine_values = runs["merit"][0].pop("values")
        duck_values = runs["duckdb"][0].pop("values")
        assert len(engine_values) == len(duck_values), "engine and DuckDB disagree on units"
        for (u1, y1, m1), (u2, y2, m2) in zip(engine_values, duck_values, strict=True):
            assert (u1, y1) == (u2, y2) and abs(m1 - m2) < 1e-9, ((u1, y1, m1), (u2, y2, m2))
        if args.database_url:
            if args.no_build:
                setup.update(analyse_database(args.database_url))
            else:
                print("building the organiser in PostgreSQL …", flush=True)
                setup.update(build_database(args.scale, args.database_url))
            setup["db_last_point"] = latest_point(args.database_url)
            # The page cache is warmed after a materialisation (not part of what is timed):
            # not here, where no one reads the pages.
            env = {"DATABASE_URL": args.database_url, "SKOLKVALITET_PAGE_CACHE_WARM_SECONDS": "0"}
            runs |= run_all(
                args,
                [
                    ("floor_read", []),
                    ("floor_joins", [str(workdir)]),
                    ("db_full_empty", []),
                    ("floor_write", []),
                    ("db_full", []),
                    ("db_incremental", []),
                    ("floor_point_read", []),
                    ("floor_point_joins", [str(workdir), str(setup["last_point"])]),
                    ("floor_point_write", []),
                    *baseline_kinds(args),
                ],
                env,
            )
    results = {kind: summary(kind_runs) for kind, kind_runs in runs.items()}
    body = report(setup, results, args)
    if not args.no_doc:
        write_doc(body)
    print(body)


if __name__ == "__main__":
    main()
