"""Benchmark: the result pages under load, 20 concurrent users through gunicorn on loopback.

    uv run python bench/bench_load.py [--database-url URL] [--no-sqlite] [--commit REV]
                                      [--users 20] [--requests 30] [--think 2]
                                      [--workers 3] [--threads 4] [--build-scale 13]
                                      [--repeat 3] [--page-cache file|database|off|redis://…]
                                      [--no-doc]

For each database (the embedded demo database under SKOLKVALITET_VAR_DIR, ./var by default,
unless --no-sqlite; and each --database-url, e.g. the 100 000-pupil organiser that
bench_indicators.py builds in PostgreSQL), the script

1. starts gunicorn (`skolkvalitet.config.wsgi:application`, gthread workers, the settings
   docs/operations.md gives for two cores) on 127.0.0.1 and a free port, with DEBUG off and
   persistent database connections (DATABASE_CONN_MAX_AGE=60);
2. logs in `--users` clients through the login form (CSRF cookie and token), alternately as
   the organiser admin `forvaltning` (real values) and the board member `namnd` (suppressed);
3. warms up (every client requests both pages once), then measures
   - one user: the pages one request at a time (a `forvaltning` and a `namnd` client in turn),
     the latency through the server without queueing;
   - baseline: all clients at once requesting /healthz (a trivial view with one `SELECT 1`, in
     the same server), before and after the pages, pooled;
   - load: all clients at once, each `--requests` requests back to back (no think time),
     alternating the overview (/resultat/) and the unit page (/resultat/enhet/<id>/, the unit
     bench_pages.py uses), each unit page followed at once by its groups fragment
     (/resultat/enhet/<id>/grupper/ with HX-Request), as htmx asks for it;
   - paced load: the same with a think time of about `--think` seconds before each request;
4. stops the server (SIGTERM to its master, SIGKILL to its process group if it lingers).

With `--repeat N` the whole measurement (a fresh server each time) runs N times per database:
the tables show the run of median throughput, and a table of every page's p95 and
throughput gives min / median / max over the runs.

The page cache (dashboards/page_cache.py) is what the server's settings say unless
`--page-cache` names a backend for the server (`file`, `database`, `off` for the uncached
path, or a redis:// URL); the warm-up requests fill it, as the materialisation's warming
would, so the measured requests of a page read it from the cache (`off` measures the
rendering itself).

Each phase is bounded by its request count and by `--max-seconds`. Only loopback addresses
are ever targeted. A request counts as an error unless it answers 200 (a redirect to the login
page is an error). Per page it reports requests, throughput, median, p95, p99 and errors, and
the ratio of each page's median and p95 to the /healthz baseline measured under the same load
in the same run; and where the CPU went during the load phase (the server's processes, this
load generator, the rest of the machine: the database server and other work).

The server runs ./src, or with `--commit REV` the src/ of that commit (exported with `git
archive`), so that edits in progress in the work tree neither break nor blur a run; a run of
./src whose source changes meanwhile writes no figures.

Build the data first: `SKOLKVALITET_VAR_DIR=... uv run skolkvalitet demo --no-serve` for the
demo, and `--build-scale 13 --database-url postgres://…/skolkvalitet_bench13` here (the same
builder as bench_indicators.py; the database is dropped and recreated) for the large organiser.

Figures go to the "## Load" section of docs/benchmarks.md (after "## Result pages").
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import ipaddress
import json
import math
import os
import platform
import random
import re
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent

DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Load"
AFTER_SECTION = "## Result pages"
GOAL_MS = 200.0
PASSWORD = "skolkvalitet-demo"
USERS = ("forvaltning", "namnd")
BASELINE = "healthz"
PAGES = ("overview", "unit")
# What a browser asks for right after a page: htmx loads the unit page's groups list.
FOLLOW_UPS = {"unit": "unit groups"}
REPORTED = (*PAGES, *FOLLOW_UPS.values())
CONN_MAX_AGE = "60"


# -- pure helpers ---------------------------------------------------------------------------


def is_loopback(url: str) -> bool:
    """Whether the URL's host is a loopback address (127.0.0.0/8, ::1) or `localhost`."""
    host = urlsplit(url).hostname
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank q-th percentile (0 < q <= 100) of the values: the smallest value
    with at least q % of the values at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = math.ceil(q / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


@dataclass(frozen=True)
class Sample:
    page: str
    ms: float
    ok: bool
    error: str = ""  # the status code or the exception of a failed request


def summarise(samples: list[Sample], seconds: float) -> dict[str, dict]:
    """Per page: requests (answered or failed), throughput over the phase's wall time,
    median, p95 and p99 of the successful requests' latency, errors."""
    pages: dict[str, dict] = {}
    for page in sorted({s.page for s in samples}):
        mine = [s for s in samples if s.page == page]
        ok = [s.ms for s in mine if s.ok]
        pages[page] = {
            "requests": len(mine),
            "per_second": len(mine) / seconds if seconds > 0 else math.nan,
            "median_ms": statistics.median(ok) if ok else math.nan,
            "p95_ms": percentile(ok, 95),
            "p99_ms": percentile(ok, 99),
            "mean_ms": statistics.fmean(ok) if ok else math.nan,
            "errors": len(mine) - len(ok),
            "error_kinds": dict(Counter(s.error for s in mine if not s.ok)),
        }
    return pages


def spread(values: list[float]) -> tuple[float, float, float]:
    """(min, median, max) of the values (NaN for none)."""
    if not values:
        return (math.nan, math.nan, math.nan)
    return (min(values), statistics.median(values), max(values))


def median_run(runs: list[dict]) -> dict:
    """The run whose pages' total back-to-back throughput is the median (the lower middle
    one for an even number): the run the tables show."""
    ordered = sorted(runs, key=lambda r: sum(r["load"][p]["per_second"] for p in PAGES))
    return ordered[(len(ordered) - 1) // 2]


def plan(client: int, requests: int, pages: tuple[str, ...]) -> list[str]:
    """The pages one client requests in turn. Clients alternate users (forvaltning, namnd);
    every other pair starts with the second page, so that each user requests each page
    about equally often at any moment."""
    start = (client // len(USERS)) % len(pages)
    return [pages[(start + i) % len(pages)] for i in range(requests)]


def csrf_token(html: str) -> str | None:
    """The token of the login form's hidden csrfmiddlewaretoken input."""
    found = re.search(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"\s+name="csrfmiddlewaretoken"', html
    )
    return found.group(1) if found else None


# -- CPU accounting (Linux /proc) -----------------------------------------------------------


def _ticks(pid: int) -> tuple[int, int] | None:
    """(parent pid, user + system ticks) of a process, or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return int(fields[1]), int(fields[11]) + int(fields[12])


def server_cpu_seconds(master: int) -> float:
    """CPU seconds used so far by the server's master and its worker processes."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        found = _ticks(int(entry.name))
        if found and (int(entry.name) == master or found[0] == master):
            total += found[1]
    return total / os.sysconf("SC_CLK_TCK")


def database_cpu_seconds(name: str) -> float:
    """CPU seconds used so far by the PostgreSQL backends connected to database `name` (their
    command line reads `postgres: … user name host(port) state`). With persistent
    connections the server's backends live through a whole phase."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            words = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().split()
        except (FileNotFoundError, ProcessLookupError, UnicodeDecodeError):
            continue
        if words[:1] == ["postgres:"] and name in words[2:5]:
            found = _ticks(int(entry.name))
            total += found[1] if found else 0
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores, /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the database probe (a child process with Django) ---------------------------------------


def probe() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skolkvalitet.config.settings")
    import django
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and not Path(database["NAME"]).exists():
        raise SystemExit(
            f"no database at {database['NAME']}: build the demo first "
            "(uv run skolkvalitet demo --no-serve, with the same SKOLKVALITET_VAR_DIR)"
        )
    django.setup()
    from django.db import connection

    from skolkvalitet.organisation.models import Enrolment, Node, NodeKind
    from skolkvalitet.organisation.selectors import academic_year_current

    year = academic_year_current()
    unit = Node.objects.filter(kind=NodeKind.UNIT, name="Hamnskolan").first()
    if unit is None:
        raise SystemExit("the database holds no demo organiser (no unit Hamnskolan)")
    return {
        "vendor": connection.vendor,
        "name": Path(str(database["NAME"])).name,
        "pupils": Enrolment.objects.filter(academic_year=year).count() if year else 0,
        "unit_id": unit.pk,
        "code": str(Path(settings.BASE_DIR).parent),
    }


def cache_table_create(env: dict) -> None:
    """The page cache's table, for `--page-cache database` (`skolkvalitet createcachetable`)."""
    subprocess.run(
        [sys.executable, "-m", "django", "createcachetable"], env=env, check=True, cwd=ROOT
    )


def run_probe(env: dict) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--probe"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=ROOT,
    )
    if completed.returncode != 0:
        raise SystemExit(f"probe failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# -- the code under test ---------------------------------------------------------------------


def git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
    ).stdout.strip()


def export_source(commit: str, into: Path) -> Path:
    """src/ of a commit, through `git archive` (read-only), so that the server runs that
    commit whatever the work tree holds. Returns the directory to put on PYTHONPATH."""
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "src"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def code_fingerprint(src: Path) -> str:
    """A hash of the source the server runs, to catch a work tree that changes during a run."""
    digest = hashlib.sha256()
    for path in sorted(src.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".html", ".mo"}:
            digest.update(str(path.relative_to(src)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def code_version(commit: str | None) -> str:
    if commit:
        return f"git {git('rev-parse', '--short', commit)}, exported with `git archive`"
    dirty = " with uncommitted changes in src/" if git("status", "--porcelain", "--", "src") else ""
    return f"git {git('rev-parse', '--short', 'HEAD') or 'unknown'}{dirty} (the work tree)"


# -- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# gunicorn's keep-alive, as docs/operations.md sets it: well above the clients' idle expiry
# (1 s), so a request sent on an idle connection never meets the server closing it
# (bench/keepalive_race.py shows the errors when the two are close).
KEEP_ALIVE_SECONDS = 5


def gunicorn_command(port: int, workers: int, threads: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "skolkvalitet.config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--keep-alive",
        str(KEEP_ALIVE_SECONDS),
        "--log-level",
        "warning",
        "--no-control-socket",
    ]


class Server:
    """gunicorn in its own process group, stopped on exit whatever happened."""

    def __init__(self, env: dict, workers: int, threads: int, log: Path):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.command = gunicorn_command(self.port, workers, threads)
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
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
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                answer = httpx.get(f"{self.base_url}/healthz", timeout=5, trust_env=False)
                if answer.status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise SystemExit(f"gunicorn did not come up:\n{self.log.read_text()[-3000:]}")

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


# -- the clients -----------------------------------------------------------------------------


def login(base_url: str, username: str):
    import httpx

    if not is_loopback(base_url):
        raise SystemExit(f"refusing a non-loopback target: {base_url}")
    # Idle connections are dropped after 1 s, well before gunicorn closes them (its keep-alive
    # is KEEP_ALIVE_SECONDS): otherwise a client may send into a connection the server is
    # closing, and the request fails without an answer (bench/keepalive_race.py).
    client = httpx.Client(
        base_url=base_url,
        timeout=30,
        follow_redirects=False,
        limits=httpx.Limits(keepalive_expiry=1.0),
        trust_env=False,  # no proxy from the environment: straight to the loopback address
    )
    form = client.get("/login/")
    token = csrf_token(form.text) or client.cookies.get("csrftoken")
    if form.status_code != 200 or not token:
        raise SystemExit(f"no login form with a CSRF token at {base_url}/login/")
    answer = client.post(
        "/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base_url}/login/"},
    )
    if answer.status_code != 302 or "sessionid" not in client.cookies:
        raise SystemExit(f"login as {username} failed ({answer.status_code})")
    return client


def fetch(client, page: str, path: str, headers: dict | None = None) -> Sample:
    """One request, timed in the client from sending it to the whole response."""
    import httpx

    started = time.perf_counter()
    try:
        status = client.get(path, headers=headers).status_code
        ok, error = status == 200, str(status)
    except httpx.HTTPError as exc:
        ok, error = False, type(exc).__name__
    ms = (time.perf_counter() - started) * 1000
    return Sample(page, ms, ok, "" if ok else error)


def run_phase(
    clients: list,
    paths: dict[str, str],
    pages: tuple[str, ...],
    requests: int,
    max_s: float,
    think: float = 0.0,
) -> tuple[list[Sample], float]:
    """Every client in its own thread, all started together, each requesting its plan of
    pages until done or until max_s seconds have passed: back to back, or with a think time
    drawn uniformly from 0.5–1.5 × `think` seconds before each request (the first from
    0–1 ×, to spread the start). A page with a follow-up (the unit page's groups, which
    htmx loads) is followed at once by that request, as a browser would."""
    samples: list[Sample] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients) + 1)
    deadline = [math.inf]

    def work(index: int, client) -> None:
        mine = []
        pauses = random.Random(index)
        barrier.wait()
        for number, page in enumerate(plan(index, requests, pages)):
            if think:
                time.sleep(think * (pauses.random() if number == 0 else 0.5 + pauses.random()))
            if time.monotonic() > deadline[0]:
                break
            mine.append(fetch(client, page, paths[page]))
            if page in FOLLOW_UPS and mine[-1].ok:
                follow_up = FOLLOW_UPS[page]
                mine.append(fetch(client, follow_up, paths[follow_up], {"HX-Request": "true"}))
        with lock:
            samples.extend(mine)

    threads = [
        threading.Thread(target=work, args=(i, c), daemon=True) for i, c in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + max_s
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join(timeout=max_s + 60)
    return samples, time.perf_counter() - started


def measure(env: dict, info: dict, args, log: Path) -> dict:
    with Server(env, args.workers, args.threads, log) as server:
        paths = {
            BASELINE: "/healthz",
            "overview": "/resultat/",
            "unit": f"/resultat/enhet/{info['unit_id']}/",
            "unit groups": f"/resultat/enhet/{info['unit_id']}/grupper/",
        }
        clients = [login(server.base_url, USERS[i % len(USERS)]) for i in range(args.users)]
        try:
            warm, _ = run_phase(clients, paths, PAGES, len(PAGES), args.max_seconds)
            if not all(s.ok for s in warm):
                raise SystemExit(f"warm-up failed:\n{log.read_text()[-3000:]}")
            single, single_s = [], 0.0
            for client in clients[: len(USERS)]:
                samples, seconds = run_phase([client], paths, PAGES, args.single, args.max_seconds)
                single += samples
                single_s += seconds
            before, before_s = run_phase(
                clients, paths, (BASELINE,), args.requests, args.max_seconds
            )
            database = info["name"] if info["vendor"] == "postgresql" else None

            def cpu_now() -> dict:
                return {
                    "server": server_cpu_seconds(server.process.pid),
                    "database": database_cpu_seconds(database) if database else 0.0,
                    "generator": own_cpu_seconds(),
                    "machine": machine_busy_seconds(),
                }

            cpu = cpu_now()
            load, load_s = run_phase(clients, paths, PAGES, args.requests, args.max_seconds)
            cpu_used = {key: value - cpu[key] for key, value in cpu_now().items()}
            cpu_used["capacity"] = load_s * (os.cpu_count() or 1)
            after, after_s = run_phase(clients, paths, (BASELINE,), args.requests, args.max_seconds)
            paced, paced_s = [], 0.0
            if args.think:
                paced, paced_s = run_phase(
                    clients, paths, PAGES, args.paced, args.max_seconds, think=args.think
                )
            if not all(s.ok for s in single + before + load + after + paced):
                print(f"errors; the server's log ends:\n{log.read_text()[-3000:]}", flush=True)
        finally:
            for client in clients:
                client.close()
    return {
        **info,
        "single": summarise(single, single_s),
        "baseline": summarise(before + after, before_s + after_s)[BASELINE],
        "load": summarise(load, load_s),
        "paced": summarise(paced, paced_s),
        "load_seconds": load_s,
        "cpu": cpu_used,
    }


# -- setting up ------------------------------------------------------------------------------


def build(scale: float, database_url: str) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_indicators import build_database

    print(f"building the organiser at scale {scale:g} into {database_url} …", flush=True)
    print(build_database(scale, database_url), flush=True)


def server_env(database_url: str | None, src: Path | None, page_cache: str | None = None) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "skolkvalitet.config.settings"}
    if page_cache:
        env["SKOLKVALITET_PAGE_CACHE"] = page_cache
    if src is not None:  # ahead of the editable install's path to ./src
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(
        {
            "DATABASE_CONN_MAX_AGE": CONN_MAX_AGE,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DEBUG": "0",
            "SECURE_SSL": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


# -- reporting -------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:,.0f} ms"


def _errors(figures: dict) -> str:
    kinds = ", ".join(f"{n} × {kind}" for kind, n in sorted(figures["error_kinds"].items()))
    return f"{figures['errors']} ({kinds})" if kinds else str(figures["errors"])


def report(
    runs: list[tuple[str, dict]], args, started: dt.datetime, load_avg: float, code: str
) -> str:
    import gunicorn

    var_dir = os.environ.get("SKOLKVALITET_VAR_DIR")
    command = (
        (f"SKOLKVALITET_VAR_DIR={var_dir} " if var_dir and not args.no_sqlite else "")
        + "uv run python bench/bench_load.py"
        + "".join(f" --database-url {url}" for url in args.database_url)
    )
    if args.no_sqlite:
        command += " --no-sqlite"
    if args.commit:
        command += f" --commit {args.commit}"
    if args.page_cache:
        command += f" --page-cache {args.page_cache}"
    for name, default in (
        ("users", 20),
        ("requests", 30),
        ("single", 20),
        ("think", 5.0),
        ("paced", 15),
        ("workers", 3),
        ("threads", 4),
        ("repeat", 1),
    ):
        if getattr(args, name) != default:
            command += f" --{name} {getattr(args, name)}"
    lines = [
        SECTION,
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC on nproc {os.cpu_count()}, Python "
        f"{platform.python_version()}, gunicorn {gunicorn.__version__} (load average "
        f"{load_avg:.1f} when it started; the machine is shared).",
        "",
        f"Code: {code}.",
        "",
        "```sh",
        command,
        "```",
        "",
        f"Server: `gunicorn skolkvalitet.config.wsgi:application --worker-class gthread "
        f"--workers {args.workers} --threads {args.threads}` on 127.0.0.1 "
        f"(DATABASE_CONN_MAX_AGE={CONN_MAX_AGE}, DEBUG off), the production command of "
        "docs/operations.md without the proxy; page cache "
        f"`{args.page_cache or os.environ.get('SKOLKVALITET_PAGE_CACHE') or 'file'}` "
        "(SKOLKVALITET_PAGE_CACHE; the warm-up requests fill it, so that the measured requests "
        "read each page from it unless it is `off`). "
        f"Load: {args.users} users logged in through the login form (alternately "
        "`forvaltning`, real values, and `namnd`, suppressed values), each a thread of this "
        f"script with its own keep-alive httpx client, alternating the overview and the unit "
        f"page (Hamnskolan): *back to back*, {args.requests} requests each with no think "
        f"time, so that {args.users} requests are in flight at every moment"
        + (
            f"; and *paced*, {args.paced} requests each with a think time of {args.think:g} s "
            f"on average (uniform {args.think / 2:g}–{args.think * 1.5:g} s) before each. "
            if args.think
            else ". "
        )
        + f"Baseline: the same {args.users} clients requesting `/healthz` (one `SELECT 1`) "
        "back to back in the same server, before and after the pages, pooled; the ratios "
        "compare the back-to-back pages with it. One user: "
        f"{args.single} requests by a `forvaltning` and then a `namnd` client, one at a time, "
        "through the same server. Latency is measured in the client, from sending the request "
        "to the whole response; percentiles are nearest-rank. Goal of the issue: p95 under "
        f"{GOAL_MS:.0f} ms for both pages at 100 000 pupils.",
        "",
        "| database | pupils (this year) | page | load | requests | req/s | median | p95 "
        "| p99 | errors | median / healthz | p95 / healthz | p95 < 200 ms |",
        "| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    back_to_back = f"{args.users} users, back to back"
    paced = f"{args.users} users, paced"
    for label, run in runs:
        base = run["baseline"]
        rows = [(BASELINE, back_to_back, base)]
        rows += [(page, "1 user", run["single"][page]) for page in REPORTED]
        rows += [(page, back_to_back, run["load"][page]) for page in REPORTED]
        rows += [(page, paced, run["paced"][page]) for page in REPORTED if page in run["paced"]]
        for page, load, f in rows:
            verdict = "met" if f["p95_ms"] < GOAL_MS else "**not met**"
            if page == BASELINE:
                ratios, verdict = "1 | 1", ""
            elif load == back_to_back:
                ratios = (
                    f"{f['median_ms'] / base['median_ms']:.1f} | {f['p95_ms'] / base['p95_ms']:.1f}"
                )
            else:
                ratios = "– | –"
            lines.append(
                f"| {label} | {run['pupils']:,} | {page} | {load} | {f['requests']:,} | "
                f"{f['per_second']:.1f} | {_ms(f['median_ms'])} | {_ms(f['p95_ms'])} | "
                f"{_ms(f['p99_ms'])} | {_errors(f)} | {ratios} | {verdict} |"
            )
    if any(len(run.get("repeats", [])) > 1 for _label, run in runs):
        lines += [
            "",
            "Every run (the table above shows the run of median throughput), min / median / max:",
            "",
            "| database | page | load | runs | p95 min | p95 median | p95 max | req/s min "
            "| req/s median | req/s max |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for label, run in runs:
            repeats = run.get("repeats", [run])
            for phase, load in (("single", "1 user"), ("load", back_to_back)):
                for page in PAGES:
                    p95 = spread([r[phase][page]["p95_ms"] for r in repeats])
                    rate = spread([r[phase][page]["per_second"] for r in repeats])
                    lines.append(
                        f"| {label} | {page} | {load} | {len(repeats)} | "
                        + " | ".join(_ms(v) for v in p95)
                        + " | "
                        + " | ".join(f"{v:.1f}" for v in rate)
                        + " |"
                    )
    lines += [
        "",
        "Where the CPU went during the load phase (core-seconds; capacity is wall time × nproc):",
        "",
        "| database | load phase | capacity | gunicorn | PostgreSQL backends of its database "
        "| load generator | rest of the machine (other work) | idle |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, run in runs:
        cpu = run["cpu"]
        ours = cpu["server"] + cpu["database"] + cpu["generator"]
        rest = max(cpu["machine"] - ours, 0.0)
        idle = max(cpu["capacity"] - cpu["machine"], 0.0)
        database = f"{cpu['database']:.1f}" if run["vendor"] == "postgresql" else "–"
        lines.append(
            f"| {label} | {run['load_seconds']:.1f} s | {cpu['capacity']:.1f} | "
            f"{cpu['server']:.1f} | {database} | {cpu['generator']:.1f} | {rest:.1f} | "
            f"{idle:.1f} |"
        )
    lines += ["", "What the figures mean:", ""]
    for label, run in runs:
        load = run["load"]
        throughput = sum(load[p]["per_second"] for p in PAGES)
        mean = statistics.fmean(load[p]["mean_ms"] for p in PAGES)
        cpu = run["cpu"]

        def p95s(figures: dict) -> str:
            return " and ".join(f"{p} {_ms(figures[p]['p95_ms'])}" for p in PAGES)

        def holds(figures: dict) -> str:
            met = all(figures[p]["p95_ms"] < GOAL_MS for p in PAGES)
            return "**holds**" if met else "**does not hold**"

        text = (
            f"- {label}: one user, p95 {p95s(run['single'])}. Back to back, the server "
            f"answers {throughput:.1f} pages/s with {args.users} requests always in flight, "
            f"so each waits about {args.users} / {throughput:.1f} s = "
            f"{args.users / throughput * 1000:,.0f} ms (Little's law; measured mean "
            f"{mean:,.0f} ms); p95 {p95s(load)}: the 200 ms goal {holds(load)} under this "
            "load."
        )
        if run["paced"]:
            text += f" Paced, p95 {p95s(run['paced'])}: the goal {holds(run['paced'])}."
        text += (
            f" During the back-to-back phase gunicorn used {cpu['server'] / cpu['capacity']:.0%}"
            f" of the machine's CPU, this load generator {cpu['generator'] / cpu['capacity']:.0%}"
        )
        if run["vendor"] == "postgresql":
            text += f", PostgreSQL {cpu['database'] / cpu['capacity']:.0%}"
        text += "."
        lines.append(text)
    lines += [
        "",
        "Back to back, with more clients than cores, the server is saturated: its two cores, "
        "shared with the load generator, the database server and whatever else runs on the "
        "machine, serve the pages at the throughput above, and every request queues behind "
        "the others, so latency is mostly waiting, about the number of users divided by the "
        "throughput; the one-user rows give the time of a request without queueing. That is a "
        "worst case: people read a page for a while before the next click, which the paced "
        "phase imitates (its think time is short for reading a results table, so it still "
        "asks more of the server than 20 real users would). Compare the ratios to /healthz "
        "between runs rather than the milliseconds.",
        "",
    ]
    return "\n".join(lines)


def write_doc(body: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    start = text.find(SECTION + "\n")
    if start == -1:
        after = text.find(AFTER_SECTION)
        end = text.find("\n## ", after + len(AFTER_SECTION)) if after != -1 else -1
        if end == -1:
            text = text.rstrip("\n") + "\n\n" + body
        else:
            text = text[: end + 1] + body.rstrip("\n") + "\n\n" + text[end + 1 :]
    else:
        # The generated part ends at the next heading: a hand-written subsection after it
        # ("### Before and after the page cache") stays.
        ends = [text.find(h, start + len(SECTION)) for h in ("\n## ", "\n### ")]
        end = min((e for e in ends if e != -1), default=-1)
        text = text[:start] + body.rstrip("\n") + "\n" + (text[end:] if end != -1 else "")
    DOC.write_text(text.rstrip("\n") + "\n")


def main() -> None:
    # Throwaway keys for the benchmark's throwaway databases: the settings read keys from the
    # environment (or files that `skolkvalitet keys create` writes); the servers and builders
    # it starts inherit them. Nothing is written. (In main: the tests import this module.)
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("SKOLKVALITET_PSEUDONYM_KEY", secrets.token_urlsafe(48))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", action="append", default=[])
    parser.add_argument("--no-sqlite", action="store_true", help="skip the demo database")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30, help="per user and phase")
    parser.add_argument("--single", type=int, default=20, help="one-user requests per user")
    parser.add_argument(
        "--think", type=float, default=5.0, help="mean think time of the paced phase (0: none)"
    )
    parser.add_argument("--paced", type=int, default=15, help="per user in the paced phase")
    parser.add_argument("--max-seconds", type=float, default=180, help="bound of each phase")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--build-scale", type=float, help="build --database-url first")
    parser.add_argument("--commit", help="serve src/ of this commit (git archive), not ./src")
    parser.add_argument("--repeat", type=int, default=1, help="runs per database (min/median/max)")
    parser.add_argument(
        "--page-cache", help="the server's SKOLKVALITET_PAGE_CACHE: file, database, off, redis://…"
    )
    parser.add_argument("--no-doc", action="store_true", help="print only; leave the docs alone")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(probe()))
        return
    if args.build_scale:
        if len(args.database_url) != 1:
            raise SystemExit("--build-scale needs exactly one --database-url")
        build(args.build_scale, args.database_url[0])
    started = dt.datetime.now(dt.UTC)
    load_avg = os.getloadavg()[0]
    targets = ([] if args.no_sqlite else [None]) + list(args.database_url)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        commit = git("rev-parse", "--verify", f"{args.commit}^{{commit}}") if args.commit else None
        if args.commit and not commit:
            raise SystemExit(f"no commit {args.commit}")
        src = export_source(commit, Path(tmp) / "code") if commit else None
        fingerprint = code_fingerprint(src or ROOT / "src")
        code = f"{code_version(commit)}; source fingerprint {fingerprint}"
        for url in targets:
            env = server_env(url, src, args.page_cache)
            if args.page_cache == "database":
                cache_table_create(env)
            info = run_probe(env)
            if Path(info["code"]) != (src or ROOT / "src").resolve():
                raise SystemExit(f"the server would run the code in {info['code']}")
            label = (
                "SQLite (demo)" if info["vendor"] == "sqlite" else f"PostgreSQL ({info['name']})"
            )
            print(f"{label}: {info['pupils']:,} pupils, unit {info['unit_id']} …", flush=True)
            repeats = []
            for number in range(args.repeat):
                print(f"  run {number + 1} of {args.repeat} …", flush=True)
                repeats.append(measure(env, info, args, Path(tmp) / "gunicorn.log"))
                print(json.dumps(repeats[-1], indent=1), flush=True)
            run = {**median_run(repeats), "repeats": repeats}
            runs.append((label, run))
        changed = code_fingerprint(src or ROOT / "src") != fingerprint
    body = report(runs, args, started, load_avg, code)
    print(body)
    if changed:
        raise SystemExit("the source changed during the run: figures not written (try --commit)")
    if not args.no_doc:
        write_doc(body)


if __name__ == "__main__":
    main()
