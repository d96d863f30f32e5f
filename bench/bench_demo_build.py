"""Benchmark: generating and building the demo organiser, against a same-run baseline.

    uv run python bench/bench_demo_build.py [--scale 1.0] [--repeat 3] [--database-url URL]

Three measurements, each run --repeat times, interleaved (generate, baseline, build, then
again) so that noise on the shared machine falls on all three alike:

  generate  skolkvalitet.demo.generator.generate(scale=...): pure numpy, no database.
  baseline  the grades and assessments of the generated data written the plainest way into
            plain tables without indexes or constraints: sqlite3 executemany in one
            transaction into a new file, or psycopg COPY into a fresh PostgreSQL database.
  build     demo_build(scale=...) into a fresh, migrated database (generation included).

Every run is a separate process (this script with --run), so each starts from a fresh
interpreter and database and reports its own peak RSS. The medians, rows/s and the ratio
build / baseline are printed and written to the "## Demo build" section of
docs/benchmarks.md (the SQLite or PostgreSQL part of it; the rest of the file is kept).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np

Figures = dict[str, Any]  # one measurement, as the child process prints it

ROOT = Path(__file__).resolve().parent.parent

# Throwaway keys for the benchmark's throwaway databases: the settings read keys from the
# environment (or files that `skolkvalitet keys create` writes); the child processes inherit
# these. Nothing is written.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
os.environ.setdefault("SKOLKVALITET_PSEUDONYM_KEY", secrets.token_urlsafe(48))
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Demo build"
BACKENDS = ("SQLite", "PostgreSQL")
GOAL_SECONDS = 30.0  # "well under a minute": at most half of it

DOC_HEADER = """# Benchmarks

Figures from the scripts in `bench/` (see `bench/README.md`), run on the project's shared
2-core machine. Timings there are noisy, so every benchmark times a plain baseline in the
same run, interleaved with the code under test, and reports the ratio to it: compare ratios
between runs, not seconds. Figures are medians of the repeats; peak RSS is the peak of the
process that made the measurement. Each section is rewritten by its own script.
"""

SECTION_INTRO = """Building the demo organiser (`demo_build`, what `skolkvalitet demo` runs after
`migrate`), measured by `bench/bench_demo_build.py`:

- **generate**: `generate(scale=...)`, the pure-numpy data generation.
- **baseline**: the generated grades and assessments written the plainest way into plain
  tables without indexes or constraints (SQLite: `sqlite3` `executemany` in one transaction
  into a new file; PostgreSQL: psycopg `COPY` into a fresh database). Rows are built as
  Python tuples before the clock starts.
- **demo_build**: `demo_build(scale=...)` into a fresh, migrated database; includes
  generation, every table (on PostgreSQL each fact table's statistics refreshed with
  `ANALYZE` after its load, and a load into an empty table written with its secondary
  indexes built once after it, as every import does: `ingest/writing/bulk_load.py`), the
  users, the commit and whatever the builder does after it (materialising the indicators).
  `migrate` on the empty database is timed apart and not included.

The stage tables split demo_build at the builder's progress messages; a stage runs from its
message to the next. The stage that is running when the builder's transaction ends also
covers the interventions, the six demo users (each password hashed with PBKDF2) and the
commit (on PostgreSQL, where its deferred foreign-key checks run).

