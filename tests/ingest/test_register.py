"""Bootstrapping an organiser from Skolenhetsregistret: one run imports one organiser and its
school units, whole or not at all, once.

The expected values are read by hand from Skolverket's 2020-06-01 snapshot in
tests/data/public/skolverket/skolenhetsregistret/ (the whole workbook from
jplusplus/skolstatistik and the CSV cuts of it for 0115, 0136, 0138 and 1282); each test names
the row it reads.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from tests.public_data import public_data

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.batches.problems import ImportRejected
from skolkvalitet.ingest.files.cells import CellError
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.ingest.register import (
    COUNTY_CODES,
    FORMS,
    FORMS_BY_NAME,
    academic_year_of,
    form_named,
    forms_merged,
    municipality_code,
    organisationsnummer,
    organiser_display_name,
    parse_register,
    parse_row,
    units_import,
    units_import_bytes,
)
from skolkvalitet.organisation.actions import node_create
from skolkvalitet.organisation.identity import luhn_check_digit, make_personal_number
from skolkvalitet.organisation.models import Node, NodeKind, SchoolForm
from skolkvalitet.reference.models import ReferenceValue

REGISTER = public_data() / "skolverket" / "skolenhetsregistret"
CUT = "skolenhetsregistret_2020-06-01_{}_0115_0136_0138_1282.csv"
GRUNDSKOLA = REGISTER / CUT.format("Grundskola")
GRUNDSARSKOLA = REGISTER / CUT.format("Grundsärskola")
WORKBOOK = REGISTER / "skolenhetsregistret_2020-06-01_jplusplus.xlsx"

# Vallentuna kommun's own units in the Grundskola cut (lines 4–7 and 9–14; HUVUDMANNATYP
# Kommunal, ORGANISATIONSNR 2120000027). Lines 2, 3, 8, 15, 16 and 17 are independent schools.
VALLENTUNA_GR = {
    "52293921": "Bällstabergsskolan",
    "33565539": "Gustav Vasaskolan",
    "84520303": "Hagaskolan",
    "16855764": "Hjälmstaskolan",
    "57370453": "Karbyskolan",
    "34295441": "Karlbergsskolan",
    "84103650": "Kårsta skola",
    "29278599": "Lovisedalsskolan",
    "10299294": "Olympiaskolan",
    "63742407": "Rosendalsskolan",
}
VALLENTUNA_INDEPENDENT = {"48184058", "28145722", "20230739", "72378947", "71375812", "46206050"}
F_9 = list(range(10))

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English here; the Swedish catalogue is checked elsewhere."""
    with translation.override("en"):
        yield


def unit(code: str) -> Node:
    return Node.objects.get(kind=NodeKind.UNIT, code=code)


def pupils(code: str, measure: str) -> float:
    return ReferenceValue.objects.get(area_code=code, measure=measure).value


def problems_of(call) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        call()
    return [str(problem) for problem in rejected.value.problems]


def database_state() -> tuple[int, int, int]:
    return Node.objects.count(), ReferenceValue.objects.count(), ImportBatch.objects.count()


def grundskola_text() -> str:
    return GRUNDSKOLA.read_text(encoding="utf-8")


def with_cell(text: str, line: int, heading: str, value: str) -> bytes:
    """The CSV `text` with one cell (line, heading) replaced."""
    rows = list(csv.reader(io.StringIO(text)))
    rows[line - 1][rows[0].index(heading)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def only_municipality(text: str, code: str) -> bytes:
    """The header and the rows of one municipality (KOMMUN), as a file of its own."""
    lines = text.splitlines()
    kept = [line for line in lines[1:] if next(csv.reader([line]))[4] == code]
    return "\n".join([lines[0], *kept]).encode("utf-8")


# Reading the register ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "rows"),
    [
        ("Grundskola", 82),
        ("Grundsärskola", 10),
        ("Gymnasieskola", 7),
        ("Gymnasiesärskola", 5),
        ("Komm_vuxenutb", 3),
        ("Komm_vuxenutb_i_sv_f_inv", 3),
        ("Särsk_utb_f_vuxna", 3),
    ],
)
def test_every_csv_cut_parses_one_unit_per_data_row_of_its_school_form(form, rows):
    path = REGISTER / CUT.format(form)
    units = parse_register(path.read_bytes(), path.name)
    assert len(units) == rows == len(path.read_text(encoding="utf-8").splitlines()) - 1
    assert {u.form for u in units} == {form_named(path.name).name}
    assert [u.line for u in units] == list(range(2, rows + 2))


