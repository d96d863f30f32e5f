"""The worker in tests: django-tasks' own database worker (the loop `skolkvalitet db_worker`
runs), in the test process against the test database, or as the demo starts it, a process
of its own (worker_process)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Iterator

from django.conf import settings
from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker


def worker(worker_id: str = "test-worker") -> Worker:
    return Worker(
        queue_names=["default"],
        interval=0.05,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def run_worker(worker_id: str = "test-worker") -> None:
    """Run every job that is ready, one after another, then return (db_worker --batch)."""
    worker(worker_id).run()


def worker_thread(worker_id: str = "test-worker") -> threading.Thread:
    """A worker running the ready jobs in a thread of its own (its own connection)."""

    def run() -> None:
        try:
            run_worker(worker_id)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=f"worker-{worker_id}", daemon=True)
    thread.start()
    return thread


def database_url() -> str:
    """The URL of the database the tests use (the test database), for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


@contextlib.contextmanager
def worker_process() -> Iterator[subprocess.Popen[bytes]]:
    """The demo's worker process (`skolkvalitet db_worker`, demo.worker_start) on the test
    database, the test's var directory and its import settings; stopped at the end."""
    from skolkvalitet.demo.management.commands.demo import worker_start, worker_stop

    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SKOLKVALITET_VAR_DIR": str(settings.VAR_DIR),
        "SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB": str(settings.SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB),
    }
    process = worker_start(env)
    try:
        yield process
    finally:
        worker_stop(process)
