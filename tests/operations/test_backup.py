"""`skolkvalitet backup` and `skolkvalitet restore` (operations/backup.py, restore.py): a round
trip gives back every row of every table, the indicator values included, on the engine the
suite runs on (SQLite; PostgreSQL in CI); what restore refuses, it refuses before it writes."""

from __future__ import annotations

import os
import stat

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from skolkvalitet.indicators.models import ErasedYear, IndicatorValue
from skolkvalitet.operations import postgres
from skolkvalitet.operations.backup import database_backup
from skolkvalitet.operations.files import BackupError, Kind, kind_of_file
from skolkvalitet.operations.restore import database_restore
from skolkvalitet.organisation.models import AuditEvent, Pupil
from skolkvalitet.quality.models import QualityReport
from skolkvalitet.results.models import Grade

from .snapshot import differences, tables_snapshot

pytestmark = pytest.mark.django_db(transaction=True)

SUFFIX = {"sqlite": "sqlite3", "postgresql": "dump"}


def values() -> list[tuple]:
    return sorted(
        IndicatorValue.objects.values_list(
            "indicator",
            "node_id",
            "period_kind",
            "period_id",
            "breakdown",
            "value",
            "n",
            "suppression",
            "data_version",
        ),
        key=repr,
    )


def change_everything(world) -> None:
    """What happens after a backup: rows deleted, changed and added in many tables."""
    Grade.objects.filter(pupil=world.josef).delete()
    Pupil.objects.filter(pk=world.gammal.pk).update(given_name="Ändrad")
    QualityReport.objects.filter(pk=world.report.pk).delete()
    IndicatorValue.objects.filter(indicator__startswith="grades").delete()
    AuditEvent.objects.create(action="after_the_backup")


def round_trip(world, tmp_path) -> None:
    before, figures = tables_snapshot(), values()
    assert figures and before["quality_qualityreport"] and before["results_grade"]
    out = tmp_path / "backups" / f"skolkvalitet.{SUFFIX[connection.vendor]}"
    call_command("backup", "--out", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no partial file left

    change_everything(world)
    assert differences(before, tables_snapshot())

    call_command("restore", str(out), "--force")
    after = tables_snapshot()
    assert differences(before, after) == []
    assert values() == figures


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the suite runs on PostgreSQL")
def test_a_sqlite_round_trip_gives_back_every_table(world, tmp_path) -> None:
    round_trip(world, tmp_path)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="DATABASE_URL is not PostgreSQL")
def test_a_postgresql_round_trip_gives_back_every_table(world, tmp_path) -> None:
    round_trip(world, tmp_path)


def test_the_backup_is_of_the_engines_kind_and_holds_no_key(world, tmp_path) -> None:
    backup = database_backup(out=tmp_path / "b")
    assert backup.kind == Kind(connection.vendor) == kind_of_file(backup.path)
    content = backup.path.read_bytes()
    assert b"Josef" in content or connection.vendor == "postgresql"  # custom format compresses
    for key in (settings.PSEUDONYM_KEY, settings.SECRET_KEY):
        assert key and key.encode() not in content


def test_a_backup_never_replaces_a_file(db, tmp_path) -> None:
    out = tmp_path / "taken"
    out.write_text("someone's file")
    with pytest.raises(CommandError, match=str(out)):
        call_command("backup", "--out", str(out))
    assert out.read_text() == "someone's file"
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_a_database_that_holds_data_is_replaced_only_with_force(world, tmp_path) -> None:
    out = tmp_path / "b"
    database_backup(out=out)
    AuditEvent.objects.create(action="after_the_backup")
    before = tables_snapshot()
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(out))
    assert differences(before, tables_snapshot()) == []


def test_an_empty_database_is_restored_without_force(world, tmp_path) -> None:
    out = tmp_path / "b"
    database_backup(out=out)
    before = tables_snapshot()
    call_command("flush", interactive=False)
    call_command("restore", str(out))
    assert differences(before, tables_snapshot()) == []


def test_a_backup_of_the_other_engine_is_refused(db, tmp_path) -> None:
    other = tmp_path / "other"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(100))
        found = "postgresql"
    else:
        other.write_bytes(b"SQLite format 3\x00" + bytes(100))
        found = "sqlite"
    with pytest.raises(BackupError, match=found):
        database_restore(path=other, force=True)
    text = tmp_path / "text"
    text.write_text("not a backup")
    with pytest.raises(BackupError, match="pg_dump"):
        database_restore(path=text, force=True)


def test_a_backup_newer_than_the_code_is_refused_before_anything_is_written(
    world, tmp_path
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('indicators', '9999_from_the_future', CURRENT_TIMESTAMP)"
        )
    out = tmp_path / "b"
    database_backup(out=out)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE name = '9999_from_the_future'")
    Grade.objects.all().delete()
    before = tables_snapshot()
    with pytest.raises(BackupError, match=r"indicators\.9999_from_the_future"):
        database_restore(path=out, force=True)
    assert differences(before, tables_snapshot()) == []


def indicators_migrations_after(number: str) -> list[str]:
    """The indicators app's migrations after `number`, in order, as the code holds them."""
    from django.db.migrations.loader import MigrationLoader

    names = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return sorted(
        f"indicators.{name}" for app, name in names if app == "indicators" and name[:4] > number
    )


def test_a_backup_older_than_the_code_is_migrated_forward(world, tmp_path) -> None:
    call_command("migrate", "indicators", "0003", verbosity=0)
    out = tmp_path / "b"
    database_backup(out=out)
    call_command("migrate", verbosity=0)
    restored = database_restore(path=out, force=True)
    assert restored.migrated == indicators_migrations_after("0003")
    assert not ErasedYear.objects.exists()  # the table is there again, empty
    assert Grade.objects.count() == 11


def test_missing_postgresql_client_programs_are_named_with_how_to_install_them(
    monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError) as missing:
        postgres.program("pg_dump")
    assert "pg_dump" in str(missing.value)
    assert "apt-get install postgresql-client" in str(missing.value)


def test_the_password_goes_in_the_environment_not_the_command_line() -> None:
    env = postgres.environment(
        {
            "NAME": "sk",
            "USER": "u",
            "PASSWORD": "hemligt",
            "HOST": "db",
            "PORT": 5433,
            "OPTIONS": {"sslmode": "require"},
        }
    )
    assert (env["PGDATABASE"], env["PGUSER"], env["PGPASSWORD"]) == ("sk", "u", "hemligt")
    assert (env["PGHOST"], env["PGPORT"], env["PGSSLMODE"]) == ("db", "5433", "require")


def test_files_are_created_owner_only_even_with_a_lax_umask(db, tmp_path) -> None:
    old = os.umask(0o000)
    try:
        backup = database_backup(out=tmp_path / "new" / "dir" / "b")
    finally:
        os.umask(old)
    assert stat.S_IMODE(backup.path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
