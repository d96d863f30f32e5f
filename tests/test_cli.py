"""The `skolkvalitet` command runs Django's management commands."""

from __future__ import annotations

import subprocess
import sys


def run(*args: str, env_dir) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from skolkvalitet.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env={"SKOLKVALITET_VAR_DIR": str(env_dir), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_check_runs_and_passes(tmp_path):
    result = run("check", env_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_importing_the_settings_writes_nothing(tmp_path):
    var = tmp_path / "var"
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'skolkvalitet.config.settings'; "
        "import django; django.setup(); from django.conf import settings; settings.VAR_DIR"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"SKOLKVALITET_VAR_DIR": str(var), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert not var.exists()  # no key, no folder


def test_migrate_works_on_a_fresh_checkout_and_the_folder_is_the_owners(tmp_path):
    var = tmp_path / "var"
    result = run("migrate", "--verbosity", "0", env_dir=var)
    assert result.returncode == 0, result.stderr
    assert (var / "skolkvalitet.sqlite3").is_file()
    assert var.stat().st_mode & 0o777 == 0o700
    # The database holds pupil data under pseudonyms: its owner's only, whatever the umask the
    # command was started with (the run above inherits this test process's, usually 022).
    assert (var / "skolkvalitet.sqlite3").stat().st_mode & 0o777 == 0o600


def test_keys_create_writes_the_keys_once(tmp_path):
    var = tmp_path / "var"

    result = run("keys", "create", env_dir=var)
    assert result.returncode == 0, result.stderr
    assert (var / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (var / "pseudonym_key").stat().st_mode & 0o777 == 0o600
    keys = {name: (var / name).read_text() for name in ("secret_key", "pseudonym_key")}
    assert len(set(keys.values())) == 2 and all(len(key) >= 64 for key in keys.values())

    again = run("keys", "create", env_dir=var)
    assert "kept (a key is never replaced)" in again.stdout
    assert {name: (var / name).read_text() for name in keys} == keys


def test_an_unknown_command_fails(tmp_path):
    result = run("no-such-command", env_dir=tmp_path)
    assert result.returncode != 0
    assert "Unknown command" in result.stderr


def test_the_web_servers_process_writes_for_its_owner_only(tmp_path):
    """config/wsgi.py, which gunicorn loads, sets the same umask as the command: uploads and
    documents written by the web process are 0600."""
    import os
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, skolkvalitet.config.wsgi; print(oct(os.umask(0)))",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "SKOLKVALITET_VAR_DIR": str(tmp_path / "var")},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0o77"
