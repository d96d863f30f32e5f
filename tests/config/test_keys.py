"""The two keys: read from the environment or their files, never written by the settings;
written once by `skolkvalitet keys create` or `demo`, and never replaced."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from skolkvalitet.config.keys import (
    KEYS,
    PSEUDONYM_KEY,
    SECRET_KEY,
    TEST_KEYS,
    Created,
    Origin,
    key_read,
    keys_create,
    keys_ensure,
)
from skolkvalitet.organisation.identity import parse_personal_number, pseudonym_for

NUMBER = parse_personal_number("201003152384")


@pytest.fixture
def outside_pytest(monkeypatch):
    """As the app runs outside the test suite: no key set in the environment."""
    monkeypatch.delenv("PYTEST_VERSION", raising=False)
    for key in KEYS:
        monkeypatch.delenv(key.environment, raising=False)


def test_a_key_is_read_from_the_environment_first(outside_pytest, monkeypatch, tmp_path):
    (tmp_path / "pseudonym_key").write_text("from-the-file")
    monkeypatch.setenv("SKOLKVALITET_PSEUDONYM_KEY", "from-the-environment")
    assert key_read(PSEUDONYM_KEY, tmp_path) == ("from-the-environment", Origin.ENVIRONMENT)


def test_else_from_its_file_and_else_it_is_missing_and_nothing_is_written(outside_pytest, tmp_path):
    (tmp_path / "pseudonym_key").write_text("from-the-file\n")
    assert key_read(PSEUDONYM_KEY, tmp_path) == ("from-the-file", Origin.FILE)
    assert key_read(SECRET_KEY, tmp_path) == ("", Origin.MISSING)
    assert key_read(SECRET_KEY, tmp_path / "nowhere") == ("", Origin.MISSING)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pseudonym_key"]


def test_the_test_suite_runs_on_fixed_keys_whatever_files_there_are(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("a developer's key")
    assert key_read(SECRET_KEY, tmp_path) == (TEST_KEYS[SECRET_KEY], Origin.TESTS)


def test_keys_create_writes_each_missing_key_once(outside_pytest, tmp_path):
    var = tmp_path / "var"
    assert keys_create(var) == {SECRET_KEY: Created.CREATED, PSEUDONYM_KEY: Created.CREATED}
    written = {key: (var / key.file_name).read_text() for key in KEYS}
    assert all((var / key.file_name).stat().st_mode & 0o777 == 0o600 for key in KEYS)
    assert keys_create(var) == {SECRET_KEY: Created.KEPT, PSEUDONYM_KEY: Created.KEPT}
    assert {key: (var / key.file_name).read_text() for key in KEYS} == written


def test_a_key_set_in_the_environment_gets_no_file(outside_pytest, monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert keys_create(tmp_path)[SECRET_KEY] == Created.ENVIRONMENT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pseudonym_key"]


def test_the_command_says_what_it_did(outside_pytest, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("keys", "create", stdout=out)
    assert out.getvalue().splitlines() == [
        f"{tmp_path / 'secret_key'}: created (readable by its owner only).",
        f"{tmp_path / 'pseudonym_key'}: created (readable by its owner only).",
    ]


def test_demo_creates_the_keys_the_settings_lack_and_uses_them(outside_pytest, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PSEUDONYM_KEY = ""
    assert keys_ensure() == [tmp_path / "pseudonym_key"]  # the secret key was configured
    assert (tmp_path / "pseudonym_key").read_text() == settings.PSEUDONYM_KEY
    assert settings.PSEUDONYM_KEY_FROM_FILE is True
    assert keys_ensure() == []  # now configured: nothing written


def test_without_a_pseudonym_key_no_personnummer_is_pseudonymised(settings):
    settings.PSEUDONYM_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="skolkvalitet keys create"):
        pseudonym_for(NUMBER)
