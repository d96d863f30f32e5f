"""Why a keep-alive client must give up idle connections before the server does.

    uv run python bench/keepalive_race.py [--clients 20] [--requests 100] [--no-doc]

HTTP/1.1 lets either side close an idle connection at any moment (RFC 9112 §9.6). gunicorn's
gthread worker closes a kept-alive connection once its keep-alive time has passed since the
last response; a request that reaches the server in the same instant is never read, the
socket is closed with it unread, and the client sees the connection reset (httpx:
`ReadError`) or closed before any answer (`RemoteProtocolError`). A browser retries such an
idempotent request by itself; an HTTP client library, like the benchmarks' httpx clients,
does not.

The script starts gunicorn (gthread, 2 workers × 4 threads, on a free loopback port) serving
a trivial WSGI app defined here (no database: the race is the server's, not the product's),
and lets `--clients` threads each send `--requests` GET requests on one keep-alive httpx
client, sleeping between them. Two scenarios:

- **idle meets keep-alive**: server keep-alive 1 s; the client keeps idle connections 30 s
  and sleeps 1 s ± 10 ms between requests, so requests arrive as the server's timer runs out.
- **client gives up first** (the benchmarks' setting, bench_load.py and bench_concurrency.py):
  server keep-alive 5 s (docs/operations.md), the client drops connections idle for 1 s, and
  sleeps the same 1 s ± 10 ms.

It reports the requests and the failed ones by kind. Figures go to the "## Keep-alive" section
of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import free_port

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Keep-alive"


def app(environ, start_response):
    """The WSGI app gunicorn serves: two bytes, at once."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


SCENARIOS = (
    # name, server keep-alive (s), client idle expiry (s), sleep between requests (s)
    ("idle meets keep-alive", 1, 30.0, 1.0),
    ("client gives up first", 5, 1.0, 1.0),
)


def serve(port: int, keep_alive: int) -> subprocess.Popen:
    import httpx

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "keepalive_race:app",
            "--chdir",
            str(Path(__file__).resolve().parent),
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            "2",
            "--threads",
            "4",
            "--keep-alive",
            str(keep_alive),
            "--log-level",
            "warning",
            "--no-control-socket",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2, trust_env=False)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not come up")


def hammer(base_url: str, clients: int, requests: int, expiry: float, sleep: float) -> dict:
    import httpx

    errors: dict[str, int] = {}
    sent = [0]
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(
            base_url=base_url,
            timeout=30,
            limits=httpx.Limits(keepalive_expiry=expiry),
            trust_env=False,
        ) as http:
            for _ in range(requests):
                time.sleep(sleep + random.uniform(-0.01, 0.01))
                try:
                    http.get("/").raise_for_status()
                    failed = ""
                except httpx.HTTPError as exc:
                    failed = type(exc).__name__
                with lock:
                    sent[0] += 1
                    if failed:
                        errors[failed] = errors.get(failed, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"requests": sent[0], "errors": errors}


def report(rows: list[tuple], args) -> str:
    import platform

    lines = [
        SECTION,
        "",
        f"`uv run python bench/keepalive_race.py --clients {args.clients} --requests "
        f"{args.requests}` ({time.strftime('%Y-%m-%d')}; Python {platform.python_version()}). "
        "gunicorn gthread (2 workers × 4 threads) serving a two-byte WSGI app; each client a "
        "thread with one keep-alive httpx client, sleeping 1 s ± 10 ms before each request.",
        "",
        "| scenario | server keep-alive | client drops idle after | requests | failed |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, keep_alive, expiry, _sleep, outcome in rows:
        failed = sum(outcome["errors"].values())
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(outcome["errors"].items()))
        lines.append(
            f"| {name} | {keep_alive} s | {expiry:g} s | {outcome['requests']} | "
            f"{failed}{f' ({kinds})' if kinds else ''} |"
        )
    lines.append("")
    return "\n".join(lines) + "\n"


def write_doc(body: str) -> None:
    text = DOC.read_text()
    start = text.find(SECTION + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + body + ("\n" + text[end + 1 :] if end != -1 else "")
    DOC.write_text(text.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    rows = []
    for name, keep_alive, expiry, sleep in SCENARIOS:
        port = free_port()
        server = serve(port, keep_alive)
        try:
            outcome = hammer(f"http://127.0.0.1:{port}", args.clients, args.requests, expiry, sleep)
        finally:
            server.terminate()
            server.wait(timeout=30)
        print(f"{name}: {outcome}", flush=True)
        rows.append((name, keep_alive, expiry, sleep, outcome))
    body = report(rows, args)
    print(body)
    if not args.no_doc:
        write_doc(body)


if __name__ == "__main__":
    main()
