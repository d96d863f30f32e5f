"""Benchmark: twenty users importing and reading at once through the production server.

    uv run python bench/bench_concurrency.py [--database-url URL] [--scale 0.5]
                                             [--clients 20] [--importers 8] [--pupils 400]
                                             [--max-seconds 600] [--job-workers 2]
                                             [--commit REV] [--repeat 1] [--no-doc]

1. A fresh database (SQLite in a temporary SKOLKVALITET_VAR_DIR, or the PostgreSQL database
   of --database-url, dropped and created: use a name of its own) is migrated and the demo
   organiser built into it at --scale (a child process).
2. One grades file per importer is written (not timed): --pupils new pupils with valid
   personnummer, 16 term grades each (HT of the running academic year), each file at a unit
   of its own (year 9 at a unit with years 7–9, else year 6).
3. gunicorn starts on 127.0.0.1 with the production settings of docs/operations.md (the
   helpers of bench_load.py: gthread, 3 workers × 4 threads, persistent connections, DEBUG
   off), and --job-workers job workers beside it (`skolkvalitet db_worker`, as
   docs/operations.md runs them): the web process only queues each import, a worker runs it in
   a process of its own with limited memory, one import of an organiser at a time.
4. All --clients clients start together, each logged in through the login form:
   - --importers importers as the organiser admin `forvaltning`, through the Import page as a
     browser does: GET /import/ (the form's CSRF token), POST the file (multipart), follow the
     redirect to the job and poll its status fragment every 0.5 s until it ends. The last two
     importers upload the same file at the same moment (two people importing one export), and
     each then imports it once more (the same file again: must change nothing);
   - the others read, alternating the overview (/resultat/) and the unit page of Hamnskolan
     with its groups fragment, back to back, alternately as `forvaltning` and `namnd`, until
     every import has ended.
   Every phase is bounded by --max-seconds; the server is stopped at the end whatever happened.
   With --repeat N all of it runs N times per database, each time on a fresh database, the
   two databases interleaved; the report adds min / median / max over the repeats.
   With --commit REV the server (and the child processes) run src/ of that commit (exported
   with `git archive`, as bench_load.py does), so that edits in the work tree do not blur a run.
5. Checks, in a child process on the database: every file's rows are stored (the grades of
   each imported unit and term equal the file's rows, no more, no fewer), each distinct file
   is one applied batch, every import job ended as done (none failed, rejected or running),
   and the figures are materialised: the running year's figures equal what a fresh
   computation gives afterwards (and the report says whether their data-version stamp is the
   last import's).

It reports per kind of request (upload, job status poll, overview, unit page, groups
fragment) the requests, throughput, median and p95 and the errors (a response other than the
expected 200 or 302, or a transport error), and per import the time from upload to the job's
end. Figures go to the "## Concurrent imports and reads" section of docs/benchmarks.md. Only
loopback addresses are targeted. The script exits non-zero if a check fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_load import (  # noqa: E402  (the bench directory is not a package)
    PASSWORD,
    Sample,
    Server,
    code_version,
    csrf_token,
    export_source,
    is_loopback,
    percentile,
    server_env,
)

STARTUP_SECONDS = 300  # a busy shared machine can take minutes to start three workers


class PatientServer(Server):
    """bench_load's gunicorn, given up to STARTUP_SECONDS to answer /healthz."""

    def __enter__(self) -> PatientServer:
        import httpx

        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                answer = httpx.get(f"{self.base_url}/healthz", timeout=30, trust_env=False)
                if answer.status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        self.__exit__(None, None, None)
        raise SystemExit(f"gunicorn did not come up:\n{self.log.read_text()[-3000:]}")


class JobWorkers:
    """`count` job workers (`skolkvalitet db_worker`) on the server's settings, each in its
    own process group, stopped on exit whatever happened (SIGTERM lets a worker finish its
    job; after WORKER_STOP_SECONDS it is killed)."""

    def __init__(self, env: dict, count: int, log: Path):
        self.env, self.count, self.log = env, count, log
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> JobWorkers:
        with self.log.open("ab") as log:
            for _ in range(self.count):
                self.processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "skolkvalitet.cli", "db_worker", "--no-reload",
                         "--no-startup-delay", "--interval", "0.5", "--verbosity", "1"],
                        env=self.env,
                        cwd=ROOT,
                        stdout=log,
                        stderr=log,
                        start_new_session=True,
                    )
                )  # fmt: skip
        return self

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + WORKER_STOP_SECONDS
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