def test_the_csv_cuts_are_told_apart_by_their_names_though_three_share_a_header():
    assert form_named(CUT.format("Komm_vuxenutb")).name == "Komm. vuxenutb."
    assert form_named(CUT.format("Komm_vuxenutb_i_sv_f_inv")).name == (
        "Komm. vuxenutb. i sv. f. inv."
    )
    assert form_named(CUT.format("Särsk_utb_f_vuxna")).name == "Särsk. utb. f. vuxna"
    assert form_named(CUT.format("Grundsärskola")).name == "Grundsärskola"
    assert form_named("units.csv") is None


def test_the_workbook_parses_every_school_form_sheet_and_not_the_huvudman_sheet():
    units = parse_register(WORKBOOK.read_bytes(), WORKBOOK.name)
    per_sheet = {form.name: 0 for form in FORMS}
    for row in units:
        per_sheet[row.form] += 1
    # Each sheet's rows below its header (Huvudmän, 1 132 organisers, is not a unit sheet).
    assert per_sheet == {
        "Grundskola": 4894,
        "Grundsärskola": 738,
        "Specialskola": 10,
        "Sameskola": 5,
        "Gymnasieskola": 1330,
        "Gymnasiesärskola": 262,
        "Komm. vuxenutb.": 390,
        "Komm. vuxenutb. i sv. f. inv.": 369,
        "Särsk. utb. f. vuxna": 211,
    }
    # Grundskola row 19: Bällstabergsskolan, read as in the CSV cut's line 4.
    row = next(u for u in units if u.skolenhetskod == "52293921")
    assert (row.file, row.line) == (f"{WORKBOOK.name} [Grundskola]", 19)
    assert row.year_groups == tuple(F_9)


def test_a_grundskola_row_gives_school_forms_year_groups_and_pupils_per_year_group():
    units = {u.line: u for u in parse_register(GRUNDSKOLA.read_bytes(), GRUNDSKOLA.name)}
    # Line 4: Bällstabergsskolan, Kommunal 2120000027, FKLASS and ÅR1–ÅR9 all J.
    ballsta = units[4]
    assert (ballsta.skolenhetskod, ballsta.name) == ("52293921", "Bällstabergsskolan")
    assert (ballsta.organiser_type, ballsta.organisationsnummer) == ("Kommunal", "2120000027")
    assert (ballsta.municipality_code, ballsta.municipality_name) == ("0115", "Vallentuna")
    assert ballsta.organiser_name == "VALLENTUNA KOMMUN"
    assert ballsta.school_forms == (SchoolForm.FKLASS, SchoolForm.GR)
    assert ballsta.year_groups == tuple(F_9)
    published = [56, 56, 48, 65, 58, 61, 26, 42, 27, 30]  # ELEVER FKLASS, ELEVER ÅR1–ÅR9
    assert dict(ballsta.pupils) == dict(zip(F_9, published, strict=True))
    # Line 5: Gustav Vasaskolan runs F–6 (ÅR7–ÅR9 N, 0 pupils).
    assert units[5].year_groups == tuple(range(7))
    # Line 2: Aktiviaskolan, Enskild 5567812069, runs 6–9 only: no förskoleklass.
    assert units[2].school_forms == (SchoolForm.GR,)
    assert units[2].year_groups == (6, 7, 8, 9)
    assert units[2].is_municipal is False


def register_disagreements(path) -> dict[str, tuple[set[int], set[int]]]:
    """Read with the csv module alone: skolenhetskod → (year groups flagged J, year groups with
    a pupil count above zero), for the rows where the two differ."""
    columns = [("FKLASS", 0), *((f"ÅR{year}", year) for year in range(1, 10))]
    found = {}
    for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
        flagged = {year for column, year in columns if row[column] == "J"}
        counted = {year for column, year in columns if int(row[f"ELEVER {column}"] or 0) > 0}
        if flagged != counted:
            found[row["SKOLENHETSKOD"]] = (flagged, counted)
    return found


