"""The process an import from the web UI runs in (the worker starts it, ingest/jobs.py
import_job_process, with multiprocessing's "spawn": a fresh interpreter, nothing inherited
from the worker but what is passed here).

Its address space is limited (RLIMIT_AS, SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB) before Django,
Polars or anything else is imported, so the limit binds the whole import: a file that needs
more ends the import, never the worker. This module imports only the standard library at
the top, for the same reason.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
from typing import Any

M_ARENA_MAX = -8  # mallopt's parameter (glibc malloc.h)


IMPORT_THREADS = 2  # Polars' and OpenBLAS's threads in the import process


def memory_limit_set(limit_bytes: int) -> None:
    """Limit this process's address space to `limit_bytes` (0: no limit), within any hard
    limit the process already has.

    Address space is what RLIMIT_AS bounds, and threads reserve it beyond what they use:
    OpenBLAS a buffer per thread, glibc an arena of 64 MB per thread, Polars a pool of one
    thread per CPU. So that the limit measures the import's data rather than the server's
    number of CPUs, the import runs with few threads and two malloc arenas."""
    os.environ.setdefault("POLARS_MAX_THREADS", str(IMPORT_THREADS))
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    with contextlib.suppress(OSError):  # not glibc: its own allocator
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, 2)
    if limit_bytes <= 0:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit_bytes = min(limit_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, hard))


def import_child_main(
    job_id: int,
    unit_paths: list[str] | None,
    parent_settings: dict[str, Any],
    memory: int,
    retry: bool = False,
) -> None:
    """Run one import job: limit memory, set Django up with the worker's database and import
    settings (`parent_settings`), then import (ingest.jobs.import_job_run; `retry`: a
    transient failure leaves the job queued for another try)."""
    memory_limit_set(memory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skolkvalitet.config.settings")
    from django.conf import settings

    for name, value in parent_settings.items():
        setattr(settings, name, value)
    import django

    django.setup()
    from django.db import connection

    from skolkvalitet.ingest.jobs import import_job_run
    from skolkvalitet.ingest.models import ImportJob

    try:
        import_job_run(ImportJob.objects.get(pk=job_id), unit_paths=unit_paths, retry=retry)
    finally:
        connection.close()
