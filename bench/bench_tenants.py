"""Benchmark: ten organisers of different sizes in one database, materialised in parallel.

    uv run python bench/bench_tenants.py [--scale 0.25] [--tenants 10] [--workers 2]
        [--repeat 3] [--no-doc]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/skolkvalitet_tenants \\
        uv run python bench/bench_tenants.py ...

1. Setup (timed apart, not part of the figures): the demo generator's organiser written
   `--tenants` times with demo.builder.tenant_build, tenant i at `--scale` × SIZES[i] (0.2 …
   2.0) with its own seed, codes and pupils: all of them into one shared database, and each
   into a database of its own (its single-tenant database). SQLite by default (files in a
   temporary directory); with DATABASE_URL (PostgreSQL) databases named after it with
   suffixes (`_shared`, `_t00` …), created from one migrated template and dropped after.
   PostgreSQL databases are ANALYZEd after the build.
2. Measured, each `--repeat` times (interleaved), every materialisation into an empty values
   table (emptied before the clock) in its own process:
   alone     each single-tenant database's full `indicators_materialise()`: what the
             organiser costs on its own;
   full      the shared database's full `indicators_materialise()`, one process;
   parallel  the shared database, `indicators_materialise(organiser=...)` of every organiser
             in `--workers` processes at a time (largest first); wall time and each
             organiser's own seconds.
3. Checked: after the parallel run and after the full run, every organiser's values in the
   shared database against those of its single-tenant database, row by row (nodes and
   periods matched by their codes; value, n, numerator, denominator and marker exactly; rows
   that differ are counted, and among them those that differ beyond float rounding, 1e-12
   relative: a sum of FTEs taken in another order differs in its last bit). The script
   stops with an error if the parallel run differs beyond rounding, or if isolation fails
   (one organiser's values deleted and materialised again must leave every other
   organiser's rows as they were, ids included, and its own as before).

The report gives each organiser's size (units, pupils, fact rows, values), its seconds alone
and in the parallel run, the cost per 1 000 pupils, per million fact rows and per million
values, and the wall times of the full and parallel runs (min / median / max); --json writes
the raw runs. Figures go to the SQLite or PostgreSQL part of
the "## Many organisers in one database" section of docs/benchmarks.md (not with --no-doc).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Many organisers in one database"
SIZES = (0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0)
SEED = 20261123

# Throwaway keys for the throwaway databases, the same in every child (the tenants' pupil
# pseudonyms must agree between the shared and the single-tenant databases).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
os.environ.setdefault("SKOLKVALITET_PSEUDONYM_KEY", secrets.token_urlsafe(48))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skolkvalitet.config.settings")
# The page cache is warmed after a materialisation: not here, where no one reads the pages.
os.environ["SKOLKVALITET_PAGE_CACHE_WARM_SECONDS"] = "0"


# -- the children (each in its own process, DATABASE_URL set) -----------------------------


def _setup() -> None:
    import django

    django.setup()


def _organiser(code: str):
    from skolkvalitet.organisation.models import Node, NodeKind

    return Node.objects.get(kind=NodeKind.ORGANISER, code=code)


def child_build(index: int, scale: float) -> dict:
    from skolkvalitet.demo.builder import Tenant, tenant_build

    started = time.perf_counter()
    counts = tenant_build(Tenant(index=index, seed=SEED + index, scale=scale))
    return {"seconds": time.perf_counter() - started, "counts": counts}


def _empty_values() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM indicators_indicatorvalue")
        cursor.execute("DELETE FROM indicators_materialisedperiod")


def child_materialise(code: str) -> dict:
    """An empty values table (not timed; with a code only that organiser's values are
    deleted), then the materialisation, of every organiser or of the one coded."""
    from skolkvalitet.indicators.materialise import indicators_materialise
    from skolkvalitet.indicators.models import IndicatorValue

    organiser = _organiser(code) if code != "all" else None
    if organiser is None:
        _empty_values()
    started = time.perf_counter()
    result = indicators_materialise(organiser=organiser)
    seconds = time.perf_counter() - started
    if organiser is not None:
        assert (
            result.rows
            == IndicatorValue.objects.filter(node__path__startswith=organiser.path).count()
        )
    return {"seconds": seconds, "rows": result.rows, "written": result.written}


def child_clear() -> dict:
    _empty_values()
    return {"seconds": 0.0}


def _dump(code: str):
    """The organiser's stored values, nodes and periods named by their codes (ids differ
    between databases)."""
    import polars as pl

    from skolkvalitet.indicators.models import IndicatorValue
    from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Node, Term

    organiser = _organiser(code)
    years = dict(AcademicYear.objects.values_list("id", "code"))
    nodes = {
        pk: f"{kind}:{code}:{name}:{years.get(year, '')}"
        for pk, kind, code, name, year in Node.objects.filter(
            path__startswith=organiser.path
        ).values_list("pk", "kind", "code", "name", "academic_year_id")
    }
    paths = dict(Node.objects.filter(pk__in=nodes).values_list("pk", "path"))
    node_key = {
        pk: "/".join(nodes[int(a)] for a in paths[pk].strip("/").split("/")) for pk in nodes
    }
    terms = {
        pk: f"{years[y]}{kind}"
        for pk, y, kind in Term.objects.values_list("id", "academic_year", "kind")
    }
    points = {
        pk: f"{terms[t]}#{ordinal}"
        for pk, t, ordinal in FollowUpPoint.objects.values_list("id", "term", "ordinal")
    }
    period = {"year": years, "term": terms, "point": points}
    rows = [
        (
            indicator,
            family,
            node_key[node],
            f"{kind}:{period[kind][pid]}",
            breakdown,
            value,
            n,
            numerator,
            denominator,
            suppression,
        )
        for (
            indicator,
            family,
            node,
            kind,
            pid,
            breakdown,
            value,
            n,
            numerator,
            denominator,
            suppression,
        ) in (
            IndicatorValue.objects.filter(node_id__in=list(nodes)).values_list(
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
            )
        )
    ]
    schema = {
        "indicator": pl.String,
        "family": pl.String,
        "node": pl.String,
        "period": pl.String,
        "breakdown": pl.String,
        "value": pl.Float64,
        "n": pl.Int64,
        "numerator": pl.Float64,
        "denominator": pl.Float64,
        "suppression": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row").sort(list(schema)[:5])


def child_dump(out: str, *codes: str) -> dict:
    for code in codes:
        _dump(code).write_parquet(Path(out) / f"{code}.parquet")
    return {"seconds": 0.0}


def child_sizes() -> dict:
    from django.db import connection

    from skolkvalitet.organisation.models import Node, NodeKind

    sizes = {}
    for organiser in Node.objects.filter(kind=NodeKind.ORGANISER):
        units = list(
            Node.objects.filter(kind=NodeKind.UNIT, path__startswith=organiser.path).values_list(
                "pk", flat=True
            )
        )
        ids = ", ".join(str(u) for u in units)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(DISTINCT pupil_id), COUNT(*) FROM organisation_enrolment "
                f"WHERE unit_id IN ({ids})"
            )
            pupils, _enrolments = cursor.fetchone()
            facts = 0
            for table in (
                "results_grade",
                "results_assessment",
                "results_nationaltest",
                "results_absence",
            ):
                cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE unit_id IN ({ids})")
                facts += cursor.fetchone()[0]
        sizes[organiser.code] = {"pupils": pupils, "facts": facts, "units": len(units)}
    return {"seconds": 0.0, "sizes": sizes}


def child_isolation(code: str) -> dict:
    """Delete one organiser's values and materialise it again: every other organiser's rows
    stay as they were (ids included), its own come back equal."""
    from skolkvalitet.indicators.materialise import indicators_materialise
    from skolkvalitet.indicators.models import IndicatorValue

    organiser = _organiser(code)
    fields = [f.attname for f in IndicatorValue._meta.concrete_fields]
    mine = IndicatorValue.objects.filter(node__path__startswith=organiser.path)
    others = IndicatorValue.objects.exclude(node__path__startswith=organiser.path)
    before_others = set(others.values_list(*fields))
    before_mine = {row[1:] for row in mine.values_list(*fields)}  # without the id
    mine.delete()
    started = time.perf_counter()
    indicators_materialise(organiser=organiser)
    seconds = time.perf_counter() - started
    after_others = set(others.values_list(*fields))
    after_mine = {row[1:] for row in mine.values_list(*fields)}
    return {
        "seconds": seconds,
        "others_rows": len(before_others),
        "others_unchanged": before_others == after_others,
        "own_equal": before_mine == after_mine,
    }


CHILDREN = {
    "build": lambda a: child_build(int(a[0]), float(a[1])),
    "materialise": lambda a: child_materialise(a[0]),
    "clear": lambda a: child_clear(),
    "dump": lambda a: child_dump(*a),
    "sizes": lambda a: child_sizes(),
    "isolation": lambda a: child_isolation(a[0]),
}


# -- the parent ---------------------------------------------------------------------------


def child_command(kind: str, *args: str) -> list[str]:
    return [sys.executable, __file__, "--child", kind, *args]


def run_child(url: str, kind: str, *args: str) -> dict:
    completed = subprocess.run(
        child_command(kind, *args),
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url},
        check=False,
        cwd=ROOT,
    )
    if completed.returncode != 0:
        raise SystemExit(f"child {kind} {args} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run_parallel(url: str, codes: list[str], workers: int) -> dict:
    """Each organiser's materialisation in its own process, `workers` at a time, in the
    order given (largest first); wall time and each one's result."""
    env = {**os.environ, "DATABASE_URL": url}
    pending, running, done = list(codes), {}, {}
    started = time.perf_counter()
    while pending or running:
        while pending and len(running) < workers:
            code = pending.pop(0)
            running[code] = subprocess.Popen(
                child_command("materialise", code),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                cwd=ROOT,
            )
        for code, process in list(running.items()):
            if process.poll() is None:
                continue
            out, err = process.communicate()
            if process.returncode != 0:
                raise SystemExit(f"materialise {code} failed:\n{err[-3000:]}")
            done[code] = json.loads(out.strip().splitlines()[-1])
            del running[code]
        time.sleep(0.02)
    return {"seconds": time.perf_counter() - started, "organisers": done}


