"""`skolkvalitet demo`: build the fictional municipality and serve the app, with a worker
process beside the server (`skolkvalitet db_worker`) that runs the imports and board documents
ordered in the browser; the worker is stopped when the server stops."""

from __future__ import annotations

import logging
import re
import signal
import socket
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.commands.runserver import naiveip_re

from skolkvalitet.config.keys import keys_ensure
from skolkvalitet.dashboards.breakdowns import BASIS_LABELS
from skolkvalitet.demo.builder import DEMO_PASSWORD, demo_build
from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.indicators.selectors import headline_figures
from skolkvalitet.organisation.models import Node, NodeKind
from skolkvalitet.reference.comparison import like_for_like
from skolkvalitet.reference.selectors import comparisons_for_indicator


def _n(number: int) -> str:
    """12 345 as Swedish writes it."""
    return f"{number:,}".replace(",", "\u00a0")


DEFAULT_ADDRPORT = "127.0.0.1:8000"
WORKER_STOP_SECONDS = 10


def worker_start(env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start the worker (`skolkvalitet db_worker`) in a process of its own, on the same
    settings and database (the environment, or `env`)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "skolkvalitet.cli",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.5",
            "--verbosity",
            "0",
        ],
        env=env,
    )


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def worker_stop(worker: subprocess.Popen[bytes]) -> None:
    """Stop the worker: SIGTERM lets it finish the job it runs; a second signal or, after
    WORKER_STOP_SECONDS, a kill ends it."""
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def address_of(addrport: str) -> tuple[str, int]:
    """(host, port) of an --addrport as runserver reads it: "8000", "127.0.0.1:8000",
    "[::1]:8000" or "localhost:8000"; a bare port is on 127.0.0.1."""
    match = re.match(naiveip_re, addrport)
    if match is None or not 0 < int(match["port"]) < 65536:
        raise CommandError(
            f"--addrport {addrport!r} är varken en port eller adress:port "
            f"(till exempel {DEFAULT_ADDRPORT} eller 8001)."
        )
    host = match["addr"] or "127.0.0.1"
    return host.strip("[]"), int(match["port"])


def port_check(addrport: str) -> None:
    """Fail with a clear message, before anything says where to open the app, if the address
    cannot be served: most often another program (an earlier demo) already listens there."""
    host, port = address_of(addrport)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CommandError(f"Adressen {host} finns inte ({exc.strerror}).") from exc
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # As runserver binds: an address that only waits out TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise CommandError(
                f"Porten {port} på {host} används redan (eller får inte användas: "
                f"{exc.strerror}). Avsluta programmet som använder den, eller välj en annan "
                f"port, till exempel: skolkvalitet demo --addrport {host}:{port + 1}"
            ) from exc


class Command(BaseCommand):
    help = (
        "Build (once) the demo organiser Ekbacka kommun in the configured database and serve "
        "the app at http://127.0.0.1:8000."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Only build; do not serve.")
        parser.add_argument(
            "--seed",
            type=int,
            default=20261123,
            help=(
                "Seed of the random generator that invents the demo's pupils and results "
                "(default %(default)s): the same seed gives the same figures. Used only when "
                "the demo is built; a database that holds the demo already is left as it is."
            ),
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=(
                "Share of the demo's pupils to invent (default 1: about 12 000); a smaller "
                "demo builds faster, e.g. 0.05 on a small machine or in a test."
            ),
        )
        parser.add_argument(
            "--addrport",
            default=DEFAULT_ADDRPORT,
            help=(
                "Address and port to serve the app at, as runserver takes them: a port "
                "(8001), address:port (0.0.0.0:8001 to be reached from other machines) or "
                "[::1]:8001 (default %(default)s). A port in use is refused before the build."
            ),
        )

    def _headline(self) -> None:
        """The organiser's year-9 headline figures beside the nation's published figure of the
        same year and the same type of schools (like for like), or a word that there is none."""
        organiser = Node.objects.filter(kind=NodeKind.ORGANISER).first()
        if organiser is None:
            return
        year, values = headline_figures(node=organiser)
        if year is None or not values:
            return
        basis = like_for_like(
            organiser.organiser_type, municipality_code=organiser.municipality_code
        )
        compared = f"riket, {BASIS_LABELS[basis]} {year.code}"
        self.stdout.write(f"\n{organiser.name}, årskurs 9 läsåret {year.code} ({compared}):")
        for v in values:
            spec = REGISTRY[v.indicator]
            unit = " %" if spec.is_percent else ""
            comparison = comparisons_for_indicator(
                indicator_key=v.indicator,
                municipality_code=organiser.municipality_code,
                period=year.code,
                basis=basis,
            ).get("")
            nation = comparison.nation if comparison else None
            national = (
                f"riket {nation.value:.1f}{unit}, {nation.source}"
                if nation and nation.value is not None
                else "rikets värde ej publicerat i referensdata"
            )
            self.stdout.write(f"  {spec.name_sv:<40} {v.value:6.1f}{unit}  (n = {v.n}; {national})")

    def handle(
        self, *args, no_serve: bool, seed: int, scale: float, addrport: str, **options
    ) -> None:
        verbosity = options["verbosity"]
        if not no_serve:
            port_check(addrport)  # before a minute's build, not after it
        for path in keys_ensure():  # the embedded default's keys, on the first run
            self.stdout.write(f"Nyckel skapad: {path}")
        call_command("migrate", interactive=False, verbosity=0)
        started = time.perf_counter()
        # The demo's synthetic reports and dialogues are audit-logged in the database like any
        # other; their log lines would only bury the build's own output.
        audit_log = logging.getLogger("skolkvalitet.audit")
        level = audit_log.level
        audit_log.setLevel(logging.WARNING)
        try:
            result = demo_build(
                seed=seed,
                scale=scale,
                progress=(lambda m: self.stdout.write(m)) if verbosity else None,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            audit_log.setLevel(level)
        if result.built:
            c = result.counts
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo byggd på {time.perf_counter() - started:.1f} s: "
                    f"{_n(sum(c.values()))} rader ({_n(c['pupils'])} elever, "
                    f"{_n(c['grades'])} betyg, {_n(c['assessments'])} bedömningar)."
                )
            )
        else:
            self.stdout.write("Demon finns redan i databasen; inget ändrat.")
        self._headline()
        self.stdout.write(f"\nInloggningar (lösenord för alla: {DEMO_PASSWORD}):")
        for login in result.logins:
            self.stdout.write(
                f"  {login.username:<12} {login.full_name:<20} {login.role} – {login.node_name}"
            )
        if no_serve:
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        port_check(addrport)  # still free after the build?
        host, port = address_of(addrport)
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(f"\nÖppna http://{shown}:{port}/ i webbläsaren. Avsluta med Ctrl-C.\n")
        # Stopped by SIGTERM (a service manager, `kill`) as by Ctrl-C: the server ends by an
        # exception, so the worker is stopped with it instead of being left behind (the
        # handler first: a SIGTERM while the worker starts stops it too).
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        worker = None
        try:
            worker = worker_start()
            call_command("runserver", addrport, use_reloader=False)
        finally:
            signal.signal(signal.SIGTERM, previous)
            if worker is not None:
                worker_stop(worker)
