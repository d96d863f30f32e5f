"""The worker in tests: django-tasks' own database worker (the loop `skolkvalitet db_worker`
runs), here in the test process against the test database."""

from __future__ import annotations

import threading

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
