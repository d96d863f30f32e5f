"""E-mail from the environment (docs/operations.md "E-mail"): the console without
EMAIL_HOST (the development default, nothing sent), SMTP with it, and EMAIL_BACKEND named
outright; each read by a process of its own, as the settings are read at start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

READ = (
    "import json; from django.conf import settings; "
    "print(json.dumps({k: getattr(settings, k, None) for k in "
    "['EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_USE_TLS', 'DEFAULT_FROM_EMAIL', "
    "'EMAIL_FILE_PATH']}))"
)


def email_settings(tmp_path: Path, **env: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", READ],
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "skolkvalitet.config.settings",
            "SKOLKVALITET_VAR_DIR": str(tmp_path),
            **env,
        },
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_without_a_host_mail_is_written_to_the_console(tmp_path):
    found = email_settings(tmp_path)
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert found["DEFAULT_FROM_EMAIL"] == "skolkvalitet@localhost"


def test_with_a_host_mail_goes_to_it_over_starttls(tmp_path):
    found = email_settings(
        tmp_path, EMAIL_HOST="smtp.kommun.se", DEFAULT_FROM_EMAIL="skolkvalitet@kommun.se"
    )
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (found["EMAIL_HOST"], found["EMAIL_PORT"], found["EMAIL_USE_TLS"]) == (
        "smtp.kommun.se",
        587,
        True,
    )
    assert found["DEFAULT_FROM_EMAIL"] == "skolkvalitet@kommun.se"


@pytest.mark.parametrize("with_host", [False, True])
def test_a_backend_named_outright_wins(tmp_path, with_host):
    env = {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    if with_host:
        env["EMAIL_HOST"] = "smtp.kommun.se"
    found = email_settings(tmp_path, **env)
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert found["EMAIL_FILE_PATH"] == str(tmp_path / "mail")
