"""Loading many rows at once into a fact table, inside the import's transaction.

A B-tree index maintained row by row while a million rows arrive costs far more than the
rows themselves: every row descends every index, in the random order of its columns (a
1 000 000-row grades import spent 6.4 of its 9.4 s in the COPY, 0.4 s without indexes).
Building an index once over the loaded table sorts the rows instead. So a load that is large
and at least as large as what the table already holds (a first import, a new organiser) runs
with the table's secondary indexes dropped and recreates them, from their own definitions,
before the transaction ends; a smaller load into a large table keeps its indexes, since
rebuilding them over the stored rows would cost more than it saves.

- PostgreSQL: the table is locked (ACCESS EXCLUSIVE, until the commit) before its index
  definitions are read, and only if no other transaction is using it at that moment
  (NOWAIT): otherwise the load keeps the indexes, so an import never waits for, deadlocks
  with or queues readers behind another. The definitions come from the catalogue
  (`pg_indexes`, `pg_constraint`), so the recreated indexes are exactly the migrations'
  (partial ones included); readers that arrive during the load wait for its commit. Unique
  constraints are dropped too and added again after the load, which checks every row at
  once (a duplicate fails the import there, as it would have failed the COPY). Django's
  foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED), and PostgreSQL refuses
  to alter a table whose checks are still pending ("pending trigger events"): during a
  deferred load they are made immediate (`SET CONSTRAINTS ALL IMMEDIATE`: each statement's
  rows are checked at its end, the same checks, a bad reference still fails the import) and
  deferred again after the indexes are built. Without it a first load of enrolments (the
  demo at scale 13, a large organiser's first SS 12000 sync) failed.
- SQLite: the writer holds the database's write lock already; the definitions come from
  `sqlite_master` (indexes SQLite made for a UNIQUE or PRIMARY KEY have none and are kept,
  checking each row as it comes).

Everything is transactional: should the import fail, the rollback restores the indexes with
the rows. After a load on PostgreSQL, the table's statistics are refreshed (`table_analyze`),
so that the planner knows the table's new size at once rather than at autovacuum's next
visit. SQLite is not analysed: ANALYZE creates `sqlite_stat1`, a table that every tool listing
the database's tables (backup, restore, the tests that compare databases) would meet, and
SQLite plans these tables' queries from their indexes alone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import OperationalError, connection, transaction

# A load of at least this many rows, and at least as many as the table holds, is written with
# the table's secondary indexes dropped and rebuilt after it.
DEFER_INDEXES_MIN_ROWS = 50_000
# After a load of at least this many rows (or a tenth of the table), statistics are refreshed.
ANALYZE_MIN_ROWS = 10_000


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table_holds_more_than(table: str, rows: int) -> bool:
    """Whether `table` holds more than `rows` rows (reads at most `rows` + 1 of them)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {_quote(table)} LIMIT 1 OFFSET %s", [int(rows)])
        return cursor.fetchone() is not None


def secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of `table`'s indexes that are neither unique nor the
    primary key, as the database holds them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "JOIN pg_class c ON c.relname = i.indexname "
                "JOIN pg_index x ON x.indexrelid = c.oid "
                "WHERE i.schemaname = current_schema() AND i.tablename = %s "
                "AND NOT x.indisunique AND NOT x.indisprimary ORDER BY i.indexname",
                [table],
            )
            return [(name, definition) for name, definition in cursor.fetchall()]
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL ORDER BY name",
            [table],
        )
        return [
            (name, sql)
            for name, sql in cursor.fetchall()
            if not sql.lstrip().upper().startswith("CREATE UNIQUE")
        ]


@contextlib.contextmanager
def indexes_deferred(table: str, rows: int) -> Iterator[bool]:
    """Around the insertion of `rows` rows into `table`, inside a transaction: when the load
    pays for it (see the module's docstring), drop the table's secondary indexes first and
    build them again after. Yields whether it did."""
    if rows < DEFER_INDEXES_MIN_ROWS or not connection.in_atomic_block:
        yield False
        return
    if connection.vendor == "postgresql" and not _locked_now(table):
        yield False
        return
    if table_holds_more_than(table, rows):
        yield False
        return
    indexes = secondary_indexes(table)
    constraints = unique_constraints(table)
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:  # no check left pending on the table when it is altered (above)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {_quote(name)}")
        for name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {_quote(table)} DROP CONSTRAINT {_quote(name)}")
    yield True
    with connection.cursor() as cursor:
        # Adding a unique constraint builds its index and checks every row: a duplicate
        # fails the import here, as it would have failed the COPY.
        for name, definition in constraints:
            cursor.execute(
                f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}"
            )
        for _name, definition in indexes:
            cursor.execute(definition)
        if postgresql:  # back to Django's mode: checked at commit
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def unique_constraints(table: str) -> list[tuple[str, str]]:
    """(name, definition) of `table`'s unique constraints on PostgreSQL, where they too are
    built once after a large load; none on SQLite, where a table's UNIQUE clause cannot be
    dropped."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u' ORDER BY conname",
            [table],
        )
        return [(name, definition) for name, definition in cursor.fetchall()]


def _locked_now(table: str) -> bool:
    """Lock `table` for this transaction if no one else is using it at the moment (NOWAIT):
    waiting could deadlock with another import that read the table too, and would hold every
    reader up behind the queued lock."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:  # a savepoint
            cursor.execute(f"LOCK TABLE {_quote(table)} IN ACCESS EXCLUSIVE MODE NOWAIT")
    except OperationalError:
        return False
    return True


def table_analyze(table: str, rows: int) -> bool:
    """Refresh the planner's statistics of `table` after `rows` rows were written to it, when
    that is many rows (PostgreSQL; see the module's docstring); returns whether it did. Runs
    inside the import's transaction."""
    if connection.vendor != "postgresql":
        return False
    if rows < ANALYZE_MIN_ROWS and table_holds_more_than(table, rows * 10):
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {_quote(table)}")
    return True
