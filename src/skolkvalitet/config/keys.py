"""The two keys of an installation: Django's SECRET_KEY and the pseudonym key (the key of the
keyed hash that replaces personnummer, organisation/identity.py).

Each comes from the environment or, for the embedded default, from a file under the var
directory. The settings only read: `skolkvalitet keys create` writes the files (and `demo`
through `keys_ensure`), once. A key file is never replaced: a new pseudonym key would cut
every imported pupil off from the pupil of the next import. Plain Python (settings.py reads
the table below before Django is set up).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


@dataclass(frozen=True)
class Key:
    setting: str  # the Django setting
    environment: str  # the environment variable that sets it
    file_name: str  # the file under the var directory that keeps it otherwise


SECRET_KEY = Key("SECRET_KEY", "SECRET_KEY", "secret_key")
PSEUDONYM_KEY = Key("PSEUDONYM_KEY", "SKOLKVALITET_PSEUDONYM_KEY", "pseudonym_key")
KEYS = (SECRET_KEY, PSEUDONYM_KEY)

# Under pytest (which sets PYTEST_VERSION for its session) the keys are fixed and protect only
# test data, so the suite runs in a checkout without key files and writes none.
TEST_KEYS = {
    SECRET_KEY: "test-secret-key-not-secret-only-for-the-test-suite",
    PSEUDONYM_KEY: "test-pseudonym-key-not-secret-only-for-the-test-suite",
}


class Origin(StrEnum):
    ENVIRONMENT = "environment"
    FILE = "file"
    TESTS = "tests"
    MISSING = "missing"


def key_read(key: Key, var_dir: Path) -> tuple[str, Origin]:
    """The key and where it came from: the environment, else under pytest the test key, else
    its file under `var_dir`, else "" (missing). Writes nothing."""
    value = os.environ.get(key.environment)
    if value:
        return value, Origin.ENVIRONMENT
    if os.environ.get("PYTEST_VERSION"):
        return TEST_KEYS[key], Origin.TESTS
    path = var_dir / key.file_name
    if path.is_file():
        return path.read_text().strip(), Origin.FILE
    return "", Origin.MISSING


class Created(StrEnum):
    CREATED = "created"
    KEPT = "kept"  # the file was there: never replaced
    ENVIRONMENT = "environment"  # set in the environment: no file written


def keys_create(var_dir: Path) -> dict[Key, Created]:
    """Write a random key (48 bytes, URL-safe) to the file of each key that the environment
    does not set and that has no file yet, readable by the owner only (0600). Creates
    `var_dir` if needed."""
    outcome = {}
    for key in KEYS:
        if os.environ.get(key.environment):
            outcome[key] = Created.ENVIRONMENT
            continue
        var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            descriptor = os.open(
                var_dir / key.file_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
            )
        except FileExistsError:
            outcome[key] = Created.KEPT
            continue
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
        outcome[key] = Created.CREATED
    return outcome


def keys_ensure() -> list[Path]:
    """For `demo`: create the keys the running settings lack (keys_create) and load them into
    the settings. Returns the files written; a configured installation writes none."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    def missing(key: Key) -> bool:
        try:
            return not getattr(settings, key.setting)
        except ImproperlyConfigured:  # Django refuses to hand out an empty SECRET_KEY
            return True

    lacking = [key for key in KEYS if missing(key)]
    if not lacking:
        return []
    var_dir = Path(settings.VAR_DIR)
    outcome = keys_create(var_dir)
    for key in lacking:
        value, origin = key_read(key, var_dir)
        setattr(settings, key.setting, value)
        setattr(settings, f"{key.setting}_FROM_FILE", origin == Origin.FILE)
    return [var_dir / key.file_name for key in lacking if outcome[key] == Created.CREATED]