WORKER_STOP_SECONDS = 30

# Throwaway keys for the benchmark's throwaway databases (the children inherit them).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
os.environ.setdefault("SKOLKVALITET_PSEUDONYM_KEY", secrets.token_urlsafe(48))
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Concurrent imports and reads"
SUBJECTS = ("SV", "EN", "MA", "BI", "FY", "KE", "TK", "GE", "HI", "RE", "SH", "BL", "HKK",
            "IDH", "MU", "SL")  # fmt: skip
GRADES = "AABBCCCDDEEF"
HEADER = "personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"
READ_PAGES = ("overview", "unit")
KINDS = ("import page", "upload", "job status", "overview", "unit", "unit groups")
IMPORTER = "forvaltning"
READERS = ("forvaltning", "namnd")
POLL_SECONDS = 0.5


# -- the database, in child processes ---------------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skolkvalitet.config.settings")
    import django

    django.setup()


def child_build(scale: float) -> dict:
    """Migrate and build the demo organiser; return what the clients need."""
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from skolkvalitet.demo.builder import demo_build
    from skolkvalitet.organisation.models import Node, NodeKind
    from skolkvalitet.organisation.selectors import academic_year_current

    demo_build(scale=scale)
    year = academic_year_current()
    assert year is not None, "the demo has a running academic year"
    units = [
        {"id": pk, "code": code, "name": name, "year_groups": list(years or [])}
        for pk, code, name, years in Node.objects.filter(kind=NodeKind.UNIT)
        .order_by("code")
        .values_list("pk", "code", "name", "year_groups")
    ]
    hamn = next(u for u in units if u["name"] == "Hamnskolan")
    return {"year": year.code, "year_start": year.start_date.year, "units": units, "unit": hamn}


def child_verify(expected: dict[str, int], files: int) -> dict:
    """Compare the database with what the files hold (see the module's docstring)."""
    _django()
    from django.db.models import Count, Max

    from skolkvalitet.batches.models import BatchStatus, ImportBatch
    from skolkvalitet.indicators.materialise import indicators_materialise
    from skolkvalitet.indicators.models import MaterialisedPeriod
    from skolkvalitet.ingest.models import ImportJob
    from skolkvalitet.organisation.selectors import academic_year_current
    from skolkvalitet.results.models import Grade

    year = academic_year_current()
    assert year is not None
    stored = dict(
        Grade.objects.filter(term__academic_year=year, term__kind="HT", grade_type="term")
        .values_list("unit__code")
        .annotate(rows=Count("*"))
        .values_list("unit__code", "rows")
    )
    batches = ImportBatch.objects.filter(kind="grades", status=BatchStatus.APPLIED)
    last_batch = ImportBatch.objects.aggregate(last=Max("pk"))["last"] or 0
    jobs = dict(ImportJob.objects.values_list("status").annotate(n=Count("*")))
    periods = MaterialisedPeriod.objects.filter(period_kind="year", period_id=year.pk)
    versions = dict(periods.values_list("family", "data_version"))
    # The figures as the imports left them must be those a fresh computation gives now.
    left = _year_values(year.pk)
    indicators_materialise(years=[year.pk])
    fresh = _year_values(year.pk)
    return {
        "stored": {code: stored.get(code, 0) for code in expected},
        "rows_lost_or_extra": {
            code: stored.get(code, 0) - rows
            for code, rows in expected.items()
            if stored.get(code, 0) != rows
        },
        "batches": batches.count(),
        "batches_expected": files,
        "jobs": jobs,
        "last_batch": last_batch,
        "materialised_versions": versions,
        "materialised_stamp_current": bool(versions) and min(versions.values()) >= last_batch,
        "figures": len(fresh),
        "figures_differing": len(left ^ fresh),
    }