Every run is a separate process with a fresh database. Goal (the issue): building the demo
takes "well under a minute" on this 2-core machine, taken here as a median `demo_build` of
at most 30 s."""


# -- the measurements, each in its own process ----------------------------------------------


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def code_fingerprint() -> str:
    """A hash of the project's source, to catch a work tree that changes during a run."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def code_version() -> str:
    """The git commit, and whether src/ differs from it (read-only git commands)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
        ).stdout.strip()

    dirty = " with uncommitted changes in src/" if git("status", "--porcelain", "--", "src") else ""
    return f"git {git('rev-parse', '--short', 'HEAD') or 'unknown'}{dirty}"


def run_generate(scale: float) -> Figures:
    from skolkvalitet.demo.generator import generate

    started = time.perf_counter()
    data = generate(scale=scale)
    seconds = time.perf_counter() - started
    tables = [value for value in vars(data).values() if isinstance(value, dict) and value]
    rows = sum(len(next(iter(table.values()))) for table in tables)
    return {"seconds": seconds, "rows": rows, "peak_rss_mib": peak_rss_mib()}


GRADE_COLUMNS = ("pupil", "unit", "term", "year_group", "subject", "value", "grade_type")
GRADE_COLUMNS += ("language", "batch")
ASSESSMENT_COLUMNS = ("pupil", "unit", "point", "year_group", "subject", "scale", "value")
ASSESSMENT_COLUMNS += ("batch",)
# Column types of the plain tables; integers where the real tables hold foreign keys.
COLUMN_TYPES = {"value": "text", "grade_type": "text", "language": "text"}


def baseline_rows(scale: float) -> dict[str, list[tuple]]:
    """The generated grades and assessments as tuples, one table each, codes of subjects and
    scales replaced by small integers as the real tables hold ids."""
    from skolkvalitet.demo.generator import generate

    data = generate(scale=scale)
    out = {}
    for name, generated, columns in (
        ("grade", data.grades, GRADE_COLUMNS),
        ("assessment", data.assessments, ASSESSMENT_COLUMNS),
    ):
        table = dict(generated, batch=np.ones(len(generated["pupil"]), dtype=int))
        for code_column in ("subject", "scale"):
            if code_column in table:
                table[code_column] = np.unique(table[code_column], return_inverse=True)[1]
        out[name] = list(zip(*(table[c].tolist() for c in columns), strict=True))
    return out


def create_table_sql(name: str, columns: tuple[str, ...]) -> str:
    fields = ", ".join(f"{c} {COLUMN_TYPES.get(c, 'integer')}" for c in columns)
    return f"CREATE TABLE baseline_{name} ({fields})"


def run_baseline_sqlite(scale: float, workdir: Path) -> Figures:
    tables = baseline_rows(scale)
    columns = {"grade": GRADE_COLUMNS, "assessment": ASSESSMENT_COLUMNS}
    started = time.perf_counter()
    connection = sqlite3.connect(workdir / "baseline.sqlite3", isolation_level=None)
    connection.execute("BEGIN")
    for name, rows in tables.items():
        connection.execute(create_table_sql(name, columns[name]))
        placeholders = ", ".join("?" * len(columns[name]))
        connection.executemany(f"INSERT INTO baseline_{name} VALUES ({placeholders})", rows)
    connection.execute("COMMIT")
    connection.close()
    seconds = time.perf_counter() - started
    rows = sum(len(r) for r in tables.values())
    return {"seconds": seconds, "rows": rows, "peak_rss_mib": peak_rss_mib()}


def run_baseline_postgresql(scale: float, database_url: str) -> Figures:
    import psycopg

    tables = baseline_rows(scale)
    columns = {"grade": GRADE_COLUMNS, "assessment": ASSESSMENT_COLUMNS}
    started = time.perf_counter()
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        for name, rows in tables.items():
            cursor.execute(create_table_sql(name, columns[name]))
            with cursor.copy(f"COPY baseline_{name} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        connection.commit()
    seconds = time.perf_counter() - started
    rows = sum(len(r) for r in tables.values())
    return {"seconds": seconds, "rows": rows, "peak_rss_mib": peak_rss_mib()}


def run_build(scale: float) -> Figures:
    """demo_build into the database that DATABASE_URL / SKOLKVALITET_VAR_DIR point at."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skolkvalitet.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from skolkvalitet.demo.builder import demo_build

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = time.perf_counter() - started

    stages: list[tuple[str, float]] = []
    started = time.perf_counter()
    result = demo_build(
        scale=scale, progress=lambda m: stages.append((m, time.perf_counter() - started))
    )
    seconds = time.perf_counter() - started
    assert result.built, "the database was not fresh"
    # Seconds per stage: from one progress message to the next (the last one to the end).
    ends = [at for _message, at in stages[1:]] + [seconds]
    return {
        "seconds": seconds,
        "rows": sum(result.counts.values()),
        "grades_assessments": result.counts["grades"] + result.counts["assessments"],
        "migrate_seconds": migrate_seconds,
        "stages": {m.rstrip(" …"): end - at for (m, at), end in zip(stages, ends, strict=True)},
        "peak_rss_mib": peak_rss_mib(),
    }