def test_for_15_of_82_units_the_year_group_flags_and_pupil_counts_disagree_and_both_count():
    disagreeing = register_disagreements(GRUNDSKOLA)
    units = {u.skolenhetskod: u for u in parse_register(GRUNDSKOLA.read_bytes(), GRUNDSKOLA.name)}

    assert len(units) == 82
    assert len(disagreeing) == 15
    # A year group is the unit's when it is flagged J or has pupils: the union of the two.
    for code, (flagged, counted) in disagreeing.items():
        assert units[code].year_groups == tuple(sorted(flagged | counted)), code
    # 4 of them have pupils in a year group flagged N (the other 11 are flagged J with none):
    # line 27 Kvarnbäcksskolan ÅR7 N, 1 pupil; line 33 Ribbyskolan ÅR4 N, 17 pupils; line 38
    # Söderby skola ÅR5 N, 1 pupil; line 75 Möllebackskolan ÅR4 N, 1 pupil.
    assert {code: u.years_from_counts for code, u in units.items() if u.years_from_counts} == {
        "76440567": (7,),
        "59497255": (4,),
        "55233055": (5,),
        "29167021": (4,),
    }
    assert units["76440567"].year_groups == tuple(range(8))
    assert units["59497255"].year_groups == (0, 1, 2, 3, 4, 7, 8, 9)


def test_year_groups_taken_from_pupil_counts_are_named_in_the_import_summary():
    outcome = units_import(GRUNDSKOLA, municipality="0136")

    # Haninge kommun's units: Kvarnbäcksskolan (line 27) gains year 7, Ribbyskolan (line 33)
    # year 4; Söderby skola (line 38) is an independent school's and is not imported.
    assert unit("76440567").year_groups == list(range(8))
    assert unit("76440567").year_groups_label == "F–7"
    assert unit("59497255").year_groups == [0, 1, 2, 3, 4, 7, 8, 9]
    assert outcome.notes[3] == (
        "2 school units have pupils in year groups the register flags N; the year groups were "
        "taken from the pupil counts: 76440567 Kvarnbäcksskolan: 7; 59497255 Ribbyskolan: 4."
    )


def test_a_grades_file_for_a_pupil_in_a_year_group_known_from_the_counts_is_accepted():
    # Before, Kvarnbäcksskolan had F–6 and this file was refused ("does not teach year 7").
    units_import(GRUNDSKOLA, municipality="0136")
    pupil = make_personal_number(dt.date(2006, 5, 4), 123)
    data = (
        "personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"
        f"{pupil};76440567;2019/20;VT;7;MA;C;terminsbetyg\n"
    ).encode()

    outcome = facts_import_bytes("grades", data, "betyg.csv")

    assert outcome.rows == 1


def test_vallentuna_gains_no_year_group_from_counts_and_says_nothing_of_it():
    outcome = units_import(GRUNDSKOLA, municipality="0115")

    # Hjälmstaskolan (line 7) and Olympiaskolan (line 13) are flagged J where no pupil is:
    # they keep the flagged year groups, and no year group is added.
    assert unit("16855764").year_groups == F_9
    assert unit("10299294").year_groups == F_9
    assert not any("pupil counts:" in note for note in outcome.notes)


# Importing a municipality ------------------------------------------------------------------


def test_municipality_0115_from_the_grundskola_cut_gives_vallentuna_kommun_and_its_units():
    outcome = units_import(GRUNDSKOLA, municipality="0115")

    organiser = Node.objects.get(kind=NodeKind.ORGANISER)
    assert organiser.name == "Vallentuna kommun"
    assert (organiser.code, organiser.municipality_code) == ("2120000027", "0115")
    units = Node.objects.filter(kind=NodeKind.UNIT)
    assert {u.code: u.name for u in units} == VALLENTUNA_GR
    assert {u.parent_id for u in units} == {organiser.pk}
    assert all(u.is_within(organiser) for u in units)
    assert not units.filter(code__in=VALLENTUNA_INDEPENDENT).exists()
    # Line 4 Bällstabergsskolan F–9; line 5 Gustav Vasaskolan F–6; line 9 Karbyskolan F–9.
    assert (unit("52293921").school_forms, unit("52293921").year_groups) == (["FKLASS", "GR"], F_9)
    assert unit("33565539").year_groups == list(range(7))
    assert unit("33565539").year_groups_label == "F–6"
    assert unit("57370453").school_forms == ["FKLASS", "GR"]
    assert unit("52293921").municipality_code == "0115"

    assert outcome.unchanged is False
    assert outcome.rows == 82
    assert outcome.batch.kind == "units"
    assert outcome.notes[:2] == [
        "Organiser Vallentuna kommun created.",
        "10 school units created, 0 updated, 0 unchanged.",
    ]
    assert (
        "6 school units of other organisers in the municipality (independent schools and "
        "others) were skipped."
    ) in outcome.notes


