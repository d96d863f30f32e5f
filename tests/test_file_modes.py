"""Files on disk for the owner only (issue 15, finding 4; skolkvalitet.PRIVATE_UMASK): after
the demo is built by the `skolkvalitet` command and a file is uploaded through the web
application, every file under the var directory (the SQLite database and its journal, the
keys, uploads, static files) is 0600 and every directory 0700, though both processes were
started with the usual umask 022."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

UPLOAD = """
import datetime as dt
from skolkvalitet.config.wsgi import application  # noqa: F401  (sets the umask, as gunicorn)
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from skolkvalitet.ingest.models import ImportJob
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.organisation.models import Node

unit = Node.objects.filter(kind="unit").exclude(code="").order_by("pk").first()
number = make_personal_number(dt.date(2010, 4, 2), 246)
text = (
    "personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\\n"
    f"{number};{unit.code};2024/25;VT;9;MA;C;slutbetyg\\n"
)
client = Client()
client.force_login(User.objects.get(username="forvaltning"))
file = SimpleUploadedFile("betyg.csv", text.encode(), content_type="text/csv")
response = client.post("/import/", {"kind": "grades", "file": file})
assert response.status_code == 302, response.status_code
print(ImportJob.objects.get().status)
"""


def run(args: list[str], var: Path, **env: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env={
            "SKOLKVALITET_VAR_DIR": str(var),
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "skolkvalitet.config.settings",
            **env,
        },
        timeout=900,
        check=False,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def too_open(var: Path) -> list[str]:
    """Every path under `var` (itself included) that others than its owner may read."""
    found = []
    for path in [var, *var.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            found.append(f"{path.relative_to(var)} {mode:o}")
    return found


def test_the_demo_and_an_upload_leave_nothing_readable_by_others(tmp_path):
    var = tmp_path / "var"
    cli = ["-c", "from skolkvalitet.cli import main; main()"]
    run([*cli, "demo", "--no-serve", "--scale", "0.02"], var)
    assert (var / "skolkvalitet.sqlite3").is_file() and (var / "secret_key").is_file()
    assert too_open(var) == []

    upload = run(
        ["-c", UPLOAD],
        var,
        SKOLKVALITET_IMPORT_IN_BACKGROUND="0",
        ALLOWED_HOSTS="testserver",
    )
    assert upload.stdout.strip() in {"done", "rejected"}
    assert (var / "uploads").is_dir()
    assert too_open(var) == []


def test_a_process_started_another_way_still_makes_the_database_its_owners(tmp_path):
    """Not through the command or config/wsgi.py (a WSGI server pointed elsewhere, django-admin),
    the umask stays 022; the database SQLite creates at the first connection is made 0600 all
    the same (config/file_modes.py)."""
    var = tmp_path / "var"
    var.mkdir(mode=0o700)
    code = (
        "import django; django.setup(); from django.db import connection; "
        "connection.ensure_connection(); connection.cursor().execute('CREATE TABLE t (x int)')"
    )
    run(["-c", code], var)
    assert stat.S_IMODE((var / "skolkvalitet.sqlite3").stat().st_mode) == 0o600
