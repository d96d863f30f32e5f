"""`skolkvalitet sync ss12000 --url URL [--token TOKEN] [--full]`: sync from an SS 12000 server.

The token may also come from the environment (SS12000_TOKEN). Without --full only what
changed since the last successful sync is read. A failure (the server, or problems in its
data) prints what failed and exits with status 1; the database is then unchanged.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError

from skolkvalitet.batches.problems import ImportOutcome, ImportRejected
from skolkvalitet.batches.progress import terminal_progress
from skolkvalitet.ingest.ss12000.client import DEFAULT_TIMEOUT, Ss12000Client, Ss12000Error
from skolkvalitet.ingest.ss12000.sync import ss12000_sync


class Command(BaseCommand):
    help = "Sync organisations, pupils, groups, grades and absence from an SS 12000 server."

    def add_arguments(self, parser):
        parser.add_argument("source", choices=["ss12000"])
        parser.add_argument("--url", required=True, help="the API's base URL, e.g. .../v2.0")
        parser.add_argument("--token", help="bearer token (default: $SS12000_TOKEN)")
        parser.add_argument("--full", action="store_true", help="read everything, not changes")
        parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, url: str, token: str | None, full: bool, timeout: float, **options):
        token = token or os.environ.get("SS12000_TOKEN") or None
        try:
            with (
                Ss12000Client(url, token=token, timeout=timeout) as client,
                terminal_progress(self.stderr._out, enabled=not options["no_progress"]) as progress,
            ):
                outcome = ss12000_sync(client=client, full=full, progress=progress)
        except Ss12000Error as error:
            raise CommandError(f"{error}\nNothing was synced; the database is unchanged.") from None
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{url}: not synced ({len(rejected.problems)} problems); the database is unchanged."
            ) from None
        self._report(url, outcome)

    def _report(self, url: str, outcome: ImportOutcome) -> None:
        if outcome.unchanged:
            self.stdout.write(f"{url}: no changes; nothing written.")
        else:
            assert outcome.batch is not None, "a sync that changed something has its batch"
            self.stdout.write(f"{url}: synced as import {outcome.batch.pk}.")
        for note in outcome.notes:
            self.stdout.write(f"  {note}")