def test_the_pupil_counts_are_stored_as_reference_values_of_the_academic_year():
    outcome = units_import(GRUNDSKOLA, municipality="0115")

    # Line 4, Bällstabergsskolan: ELEVER ÅR1 56, ÅR1–ÅR9 56+48+65+58+61+26+42+27+30.
    assert pupils("52293921", "Elever årskurs 1") == 56
    assert pupils("52293921", "Elever årskurs 9") == 30
    assert pupils("52293921", "Elever årskurs 1–9") == 413
    # Line 9, Karbyskolan: ELEVER FKLASS 35, ELEVER ÅR8 10.
    assert pupils("57370453", "Elever förskoleklass") == 35
    assert pupils("57370453", "Elever årskurs 8") == 10
    value = ReferenceValue.objects.get(area_code="57370453", measure="Elever förskoleklass")
    assert (value.source, value.dataset, value.area_kind) == (
        "skolenhetsregistret",
        "Skolenhetsregistret",
        "unit",
    )
    assert (value.period, value.subject, value.area_name) == ("2019/20", "", "Karbyskolan")
    assert value.batch == outcome.batch
    # Ten units, each with förskoleklass, årskurs 1–9 and their total; none of the independents.
    assert ReferenceValue.objects.count() == 10 * 11
    assert not ReferenceValue.objects.filter(area_code__in=VALLENTUNA_INDEPENDENT).exists()
    assert "110 pupil counts stored as reference values for 2019/20." in outcome.notes


def test_importing_the_same_file_again_changes_nothing():
    first = units_import(GRUNDSKOLA, municipality="0115")
    before = database_state()

    again = units_import(GRUNDSKOLA, municipality="0115")

    assert again.unchanged is True
    assert again.batch == first.batch
    assert database_state() == before


def test_the_same_file_for_another_municipality_is_another_import():
    units_import(GRUNDSKOLA, municipality="0115")

    haninge = units_import(GRUNDSKOLA, municipality="0136")

    assert haninge.unchanged is False
    assert set(Node.objects.filter(kind=NodeKind.ORGANISER).values_list("name", flat=True)) == {
        "Vallentuna kommun",
        "Haninge kommun",
    }


def test_grundsarskola_after_grundskola_adds_grs_to_the_units_that_run_both():
    units_import(GRUNDSKOLA, municipality="0115")

    outcome = units_import(GRUNDSARSKOLA, municipality="0115")

    # Grundsärskola cut line 4: Olympiaskolan, ÅR1–ÅR9 J; Grundskola cut line 13: F–9.
    olympia = unit("10299294")
    assert olympia.school_forms == ["FKLASS", "GR", "GRS"]
    assert olympia.year_groups == F_9
    assert unit("52293921").school_forms == ["FKLASS", "GR"]  # not in the Grundsärskola cut
    assert Node.objects.filter(kind=NodeKind.UNIT).count() == 10
    assert Node.objects.filter(kind=NodeKind.ORGANISER).count() == 1
    assert outcome.notes[:2] == [
        "Organiser Vallentuna kommun was up to date.",
        "0 school units created, 1 updated, 0 unchanged.",
    ]


def test_the_workbook_for_0115_gives_every_school_form_of_vallentunas_units():
    outcome = units_import(WORKBOOK, municipality="0115")

    organiser = Node.objects.get(kind=NodeKind.ORGANISER)
    assert organiser.name == "Vallentuna kommun"
    # Grundskola rows 19–29 (not 23, IKASUS), Gymnasieskola rows 4 and 5.
    assert {u.code: u.name for u in Node.objects.filter(kind=NodeKind.UNIT)} == (
        VALLENTUNA_GR | {"29811693": "Tellusgymnasiet", "85788659": "Vallentuna gymnasium"}
    )
    # Olympiaskolan: Grundskola row 28 and Grundsärskola row 5, one unit with both forms.
    assert unit("10299294").school_forms == ["FKLASS", "GR", "GRS"]
    assert unit("10299294").year_groups == F_9
    # Vallentuna gymnasium, Gymnasieskola row 5: ELEVER TOTALT 337.
    assert unit("85788659").school_forms == ["GY"]
    assert unit("85788659").year_groups == []
    assert pupils("85788659", "Elever gymnasieskola") == 337
    assert pupils("52293921", "Elever årskurs 1") == 56
    assert outcome.rows == 8209
    assert units_import(WORKBOOK, municipality="0115").unchanged is True


