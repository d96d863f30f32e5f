"""The child process a job runs in (organisation/job_child.py starts it from the worker with
multiprocessing's "spawn": a fresh interpreter, nothing inherited from the worker but what is
passed here).

Its address space is limited (RLIMIT_AS) before Django, Polars or anything else is imported,
so the limit binds the whole job: a job that needs more ends itself, never the worker. This
module imports only the standard library at the top, for the same reason: it is what the
child imports first. The job itself is a function named by its dotted path (the target),
imported once Django is set up and called with the job's JSON-able arguments.

The child is killed when the worker's thread that started it ends (PR_SET_PDEATHSIG), so a
job never outlives the turns (organisation/job_turns.py, indicators/turns.py) that the
worker holds for it.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import logging
import os
import resource
import signal
import sys
from typing import Any

M_ARENA_MAX = -8  # mallopt's parameter (glibc malloc.h)
PR_SET_PDEATHSIG = 1  # prctl's option (linux/prctl.h)
JOB_THREADS = 2  # Polars' threads in a job's process
# The child's exit code when its job failed transiently (django.db.OperationalError escaped
# the target): sysexits.h's EX_TEMPFAIL. The worker may try the job again.
TRANSIENT_EXIT = 75


def memory_limit_set(limit_bytes: int) -> None:
    """Limit this process's address space to `limit_bytes` (0: no limit), within any hard
    limit the process already has.

    Address space is what RLIMIT_AS bounds, and threads reserve it beyond what they use:
    OpenBLAS a buffer per thread, glibc an arena of 64 MB per thread, Polars a pool of one
    thread per CPU. So that the limit measures the job's data rather than the server's
    number of CPUs, the job runs with few threads and two malloc arenas."""
    os.environ.setdefault("POLARS_MAX_THREADS", str(JOB_THREADS))
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    with contextlib.suppress(OSError):  # not glibc: its own allocator
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, 2)
    if limit_bytes <= 0:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit_bytes = min(limit_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, hard))


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process when the worker that started it ends (Linux; else
    nothing), and end at once if it has ended already."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(1)


def job_child_main(
    target: str,
    arguments: dict[str, Any],
    parent_settings: dict[str, Any],
    memory: int,
    parent_pid: int,
) -> None:
    """Run one job: limit memory, set Django up with the worker's settings
    (`parent_settings`), then call the function `target` (a dotted path) with `arguments`.
    A transient database failure escaping it ends the process with TRANSIENT_EXIT."""
    die_with_parent(parent_pid)
    memory_limit_set(memory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skolkvalitet.config.settings")
    from django.conf import settings

    for name, value in parent_settings.items():
        setattr(settings, name, value)
    import django

    django.setup()
    from django.db import OperationalError, connections

    module, name = target.rsplit(".", 1)
    function = getattr(importlib.import_module(module), name)
    try:
        function(**arguments)
    except OperationalError as error:
        # Its type only: the message of a database error may quote a value.
        logging.getLogger(__name__).error(
            "job %s: database unavailable: %s", target, type(error).__name__
        )
        sys.exit(TRANSIENT_EXIT)
    finally:
        connections.close_all()
