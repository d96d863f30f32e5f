"""A job's own process: the worker (`skolkvalitet db_worker`) runs a heavy job (an import, a
board document, the recomputation after a rollback) in a child process whose memory is
limited, and waits for it.

The child is started with multiprocessing's "spawn" (a fresh interpreter; its entry point is
organisation/job_child_main.py, which imports only the standard library before it limits the
address space). It is given the worker's settings (the very database the worker uses, the
pseudonym key, the var directory, every SKOLKVALITET_* setting) and runs one function, named
by its dotted path, with JSON-able arguments. The worker watches it: it kills the child when
its resident memory passes SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB (every job's limit, the
import's among them), and the child's address space is capped ADDRESS_SPACE_HEADROOM above
that (RLIMIT_AS) as a backstop, but for a board document, whose charts' renderer reserves
far more address space than it uses. How the child ended (`ChildEnd`) is for the job to
judge.

Turns (organisation/job_turns.py, indicators/turns.py) are held by the worker around
`job_child_run`, which returns only when the child has ended; the child dies with the worker
(job_child_main.die_with_parent), so no child runs without the turns it was started in.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection

from skolkvalitet.organisation.job_child_main import TRANSIENT_EXIT, job_child_main

logger = logging.getLogger(__name__)
MEMORY_LIMIT_MB = 4096  # default of SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB; 0 = no limit
# The child's address space (RLIMIT_AS) is the limit plus this: address space reserved but
# unused (thread stacks, allocator arenas) does not count against a job, and allocation
# failures inside Polars' threads can hang a process instead of ending it, so the watcher's
# kill on resident memory comes first and RLIMIT_AS is the backstop.
ADDRESS_SPACE_HEADROOM = 1024 * 2**20
WATCH_SECONDS = 0.25


@dataclass(frozen=True)
class ChildEnd:
    """How a job's process ended: `started` False if it never started (`error` says why);
    else its `pid`, its `exitcode` (negative: the signal that killed it) and whether the
    watcher killed it for its memory."""

    started: bool
    pid: int | None = None
    exitcode: int | None = None
    out_of_memory: bool = False
    error: str = ""

    @property
    def completed(self) -> bool:
        """The job's function returned."""
        return self.started and self.exitcode == 0

    @property
    def transient(self) -> bool:
        """The job's function failed transiently (the database unreachable or locked)."""
        return self.started and self.exitcode == TRANSIENT_EXIT

    def describe(self) -> str:
        """For the log: how it ended."""
        if not self.started:
            return f"did not start: {self.error}"
        killed = " (killed: over the memory limit)" if self.out_of_memory else ""
        return f"ended with code {self.exitcode}{killed}"


def memory_limit_bytes() -> int:
    """The resident memory a job's process may use (0: no limit)."""
    return int(getattr(settings, "SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB", MEMORY_LIMIT_MB)) * 2**20


def child_settings() -> dict[str, Any]:
    """What the child takes from the worker: the very database it uses (a test database in
    the tests), the pseudonym key, the var directory and every setting of the product's own
    (the jobs' limits among them)."""
    names = {
        "PSEUDONYM_KEY",
        "VAR_DIR",
        *(n for n in dir(settings) if n.startswith("SKOLKVALITET_")),
    }
    values = {name: getattr(settings, name) for name in names if hasattr(settings, name)}
    values["DATABASES"] = {"default": dict(connection.settings_dict)}
    return values


def resident_bytes(pid: int) -> int:
    """The memory a process uses (its resident set; Linux), 0 where unknown."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def job_child_run(
    target: str,
    arguments: dict[str, Any],
    *,
    name: str,
    started: Callable[[int], None] | None = None,
    limit: int | None = None,
    address_space_capped: bool = True,
) -> ChildEnd:
    """Run the function `target` (a dotted path) with `arguments` in a process of its own
    with limited memory (`limit` bytes of resident memory; memory_limit_bytes() if None),
    call `started` with its pid once it runs, and wait for it, killing it should it pass the
    limit. Its address space is capped too unless `address_space_capped` is False (for a
    job that reserves far more address space than it uses: the charts' renderer, V8 in
    vl_convert, reserves tens of GB). Returns how it ended; never raises for the child's
    sake."""
    limit = memory_limit_bytes() if limit is None else limit
    address_space = limit + ADDRESS_SPACE_HEADROOM if limit and address_space_capped else 0
    context = multiprocessing.get_context("spawn")
    process = context.Process(
        target=job_child_main,
        args=(
            target,
            arguments,
            child_settings(),
            address_space,
            os.getpid(),
        ),
        name=name,
    )
    try:
        process.start()
    except Exception as error:  # a setting that cannot be passed, no processes left, ...
        return ChildEnd(started=False, error=type(error).__name__)
    assert process.pid is not None, "a started process has a pid"
    if started is not None:
        try:
            started(process.pid)
        except BaseException:
            process.kill()
            process.join()
            raise
    return _child_watch(process, limit)


def _child_watch(process: Any, limit: int) -> ChildEnd:
    """Wait for the child, killing it should it use more memory than `limit` bytes."""
    out_of_memory = False
    while process.exitcode is None:
        process.join(timeout=WATCH_SECONDS)
        if limit and process.exitcode is None and resident_bytes(process.pid) > limit:
            process.kill()
            process.join()
            out_of_memory = True
    return ChildEnd(
        started=True, pid=process.pid, exitcode=process.exitcode, out_of_memory=out_of_memory
    )