# Choosing the organiser --------------------------------------------------------------------


def test_without_a_municipality_a_file_of_several_municipalities_is_rejected():
    before = database_state()

    problems = problems_of(lambda: units_import(GRUNDSKOLA))

    assert problems == [
        f"{GRUNDSKOLA.name}: The file holds school units of 4 municipalities (0115 Vallentuna, "
        "0136 Haninge, 0138 Tyresö, 1282 Landskrona); choose one with --municipality."
    ]
    assert database_state() == before


def test_without_a_municipality_a_file_of_one_municipality_imports_that_municipality():
    data = only_municipality(grundskola_text(), "0138")

    units_import_bytes(data, "skolenhetsregistret_2020-06-01_Grundskola_0138.csv")

    organiser = Node.objects.get(kind=NodeKind.ORGANISER)
    assert (organiser.name, organiser.municipality_code) == ("Tyresö kommun", "0138")


def test_an_independent_organiser_is_imported_by_its_organisationsnummer():
    units_import(GRUNDSKOLA, organiser="556781-2069")

    # Lines 2 and 3: Aktiviaskolan and Aktiviaskolan Enhet Eken, Enskild 5567812069.
    organiser = Node.objects.get(kind=NodeKind.ORGANISER)
    assert (organiser.name, organiser.code, organiser.municipality_code) == (
        "Aktivia AB",
        "5567812069",
        "",
    )
    assert set(Node.objects.filter(kind=NodeKind.UNIT).values_list("code", flat=True)) == {
        "48184058",
        "28145722",
    }


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"municipality": "0115", "organiser": "2120000027"}, "Choose a municipality or an "),
        ({"municipality": "115"}, "A municipality code has 4 digits."),
        ({"organiser": "21200000"}, "An organisationsnummer has 10 digits."),
        ({"municipality": "0180"}, "The file has no school units of the municipality 0180 run "),
        ({"organiser": "5560000001"}, "The file has no school units of the organiser 5560000001"),
        ({"organiser": "5560000000"}, "The check digit of the organisationsnummer is wrong."),
        ({"municipality": "0015"}, "A municipality code begins with the code of a county "),
    ],
)
def test_unclear_options_are_rejected_before_anything_is_written(options, message):
    problems = problems_of(lambda: units_import(GRUNDSKOLA, **options))

    assert len(problems) == 1
    assert problems[0].startswith(f"{GRUNDSKOLA.name}: {message}")
    assert database_state() == (0, 0, 0)


# The tree that is already there ------------------------------------------------------------


def test_an_existing_organiser_and_unit_are_updated_in_place_and_the_unit_stays_in_its_area():
    organiser = node_create(kind=NodeKind.ORGANISER, name="Vallentuna BUF", code="0115")
    area = node_create(kind=NodeKind.AREA, name="Norra", parent=organiser)
    old = node_create(
        kind=NodeKind.UNIT,
        name="Bällstabergs skola",
        parent=area,
        code="52293921",
        school_forms=["GR"],
        year_groups=[7, 8, 9],
    )

    outcome = units_import(GRUNDSKOLA, municipality="0115")

    organiser.refresh_from_db()
    assert (organiser.name, organiser.code, organiser.municipality_code) == (
        "Vallentuna BUF",
        "0115",
        "0115",
    )
    assert Node.objects.filter(kind=NodeKind.ORGANISER).count() == 1
    ballsta = unit("52293921")
    assert (ballsta.pk, ballsta.parent_id) == (old.pk, area.pk)
    assert ballsta.name == "Bällstabergsskolan"
    assert (ballsta.school_forms, ballsta.year_groups) == (["FKLASS", "GR"], F_9)
    assert unit("57370453").parent_id == organiser.pk
    assert outcome.notes[:2] == [
        "Organiser Vallentuna BUF updated.",
        "9 school units created, 1 updated, 0 unchanged.",
    ]


def test_a_unit_of_another_organiser_is_not_moved_and_the_file_is_rejected():
    other = node_create(kind=NodeKind.ORGANISER, name="Exempelstads kommun", code="2120000001")
    node_create(kind=NodeKind.UNIT, name="Bällsta", parent=other, code="52293921")
    before = database_state()

    problems = problems_of(lambda: units_import(GRUNDSKOLA, municipality="0115"))

    assert problems == [
        f"{GRUNDSKOLA.name}:4:SKOLENHETSKOD: The school unit 52293921 (Bällsta) belongs to the "
        "organiser Exempelstads kommun; it is not moved to another organiser."
    ]
    assert database_state() == before


