"""A real municipality's units on the result pages (issue 14, done when): Vallentuna's
schools from Skolenhetsregistret (tests/data/public), then a pupils, grades, absence, survey and
a staff file for two of them, and Skolverket's published teacher statistics of 2024/25. The
overview and the unit page show the surveys and the staff in their sections, with n and the
published figures beside them; where the nation's figure is not in the reference data, the
page says so.

Hand-computed, 2024/25:
    Trygghet   Hagaskolan  85 of 100 respondents (120 invited) = 85,0 %
               Karbyskolan 48 of  64 respondents  (80 invited) = 75,0 %
               the organiser 133 / 164 = 81,10 %, 200 invited
    Teachers   Hagaskolan  27,0 of 36,0 FTEs certified = 75,0 %, 450 pupils / 36,0 = 12,5
               Karbyskolan 20,0 of 25,0 = 80,0 %, 300 / 25,0 = 12,0
               the organiser 47,0 / 61,0 = 77,05 %
    Vallentuna's municipal schools as Skolverket published them (Personalstatistik 2024/25):
    75,3 % of the teacher FTEs certified.
    Final grades: 12 pupils at Hagaskolan, all E in eight subjects but one F: 11 of 12 passed
    all subjects = 91,7 %.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.public_data import public_data

from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.ingest.register import units_import
from skolkvalitet.organisation import actions
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.organisation.models import Node, NodeKind, Role
from skolkvalitet.reference.imports import skolverket_import

pytestmark = pytest.mark.django_db

REGISTER = (
    public_data()
    / "skolverket"
    / "skolenhetsregistret"
    / "skolenhetsregistret_2020-06-01_Grundskola_0115_0136_0138_1282.csv"
)
TEACHERS_2024 = (
    public_data()
    / "skolverket"
    / "statistik"
    / "Grundskola - Personalstatistik med lärarlegitimation och behörighet 2024 Kommun.csv"
)
HAGASKOLAN, KARBYSKOLAN = "84520303", "57370453"
SUBJECTS = ("SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI")


def pupils() -> list[str]:
    return [make_personal_number(dt.date(2009, 4, serial), 300 + serial) for serial in range(1, 13)]


def pupil_register() -> bytes:
    """The 12 pupils in class 9A at Hagaskolan (the pupils file gives their school form)."""
    lines = [
        "personnummer;skolenhetskod;läsår;skolform;årskurs;klass;förnamn;efternamn;"
        "svenska som andraspråk;ankomstdatum;född utomlands;båda föräldrarna födda utomlands;"
        "föräldrars utbildning;särskilt stöd"
    ]
    for serial, pupil in enumerate(pupils(), start=1):
        lines.append(f"{pupil};{HAGASKOLAN};2024/25;GR;9;9A;Elev{serial};Test;nej;;nej;nej;3;nej")
    return ("\n".join(lines) + "\n").encode()


def grades() -> bytes:
    lines = ["personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp"]
    for serial, pupil in enumerate(pupils(), start=1):
        for subject in SUBJECTS:
            grade = "F" if serial == 12 and subject == "MA" else "E"
            lines.append(f"{pupil};{HAGASKOLAN};2024/25;VT;9;{subject};{grade};slutbetyg")
    return ("\n".join(lines) + "\n").encode()


def absence() -> bytes:
    lines = [
        "personnummer;skolenhetskod;läsår;termin;från;till;årskurs;schemalagd tid;frånvaro;"
        "ogiltig frånvaro"
    ]
    for pupil in pupils():
        # The whole spring term (från and till empty): the year's absence is its sum.
        lines.append(f"{pupil};{HAGASKOLAN};2024/25;VT;;;9;6000;300;0")
    return ("\n".join(lines) + "\n").encode()


def surveys() -> bytes:
    header = "skolenhetskod;läsår;enkät;index;respondentgrupp;inbjudna;svarande;instämmer\n"
    return (
        header
        + f"{HAGASKOLAN};2024/25;pupil;safety;åk 5 och 8;120;100;85\n"
        + f"{KARBYSKOLAN};2024/25;pupil;safety;åk 5 och 8;80;64;48\n"
    ).encode()


def staff() -> bytes:
    header = (
        "skolenhetskod;läsår;lärare;lärare heltidstjänster;"
        "legitimerade lärare heltidstjänster;elever\n"
    )
    return (
        header
        + f"{HAGASKOLAN};2024/25;40;36,0;27,0;450\n"
        + f"{KARBYSKOLAN};2024/25;30;25,0;20,0;300\n"
    ).encode()


@pytest.fixture
def vallentuna(db, make_user):
    units_import(REGISTER, municipality="0115")
    facts_import_bytes("pupils", pupil_register(), "elever.csv")
    facts_import_bytes("grades", grades(), "betyg.csv")
    facts_import_bytes("absence", absence(), "franvaro.csv")
    facts_import_bytes("surveys", surveys(), "enkat.csv")
    facts_import_bytes("staff", staff(), "personal.csv")
    skolverket_import(TEACHERS_2024)
    hagaskolan = Node.objects.get(kind=NodeKind.UNIT, code=HAGASKOLAN)
    organiser = Node.objects.get(pk=hagaskolan.ancestor_ids()[0])
    admin = make_user("forvaltning-vallentuna")
    actions.role_grant(user=admin, node=organiser, role=Role.ORGANISER_ADMIN)
    return organiser, hagaskolan, admin


def cell(table, name: str, key: str):
    rows = [*table.rows, table.organiser]
    row = next(r for r in rows if r.node.name == name)
    return next(c for c in row.cells if c.indicator.key == key)


def test_the_overview_shows_the_survey_and_staff_with_the_municipalitys_figure(
    vallentuna, client
) -> None:
    organiser, _hagaskolan, admin = vallentuna
    client.force_login(admin)
    page = client.get(reverse("overview"), {"lasar": page_year(client)})
    assert page.status_code == 200
    tables = {t.key: t.overview for t in page.context["facts"].tables}
    safety = cell(tables["surveys"], "Hagaskolan", "survey_pupil_safety")
    assert (safety.shown, safety.n, safety.invited) == (85.0, 100, 120)
    assert cell(tables["surveys"], "Karbyskolan", "survey_pupil_safety").shown == 75.0
    line = cell(tables["surveys"], organiser.name, "survey_pupil_safety")
    assert (line.shown, line.n, line.invited) == (pytest.approx(100 * 133 / 164), 164, 200)
    certified = cell(tables["staff"], "Hagaskolan", "certified_teachers_share")
    assert (certified.shown, certified.n) == (75.0, 40)
    assert cell(tables["staff"], organiser.name, "certified_teachers_share").shown == (
        pytest.approx(100 * 47 / 61)
    )
    # Skolverket's figure for Vallentuna's municipal schools, the same year, beside them.
    [municipality] = [r for r in tables["staff"].references if r.area == "municipality"]
    keys = [i.key for i in tables["staff"].indicators]
    assert municipality.values[keys.index("certified_teachers_share")] == 75.3
    assert (municipality.label, municipality.period) == ("Vallentuna", "2024/25")
    assert municipality.basis_label == "kommunala skolor"
    assert "nation" in tables["staff"].reference_missing  # no Riket row in that file
    html = page.content.decode()
    assert "75,3" in html and "Vallentuna, kommunala skolor 2024/25" in html
    # The final grades of the same year in the main table.
    passed = cell(page.context["data"], "Hagaskolan", "passed_all_subjects")
    assert passed.shown == pytest.approx(100 * 11 / 12) and passed.n == 12


def test_the_unit_page_shows_the_survey_and_staff_sections(vallentuna, client) -> None:
    _organiser, hagaskolan, admin = vallentuna
    client.force_login(admin)
    page = client.get(reverse("unit", args=[hagaskolan.pk]))
    assert page.status_code == 200
    sections = {s.key: s for s in page.context["data"].fact_sections}
    assert set(sections) == {"surveys", "staff"}
    [safety] = sections["surveys"].rows
    assert safety.counts == [(85.0, 100, 120)]
    staff_rows = {r.indicator.key: r for r in sections["staff"].rows}
    assert staff_rows["certified_teachers_share"].values == [(75.0, 40)]
    assert staff_rows["pupils_per_teacher_fte"].values == [(12.5, 40)]
    # No national figure of 2024/25 is in the reference data: the page names what is missing.
    assert sections["staff"].reference.missing == [
        staff_rows["certified_teachers_share"].indicator.name_sv,
        staff_rows["pupils_per_teacher_fte"].indicator.name_sv,
    ]
    html = page.content.decode()
    assert 'data-section="surveys"' in html and 'data-section="staff"' in html
    assert 'data-indicator="survey_pupil_safety"' in html
    # The absence of the year is on the page too (12 pupils, 300 of 6 000 minutes: 5,0 %).
    years = next(s for s in page.context["data"].sections if s.key == "years")
    absence = next(r for r in years.rows if r.indicator.key == "absence_mean_year")
    assert absence.values[-1] == (pytest.approx(5.0), 12)


def page_year(client) -> int:
    from skolkvalitet.organisation.models import AcademicYear

    return AcademicYear.objects.get(code="2024/25").pk
