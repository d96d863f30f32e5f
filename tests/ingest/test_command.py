"""`skolkvalitet import`: the operator's way in, with the same checks as the web UI."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from tests.public_data import public_data

from skolkvalitet.batches.models import BatchStatus, ImportBatch
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.organisation.models import Node, NodeKind
from skolkvalitet.results.models import Grade

pytestmark = pytest.mark.django_db

NEW_PUPIL = make_personal_number(dt.date(2010, 4, 2), 246)
HEADER = "personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"
REGISTER = public_data() / "skolverket/skolenhetsregistret"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_file_is_imported_listed_and_rolled_back(org, tmp_path):
    path = tmp_path / "betyg.csv"
    path.write_text(HEADER + f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg\n")
    out, _err = run("grades", str(path))
    batch = ImportBatch.objects.get()
    assert out.startswith(f"betyg.csv: imported 1 rows as import {batch.pk}.")

    out, _err = run("grades", str(path))
    assert "already imported" in out and "nothing changed" in out

    out, _err = run("list")
    assert "grades" in out and "betyg.csv" in out

    out, _err = run("rollback", str(batch.pk))
    assert out.strip() == f"Import {batch.pk} (betyg.csv) rolled back."
    batch.refresh_from_db()
    assert batch.status == BatchStatus.ROLLED_BACK and Grade.objects.count() == 0


def test_a_rejected_file_prints_each_problem_and_exits_non_zero(org, tmp_path):
    path = tmp_path / "betyg.csv"
    path.write_text(HEADER + f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;G;slutbetyg\n")
    err = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import", "grades", str(path), "--no-progress", stderr=err)
    assert "the database is unchanged" in str(error.value)
    assert err.getvalue().startswith("betyg.csv:2:betyg: A grade is A, B, C, D, E, F or -")
    assert Grade.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_a_template_is_printed_or_written(tmp_path):
    out, _err = run("template", "grades")
    assert out.splitlines()[0] == HEADER.strip() + ";språk"
    target = tmp_path / "mall.xlsx"
    run("template", "absence", "--xlsx", "--output", str(target))
    assert target.read_bytes()[:2] == b"PK"


def test_the_units_of_vallentuna_come_from_skolenhetsregistret(db):
    path = REGISTER / "skolenhetsregistret_2020-06-01_Grundskola_0115_0136_0138_1282.csv"
    out, _err = run("units", str(path), "--municipality", "0115")
    organiser = Node.objects.get(kind=NodeKind.ORGANISER)
    assert organiser.name == "Vallentuna kommun"
    unit = Node.objects.get(kind=NodeKind.UNIT, code="52293921")
    assert unit.name == "Bällstabergsskolan" and unit.parent == organiser
    assert Node.objects.filter(kind=NodeKind.UNIT, name="Karbyskolan").exists()
    assert "imported" in out


def test_registers_and_reference_data_are_not_rolled_back_by_id(db, tmp_path):
    batch = ImportBatch.objects.create(kind="units", source_name="register.csv", rows=1)
    with pytest.raises(CommandError) as error:
        run("rollback", str(batch.pk))
    assert "only pupil-data imports and SS 12000 syncs are rolled back" in str(error.value)


def test_the_indicator_computation_after_an_import_shows_a_progress_bar(org, tmp_path):
    path = tmp_path / "betyg.csv"
    path.write_text(HEADER + f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg\n")
    out, err = StringIO(), StringIO()
    call_command("import", "grades", str(path), stdout=out, stderr=err)
    assert "Indikatorer" in err.getvalue() and "1/1" in err.getvalue()  # one academic year
