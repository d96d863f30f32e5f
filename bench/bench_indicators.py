"""Benchmark: the indicator engine on a Stockholm-sized organiser, against DuckDB.

    uv run python bench/bench_indicators.py [--scale 13] [--database-url URL]

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
   database with demo_build and `indicators_materialise()` is timed from the database to the
   indicator table, in full and for one new follow-up point.

Figures go to the "## Indicator engine" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import secrets
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
GOALS = {"full": 60.0, "incremental": 10.0, "ratio": 3.0, "memory_mib": 4096}

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


def child_materialise(points_only: bool) -> dict:
    import django

    django.setup()
    from skolkvalitet.indicators.materialise import indicators_materialise
    from skolkvalitet.organisation.models import FollowUpPoint

    if points_only:
        latest = (
            FollowUpPoint.objects.filter(assessment__isnull=False).order_by("-assessed_on").first()
        )
        result = indicators_materialise(years=[], points=[latest.pk])
    else:
        result = indicators_materialise()
    return {"seconds": result.seconds, "rows": result.rows}


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
    env = {"DATABASE_URL": database_url}
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
    subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    return {"build_seconds": time.perf_counter() - started}


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
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + body + (text[end + 1 :] if end != -1 else "")
    DOC.write_text(text.rstrip("\n") + "\n")


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def report(setup: dict, results: dict, args) -> str:
    full, inc = results["full"], results["incremental"]
    merit, duck = results["merit"], results["duckdb"]
    ratio = merit["seconds"] / duck["seconds"]
    lines = [
        SECTION,
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
        "",
        "```sh",
        f"uv run python bench/bench_indicators.py --scale {args.scale:g}"
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
        f"{full['seconds']:.1f} | {full['rows']:,} | {full['peak_mib']:.0f} | "
        f"< {GOALS['full']:.0f} s: {verdict(full['seconds'] < GOALS['full'])}; "
        f"< 4 GiB: {verdict(full['peak_mib'] < GOALS['memory_mib'])} |",
        f"| incremental: one new follow-up point | {inc['seconds']:.1f} | {inc['rows']:,} | "
        f"{inc['peak_mib']:.0f} | < {GOALS['incremental']:.0f} s: "
        f"{verdict(inc['seconds'] < GOALS['incremental'])} |",
        f"| merit_value_17 per unit and year, engine | {merit['seconds']:.2f} | "
        f"{merit['rows']:,} | {merit['peak_mib']:.0f} | |",
        f"| merit_value_17 per unit and year, DuckDB SQL (baseline) | {duck['seconds']:.2f} | "
        f"{duck['rows']:,} | {duck['peak_mib']:.0f} | |",
        f"| ratio engine / DuckDB | {ratio:.2f} | | | ≤ {GOALS['ratio']:.0f}: "
        f"{verdict(ratio <= GOALS['ratio'])} |",
    ]
    if "db_full" in results:
        db_full, db_inc = results["db_full"], results["db_incremental"]
        lines += [
            f"| PostgreSQL: `indicators_materialise()`, full, database to table | "
            f"{db_full['seconds']:.1f} | {db_full['rows']:,} | {db_full['peak_mib']:.0f} | "
            f"< {GOALS['full']:.0f} s: {verdict(db_full['seconds'] < GOALS['full'])} |",
            f"| PostgreSQL: one new follow-up point | {db_inc['seconds']:.1f} | "
            f"{db_inc['rows']:,} | {db_inc['peak_mib']:.0f} | < {GOALS['incremental']:.0f} s: "
            f"{verdict(db_inc['seconds'] < GOALS['incremental'])} |",
        ]
    lines += [
        "",
        "The engine's merit values equal DuckDB's for every unit and year (checked in the run). "
        "Each measurement runs in its own process; peak RSS is that process's maximum. "
        "The engine's merit path is the same code the materialisation runs (per-pupil "
        "measures, then a sum per unit); the full run adds every other indicator, the areas "
        "and the organiser, the breakdowns and suppression.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=13.0)
    parser.add_argument("--database-url")
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
            "db_full": lambda: child_materialise(False),
            "db_incremental": lambda: child_materialise(True),
        }[kind]()
        result["peak_mib"] = peak_rss_mib()
        print(json.dumps(result))
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skolkvalitet.config.settings")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        print(f"generating scale {args.scale:g} …", flush=True)
        setup = write_parquet(args.scale, workdir)
        results = {}
        for kind, extra in (
            ("duckdb", []),
            ("merit", []),
            ("full", [str(setup["years"])]),
            ("incremental", [str(setup["last_year"]), str(setup["last_point"])]),
        ):
            results[kind] = run_child([kind, str(workdir), *extra])
            print(kind, {k: v for k, v in results[kind].items() if k != "values"}, flush=True)
    engine_values = results["merit"].pop("values")
    duck_values = results["duckdb"].pop("values")
    assert len(engine_values) == len(duck_values), "engine and DuckDB disagree on units"
    for (u1, y1, m1), (u2, y2, m2) in zip(engine_values, duck_values, strict=True):
        assert (u1, y1) == (u2, y2) and abs(m1 - m2) < 1e-9, ((u1, y1, m1), (u2, y2, m2))
    if args.database_url:
        print("building the organiser in PostgreSQL …", flush=True)
        setup.update(build_database(args.scale, args.database_url))
        env = {"DATABASE_URL": args.database_url}
        for kind in ("db_full", "db_incremental"):
            results[kind] = run_child([kind], env)
            print(kind, results[kind], flush=True)
    body = report(setup, results, args)
    write_doc(body)
    print(body)


if __name__ == "__main__":
    main()
