"""Django's flush, which empties every table, past the audit log's append-only triggers.

SQLite's flush deletes row by row (DELETE FROM), which the triggers refuse; this flush runs
inside audit_unlocked(). It is the operator's and the test suite's tool for a whole database
(TransactionTestCase ends each test with it), never a path of the app (docs/security.md,
"Audit log")."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from skolkvalitet.organisation.audit import UNLOCK_TABLE, audit_unlocked


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options.get("database") or DEFAULT_DB_ALIAS
        if UNLOCK_TABLE not in connections[database].introspection.table_names():
            super().handle(**options)  # not migrated that far: no triggers yet
            return
        with transaction.atomic(using=database), audit_unlocked("flush", using=database):
            super().handle(**options)
