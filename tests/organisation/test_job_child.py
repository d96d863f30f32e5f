"""A job's own process (organisation/job_child.py): the worker runs a named function with its
arguments in a process of its own, on the worker's database and settings; kills it when it
passes the memory limit and says so; tells a transient database failure from other ends; and
the process dies with the worker, so it never outlives the turns the worker holds for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import OperationalError

from skolkvalitet.organisation.job_child import job_child_run
from skolkvalitet.organisation.models import Node

HERE = "tests.organisation.test_job_child"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def targets_importable(monkeypatch):
    """The child imports this module's targets by name: the repository on its path (a spawned
    process takes the worker's sys.path)."""
    monkeypatch.syspath_prepend(str(ROOT))


# --- Targets: what the child runs (imported by name in the child, once Django is set up)


def writes_what_it_sees(out: str, word: str) -> None:
    """Record this process's pid, its argument, the nodes in its database and a setting."""
    from django.conf import settings

    Path(out).write_text(
        json.dumps(
            {
                "pid": os.getpid(),
                "word": word,
                "nodes": sorted(Node.objects.values_list("name", flat=True)),
                "setting": settings.SKOLKVALITET_TEST_MARK,
            }
        )
    )


def holds_memory(megabytes: int) -> None:
    """Use `megabytes` of memory (each page touched) and wait."""
    held = b"\1" * (megabytes * 2**20)
    time.sleep(30)
    del held


def database_unavailable() -> None:
    raise OperationalError("database is locked")


def fails() -> None:
    raise ValueError("a bug")


# --- Tests


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_in_a_process_of_its_own_on_the_workers_database_and_settings(
    org, tmp_path, settings
):
    settings.SKOLKVALITET_TEST_MARK = "from the worker"
    out = tmp_path / "seen.json"
    pids: list[int] = []
    end = job_child_run(
        f"{HERE}.writes_what_it_sees",
        {"out": str(out), "word": "hej"},
        name="test-child",
        started=pids.append,
    )
    assert end.completed and not end.out_of_memory, end.describe()
    seen = json.loads(out.read_text())
    assert seen["pid"] == end.pid == pids[0] != os.getpid()
    assert seen["word"] == "hej"
    assert "Norrskolan" in seen["nodes"]
    assert seen["setting"] == "from the worker"


def test_a_job_over_the_memory_limit_is_killed_and_said_so():
    end = job_child_run(
        f"{HERE}.holds_memory", {"megabytes": 300}, name="test-child", limit=150 * 2**20
    )
    assert end.out_of_memory and end.exitcode == -9
    assert not end.completed and not end.transient
    assert end.describe() == "ended with code -9 (killed: over the memory limit)"


def test_a_transient_database_failure_is_told_apart_from_other_failures():
    transient = job_child_run(f"{HERE}.database_unavailable", {}, name="test-child", limit=0)
    assert transient.transient and not transient.completed
    failed = job_child_run(f"{HERE}.fails", {}, name="test-child", limit=0)
    assert not failed.transient and not failed.completed and failed.exitcode == 1


def test_a_job_that_cannot_be_started_says_why(settings):
    settings.SKOLKVALITET_UNPICKLABLE = lambda: None  # the child's settings cannot be sent
    end = job_child_run(f"{HERE}.fails", {}, name="test-child")
    assert not end.started and end.error  # the exception's type, for the log


def process_state(pid: int) -> str:
    """A process's state letter (Z: ended, not yet reaped), "" when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return ""
    return next(line.split()[1] for line in status.splitlines() if line.startswith("State:"))


def test_the_jobs_process_dies_with_the_worker():
    # A "worker" that starts a child as job_child_run's child starts (die_with_parent first),
    # then is killed: the child is killed with it.
    worker = (
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', "
        "'import os, time\\n"
        "from skolkvalitet.organisation.job_child_main import die_with_parent\\n"
        "die_with_parent(os.getppid())\\n"
        'print("ready", flush=True)\\n'
        "time.sleep(60)\\n'], stdout=subprocess.PIPE, text=True)\n"
        "assert child.stdout.readline().strip() == 'ready'\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", worker], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        child = int(process.stdout.readline())
        assert process_state(child) in {"S", "R"}
    finally:
        process.kill()
        process.wait()
    deadline = time.monotonic() + 10
    while process_state(child) not in {"", "Z"} and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process_state(child) in {"", "Z"}
