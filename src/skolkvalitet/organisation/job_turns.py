"""The organiser's turn: the worker runs one job of an organiser at a time.

Jobs (imports, board documents; skolkvalitet.ingest.tasks, skolkvalitet.quality.documents.tasks)
are queued in the database (django-tasks' database backend) and run by any number of worker
processes (`skolkvalitet db_worker`, docs/operations.md). A job first takes its organiser's
turn; while another worker holds it, the job goes back to the queue to be tried again in
JOB_WAIT_SECONDS and the worker goes on to other organisers' jobs. So the jobs of different
organisers run in parallel, one per worker, and the jobs of one organiser one after another.

PostgreSQL: a session-level advisory lock (pg_try_advisory_lock(class, organiser)) on the
worker's connection, released when the job ends or the worker's session does.
SQLite: an exclusive, non-blocking `flock` on a file beside the database file
(`<database>.organiser-<id>.lock`), released when the job ends or the worker's process does.

A job's transient failure (the database unreachable or locked: OperationalError) is retried
JOB_ATTEMPTS times in all, JOB_RETRY_SECONDS apart; any other outcome is final.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

TURN_LOCK_CLASS = 7_216_016  # the advisory lock's first key (any constant of our own)
JOB_ATTEMPTS = 3  # default of SKOLKVALITET_JOB_ATTEMPTS: tries of a job failing transiently
JOB_RETRY_SECONDS = 10.0  # default of SKOLKVALITET_JOB_RETRY_SECONDS
JOB_WAIT_SECONDS = 2.0  # default of SKOLKVALITET_JOB_WAIT_SECONDS: retry of a busy turn
ALL_ORGANISERS = 0  # the turn of a job that spans every organiser (an operator's import)


def job_attempts() -> int:
    return max(1, int(getattr(settings, "SKOLKVALITET_JOB_ATTEMPTS", JOB_ATTEMPTS)))


def _seconds(name: str, default: float) -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, name, default)))


def retry_at() -> dt.datetime:
    """When a job that failed transiently is tried again."""
    return timezone.now() + _seconds("SKOLKVALITET_JOB_RETRY_SECONDS", JOB_RETRY_SECONDS)


def wait_at() -> dt.datetime:
    """When a job that found its organiser's turn taken is tried again."""
    return timezone.now() + _seconds("SKOLKVALITET_JOB_WAIT_SECONDS", JOB_WAIT_SECONDS)


def turn_lock_path(organiser_id: int) -> Path:
    """SQLite: the file whose lock is the organiser's turn, beside the database file in use
    (in VAR_DIR for a database without a file)."""
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return Path(settings.VAR_DIR) / f"organiser-{organiser_id}.lock"
    return Path(f"{name}.organiser-{organiser_id}.lock")


@contextlib.contextmanager
def organiser_turn(organiser_id: int) -> Iterator[bool]:
    """Take the organiser's turn if it is free, without waiting: yields whether it was taken,
    and holds it inside the block if so."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [TURN_LOCK_CLASS, organiser_id])
            taken = bool(cursor.fetchone()[0])
        try:
            yield taken
        finally:
            if taken:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_unlock(%s, %s)", [TURN_LOCK_CLASS, organiser_id]
                    )
        return
    path = turn_lock_path(organiser_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
        else:
            yield True
    finally:
        os.close(descriptor)  # releases the lock


def enqueue_again(task: Any, *, at: dt.datetime, **kwargs: Any) -> None:
    """Queue `task` (a django-tasks Task) again with `kwargs`, to run no sooner than `at`."""
    task.using(run_after=at).enqueue(**kwargs)
