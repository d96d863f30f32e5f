"""`skolkvalitet restore FILE`: the database as a backup (backup.py) holds it, then migrated
forward when the backup is older than the code.

Checked before anything is written: the file's kind matches the database's engine; the backup
was made by this version of the code or an older one (migrations forward only: a backup with
migrations the code does not know is refused); a database that holds data (an organisation
node or a user) is replaced only when asked (`force`). The restore itself is all or nothing:
SQLite's backup API copies the file into the database in one step, and on PostgreSQL the
tables are dropped and the backup's pg_restore script applied by psql in one transaction,
committed only after pg_restore has written its whole script."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from skolkvalitet.operations import postgres
from skolkvalitet.operations.files import BackupError, Kind, kind_of_file, kind_of_vendor

logger = logging.getLogger("skolkvalitet.operations")

# A database holds data when one of these has a row: it has an organiser tree or users.
DATA_TABLES = ("organisation_node", "auth_user")


@dataclass(frozen=True)
class Restored:
    kind: Kind
    migrated: list[str]  # the migrations applied after the restore, "app.name"


def database_restore(
    *, path: Path, force: bool = False, connection: BaseDatabaseWrapper = default_connection
) -> Restored:
    """Replace the database of `connection` with the backup in `path`, then migrate it forward
    if the backup is older than the code. Raises BackupError, having written nothing, when the
    file is not a backup of this engine, is newer than the code, or the database holds data
    and `force` is not given."""
    kind = kind_of_vendor(connection.vendor)
    if not path.is_file():
        raise BackupError(_("%(path)s is not a file.") % {"path": path})
    found = kind_of_file(path)
    if found is None:
        raise BackupError(
            _("%(path)s is neither an SQLite database nor a pg_dump archive (custom format).")
            % {"path": path}
        )
    if found != kind:
        raise BackupError(
            _("%(path)s is a backup of a %(found)s database; this database is %(engine)s.")
            % {"path": path, "found": found, "engine": kind}
        )
    newer = migrations_unknown(backup_migrations(path, kind))
    if newer:
        raise BackupError(
            _(
                "The backup was made by a newer version of Skolkvalitet: it has migrations this "
                "version does not know (%(migrations)s). Restore it with that version or a "
                "later one; migrations only go forward."
            )
            % {"migrations": ", ".join(newer)}
        )
    if not force and database_holds_data(connection):
        raise BackupError(
            _(
                "The database holds data (an organiser or users). A restore replaces all of "
                "it: give --force to do so, after a backup of it."
            )
        )
    if kind == Kind.SQLITE:
        _sqlite_restore(path, str(connection.settings_dict["NAME"]), connection)
    else:
        _postgresql_restore(path, connection)
    migrated = migrate_forward(connection)
    logger.info("restore kind=%s file=%s migrated=%d", kind, path, len(migrated))
    return Restored(kind, migrated)


def backup_migrations(path: Path, kind: Kind) -> set[tuple[str, str]]:
    """The (app, migration) pairs recorded as applied in the backup's django_migrations."""
    if kind == Kind.SQLITE:
        database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = database.execute("SELECT app, name FROM django_migrations").fetchall()
        except sqlite3.DatabaseError:
            raise BackupError(
                _("%(path)s is not a backup of Skolkvalitet (no migrations recorded).")
                % {"path": path}
            ) from None
        finally:
            database.close()
        return {(app, name) for app, name in rows}
    done = subprocess.run(
        [
            postgres.program("pg_restore"),
            "--data-only",
            "--table=django_migrations",
            "--file=-",
            str(path),
        ],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise postgres.failure("pg_restore", done.stderr)
    return _copy_rows(done.stdout.decode())


def _copy_rows(script: str) -> set[tuple[str, str]]:
    """(app, name) of the rows of the django_migrations COPY block in a pg_restore script."""
    rows: set[tuple[str, str]] = set()
    inside = False
    for line in script.splitlines():
        if line.startswith("COPY ") and "django_migrations" in line:
            columns = line[line.index("(") + 1 : line.index(")")].split(", ")
            app_at, name_at = columns.index("app"), columns.index("name")
            inside = True
        elif inside and line == "\\.":
            inside = False
        elif inside:
            fields = line.split("\t")
            rows.add((fields[app_at], fields[name_at]))
    if not rows:
        raise BackupError(_("The file is not a backup of Skolkvalitet (no migrations recorded)."))
    return rows


def migrations_unknown(recorded: set[tuple[str, str]]) -> list[str]:
    """The recorded migrations of this code's apps that the code does not have ("app.name"):
    the backup is newer than the code."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    return sorted(
        f"{app}.{name}"
        for app, name in recorded
        if app in loader.migrated_apps and (app, name) not in known
    )


def database_holds_data(connection: BaseDatabaseWrapper) -> bool:
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in DATA_TABLES:
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    return True
    return False


def migrate_forward(connection: BaseDatabaseWrapper) -> list[str]:
    """Apply the code's migrations the restored database lacks; the names applied."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate", interactive=False, verbosity=0)
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def _sqlite_restore(path: Path, database: str, connection: BaseDatabaseWrapper) -> None:
    connection.close()
    if not os.path.exists(database):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(database, timeout=20)
    try:
        (mode,) = target.execute("PRAGMA journal_mode").fetchone()
        # Out of WAL mode for the copy: a database in WAL mode takes a backup only of its own
        # page size.
        target.execute("PRAGMA journal_mode=DELETE")
        source.backup(target)
        if mode.lower() == "wal":
            target.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as error:
        raise BackupError(
            _("The SQLite database could not be restored: %(error)s") % {"error": error}
        ) from error
    finally:
        target.close()
        source.close()


def _postgresql_restore(path: Path, connection: BaseDatabaseWrapper) -> None:
    pg_restore, psql = postgres.program("pg_restore"), postgres.program("psql")
    quote = connection.ops.quote_name
    drops = "; ".join(
        [
            f"DROP TABLE IF EXISTS {quote(table)} CASCADE"
            for table in connection.introspection.table_names()
        ]
        + [f"DROP FUNCTION IF EXISTS {function} CASCADE" for function in _own_functions(connection)]
    )
    env = postgres.environment(connection.settings_dict)
    connection.close()
    command = [psql, "--no-psqlrc", "--quiet", "--no-password", "--single-transaction"]
    command += ["--set", "ON_ERROR_STOP=1"]
    if drops:
        command += ["--command", drops]
    command += ["--file", "-"]
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        script = subprocess.Popen(
            [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(path)],
            stdout=subprocess.PIPE,
            stderr=restore_errors,
            env=env,
        )
        applying = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
            env=env,
        )
        assert script.stdout is not None and applying.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # psql stopped at an error: below
            shutil.copyfileobj(script.stdout, applying.stdin)
        if script.wait() != 0:
            # psql has not seen the end of its input, so it has not committed: ending it
            # rolls the transaction back and the database is as it was.
            applying.kill()
            applying.wait()
            restore_errors.seek(0)
            raise postgres.failure("pg_restore", restore_errors.read())
        with contextlib.suppress(BrokenPipeError):
            applying.stdin.close()
        if applying.wait() != 0:
            psql_errors.seek(0)
            raise postgres.failure("psql", psql_errors.read())


def _own_functions(connection: BaseDatabaseWrapper) -> list[str]:
    """The functions the migrations made in the current schema (the audit log's trigger
    function), as signatures: the backup's script creates them again, so they go with the
    tables. Functions of extensions are left alone."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND NOT EXISTS "
            "(SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"
        )
        return [row[0] for row in cursor.fetchall()]
