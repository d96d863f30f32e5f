"""`skolkvalitet report unit --format json` on a real municipality's units (Vallentuna from
Skolenhetsregistret) and a grades file: the knowledge section shows the unit's merit value
and pass shares, equal to what `skolkvalitet indicators` prints for the same unit and year."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.public_data import public_data

from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.ingest.register import units_import
from skolkvalitet.organisation.identity import make_personal_number

pytestmark = pytest.mark.django_db

GRUNDSKOLA = (
    public_data()
    / "skolverket"
    / "skolenhetsregistret"
    / "skolenhetsregistret_2020-06-01_Grundskola_0115_0136_0138_1282.csv"
)
HAGASKOLAN = "84520303"  # Vallentuna kommun, F–9
SUBJECTS = ("SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI")


def grades_file() -> bytes:
    """12 year-9 pupils at Hagaskolan, VT 2019/20: pupils 1–9 E in all 8 subjects (80
    points), pupils 10–11 C in all (120), pupil 12 F in MA and E in the rest (70).
    Merit value (9 x 80 + 2 x 120 + 70) / 12 = 1030 / 12 = 85.83; all subjects passed
    11 of 12 = 91.7 %."""
    lines = ["personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp"]
    for serial in range(1, 13):
        pupil = make_personal_number(dt.date(2004, 4, serial), 200 + serial)
        for subject in SUBJECTS:
            grade = "C" if serial in (10, 11) else "E"
            if serial == 12 and subject == "MA":
                grade = "F"
            lines.append(f"{pupil};{HAGASKOLAN};2019/20;VT;9;{subject};{grade};slutbetyg")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def vallentuna(db):
    units_import(GRUNDSKOLA, municipality="0115")
    facts_import_bytes("grades", grades_file(), "betyg_hagaskolan.csv")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_knowledge_section_equals_the_indicators_command(vallentuna) -> None:
    data = json.loads(run("report", "unit", "--unit", HAGASKOLAN, "--year", "2019/20"))
    assert (data["unit"]["name"], data["school_form"], data["status"]) == (
        "Hagaskolan",
        "grundskola",
        "not_started",
    )
    [knowledge] = [s for s in data["sections"] if s["key"] == "kunskaper"]
    figures = {f["indicator"]: f for f in knowledge["figures"]}
    assert figures["merit_value_17"]["value"] == pytest.approx(1030 / 12)
    assert figures["merit_value_17"]["n"] == 12
    assert figures["passed_all_subjects"]["value"] == pytest.approx(100 * 11 / 12)

    printed = run("indicators", "--unit", HAGASKOLAN, "--year", "2019/20")
    for key in ("merit_value_17", "passed_all_subjects", "eligible_vocational"):
        [line] = [line for line in printed.splitlines() if line.split()[:1] == [key]]
        assert f"{figures[key]['value']:.1f}" in line, (key, line)


def test_an_unknown_unit_or_year_is_named(vallentuna) -> None:
    with pytest.raises(CommandError, match="No school unit with the code 99999999"):
        run("report", "unit", "--unit", "99999999", "--year", "2019/20")
    with pytest.raises(CommandError, match="No academic year 2030/31"):
        run("report", "unit", "--unit", HAGASKOLAN, "--year", "2030/31")