# Bad files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "heading", "value", "message"),
    [
        (4, "SKOLENHETSKOD", "5229392", "A skolenhetskod has 8 digits."),
        (4, "ÅR3", "Ja", "Write J (yes) or N (no)."),
        (9, "ELEVER ÅR1", "-3", "A number of pupils is a whole number, 0 or more."),
        (9, "ELEVER FKLASS", "3,5", "A number of pupils is a whole number, 0 or more."),
        (5, "ORGANISATIONSNR", "212000002", "An organisationsnummer has 10 digits."),
        (5, "KOMMUN", "115", "A municipality code has 4 digits."),
        (5, "KOMMUN", "dolo", "A municipality code has 4 digits."),
        # 00 and 11 are no county's codes (Skåne's municipalities are 12xx).
        (
            5,
            "KOMMUN",
            "1115",
            "A municipality code begins with the code of a county (01, 03–10, 12–14, 17–25); "
            "1115 does not.",
        ),
        # Vallentuna kommun, 212000-0027, with its check digit changed.
        (
            5,
            "ORGANISATIONSNR",
            "212000-0028",
            "The check digit of the organisationsnummer is wrong.",
        ),
        (5, "SKOLENHETSKOD", "ex", "A skolenhetskod has 8 digits."),
        (60, "NAMN", "", "The cell is empty."),  # Tyresö: a row of another municipality
    ],
)
def test_a_bad_cell_rejects_the_file_with_its_line_and_heading(line, heading, value, message):
    data = with_cell(grundskola_text(), line, heading, value)

    problems = problems_of(lambda: units_import_bytes(data, GRUNDSKOLA.name, municipality="0115"))

    assert problems == [f"{GRUNDSKOLA.name}:{line}:{heading}: {message}"]
    assert database_state() == (0, 0, 0)


def test_every_bad_cell_of_a_file_is_reported_at_once():
    data = with_cell(grundskola_text(), 4, "FKLASS", "X")
    data = with_cell(data.decode(), 7, "ELEVER ÅR9", "-1")

    problems = problems_of(lambda: units_import_bytes(data, GRUNDSKOLA.name, municipality="0115"))

    assert problems == [
        f"{GRUNDSKOLA.name}:4:FKLASS: Write J (yes) or N (no).",
        f"{GRUNDSKOLA.name}:7:ELEVER ÅR9: A number of pupils is a whole number, 0 or more.",
    ]


def test_a_unit_listed_twice_in_one_sheet_is_rejected():
    lines = grundskola_text().splitlines()
    data = "\n".join([*lines, lines[3]]).encode("utf-8")

    problems = problems_of(lambda: units_import_bytes(data, GRUNDSKOLA.name, municipality="0115"))

    assert problems == [
        f"{GRUNDSKOLA.name}:84:SKOLENHETSKOD: The school unit is listed already, on line 4."
    ]


def test_a_file_without_a_needed_column_is_rejected():
    data = grundskola_text().replace("ELEVER ÅR5,", "ELEVER AR5,", 1).encode("utf-8")

    problems = problems_of(lambda: units_import_bytes(data, GRUNDSKOLA.name, municipality="0115"))

    assert problems == [f"{GRUNDSKOLA.name}:1: The column ELEVER ÅR5 is missing."]