# -- the orchestration ----------------------------------------------------------------------


def admin_url(database_url: str) -> tuple[str, str]:
    """(URL of the server's postgres database, name of the benchmark database)."""
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def recreate_database(database_url: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    url, name = admin_url(database_url)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def measure(phase: str, scale: float, database_url: str | None) -> Figures:
    """Run one measurement in a child process, on a fresh database; return its figures."""
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        env = dict(os.environ, SKOLKVALITET_VAR_DIR=tmp)
        env.pop("DATABASE_URL", None)
        command = [sys.executable, __file__, "--run", phase, "--scale", str(scale)]
        command += ["--workdir", tmp]
        if database_url:
            env["DATABASE_URL"] = database_url
            command += ["--database-url", database_url]
            if phase != "generate":
                recreate_database(database_url)
        try:
            output = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
        except subprocess.CalledProcessError as error:
            sys.stderr.write(error.stdout + error.stderr)
            raise
        finally:
            if database_url and phase != "generate":
                recreate_database(database_url, drop_only=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def masked(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def summarise(runs: dict[str, list[dict]]) -> Figures:
    def median(phase: str, key: str = "seconds") -> float:
        return statistics.median(run[key] for run in runs[phase])

    stage_names = list(runs["build"][0]["stages"])
    return {
        "generate": median("generate"),
        "baseline": median("baseline"),
        "build": median("build"),
        "migrate": median("build", "migrate_seconds"),
        "ratio": median("build") / median("baseline"),
        "stages": {
            name: statistics.median(run["stages"][name] for run in runs["build"])
            for name in stage_names
        },
        "rows": {phase: runs[phase][0]["rows"] for phase in runs},
        "peak_rss_mib": {phase: max(r["peak_rss_mib"] for r in runs[phase]) for phase in runs},
        "grades_assessments": runs["build"][0]["grades_assessments"],
    }


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (
        f"nproc {len(os.sched_getaffinity(0))} ({cpu}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, SQLite {sqlite3.sqlite_version}"
    )


def postgres_version(database_url: str) -> str:
    import psycopg

    with psycopg.connect(admin_url(database_url)[0]) as connection:
        return str(connection.execute("SHOW server_version").fetchone()[0])


def backend_section(
    backend: str, args: argparse.Namespace, runs: dict[str, list[dict]], s: dict
) -> str:
    n = s["rows"]
    rss = s["peak_rss_mib"]
    rows = [
        ("generate", s["generate"], n["generate"], rss["generate"], ""),
        ("baseline", s["baseline"], n["baseline"], rss["baseline"], "1.00"),
        ("demo_build", s["build"], n["build"], rss["build"], f"{s['ratio']:.2f}"),
    ]
    command = "uv run python bench/bench_demo_build.py"
    command += f" --scale {args.scale:g} --repeat {args.repeat}"
    if args.database_url:
        command += f" --database-url {masked(args.database_url)}"
    code = f"Code: {code_version()} (source fingerprint {code_fingerprint()})."
    server = f", PostgreSQL {postgres_version(args.database_url)}" if args.database_url else ""
    met = s["build"] <= GOAL_SECONDS
    lines = [
        f"### {backend}",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}{server}.",
        "",
        code,
        "",
        "```sh",
        command,
        "```",
        "",
        "| measurement | median s | rows | rows/s | peak RSS MiB | ratio to baseline |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, seconds, count, peak, ratio in rows:
        lines.append(
            f"| {name} | {seconds:.2f} | {count:,} | {count / seconds:,.0f} | {peak:.0f} "
            f"| {ratio} |"
        )
    lines += [
        "",
        f"Scale {args.scale:g}, {args.repeat} repeats. Of demo_build's rows, "
        f"{s['grades_assessments']:,} are grades and assessments (the baseline's rows). "
        f"`migrate` on the empty database, not included above: {s['migrate']:.2f} s.",
        "",
        "demo_build by stage (median s):",
        "",
        "| stage | s |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {seconds:.2f} |" for name, seconds in s["stages"].items()]
    all_runs = ", ".join(
        f"{phase} " + " / ".join(f"{r['seconds']:.2f}" for r in runs[phase]) for phase in runs
    )
    lines += [
        "",
        f"All runs (s): {all_runs}.",
        "",
        f"**Goal {'met' if met else 'NOT met'}**: demo_build takes {s['build']:.1f} s "
        f"(median), {'within' if met else 'over'} the {GOAL_SECONDS:.0f} s taken as "
        f"'well under a minute'; with `migrate` {s['build'] + s['migrate']:.1f} s.",
        "",
    ]
    return "\n".join(lines)


def split_sections(text: str, marker: str) -> list[str]:
    """Split text into chunks, each starting at a line that begins with `marker` (the first
    chunk is whatever comes before the first such line)."""
    chunks = [""]
    for line in text.splitlines(keepends=True):
        if line.startswith(marker) and not line.startswith(marker + "#"):
            chunks.append("")
        chunks[-1] += line
    return chunks


def update_doc(backend: str, body: str) -> None:
    text = DOC.read_text() if DOC.exists() else DOC_HEADER
    chunks = split_sections(text, "## ")
    index = next((i for i, c in enumerate(chunks) if c.startswith(SECTION + "\n")), None)
    # Keep the other backend's part of our section.
    parts = {}
    if index is not None:
        for chunk in split_sections(chunks[index], "### ")[1:]:
            parts[chunk.splitlines()[0].removeprefix("### ").strip()] = chunk.rstrip() + "\n"
    parts[backend] = body.rstrip() + "\n"
    ordered = [parts[b] for b in BACKENDS if b in parts]
    section = f"{SECTION}\n\n{SECTION_INTRO}\n\n" + "\n".join(ordered) + "\n"
    if index is None:
        chunks.append(section)
        chunks[-2] = chunks[-2].rstrip() + "\n\n"
    else:
        chunks[index] = section
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text("".join(chunks).rstrip() + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--database-url",
        help="PostgreSQL database to create, use and drop for each run "
        "(default: a fresh SQLite file in a temporary directory)",
    )
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--run", choices=("generate", "baseline", "build"), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.run:  # a child process: one measurement, figures as JSON on the last line
        fingerprint = code_fingerprint()
        if args.run == "generate":
            figures = run_generate(args.scale)
        elif args.run == "baseline" and args.database_url:
            figures = run_baseline_postgresql(args.scale, args.database_url)
        elif args.run == "baseline":
            figures = run_baseline_sqlite(args.scale, args.workdir)
        else:
            figures = run_build(args.scale)
        print(json.dumps(figures | {"code": fingerprint}))
        return

    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{backend}, scale {args.scale:g}, {args.repeat} repeats", flush=True)
    fingerprint = code_fingerprint()
    runs: dict[str, list[dict]] = {"generate": [], "baseline": [], "build": []}
    for repeat in range(1, args.repeat + 1):
        for phase in runs:
            figures = measure(phase, args.scale, args.database_url)
            runs[phase].append(figures)
            print(
                f"  {repeat}/{args.repeat} {phase:<8} {figures['seconds']:7.2f} s "
                f"{figures['rows']:>10,} rows  peak RSS {figures['peak_rss_mib']:.0f} MiB",
                flush=True,
            )
    fingerprints = {fingerprint, code_fingerprint()} | {
        run["code"] for phase_runs in runs.values() for run in phase_runs
    }
    if len(fingerprints) > 1:
        sys.exit("The source under src/ changed during the run; figures not written. Rerun.")
    s = summarise(runs)
    body = backend_section(backend, args, runs, s)
    print()
    print(body)
    if not args.no_doc:
        update_doc(backend, body)
        print(f"Wrote {DOC.relative_to(ROOT)} ({SECTION}, {backend}).")


if __name__ == "__main__":
    main()
