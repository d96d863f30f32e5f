"""`skolkvalitet reference`: the stored reference values of a unit or a municipality."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from tests.public_data import public_data

from skolkvalitet.reference.imports import kolada_import, skolverket_import

pytestmark = pytest.mark.django_db

PUBLIC = public_data()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def imported():
    skolverket_import(
        PUBLIC / "skolverket/statistik/skolverket_slutbetyg_ak9_2024-25_skolenhet.csv"
    )
    kolada_import(PUBLIC / "kolada/riket.txt")
    kolada_import(PUBLIC / "kolada/MasterData.txt")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("reference", *args, stdout=out)
    return out.getvalue()


def test_json_for_a_unit(imported):
    rows = json.loads(run("--unit", "28145722", "--format", "json"))
    assert {"source", "measure", "area", "period", "value", "n", "marker"} <= set(rows[0])
    merit = next(r for r in rows if r["measure"] == "Genomsnittligt meritvärde (17 ämnen)")
    assert (merit["value"], merit["marker"], merit["indicator"], merit["period"]) == (
        98.0,
        "",
        "merit_value_17",
        "2024/25",
    )
    assert merit["area"] == {"kind": "unit", "code": "28145722", "name": "Aktiviaskolan Enhet Eken"}
    suppressed = next(r for r in rows if r["indicator"] == "passed_all_subjects")
    assert (suppressed["value"], suppressed["marker"]) == (None, "..")


def test_json_for_a_municipality_and_year(imported):
    rows = json.loads(run("--municipality", "0115", "--year", "2018/19", "--format", "json"))
    assert {r["period"] for r in rows} == {"2019"}  # Kolada dates 2018/19 by its spring
    merit = next(r for r in rows if r["kpi"] == "N15505" and r["breakdown"] == "")
    assert (merit["value"], merit["source"], merit["organiser_type"]) == (
        233.6,
        "kolada",
        "Kommunal",
    )


def test_the_table(imported):
    out = run("--municipality", "0115", "--year", "2019")
    assert "233.6" in out and "Elever i åk. 9, meritvärde kommunala skolor" in out
    assert run("--municipality", "0115", "--year", "1999").strip() == (
        "No reference values stored for that."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--unit", "123"), "A skolenhetskod has 8 digits."),
        (("--municipality", "115"), "A kommunkod has 4 digits, e.g. 0115."),
        (("--municipality", "0115", "--year", "24/25"), "Write the year as 2024/25 (or 2024)."),
    ],
)
def test_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(*args)


def test_a_unit_or_a_municipality_is_required():
    with pytest.raises(CommandError):
        run("--format", "json")
