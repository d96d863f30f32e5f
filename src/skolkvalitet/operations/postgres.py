"""PostgreSQL's own client programs (pg_dump, pg_restore, psql), run as subprocesses with the
connection of the settings' database. The password goes in the environment (PGPASSWORD),
never on the command line, where other local users could read it."""

from __future__ import annotations

import os
import shutil
from typing import Any

from django.utils.translation import gettext as _

from skolkvalitet.operations.files import BackupError


def program(name: str) -> str:
    """The path of a PostgreSQL client program, or a BackupError saying how to install it."""
    found = shutil.which(name)
    if not found:
        raise BackupError(
            _(
                "The PostgreSQL client program %(program)s was not found. Install the "
                "PostgreSQL client programs of the server's version (Debian and Ubuntu: "
                "apt-get install postgresql-client) and put them on the PATH."
            )
            % {"program": name}
        )
    return found


def environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The process environment that connects libpq's programs to the database of
    `settings_dict` (a Django connection's settings: NAME, USER, PASSWORD, HOST, PORT,
    OPTIONS)."""
    env = dict(os.environ)
    values = {
        "PGDATABASE": settings_dict.get("NAME"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
    }
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        values[variable] = options.get(option)
    for variable, value in values.items():
        if value:
            env[variable] = str(value)
        else:
            env.pop(variable, None)
    return env


def failure(name: str, stderr: bytes) -> BackupError:
    """A BackupError carrying what the program said (its last lines)."""
    said = stderr.decode("utf-8", "replace").strip().splitlines()[-10:]
    return BackupError(
        _("%(program)s failed: %(message)s") % {"program": name, "message": "\n".join(said)}
    )