def _year_values(year_id: int) -> set[tuple]:
    """The year's figures, every column but the data version they were computed at (floats
    to 9 decimals)."""
    from skolkvalitet.indicators.models import IndicatorValue

    rows = IndicatorValue.objects.filter(period_kind="year", period_id=year_id).values_list(
        "indicator", "node_id", "breakdown", "value", "n", "numerator", "denominator", "suppression"
    )
    return {tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows}


def run_child(args: list[str], env: dict) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=ROOT,
    )
    if completed.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def fresh_postgres(database_url: str) -> None:
    import psycopg

    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


# -- the files ---------------------------------------------------------------------------------


def grades_file(unit: dict, year_group: int, year: str, pupils: int, first: int) -> bytes:
    """A grades file: `pupils` new pupils (personnummer numbered from `first`, so that no two
    files share a pupil) with a term grade in each of the 16 subjects."""
    sys.path.insert(0, str(ROOT / "src"))
    from skolkvalitet.organisation.identity import make_personal_number

    rng = random.Random(first)
    born = 2026 - 6 - year_group - 1
    lines = [HEADER]
    for index in range(first, first + pupils):
        birth = dt.date(born, 1, 1) + dt.timedelta(days=index % 365)
        number = make_personal_number(birth, index // 365 % 1000)
        for subject in SUBJECTS:
            grade = rng.choice(GRADES)
            lines.append(
                f"{number};{unit['code']};{year};HT;{year_group};{subject};{grade};terminsbetyg\n"
            )
    return "".join(lines).encode()


def import_units(units: list[dict], count: int) -> list[tuple[dict, int]]:
    """`count` distinct units with the year group each file grades: 9 where taught, else 6."""
    chosen = []
    for unit in units:
        years = unit["year_groups"]
        if 9 in years:
            chosen.append((unit, 9))
        elif 6 in years:
            chosen.append((unit, 6))
    if len(chosen) < count:
        raise SystemExit(f"only {len(chosen)} units teach year 6 or 9; use fewer --importers")
    return chosen[:count]


# -- the clients -------------------------------------------------------------------------------


def login(base_url: str, username: str):
    import httpx

    if not is_loopback(base_url):
        raise SystemExit(f"refusing a non-loopback target: {base_url}")
    client = httpx.Client(
        base_url=base_url,
        timeout=120,
        follow_redirects=False,
        limits=httpx.Limits(keepalive_expiry=1.0),
        trust_env=False,
    )
    form = client.get("/login/")
    token = csrf_token(form.text) or client.cookies.get("csrftoken")
    answer = client.post(
        "/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token or ""},
        headers={"Referer": f"{base_url}/login/"},
    )
    if answer.status_code != 302 or "sessionid" not in client.cookies:
        raise SystemExit(f"login as {username} failed ({answer.status_code})")
    return client


def request(client, kind: str, method: str, path: str, expect: tuple[int, ...], **kw):
    """One request, timed; returns the sample and the response (None on a transport error)."""
    import httpx

    started = time.perf_counter()
    try:
        response = client.request(method, path, **kw)
        ok, error = response.status_code in expect, str(response.status_code)
    except httpx.HTTPError as exc:
        response, ok, error = None, False, type(exc).__name__
    sample = Sample(kind, (time.perf_counter() - started) * 1000, ok, "" if ok else error)
    return sample, response


JOB_PATH = re.compile(r"/import/jobb/(\d+)/$")


def import_once(client, name: str, data: bytes, deadline: float) -> tuple[list[Sample], dict]:
    """Upload a file through the Import page and follow its job to the end."""
    samples: list[Sample] = []
    sample, page = request(client, "import page", "GET", "/import/", (200,))
    samples.append(sample)
    token = csrf_token(page.text) if page is not None else None
    started = time.perf_counter()
    sample, answer = request(
        client,
        "upload",
        "POST",
        "/import/",
        (302,),
        data={"kind": "grades", "csrfmiddlewaretoken": token or ""},
        files={"file": (name, data, "text/csv")},
        headers={"Referer": f"{client.base_url}/import/"},
    )
    samples.append(sample)
    found = JOB_PATH.search(answer.headers.get("location", "")) if answer is not None else None
    if not sample.ok or found is None:
        return samples, {"file": name, "status": f"upload {sample.error or 'no job'}"}
    job = found.group(1)
    status = "running"
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        sample, fragment = request(
            client, "job status", "GET", f"/import/jobb/{job}/status/", (200,)
        )
        samples.append(sample)
        if fragment is None or not sample.ok:
            continue
        if "hx-get" in fragment.text:
            continue
        status = "done" if 'class="message success"' in fragment.text else "not imported"
        break
    seconds = time.perf_counter() - started
    return samples, {"file": name, "job": int(job), "status": status, "seconds": seconds}


def run(base_url: str, info: dict, files: list[tuple[str, bytes]], args) -> dict:
    """All clients at once; see the module's docstring."""
    unit = info["unit"]["id"]
    paths = {
        "overview": "/resultat/",
        "unit": f"/resultat/enhet/{unit}/",
        "unit groups": f"/resultat/enhet/{unit}/grupper/",
    }
    readers = args.clients - args.importers
    importers = [login(base_url, IMPORTER) for _ in range(args.importers)]
    reading = [login(base_url, READERS[i % len(READERS)]) for i in range(readers)]
    samples: list[Sample] = []
    imports: list[dict] = []
    lock = threading.Lock()
    imports_left = [args.importers]
    barrier = threading.Barrier(args.clients + 1)
    deadline = [math.inf]

    def importer(index: int, client) -> None:
        mine, done = [], []
        # The last two importers share one file: at once, then each once more.
        name, data = files[min(index, len(files) - 1)]
        barrier.wait()
        got, outcome = import_once(client, name, data, deadline[0])
        mine += got
        done.append(outcome)
        if index >= len(files) - 1:
            got, outcome = import_once(client, name, data, deadline[0])
            mine += got
            done.append({**outcome, "again": True})
        with lock:
            samples.extend(mine)
            imports.extend(done)
            imports_left[0] -= 1

    def reader(index: int, client) -> None:
        mine = []
        barrier.wait()
        number = index
        while imports_left[0] > 0 and time.monotonic() < deadline[0]:
            page = READ_PAGES[number % len(READ_PAGES)]
            number += 1
            sample, _ = request(client, page, "GET", paths[page], (200,))
            mine.append(sample)
            if page == "unit" and sample.ok:
                sample, _ = request(
                    client,
                    "unit groups",
                    "GET",
                    paths["unit groups"],
                    (200,),
                    headers={"HX-Request": "true"},
                )
                mine.append(sample)
        with lock:
            samples.extend(mine)

    threads = [
        threading.Thread(target=importer, args=(i, c), daemon=True) for i, c in enumerate(importers)
    ] + [threading.Thread(target=reader, args=(i, c), daemon=True) for i, c in enumerate(reading)]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + args.max_seconds
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join(timeout=args.max_seconds + 120)
    seconds = time.perf_counter() - started
    for client in importers + reading:
        client.close()
    return {"samples": samples, "imports": imports, "seconds": seconds}


def summarise(samples: list[Sample], seconds: float) -> dict[str, dict]:
    out = {}
    for kind in KINDS:
        mine = [s for s in samples if s.page == kind]
        ok = [s.ms for s in mine if s.ok]
        errors: dict[str, int] = {}
        for s in mine:
            if not s.ok:
                errors[s.error] = errors.get(s.error, 0) + 1
        out[kind] = {
            "requests": len(mine),
            "per_second": len(mine) / seconds if seconds else math.nan,
            "median_ms": sorted(ok)[len(ok) // 2] if ok else math.nan,
            "p95_ms": percentile(ok, 95),
            "errors": len(mine) - len(ok),
            "error_kinds": errors,
        }
    return out


# -- reporting ---------------------------------------------------------------------------------


def failures(result: dict) -> list[str]:
    """What went wrong, in words; empty if every check passed."""
    found = []
    verify = result["verify"]
    for kind, figures in result["kinds"].items():
        if figures["errors"]:
            found.append(f"{figures['errors']} {kind} requests failed: {figures['error_kinds']}")
    unfinished = [i for i in result["imports"] if i["status"] != "done"]
    if unfinished:
        found.append(f"imports not done: {unfinished}")
    if verify["rows_lost_or_extra"]:
        found.append(f"rows lost (−) or extra (+) per unit: {verify['rows_lost_or_extra']}")
    if verify["batches"] != verify["batches_expected"]:
        found.append(f"{verify['batches']} batches for {verify['batches_expected']} files")
    if set(verify["jobs"]) - {"done"}:
        found.append(f"jobs: {verify['jobs']}")
    if verify["figures_differing"] or not verify["figures"]:
        found.append(
            f"{verify['figures_differing']} of the year's {verify['figures']} figures differ "
            "from a fresh computation"
        )
    return found


def stamp_note(results: dict[str, dict]) -> list[str]:
    """Whether the year's materialised families carry the last import's data version."""
    lines = []
    for name, result in results.items():
        verify = result["verify"]
        if not verify["materialised_stamp_current"]:
            lines.append(
                f"{name}: the running year's materialised families carry data versions "
                f"{verify['materialised_versions']}, the last import is batch "
                f"{verify['last_batch']}: a materialisation that began before the last "
                "import committed ended after the last one that saw it (the figures equal a "
                "fresh computation, see the checks; only the stamp lags)."
            )
    return lines


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:,.0f} ms"


def report(results: dict[str, dict], args) -> str:
    lines = [
        SECTION,
        "",
        f"`uv run python bench/bench_concurrency.py --scale {args.scale:g} --clients "
        f"{args.clients} --importers {args.importers} --pupils {args.pupils}"
        + (" --database-url postgres://…" if args.database_url else "")
        + (f" --commit {args.commit}" if args.commit else "")
        + f" --job-workers {args.job_workers}"
        + f"` ({dt.date.today()}; {args.code}; nproc {os.cpu_count()}, Python "
        f"{platform.python_version()}). "
        f"{args.clients} users at once through gunicorn on loopback (3 gthread workers × 4 "
        f"threads, the production settings, and {args.job_workers} job workers, "
        "`skolkvalitet db_worker`): "
        f"{args.importers} import grades files through the "
        f"Import page ({args.pupils} new pupils × 16 term grades = {args.pupils * 16:,} rows "
        "each, every file at a unit of its own; the last two upload the same file at the same "
        "moment and then each once more), polling their job every 0.5 s until it ends; the "
        f"other {args.clients - args.importers} read the overview and Hamnskolan's unit page "
        "(with its groups fragment) back to back until every import has ended. Checked "
        "afterwards: every file's rows stored (no more, no fewer), one applied batch per "
        "distinct file, every job done, the running year's figures equal to a fresh "
        "computation after the last import. The demo organiser at the given scale is built "
        "fresh first.",
        "",
        "| database | kind | requests | req/s | median | p95 | errors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, result in results.items():
        for kind, f in result["kinds"].items():
            if not f["requests"]:
                continue
            lines.append(
                f"| {name} | {kind} | {f['requests']} | {f['per_second']:.1f} | "
                f"{_ms(f['median_ms'])} | {_ms(f['p95_ms'])} | {f['errors']} |"
            )
    lines += ["", "| database | imports | upload → job ended: median / max | checks |"]
    lines.append("| --- | --- | --- | --- |")
    for name, result in results.items():
        seconds = sorted(i["seconds"] for i in result["imports"] if "seconds" in i)
        problems = result["failures"]
        lines.append(
            f"| {name} | {len(result['imports'])} in {result['seconds']:.0f} s | "
            + (f"{seconds[len(seconds) // 2]:.1f} s / {seconds[-1]:.1f} s" if seconds else "–")
            + " | "
            + ("all passed" if not problems else "**failed**: " + "; ".join(problems))
            + " |"
        )
    if args.repeat > 1:
        lines += ["", *spread_table(results)]
    notes = stamp_note(results)
    if notes:
        lines += ["", *notes]
    lines.append("")
    return "\n".join(lines)


def spread_table(results: dict[str, dict]) -> list[str]:
    """Per database and kind of request, over the repeats: min / median / max of the
    throughput, the median and the p95, and the errors of all repeats together."""
    lines = [
        "Over the repeats (min / median / max):",
        "",
        "| database | kind | req/s | median | p95 | errors |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    databases: dict[str, list[dict]] = {}
    for name, result in results.items():
        databases.setdefault(name.split(" #")[0], []).append(result)
    for database, runs in databases.items():
        for kind in KINDS:
            figures = [r["kinds"][kind] for r in runs if r["kinds"][kind]["requests"]]
            if not figures:
                continue
            rate = _spread([f["per_second"] for f in figures], lambda v: f"{v:.1f}")
            median = _spread([f["median_ms"] for f in figures], _ms)
            p95 = _spread([f["p95_ms"] for f in figures], _ms)
            errors = sum(f["errors"] for f in figures)
            lines.append(f"| {database} | {kind} | {rate} | {median} | {p95} | {errors} |")
    return lines


def _spread(values: list[float], show) -> str:
    """min / median / max of `values`, each as `show` writes it."""
    ordered = sorted(values)
    return f"{show(ordered[0])} / **{show(statistics.median(ordered))}** / {show(ordered[-1])}"


def write_doc(body: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    start = text.find(SECTION)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        end = text.find("\n## ", start + len(SECTION))
        body = body.rstrip("\n") + "\n\n"  # a blank line before the next section
        text = text[:start] + body + (text[end + 1 :] if end != -1 else "")
    DOC.write_text(text.rstrip("\n") + "\n")


def measure(name: str, env: dict, args, workdir: Path) -> dict:
    print(f"{name}: building the demo at scale {args.scale:g} …", flush=True)
    info = run_child(["build", str(args.scale)], env)
    chosen = import_units(info["units"], args.importers - 1)
    files = []
    expected: dict[str, int] = {}
    for number, (unit, year_group) in enumerate(chosen):
        data = grades_file(unit, year_group, info["year"], args.pupils, 100_000 * (number + 1))
        files.append((f"betyg-{unit['code']}.csv", data))
        expected[unit["code"]] = args.pupils * len(SUBJECTS)
    log = workdir / f"gunicorn-{name}.log"
    print(f"{name}: {args.clients} clients, {len(files)} files …", flush=True)
    workers_log = workdir / f"workers-{name}.log"
    with JobWorkers(env, args.job_workers, workers_log), PatientServer(env, 3, 4, log) as server:
        outcome = run(server.base_url, info, files, args)
    verify = run_child(["verify", json.dumps(expected), str(len(files))], env)
    result = {
        "kinds": summarise(outcome["samples"], outcome["seconds"]),
        "imports": outcome["imports"],
        "seconds": outcome["seconds"],
        "verify": verify,
    }
    result["failures"] = failures(result)
    if result["failures"]:
        print(f"{name}: the server's log ends:\n{log.read_text()[-3000:]}", flush=True)
        if workers_log.exists():
            print(f"{name}: the workers' log ends:\n{workers_log.read_text()[-3000:]}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--importers", type=int, default=8)
    parser.add_argument("--pupils", type=int, default=400)
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument("--commit", default="", help="serve src/ of this commit")
    parser.add_argument("--no-doc", action="store_true")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per database, each on a fresh database"
    )
    parser.add_argument("--child", nargs="*")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "build":
            print(json.dumps(child_build(float(rest[0]))))
        else:
            print(json.dumps(child_verify(json.loads(rest[0]), int(rest[1]))))
        return
    if not 3 <= args.importers < args.clients:
        raise SystemExit("--importers: at least 3, and fewer than --clients")
    if args.repeat < 1:
        raise SystemExit("--repeat: at least 1")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        src = export_source(args.commit, workdir / "code") if args.commit else None
        args.code = code_version(args.commit or None)
        # Each repeat from a fresh database, the two databases interleaved.
        for repeat in range(1, args.repeat + 1):
            suffix = "" if args.repeat == 1 else f" #{repeat}"
            if not args.no_sqlite:
                var = workdir / f"var-{repeat}"
                var.mkdir()
                env = server_env(None, src)
                env["SKOLKVALITET_VAR_DIR"] = str(var)
                results["SQLite" + suffix] = measure("SQLite" + suffix, env, args, workdir)
            if args.database_url:
                fresh_postgres(args.database_url)
                env = server_env(args.database_url, src)
                env["SKOLKVALITET_VAR_DIR"] = str(workdir / f"var-pg-{repeat}")
                name = "PostgreSQL" + suffix
                results[name] = measure(name, env, args, workdir)
    body = report(results, args)
    print(body)
    if not args.no_doc:
        write_doc(body)
    if any(r["failures"] for r in results.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
