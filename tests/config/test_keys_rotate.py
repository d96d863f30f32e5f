"""`skolkvalitet keys rotate-pseudonym` (config/management/commands/keys.py): the stored
pseudonyms re-keyed, the embedded default's key file replaced by the new key (0600), the new
key created when its file does not exist; a file with a bad line is refused by line number."""

from __future__ import annotations

import datetime as dt
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from skolkvalitet.organisation import actions
from skolkvalitet.organisation.identity import (
    make_personal_number,
    parse_personal_number,
    pseudonym_for,
)
from skolkvalitet.organisation.models import Pupil

pytestmark = pytest.mark.django_db

NUMBER = make_personal_number(dt.date(2010, 3, 15), 238)


@pytest.fixture
def installation(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    (var / "pseudonym_key").write_text("old-key")
    with override_settings(VAR_DIR=var, PSEUDONYM_KEY="old-key", PSEUDONYM_KEY_FROM_FILE=True):
        pupil, _ = actions.pupil_get_or_create(number=parse_personal_number(NUMBER))
        numbers = tmp_path / "numbers.txt"
        numbers.write_text(f"personnummer\n{NUMBER}\n")
        yield var, numbers, pupil


def test_the_key_file_holds_the_new_key_and_the_pupil_its_new_pseudonym(installation, capsys):
    var, numbers, pupil = installation
    Pupil.objects.exclude(pk=pupil.pk).delete()
    new_key_file = var.parent / "new_key"
    call_command(
        "keys", "rotate-pseudonym", "--numbers", str(numbers), "--new-key-file", str(new_key_file)
    )
    new_key = new_key_file.read_text()
    assert len(new_key) == 64  # 48 random bytes, URL-safe base64
    assert stat.S_IMODE(new_key_file.stat().st_mode) == 0o600
    assert (var / "pseudonym_key").read_text() == new_key
    assert stat.S_IMODE((var / "pseudonym_key").stat().st_mode) == 0o600
    assert [p.name for p in var.iterdir()] == ["pseudonym_key"]  # no partial file left
    number = parse_personal_number(NUMBER)
    assert Pupil.objects.get(pk=pupil.pk).pseudonym == pseudonym_for(number, key=new_key)
    assert "organisation_pupil: 1" in capsys.readouterr().out


def test_a_given_new_key_is_used_and_a_dry_run_changes_nothing(installation):
    var, numbers, pupil = installation
    Pupil.objects.exclude(pk=pupil.pk).delete()
    new_key_file = var.parent / "given"
    new_key_file.write_text("a-new-key-from-the-secret-store\n")
    call_command(
        "keys",
        "rotate-pseudonym",
        "--numbers",
        str(numbers),
        "--new-key-file",
        str(new_key_file),
        "--dry-run",
    )
    assert (var / "pseudonym_key").read_text() == "old-key"
    assert Pupil.objects.get(pk=pupil.pk).pseudonym == pupil.pseudonym
    call_command(
        "keys", "rotate-pseudonym", "--numbers", str(numbers), "--new-key-file", str(new_key_file)
    )
    assert (var / "pseudonym_key").read_text() == "a-new-key-from-the-secret-store"
    number = parse_personal_number(NUMBER)
    assert Pupil.objects.get(pk=pupil.pk).pseudonym == pseudonym_for(
        number, key="a-new-key-from-the-secret-store"
    )


def test_pupils_without_a_number_stop_it_and_the_key_file_is_kept(installation):
    var, numbers, _pupil = installation
    actions.pupil_get_or_create(
        number=parse_personal_number(make_personal_number(dt.date(2011, 1, 2), 456))
    )
    with pytest.raises(CommandError, match="--unlink-unmatched"):
        call_command(
            "keys",
            "rotate-pseudonym",
            "--numbers",
            str(numbers),
            "--new-key-file",
            str(var.parent / "new"),
        )
    assert (var / "pseudonym_key").read_text() == "old-key"


def test_a_bad_line_is_named_by_its_number_only(installation):
    var, numbers, _pupil = installation
    numbers.write_text("personnummer\n20100315-2380\n")
    with pytest.raises(CommandError) as refused:
        call_command(
            "keys",
            "rotate-pseudonym",
            "--numbers",
            str(numbers),
            "--new-key-file",
            str(var.parent / "new"),
        )
    message = str(refused.value)
    assert message.rstrip(".").endswith(" 2") and "2380" not in message


def test_rotation_needs_its_two_files():
    with pytest.raises(CommandError, match="--numbers"):
        call_command("keys", "rotate-pseudonym")