class Databases:
    """The shared database and one per tenant: SQLite files, or PostgreSQL databases."""

    def __init__(self, base_url: str | None, workdir: Path, tenants: int) -> None:
        self.base_url, self.workdir = base_url, workdir
        self.names = ["shared", *(f"t{i:02d}" for i in range(tenants))]

    @property
    def vendor(self) -> str:
        return "PostgreSQL" if self.base_url else "SQLite"

    def url(self, name: str) -> str:
        if self.base_url:
            return f"{self.base_url}_{name}"
        return f"sqlite:///{self.workdir / f'{name}.sqlite3'}"

    def _admin(self):
        import psycopg

        assert self.base_url
        base = self.base_url.rsplit("/", 1)[0]
        return psycopg.connect(f"{base}/postgres", autocommit=True)

    def create(self) -> float:
        """Every database, migrated (from one migrated template)."""
        started = time.perf_counter()
        template = self.url("template")
        if self.base_url:
            with self._admin() as admin:
                for name in [*self.names, "template"]:
                    db = self.url(name).rsplit("/", 1)[1]
                    admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{template.rsplit("/", 1)[1]}"')
        subprocess.run(
            [sys.executable, "-m", "skolkvalitet.cli", "migrate", "-v0"],
            env={**os.environ, "DATABASE_URL": template},
            check=True,
            cwd=ROOT,
        )
        for name in self.names:
            if self.base_url:
                with self._admin() as admin:
                    admin.execute(
                        f'CREATE DATABASE "{self.url(name).rsplit("/", 1)[1]}" '
                        f'TEMPLATE "{template.rsplit("/", 1)[1]}"'
                    )
            else:
                shutil.copy(self.workdir / "template.sqlite3", self.workdir / f"{name}.sqlite3")
        return time.perf_counter() - started

    def analyse(self, name: str) -> None:
        if self.base_url:
            import psycopg

            with psycopg.connect(self.url(name), autocommit=True) as db:
                db.execute("VACUUM ANALYZE")

    def drop(self) -> None:
        if self.base_url:
            with self._admin() as admin:
                for name in [*self.names, "template"]:
                    db = self.url(name).rsplit("/", 1)[1]
                    admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def compare(workdir: Path, left: str, right: str, codes: list[str]) -> dict:
    """Each organiser's values in dumps `left` and `right`, row by row: the rows of one not
    in the other (floats compared exactly)."""
    import polars as pl

    differing = {}
    rows = 0
    for code in codes:
        a = pl.read_parquet(workdir / left / f"{code}.parquet")
        b = pl.read_parquet(workdir / right / f"{code}.parquet")
        rows += a.height
        keys = a.columns
        only_a = a.join(b, on=keys, how="anti", nulls_equal=True).height
        only_b = b.join(a, on=keys, how="anti", nulls_equal=True).height
        if only_a or only_b or a.height != b.height:
            # Beyond float rounding: rows whose keys, n or marker differ, or whose floats
            # differ by more than 1e-12 relative (a sum taken in another order).
            floats = ["value", "numerator", "denominator"]
            exact = [c for c in keys if c not in floats]
            joined = a.join(b, on=exact, how="full", suffix="_b", nulls_equal=True)
            beyond = joined.filter(
                pl.any_horizontal(
                    pl.col(exact[0]).is_null() | pl.col(f"{exact[0]}_b").is_null(),
                    *(
                        ~((pl.col(c) - pl.col(f"{c}_b")).abs() <= 1e-12 * pl.col(c).abs())
                        & ~pl.col(c).eq_missing(pl.col(f"{c}_b"))
                        for c in floats
                    ),
                )
            ).height
            differing[code] = {
                "rows": a.height,
                "other_rows": b.height,
                "only_here": only_a,
                "beyond_rounding": beyond,
            }
    return {"rows": rows, "differing": differing}


