"""Benchmark: server time of the result follow-up pages (overview and unit page).

    uv run python bench/bench_pages.py [--database-url URL] [--requests 60] [--repeat 3]
                                       [--no-doc]

For each database given (the embedded demo database by default, and e.g. the 100 000-pupil
organiser that bench_indicators.py builds in PostgreSQL), the pages are requested in this
process through Django's test client, logged in as the organiser admin (`forvaltning`) and the
board member (`namnd`, whose figures are suppressed), and the server time of each request is
measured: median and p95 over `--requests` requests after a warm-up. The query count of each
page is reported too. The goal (issue 5): p95 under 200 ms for both pages at 100 000 pupils.
With `--repeat N` each database is measured N times, each time in a fresh process, and the
table gives each figure's min / median / max over the runs (the goal is judged on the
median run's p95).

Figures go to the "## Result pages" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Result pages"
GOAL_MS = 200.0
USERS = ("forvaltning", "namnd")


def child(requests: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skolkvalitet.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from skolkvalitet.organisation.models import Enrolment, Node, NodeKind
    from skolkvalitet.organisation.selectors import academic_year_current

    settings.ALLOWED_HOSTS = ["*"]
    year = academic_year_current()
    pupils = Enrolment.objects.filter(academic_year=year).count() if year else 0
    unit = Node.objects.filter(kind=NodeKind.UNIT, name="Hamnskolan").first()
    pages = {
        "overview": ("/resultat/", {}),
        "unit": (f"/resultat/enhet/{unit.pk}/", {}),
        # The unit page's groups, which htmx loads after the page is shown.
        "unit groups fragment": (f"/resultat/enhet/{unit.pk}/grupper/", {"HX-Request": "true"}),
    }
    results = {"vendor": connection.vendor, "pupils": pupils, "pages": {}}
    for username in USERS:
        client = Client()
        client.force_login(_user(username))
        for name, (url, headers) in pages.items():
            for _ in range(3):  # warm-up
                assert client.get(url, headers=headers).status_code == 200
            queries: list[str] = []

            def count(execute, sql, params, many, context, queries=queries):
                queries.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                client.get(url, headers=headers)
            times = []
            for _ in range(requests):
                started = time.perf_counter()
                response = client.get(url, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            times.sort()
            results["pages"][f"{name} ({username})"] = {
                "median_ms": statistics.median(times),
                "p95_ms": times[int(0.95 * (len(times) - 1))],
                "queries": len(queries),
                "bytes": len(response.content),
            }
    return results


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def run_child(database_url: str | None, requests: int) -> dict:
    env = {**os.environ}
    if database_url:
        env["DATABASE_URL"] = database_url
    completed = subprocess.run(
        [sys.executable, __file__, "--child", str(requests)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=ROOT,
    )
    if completed.returncode != 0:
        raise SystemExit(f"child failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _spread(values: list[float]) -> str:
    """min / median / max of one figure over the runs (one value: itself)."""
    if len(values) == 1:
        return f"{values[0]:.0f} ms"
    return " / ".join(f"{v:.0f}" for v in (min(values), statistics.median(values), max(values))) + (
        " ms"
    )


def report(runs: list[tuple[str, list[dict]]], requests: int) -> str:
    repeat = max(len(results) for _label, results in runs)
    lines = [
        SECTION,
        "",
        f"`uv run python bench/bench_pages.py --requests {requests} --repeat {repeat}` "
        f"({dt.date.today()}; nproc {os.cpu_count()}, "
        f"Python {platform.python_version()}). Server time in the Django process (test client, "
        f"no network), {requests} requests per page and user after a warm-up"
        + (
            f", in {repeat} runs (fresh processes) per database: min / median / max over them"
            if repeat > 1
            else ""
        )
        + "; the organiser "
        "admin sees real values, the board member suppressed ones. Goal: p95 under "
        f"{GOAL_MS:.0f} ms for both pages at 100 000 pupils. The unit page's list of groups "
        "is a fragment of its own that htmx loads once the page is shown (Hamnskolan has "
        "some 30 groups in the demo, some 400 at 100 000 pupils); it is measured as a third "
        "request.",
        "",
        "| database | pupils (this year) | page (user) | median | p95 | queries | goal |",
        "| --- | ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for label, results in runs:
        for page in results[0]["pages"]:
            medians = [r["pages"][page]["median_ms"] for r in results]
            p95s = [r["pages"][page]["p95_ms"] for r in results]
            ok = statistics.median(p95s) < GOAL_MS
            lines.append(
                f"| {label} | {results[0]['pupils']:,} | {page} | {_spread(medians)} | "
                f"{_spread(p95s)} | {results[0]['pages'][page]['queries']} | "
                f"{'met' if ok else '**not met**'} |"
            )
    lines += [
        "",
        'Under a load of 20 concurrent users on loopback through gunicorn: the "Load" '
        "section below (`bench/bench_load.py`).",
        "",
    ]
    return "\n".join(lines)


def write_doc(body: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    start = text.find(SECTION)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + body + (text[end + 1 :] if end != -1 else "")
    DOC.write_text(text.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", action="append", default=[])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-doc", action="store_true")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(int(args.child))))
        return
    if args.repeat < 1:
        raise SystemExit("--repeat: at least 1")
    databases = [("SQLite (demo)", None)] + [
        (f"PostgreSQL ({url.rsplit('/', 1)[-1]})", url) for url in args.database_url
    ]
    runs: list[tuple[str, list[dict]]] = [(label, []) for label, _url in databases]
    for _ in range(args.repeat):  # interleaved: each database once per round
        for (_label, url), (_same, results) in zip(databases, runs, strict=True):
            results.append(run_child(url, args.requests))
    body = report(runs, args.requests)
    print(body)
    if not args.no_doc:
        write_doc(body)


if __name__ == "__main__":
    main()
