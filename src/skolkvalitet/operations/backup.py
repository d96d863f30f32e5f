"""`skolkvalitet backup`: a consistent copy of the database in one file, made by the
database's own tools: SQLite's online backup API (sqlite3.Connection.backup, consistent while
the app runs and writes) and PostgreSQL's pg_dump in its custom format (one snapshot).

The file holds every table and nothing else: not the pseudonym key and not the secret key,
which live outside the database (config/keys.py) and are backed up apart from it
(docs/operations.md, "Backup and restore")."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper

from skolkvalitet.operations import postgres
from skolkvalitet.operations.files import Kind, kind_of_vendor, private_file

logger = logging.getLogger("skolkvalitet.operations")


@dataclass(frozen=True)
class Backup:
    kind: Kind
    path: Path
    size: int


def database_backup(*, out: Path, connection: BaseDatabaseWrapper = default_connection) -> Backup:
    """Back up the database of `connection` into the new file `out` (mode 0600; refused if it
    exists). Raises BackupError with what went wrong; nothing is left at `out` then."""
    kind = kind_of_vendor(connection.vendor)
    with private_file(out) as partial:
        if kind == Kind.SQLITE:
            _sqlite_backup(str(connection.settings_dict["NAME"]), partial)
        else:
            _postgresql_backup(connection, partial)
    size = out.stat().st_size
    logger.info("backup kind=%s file=%s bytes=%d", kind, out, size)
    return Backup(kind, out, size)


def _sqlite_backup(database: str, target: Path) -> None:
    source = sqlite3.connect(database)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            # The copy stands alone in one file: no write-ahead log beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    finally:
        source.close()


def _postgresql_backup(connection: BaseDatabaseWrapper, target: Path) -> None:
    command = [postgres.program("pg_dump"), "--format=custom", "--no-password"]
    with open(target, "wb") as file:  # created 0600 by private_file
        done = subprocess.run(
            command,
            stdout=file,
            stderr=subprocess.PIPE,
            env=postgres.environment(connection.settings_dict),
            check=False,
        )
    if done.returncode != 0:
        raise postgres.failure("pg_dump", done.stderr)