def differences(check: dict) -> str:
    if not check["differing"]:
        return "all equal"
    return "**rows differ**: " + ", ".join(
        f"{code} {d['only_here']:,} of {d['rows']:,} "
        f"({d.get('beyond_rounding', '?')} beyond float rounding)"
        for code, d in check["differing"].items()
    )


def spread(values: list[float], digits: int = 1) -> str:
    values = sorted(values)
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.{digits}f}"
    return f"{values[0]:.{digits}f} / **{med:.{digits}f}** / {values[-1]:.{digits}f}"


def report(dbs: Databases, args, setup: dict, runs: dict, checks: dict) -> str:
    sizes = setup["sizes"]
    codes = sorted(sizes)
    pupils = sum(s["pupils"] for s in sizes.values())
    facts = sum(s["facts"] for s in sizes.values())
    lines = [
        f"### {dbs.vendor}",
        "",
        f"Run {dt.date.today().isoformat()}: `{' '.join(setup['command'])}` "
        f"(machine: nproc {os.cpu_count()}, Python {platform.python_version()}; "
        f"{args.repeat} repeats, min / **median** / max seconds). {len(codes)} organisers "
        f"of scales {', '.join(f'{args.scale * s:g}' for s in SIZES[: len(codes)])} × the demo: "
        f"{pupils:,} pupils and {facts:,} fact rows (grades, assessments, national tests, "
        f"absence) in the shared database; built in {setup['build_seconds']:.0f} s "
        "(not measured).",
        "",
        "| organiser | units | pupils | fact rows | values | alone (s) | in parallel (s) | "
        "s per 1 000 pupils | s per M fact rows | s per M values |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for code in codes:
        s = sizes[code]
        alone = [r["seconds"] for r in runs["alone"][code]]
        shared = [r["organisers"][code]["seconds"] for r in runs["parallel"]]
        med = statistics.median(shared)
        rows = runs["alone"][code][0]["rows"]
        lines.append(
            f"| {code} | {s['units']} | {s['pupils']:,} | {s['facts']:,} | {rows:,} | "
            f"{spread(alone, 2)} | {spread(shared, 2)} | {1000 * med / s['pupils']:.3f} | "
            f"{1e6 * med / s['facts']:.2f} | {1e6 * med / rows:.2f} |"
        )
    alone_sum = [sum(runs["alone"][c][i]["seconds"] for c in codes) for i in range(args.repeat)]
    parallel_sum = [sum(r["organisers"][c]["seconds"] for c in codes) for r in runs["parallel"]]
    full = [r["seconds"] for r in runs["full"]]
    wall = [r["seconds"] for r in runs["parallel"]]
    isolated = checks["isolation"]["others_unchanged"]
    per_pupil = 1000 * statistics.median(parallel_sum) / pupils
    per_fact = 1e6 * statistics.median(parallel_sum) / facts
    values = sum(runs["alone"][c][0]["rows"] for c in codes)
    per_value = 1e6 * statistics.median(parallel_sum) / values
    lines += [
        "",
        f"- Every organiser alone, one after another (sum): {spread(alone_sum)} s.",
        f"- The shared database, one full `indicators_materialise()`: {spread(full)} s.",
        f"- The shared database, per organiser in {args.workers} worker processes (largest "
        f"first): wall {spread(wall)} s; the organisers' own seconds add up to "
        f"{spread(parallel_sum)} s: **{per_pupil:.3f} s per 1 000 pupils, {per_fact:.2f} s "
        f"per million fact rows, {per_value:.2f} s per million values** ({values:,} values; "
        "medians), the per-organiser cost docs/scaling.md rests on.",
        f"- Equal to each organiser's single-tenant database, row by row: after the parallel "
        f"run {checks['parallel']['rows']:,} rows, {differences(checks['parallel'])}; after "
        f"the full run of every organiser at once, {differences(checks['full'])}.",
        f"- Isolation: {checks['isolation']['code']}'s values deleted and materialised again "
        f"({checks['isolation']['seconds']:.2f} s): the other organisers' "
        f"{checks['isolation']['others_rows']:,} rows "
        f"{'unchanged, ids included' if isolated else '**changed**'}; "
        f"its own {'equal to before' if checks['isolation']['own_equal'] else '**differ**'}.",
        "",
    ]
    return "\n".join(lines)


def write_doc(body: str, vendor: str) -> None:
    text = DOC.read_text()
    intro = (
        f"{SECTION}\n\nbench/bench_tenants.py (issue 16 item 5): ten organisers of different "
        "sizes in one database, each materialised alone in its own process "
        "(`indicators_materialise(organiser=...)`, `indicators --materialise --organiser "
        "CODE`), checked row by row against its own single-tenant database. Repeat with "
        "`uv run python bench/bench_tenants.py --scale 0.1 --repeat 2` (SQLite) and "
        "`DATABASE_URL=postgres://postgres@127.0.0.1:5432/skolkvalitet_tenants uv run python "
        "bench/bench_tenants.py --scale 0.1 --repeat 2`. docs/scaling.md builds on these "
        "figures.\n\n"
    )
    start = text.find(SECTION)
    if start == -1:
        section = intro
        before, after = text.rstrip("\n") + "\n\n", ""
    else:
        end = text.find("\n## ", start + len(SECTION))
        section = text[start : end + 1 if end != -1 else len(text)]
        before, after = text[:start], text[end + 1 :] if end != -1 else ""
    parts = {}
    for vendor_name in ("SQLite", "PostgreSQL"):
        head = f"### {vendor_name}"
        i = section.find(head)
        if i != -1:
            j = section.find("\n### ", i + len(head))
            parts[vendor_name] = section[i : j + 1 if j != -1 else len(section)].rstrip("\n")
    parts[vendor] = body.rstrip("\n")
    section = intro + "\n\n".join(parts[v] for v in ("SQLite", "PostgreSQL") if v in parts)
    DOC.write_text(before + section.rstrip("\n") + "\n" + ("\n" + after if after else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.25, help="multiplies SIZES")
    parser.add_argument("--tenants", type=int, default=10, choices=range(2, 11))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-doc", action="store_true", help="print only; leave the doc alone")
    parser.add_argument("--json", help="also write the raw runs and checks to this file")
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        _setup()
        print(json.dumps(CHILDREN[kind](rest)))
        return
    command = ["uv run python bench/bench_tenants.py", *sys.argv[1:]]
    base_url = os.environ.get("DATABASE_URL")
    if base_url and not base_url.startswith("postgres"):
        base_url = None
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        dbs = Databases(base_url, workdir, args.tenants)
        try:
            setup = {"command": command, "build_seconds": dbs.create()}
            codes = [f"T{i:02d}" for i in range(args.tenants)]
            started = time.perf_counter()
            for i, code in enumerate(codes):
                scale = args.scale * SIZES[i]
                print(f"building {code} (scale {scale:g}) …", flush=True)
                run_child(dbs.url("shared"), "build", str(i), str(scale))
                run_child(dbs.url(f"t{i:02d}"), "build", str(i), str(scale))
            for name in dbs.names:
                dbs.analyse(name)
            setup["build_seconds"] += time.perf_counter() - started
            setup["sizes"] = run_child(dbs.url("shared"), "sizes")["sizes"]
            largest_first = sorted(codes, key=lambda c: -setup["sizes"][c]["facts"])
            runs: dict = {"alone": {c: [] for c in codes}, "full": [], "parallel": []}
            checks: dict = {}
            for repeat in range(args.repeat):
                for i, code in enumerate(codes):
                    result = run_child(dbs.url(f"t{i:02d}"), "materialise", "all")
                    runs["alone"][code].append(result)
                    print(f"[{repeat + 1}] alone {code}", result, flush=True)
                    if repeat == 0:
                        (workdir / "alone").mkdir(exist_ok=True)
                        run_child(dbs.url(f"t{i:02d}"), "dump", str(workdir / "alone"), code)
                result = run_child(dbs.url("shared"), "materialise", "all")
                runs["full"].append(result)
                print(f"[{repeat + 1}] full", result, flush=True)
                if repeat == 0:
                    (workdir / "full").mkdir()
                    run_child(dbs.url("shared"), "dump", str(workdir / "full"), *codes)
                    checks["full"] = compare(workdir, "full", "alone", codes)
                    print("full run against alone:", checks["full"], flush=True)
                run_child(dbs.url("shared"), "clear")
                result = run_parallel(dbs.url("shared"), largest_first, args.workers)
                runs["parallel"].append(result)
                print(f"[{repeat + 1}] parallel", result, flush=True)
                if repeat == 0:
                    (workdir / "parallel").mkdir()
                    run_child(dbs.url("shared"), "dump", str(workdir / "parallel"), *codes)
                    checks["parallel"] = compare(workdir, "parallel", "alone", codes)
                    print("parallel run against alone:", checks["parallel"], flush=True)
            middle = largest_first[len(codes) // 2]
            checks["isolation"] = {
                "code": middle,
                **run_child(dbs.url("shared"), "isolation", middle),
            }
            print("isolation:", checks["isolation"], flush=True)
        finally:
            dbs.drop()
    if args.json:
        Path(args.json).write_text(json.dumps({"setup": setup, "runs": runs, "checks": checks}))
    body = report(dbs, args, setup, runs, checks)
    print(body)
    failed = (
        any(d["beyond_rounding"] for d in checks["parallel"]["differing"].values())
        or not checks["isolation"]["others_unchanged"]
        or not checks["isolation"]["own_equal"]
    )
    if not args.no_doc:
        write_doc(body, dbs.vendor)
    if failed:
        raise SystemExit("an organiser's values differ from its single-tenant database's")


if __name__ == "__main__":
    main()
