"""`skolkvalitet check --deploy` warns about the embedded defaults."""

from __future__ import annotations

from django.db import connection

from skolkvalitet.config.checks import keys_from_environment, production_database


def ids(problems) -> set[str]:
    return {p.id for p in problems}


def test_keys_kept_in_files_are_flagged(settings):
    settings.SECRET_KEY_FROM_FILE = True
    settings.PSEUDONYM_KEY_FROM_FILE = True
    assert ids(keys_from_environment(None)) == {"skolkvalitet.W001", "skolkvalitet.W002"}


def test_keys_from_the_environment_pass(settings):
    settings.SECRET_KEY_FROM_FILE = False
    settings.PSEUDONYM_KEY_FROM_FILE = False
    assert keys_from_environment(None) == []


def test_sqlite_is_flagged_and_postgresql_passes():
    # The suite runs once per database: the answer depends on which one this run uses.
    expected = {"skolkvalitet.W003"} if connection.vendor == "sqlite" else set()
    assert ids(production_database(None)) == expected
