"""Taking turns: the recomputation of indicators after imports runs one at a time.

Imports run in processes of their own, several at once when several people import. Each
recomputes the periods it touched after its commit. Two recomputations at once would compete
for the database's single write lock on SQLite (a chunk's transaction waits at most the
connection's timeout, then fails: measured with eight imports at once on a busy machine by
bench/bench_concurrency.py), and on PostgreSQL one that began before another import committed
could end after the recomputation that saw that import, leaving figures stamped with an older
data version. In turn, each recomputation starts after the previous one ended and sees every
import committed by then.

PostgreSQL: a session-level advisory lock on the connection the recomputation starts from.
SQLite: an exclusive `flock` on a file beside the database file (`<database>.materialise.lock`),
which every process using that database shares, as they share the database file. Like
PostgreSQL's advisory locks, which hold within one database, the turn belongs to one database:
processes on other databases (the parallel test workers' own) do not wait for it.

The values table has no foreign key to the tree (checking each of millions of rows would cost
more than the write), so a chunk's write and a rollback that removes nodes take turns too
(`figures_write_lock`, `node_removal_lock`): the chunk writes figures only of nodes still in
the tree, and the rollback deletes every figure of the nodes it removes, also those of a
chunk that computed them before. This rests on READ COMMITTED, PostgreSQL's default and
Django's: the chunk's look at the tree after its lock sees what a rollback committed before.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

# The advisory lock key of the recomputation's turn (any constant; not the import's).
MATERIALISE_LOCK = 7_216_002
# The advisory lock key shared by the chunks' writes, taken alone by a rollback removing nodes.
NODE_REMOVAL_LOCK = 7_216_003


def turn_lock_path() -> Path:
    """SQLite: the file whose lock is the turn, beside the database file in use (VAR_DIR for a
    database without a file)."""
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return Path(settings.VAR_DIR) / "materialise.lock"
    return Path(f"{name}.materialise.lock")


@contextlib.contextmanager
def materialisation_turn() -> Iterator[None]:
    """Wait for this process's turn to recompute indicators; hold it inside the block."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MATERIALISE_LOCK])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MATERIALISE_LOCK])
        return
    path = turn_lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def figures_write_lock() -> None:
    """In a chunk's transaction, before it checks which of its nodes are still in the tree:
    wait for a rollback removing nodes to end, and hold it off until the transaction ends
    (PostgreSQL: a shared transaction-level advisory lock; chunks do not wait for each other).
    SQLite: nothing to do, as its transactions take the database's write lock when they begin
    (settings: IMMEDIATE), one at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [NODE_REMOVAL_LOCK])


def node_removal_lock() -> None:
    """In a rollback's transaction, before it deletes the figures of the nodes it removes:
    wait for the chunks writing figures now, and hold off later ones until the transaction
    ends (they then find the nodes gone)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NODE_REMOVAL_LOCK])
