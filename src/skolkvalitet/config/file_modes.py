"""The SQLite database for its owner only, however the process was started.

The two entry points set the umask (skolkvalitet.PRIVATE_UMASK), so what they create is 0600.
A process started another way (a WSGI server pointed at another module, `django-admin`) keeps
its own umask; the database file SQLite creates at the first connection, and its journal
files, are made 0600 when a connection opens."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper


def sqlite_files_private(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    """connection_created: make the SQLite database's files 0600 where others may read them."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for path in (Path(name), Path(f"{name}-wal"), Path(f"{name}-shm")):
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            os.chmod(path, 0o600)
