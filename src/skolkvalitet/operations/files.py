"""The files of backups: what kind of database a file holds, and creating one readable by its
owner only (0600, in a directory 0700 when it is created), whole or not at all."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

from django.utils.translation import gettext as _


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message says why and what to do."""


class Kind(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


# The first bytes of each kind: an SQLite database file (sqlite.org/fileformat.html, "The
# Database Header") and pg_dump's custom format (its archive header begins with "PGDMP").
MAGIC = {Kind.SQLITE: b"SQLite format 3\x00", Kind.POSTGRESQL: b"PGDMP"}


def kind_of_file(path: Path) -> Kind | None:
    """The kind of database backup `path` holds, by its first bytes; None if neither."""
    with open(path, "rb") as file:
        head = file.read(16)
    for kind, magic in MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


def kind_of_vendor(vendor: str) -> Kind:
    """The backup kind of a Django connection's vendor ("sqlite", "postgresql")."""
    try:
        return Kind(vendor)
    except ValueError:
        raise BackupError(
            _("Backups are made of SQLite and PostgreSQL databases only, not %(vendor)s.")
            % {"vendor": vendor}
        ) from None


def directories_create(path: Path) -> None:
    """Create `path` and its missing parents, each 0700 whatever the umask."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for directory in reversed(missing):
        directory.mkdir(mode=0o700, exist_ok=True)
        directory.chmod(0o700)


@contextmanager
def private_file(out: Path) -> Iterator[Path]:
    """A new empty file beside `out`, mode 0600, to write the backup into; renamed to `out`
    when the block ends without an error, deleted when it raises. Refuses an `out` that
    exists. Directories it creates are 0700."""
    if out.exists():
        raise BackupError(
            _("%(path)s exists already; a backup never replaces a file. Choose another name.")
            % {"path": out}
        )
    directories_create(out.parent)
    partial = out.with_name(f".{out.name}.{secrets.token_hex(4)}.partial")
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        yield partial
        if out.exists():  # made meanwhile by someone else: keep theirs
            raise BackupError(
                _("%(path)s exists already; a backup never replaces a file. Choose another name.")
                % {"path": out}
            )
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
