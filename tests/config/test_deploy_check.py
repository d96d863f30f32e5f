"""`skolkvalitet check --deploy --fail-level WARNING` passes with the production settings of
docs/operations.md ("Production settings"), read from the environment, and fails without
them. Run as the operator would: the command in a process of its own."""

from __future__ import annotations

import ast
import re
import secrets
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def production(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "SKOLKVALITET_VAR_DIR": str(tmp_path),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SKOLKVALITET_PSEUDONYM_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "skolkvalitet.example.se",
        "CSRF_TRUSTED_ORIGINS": "https://skolkvalitet.example.se",
        # The check reads the engine, it does not connect.
        "DATABASE_URL": "postgres://skolkvalitet@127.0.0.1:5432/skolkvalitet",
        "SECURE_SSL": "1",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    }


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from skolkvalitet.cli import main; main()",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def settings_of(env: dict[str, str], *names: str) -> list[str]:
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'skolkvalitet.config.settings'; "
        "from django.conf import settings; "
        f"print(repr([getattr(settings, n, None) for n in {list(names)!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return ast.literal_eval(result.stdout)


def test_the_production_settings_pass_the_deploy_check(tmp_path):
    result = deploy_check(production(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_tls_settings_the_check_fails(tmp_path):
    env = production(tmp_path)
    del env["SECURE_SSL"]
    result = deploy_check(env)
    assert result.returncode != 0
    for problem in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert problem in result.stderr


def test_what_the_production_settings_set(tmp_path):
    env = production(tmp_path)
    assert settings_of(
        env,
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
    ) == [True, True, True, 31_536_000, True, False, ("HTTP_X_FORWARDED_PROTO", "https")]


def test_hsts_preload_is_asked_for_only_when_chosen(tmp_path):
    env = production(tmp_path)
    assert settings_of(env, "SILENCED_SYSTEM_CHECKS") == [["security.W021"]]
    env["SECURE_HSTS_PRELOAD"] = "1"
    assert settings_of(env, "SECURE_HSTS_PRELOAD", "SILENCED_SYSTEM_CHECKS") == [True, []]
    assert deploy_check(env).returncode == 0


def test_no_proxy_header_is_trusted_unless_named(tmp_path):
    env = production(tmp_path)
    del env["SECURE_PROXY_SSL_HEADER"]
    assert settings_of(env, "SECURE_PROXY_SSL_HEADER") == [None]


def test_the_docs_name_every_variable_the_test_sets():
    text = DOCS.read_text(encoding="utf-8")
    section = re.search(r"## Production settings\n(.*?)(\n## |\Z)", text, re.S)
    assert section, "docs/operations.md has a Production settings section"
    for name in production(Path("/tmp")):
        if name not in {"PATH", "SKOLKVALITET_VAR_DIR"}:
            assert name in section.group(1), name