def register_workbook(cells: list[list[object]], sheet: str = "Grundskola") -> bytes:
    """A workbook of one sheet: the Grundskola cut's header and `cells` as rows."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append(next(csv.reader(io.StringIO(grundskola_text()))))
    for row in cells:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def grundskola_row(line: int) -> list[str]:
    return list(csv.reader(io.StringIO(grundskola_text())))[line - 1]


def test_a_formula_cell_in_a_workbook_rejects_it():
    row = grundskola_row(4)
    row[30] = "=50+6"  # ELEVER ÅR1, column AE
    data = register_workbook([row])

    problems = problems_of(lambda: units_import_bytes(data, "register_2020-06-01.xlsx"))

    assert problems == [
        "register_2020-06-01.xlsx [Grundskola]:2:AE: The cell holds a formula; save the sheet "
        "with values only."
    ]
    assert database_state() == (0, 0, 0)


def test_a_workbook_of_numbers_imports_like_the_register():
    row: list[object] = grundskola_row(4)
    row[29:39] = [int(value) for value in row[29:39]]  # the counts as numbers, not text
    data = register_workbook([row])

    units_import_bytes(data, "register_2020-06-01.xlsx")

    assert unit("52293921").year_groups == F_9
    assert pupils("52293921", "Elever årskurs 3") == 65


def test_a_workbook_without_school_form_sheets_is_rejected():
    data = register_workbook([grundskola_row(4)], sheet="Blad1")

    problems = problems_of(lambda: units_import_bytes(data, "register_2020-06-01.xlsx"))

    assert problems[0].startswith(
        "register_2020-06-01.xlsx: The workbook has no sheet named after a school form"
    )


def test_a_renamed_cut_is_known_by_its_header_unless_the_header_is_shared():
    data = only_municipality(grundskola_text(), "0115")
    units_import_bytes(data, "vallentuna.csv", snapshot=dt.date(2020, 6, 1))
    assert unit("52293921").school_forms == ["FKLASS", "GR"]

    vux = (REGISTER / CUT.format("Komm_vuxenutb")).read_bytes()
    problems = problems_of(lambda: units_import_bytes(vux, "vux_2020-06-01.csv"))
    assert problems[0].startswith("vux_2020-06-01.csv: Cannot tell which school form")


def test_a_file_without_the_registers_date_needs_it_given():
    data = only_municipality(grundskola_text(), "0115")

    problems = problems_of(lambda: units_import_bytes(data, "Grundskola.csv"))
    assert problems[0].startswith("Grundskola.csv: The register's date is not known")
    assert database_state() == (0, 0, 0)

    units_import_bytes(data, "Grundskola.csv", snapshot=dt.date(2020, 9, 15))
    assert ReferenceValue.objects.filter(period="2020/21").count() == 110


# The rules on their own ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "municipality", "shown"),
    [
        ("VALLENTUNA KOMMUN", "Vallentuna", "Vallentuna kommun"),
        ("ÖSTERÅKERS KOMMUN", "Österåker", "Österåkers kommun"),
        ("UPPLANDS VÄSBY KOMMUN", "Upplands Väsby", "Upplands Väsby kommun"),
        ("REGION GOTLAND", "Gotland", "Region Gotland"),
        ("Aktivia AB", "", "Aktivia AB"),
    ],
)
def test_organisers_written_in_capitals_are_shown_as_names(written, municipality, shown):
    assert organiser_display_name(written, municipality) == shown


@pytest.mark.parametrize(
    ("date", "year"),
    [
        (dt.date(2020, 6, 1), "2019/20"),
        (dt.date(2020, 6, 30), "2019/20"),
        (dt.date(2020, 7, 1), "2020/21"),
        (dt.date(2021, 1, 15), "2020/21"),
    ],
)
def test_the_registers_date_falls_in_an_academic_year_from_july_to_june(date, year):
    assert academic_year_of(date) == year


GR_COVERS = FORMS_BY_NAME["Grundskola"].covers
GRS_COVERS = FORMS_BY_NAME["Grundsärskola"].covers


@pytest.mark.parametrize(
    ("existing", "covered", "file", "merged"),
    [
        pytest.param(
            (["FKLASS", "GR"], range(7)),
            GRS_COVERS,
            (["GRS"], range(1, 10)),
            (["FKLASS", "GR", "GRS"], F_9),
            id="grundsärskola after grundskola adds GRS and joins F–6 with 1–9",
        ),
        pytest.param(
            (["FKLASS", "GR"], range(7)),
            GR_COVERS,
            (["GR"], range(1, 7)),
            (["GR"], range(1, 7)),
            id="grundskola again without förskoleklass drops FKLASS and year 0",
        ),
        pytest.param(
            (["GR", "GY"], [7, 8, 9]),
            GR_COVERS,
            (["GR"], [6, 7, 8, 9]),
            (["GR", "GY"], [6, 7, 8, 9]),
            id="a form the file does not cover is kept",
        ),
    ],
)
def test_a_file_decides_the_school_forms_it_covers_and_leaves_the_others(
    existing, covered, file, merged
):
    forms, years = forms_merged(existing[0], existing[1], covered, file[0], file[1])
    assert (forms, years) == (merged[0], list(merged[1]))


# Any row the register could hold ------------------------------------------------------------

names = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzåäöABCÅÄÖ -.,\"'"), min_size=1
).filter(lambda text: text.strip())
counts = st.none() | st.integers(min_value=0, max_value=99_999)


@st.composite
def organisation_numbers(draw) -> str:
    """Ten digits whose last is the Luhn check digit of the other nine."""
    nine = draw(st.from_regex(r"[0-9]{9}", fullmatch=True))
    return nine + str(luhn_check_digit(nine))


municipality_codes = st.builds(
    lambda county, rest: county + rest,
    st.sampled_from(sorted(COUNTY_CODES)),
    st.from_regex(r"[0-9]{2}", fullmatch=True),
)


@st.composite
def register_rows(draw):
    """(form, cells by heading, what the row says) for a valid row of any school form."""
    form = draw(st.sampled_from(FORMS))
    said = {
        "SKOLENHETSKOD": draw(st.from_regex(r"[0-9]{8}", fullmatch=True)),
        "ORGANISATIONSNR": draw(organisation_numbers()),
        "KOMMUN": draw(municipality_codes),
        "KOMMUNNAMN": draw(names),
        "NAMN": draw(names),
        "HUVUDMANS NAMN": draw(names),
        "HUVUDMANNATYP": draw(st.sampled_from(["Kommunal", "Enskild", "Region", "Statlig"])),
    }
    offered = {year: draw(st.booleans()) for _column, year in form.years}
    published = {year: draw(counts) for _column, year in form.counts}
    total = draw(counts) if form.total else None
    cells = dict(said)
    cells |= {column: "J" if offered[year] else "N" for column, year in form.years}
    cells |= {column: "" if published[year] is None else str(published[year])
              for column, year in form.counts}  # fmt: skip
    if form.total:
        cells[form.total] = "" if total is None else str(total)
    return form, cells, (said, offered, published, total)


@given(register_rows())
def test_any_valid_row_parses_to_what_it_says(row):
    form, cells, (said, offered, published, total) = row

    parsed = parse_row(form, cells, file="f.csv", line=2)

    assert parsed.skolenhetskod == said["SKOLENHETSKOD"]
    assert parsed.organisationsnummer == said["ORGANISATIONSNR"]
    assert parsed.municipality_code == said["KOMMUN"]
    assert parsed.name == " ".join(said["NAMN"].split())
    assert parsed.organiser_type == said["HUVUDMANNATYP"]
    flagged = {year for year, yes in offered.items() if yes}
    counted = {year for year, n in published.items() if n}
    assert parsed.year_groups == tuple(sorted(flagged | counted))
    assert parsed.years_from_counts == tuple(sorted(counted - flagged))
    assert dict(parsed.pupils) == {y: n for y, n in published.items() if n is not None}
    assert parsed.pupils_total == total
    if form.name == "Grundskola":
        years = flagged | counted
        assert (SchoolForm.FKLASS in parsed.school_forms) == (0 in years)
        runs_school = any(year > 0 for year in years)
        assert (SchoolForm.GR in parsed.school_forms) == (runs_school or not years)
    else:
        assert parsed.school_forms == ((form.code,) if form.code else ())


@settings(max_examples=30, deadline=None)
@given(register_rows())
def test_any_valid_row_written_as_a_csv_cut_reads_back_the_same(row):
    form, cells, _said = row
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(cells))
    writer.writerow(list(cells.values()))
    file = f"skolenhetsregistret_2020-06-01_{form.name.replace('.', '').replace(' ', '_')}.csv"

    (parsed,) = parse_register(out.getvalue().encode("utf-8"), file)

    assert parsed == parse_row(form, cells, file=file, line=2)


@given(st.from_regex(r"[0-9]{9}", fullmatch=True), st.integers(min_value=1, max_value=9))
def test_an_organisationsnummer_with_any_other_last_digit_is_refused(nine, off):
    right = nine + str(luhn_check_digit(nine))
    wrong = nine + str((luhn_check_digit(nine) + off) % 10)

    assert organisationsnummer(f"{right[:6]}-{right[6:]}") == right
    with pytest.raises(CellError, match="check digit"):
        organisationsnummer(wrong)


@given(st.from_regex(r"[0-9]{4}", fullmatch=True))
def test_a_municipality_code_is_four_digits_beginning_with_a_county_code(code):
    if code[:2] in COUNTY_CODES:
        assert municipality_code(code) == code
    else:
        with pytest.raises(CellError, match="code of a county"):
            municipality_code(code)
