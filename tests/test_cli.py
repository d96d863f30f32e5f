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


def test_the_embedded_default_creates_its_keys_under_the_var_directory(tmp_path):
    run("check", env_dir=tmp_path)
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "pseudonym_key").read_text()


def test_an_unknown_command_fails(tmp_path):
    result = run("no-such-command", env_dir=tmp_path)
    assert result.returncode != 0
    assert "Unknown command" in result.stderr
