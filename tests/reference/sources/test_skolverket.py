"""Reading Skolverket's "Sök statistik" exports: every published file reads, and values read
back as the file shows them (each checked by hand against the cited line)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from tests.public_data import public_data

from skolkvalitet.batches.problems import ImportRejected
from skolkvalitet.reference.models import ReferenceValue
from skolkvalitet.reference.records import AreaKind, Marker, ReferenceRecord
from skolkvalitet.reference.sources.skolverket import (
    NotANumber,
    parse_cell,
    parse_skolverket_export,
    read_skolverket_export,
)

STATISTIK = public_data() / "skolverket/statistik"
FILES = sorted(p.name for p in STATISTIK.iterdir())
NATIONAL_TESTS = (
    "Grundskola - Resultat nationella prov årskurs 9, provbetyg per kön - Engelska, Matematik "
    "och Svenska_svenska som andraspråk {year} Kommun.csv"
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@cache
def records_of(name: str) -> tuple[ReferenceRecord, ...]:
    return tuple(parse_skolverket_export((STATISTIK / name).read_bytes(), name))


def one(name: str, **wanted) -> ReferenceRecord:
    """The one record of file `name` whose fields equal `wanted`."""
    found = [r for r in records_of(name) if all(getattr(r, k) == v for k, v in wanted.items())]
    assert len(found) == 1, (wanted, found[:3])
    return found[0]


def ale(name: str, measure: str, **wanted) -> ReferenceRecord:
    return one(name, area_code="1440", measure=measure, **wanted)


# --- every published file -------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_every_published_export_reads_into_values_the_database_can_hold(name):
    records = records_of(name)
    assert records
    assert all(r.dataset and r.period and r.area_code for r in records)
    assert all((r.value is None) == (r.marker != Marker.NONE) for r in records)
    assert len({r.identity() for r in records}) == len(records)  # no value twice
    for field in ReferenceValue._meta.get_fields():
        limit = getattr(field, "max_length", None)
        if limit and hasattr(records[0], field.name):
            longest = max(len(str(getattr(r, field.name))) for r in records)
            assert longest <= limit, (field.name, longest)


def test_the_published_folder_is_there():
    assert len(FILES) >= 30


# --- values by hand -------------------------------------------------------------------


def test_pupil_counts_read_thousands_separated_by_a_space():
    name = "Grundskola - Antal elever per årskurs 2020 Kommun.csv"
    # line 7: Ale;1440;…;Samtliga;49;23;60;459;…;401;3 877;
    total = ale(name, "Elever, årskurs 1-9", organiser_type="Samtliga")
    assert (total.value, total.period, total.area_kind) == (3877.0, "2020/21", "municipality")
    assert total.area_name == "Ale" and total.dataset == "Grundskola - Antal elever per årskurs"
    assert ale(name, "Elever, årskurs 1", organiser_type="Samtliga").value == 459


def test_shares_keep_their_decimal_comma_in_percent():
    name = "Grundskola - Antal elever per årskurs 2022 Kommun.csv"
    # line 7: Ale;1440;…;Samtliga;48,4;24,1;63,9;…
    girls = ale(name, "Andel (%) flickor, årskurs 1-9", organiser_type="Samtliga")
    assert girls.value == 48.4


def test_year_6_shares_get_their_pupil_count_and_markers():
    name = (
        "Grundskola - Betyg årskurs 6, andel som fått godkänt betyg (A-E), samtliga elever "
        "2020 Kommun.csv"
    )
    measure = "Andel (%) elever som fått godkänt betyg i alla ämnen"
    # line 7: Ale;1440;…;Samtliga;399;16,8;74,4;10,5;15,0;
    passed = ale(name, measure, organiser_type="Samtliga")
    assert (passed.value, passed.n, passed.marker, passed.period) == (74.4, 399, "", "2019/20")
    assert passed.indicator_key == ""  # year 6 term grades: no registry indicator means it
    # line 9: Ale;1440;…;Enskild;24;12,9;~100;..;..;
    near_all = ale(name, measure, organiser_type="Enskild")
    assert (near_all.value, near_all.marker, near_all.n) == (None, Marker.NEAR_ALL, 24)
    one_failed = ale(
        name, "Andel (%) elever som ej fått godkänt betyg i ett ämne", organiser_type="Enskild"
    )
    assert (one_failed.value, one_failed.marker) == (None, Marker.SUPPRESSED)


def test_a_gender_row_above_the_headings_gives_the_breakdown():
    name = (
        "Grundskola - Betyg årskurs 6, andel som fått godkänt betyg (A-E), per kön 2025 Kommun.csv"
    )
    measure = "Andel (%) elever som fått godkänt betyg i alla ämnen"
    # line 8: Ale;…;Samtliga;217;17,1;82,0;8,3;9,7;228;17,0;69,7;11,0;19,3;
    girls = ale(name, measure, organiser_type="Samtliga", breakdown="gender=F")
    boys = ale(name, measure, organiser_type="Samtliga", breakdown="gender=M")
    assert (girls.value, girls.n) == (82.0, 217)
    assert (boys.value, boys.n) == (69.7, 228)
    # line 10: Ale;…;Enskild;14;17,0;~100;..;.;11;17,0;~100;..;.;
    more = "Andel (%) elever som ej fått godkänt betyg i fler, alternativt alla ämnen"
    missing = ale(name, more, organiser_type="Enskild", breakdown="gender=F")
    assert (missing.value, missing.marker) == (None, Marker.MISSING)


def test_subject_rows_over_time_give_one_value_per_year_and_subject():
    name = "Grundskola - Jämförelse av ämnesbetyg över tid 2025 Kommun_Åk9.csv"
    measure = "Andel (%) elever som fått godkänt betyg i respektive ämne"
    # line 8: Ale;1440;…;Samtliga;Teknik;94,0;92,6;…;87,5;91,2;
    latest = ale(name, measure, organiser_type="Samtliga", subject="TK", period="2024/25")
    oldest = ale(name, measure, organiser_type="Samtliga", subject="TK", period="2015/16")
    assert (latest.value, oldest.value) == (94.0, 91.2)
    assert latest.indicator_key == "passed_TK"
    # line 7: Ale;1440;…;Enskild;Bild;100,0;100,0;100,0;95,8;…
    art = ale(name, measure, organiser_type="Enskild", subject="BL", period="2021/22")
    assert (art.value, art.indicator_key) == (95.8, "passed_BL")


def test_the_xlsx_over_time_reads_each_sheet_with_its_type_of_organiser():
    name = "Grundskola - Jämförelse av betygsresultat över tid 2025 Kommun_Åk9.xlsx"
    # sheet Samtliga, row 14: Ale … Genomsnittligt meritvärde (17 ämnen) 224.5 (2024/25)
    merit = ale(
        name,
        "Genomsnittligt meritvärde (17 ämnen)",
        organiser_type="Samtliga",
        period="2024/25",
    )
    assert (merit.value, merit.indicator_key) == (224.5, "merit_value_17")
    # sheet Kommunal, row 14: 2015/16 = 201.2
    municipal = ale(
        name,
        "Genomsnittligt meritvärde (17 ämnen)",
        organiser_type="Kommunal",
        period="2015/16",
    )
    assert municipal.value == 201.2
    # sheet Enskild, row 12: Ale, - andel (%) elever med utländsk bakgrund, 2023/24 = ..
    foreign = ale(
        name,
        "- andel (%) elever med utländsk bakgrund",
        organiser_type="Enskild",
        period="2023/24",
    )
    assert (foreign.value, foreign.marker) == (None, Marker.SUPPRESSED)
    # sheet Samtliga, row 89 (2617 of the published workbook): Övertorneå, Andel (%) behöriga
    # till yrkesprogram 2022/23 ~100
    eligible = one(
        name,
        area_code="2518",
        measure="Andel (%) behöriga till yrkesprogram",
        organiser_type="Samtliga",
        period="2022/23",
    )
    assert (eligible.marker, eligible.indicator_key) == (Marker.NEAR_ALL, "eligible_vocational")


def test_costs_are_calendar_years_of_municipal_organisers():
    name = "Grundskola - Kostnader per kommun 2024 Kommun.csv"
    # line 8: Ale;1440;…;Kommunal;3 827;526708;302 227;137 600;…
    assert ale(name, "Genomsnittligt elevantal").value == 3827
    assert ale(name, "Totalt").value == 526708
    per_pupil = ale(name, "Totalt per elev")
    assert (per_pupil.value, per_pupil.period, per_pupil.organiser_type) == (
        137600,
        "2024",
        "Kommunal",
    )


def test_missing_costs_are_markers_and_rows_without_a_code_are_skipped():
    # Gymnasieskola 2020, line 11: Aneby;0604;…;Kommunal;0;3207;.;.;…
    name = "Gymnasieskola - Kostnader per kommun 2020 Kommun.csv"
    teaching = one(name, area_code="0604", measure="Undervisning")
    assert (teaching.value, teaching.marker) == (None, Marker.MISSING)
    assert one(name, area_code="0604", measure="Genomsnittligt elevantal").value == 0
    # 2022, line 87: Hälsinglands Utbildningsförbund;;;;Kommunal;1 266;… (a kommunalförbund)
    name = "Gymnasieskola - Kostnader per kommun 2022 Kommun.csv"
    export = read_skolverket_export((STATISTIK / name).read_bytes(), name)
    assert (name, 87, "Hälsinglands Utbildningsförbund") in export.skipped
    assert not [r for r in export.records if r.area_name == "Hälsinglands Utbildningsförbund"]


def test_teacher_statistics_name_the_measure_by_both_heading_rows():
    name = "Grundskola - Personalstatistik med lärarlegitimation och behörighet 2020 Kommun.csv"
    # line 11: Ale;…;Samtliga;257,9;189,1;73,3;32,7;291;239;82,1;35;
    share = ale(
        name,
        "Heltidstjänster, Andel med lärarlegitimation och behörighet",
        organiser_type="Samtliga",
    )
    assert (share.value, share.indicator_key) == (73.3, "certified_teachers_share")
    teachers = ale(name, "Tjänstgörande lärare, Totalt antal", organiser_type="Samtliga")
    assert teachers.value == 291


def test_national_tests_per_subject_and_gender_with_the_tested_pupils_as_n():
    name = NATIONAL_TESTS.format(year=2024)
    passed = "Andel (%) med provbetyg A-E"
    # line 8: Ale;…;Samtliga;Engelska;371;186;185;98,1;~100;~100;15,7;…
    total = ale(name, passed, organiser_type="Samtliga", subject="EN", breakdown="")
    girls = ale(name, passed, organiser_type="Samtliga", subject="EN", breakdown="gender=F")
    assert (total.value, total.n, total.indicator_key) == (98.1, 371, "test_passed_EN")
    assert (girls.value, girls.marker, girls.n) == (None, Marker.NEAR_ALL, 186)
    points = ale(
        name, "Genomsnittlig betygspoäng", organiser_type="Samtliga", subject="EN", breakdown=""
    )
    assert (points.value, points.n) == (15.7, 371)
    took_part = ale(
        name, "Andel (%) elever som deltagit", organiser_type="Samtliga", subject="EN", breakdown=""
    )
    assert (took_part.value, took_part.n) == (89.2, None)  # its base is not the tested pupils


def test_national_tests_2018_put_the_measure_above_and_the_gender_below():
    name = NATIONAL_TESTS.format(year=2018)
    # line 16: Ale;…;Samtliga;Engelska;75,1;76,6;73,8;292;134;158;96,9;~100;..;14,8;15,1;14,6;
    took_part = ale(
        name,
        "Andel (%) elever som deltagit",
        organiser_type="Samtliga",
        subject="EN",
        breakdown="gender=M",
    )
    assert (took_part.value, took_part.period) == (73.8, "2017/18")
    boys = ale(
        name,
        "Andel (%) med provbetyg A-E",
        organiser_type="Samtliga",
        subject="EN",
        breakdown="gender=M",
    )
    assert (boys.value, boys.marker, boys.n) == (None, Marker.SUPPRESSED, 158)


def test_eligibility_rows_per_gender():
    name = "behorighet_grundskola_2024_25.csv"
    # line 11: Ale;…;Samtliga;Flickor;214;83,2;81,8;80,8;79,0;
    girls = ale(
        name,
        "Andel (%) elever behöriga till yrkesprog.",
        organiser_type="Samtliga",
        breakdown="gender=F",
    )
    assert (girls.value, girls.indicator_key, girls.n) == (83.2, "eligible_vocational", None)
    natural = ale(
        name,
        "Andel elever (%) behöriga till Naturvetenskapligt och tekniskt program",
        organiser_type="Samtliga",
        breakdown="gender=F",
    )
    assert (natural.value, natural.indicator_key) == (79.0, "eligible_academic_natural_science")
    # line 13: Ale;…;Samtliga;Samtliga;434;81,6;…
    assert ale(name, "Antal elever", organiser_type="Samtliga", breakdown="").value == 434


def test_final_grades_per_school_unit_with_the_new_wording():
    name = "skolverket_slutbetyg_ak9_2024-25_skolenhet.csv"
    # line 65 (1718 of the published file): Aktiviaskolan Enhet Eken;28145722;Vallentuna;0115;
    # Enskild;…;11;..;..;98
    merit = one(name, area_code="28145722", measure="Genomsnittligt meritvärde (17 ämnen)")
    assert (merit.area_kind, merit.area_name, merit.value) == (
        AreaKind.UNIT,
        "Aktiviaskolan Enhet Eken",
        98.0,
    )
    assert (merit.organiser_type, merit.indicator_key) == ("Enskild", "merit_value_17")
    all_subjects = one(
        name,
        area_code="28145722",
        measure="Andel (%) elever som uppfyllt betygskriterierna i alla ämnen",
    )
    assert (all_subjects.marker, all_subjects.indicator_key) == ("..", "passed_all_subjects")
    # line 7: Oasens skola;48000763;…;..;.;.;..
    pupils = one(name, area_code="48000763", measure="Antal elever")
    assert (pupils.value, pupils.marker) == (None, Marker.SUPPRESSED)


# --- layouts and wording, on small files of our own ---------------------------------------

PREAMBLE = (
    "\ufeffStatistik från Skolverket, https://www.skolverket.se\n\n{title}\nValt läsår: 2012/13\n\n"
)


def export(title: str, *lines: str) -> bytes:
    return (PREAMBLE.format(title=title) + "\n".join(lines) + "\n\nFotnot;text\n").encode()


def test_the_old_wording_of_all_subjects_maps_like_the_new():
    data = export(
        "Grundskola - Slutbetyg årskurs 9, samtliga elever",
        "Skola;Skolenhetskod;Kommun;Kommunkod;Typ av huvudman;"
        "Andel (%) elever som uppnått kunskapskraven i alla ämnen",
        "Norrskolan;10000001;Vallentuna;0115;Kommunal;81,5",
    )
    (record,) = parse_skolverket_export(data, "old.csv")
    assert (record.indicator_key, record.value, record.area_kind) == (
        "passed_all_subjects",
        81.5,
        AreaKind.UNIT,
    )


def test_a_riket_row_is_the_nation_and_non_breaking_spaces_separate_thousands():
    data = export(
        "Grundskola - Antal elever per årskurs",
        "Kommun;Kommun-kod;Typ av huvudman;Elever, årskurs 1-9",
        "Riket;;Samtliga;1\u00a0105\u00a0583",
        "Vallentuna;115;Samtliga;4 102",
    )
    nation, vallentuna = parse_skolverket_export(data, "riket.csv")
    assert (nation.area_kind, nation.area_code, nation.value) == (
        AreaKind.NATION,
        "0000",
        1105583.0,
    )
    assert vallentuna.area_code == "0115"  # a spreadsheet had dropped the leading zero


def test_a_malformed_number_is_rejected_with_file_line_and_heading():
    data = export(
        "Grundskola - Antal elever per årskurs",
        "Kommun;Kommun-kod;Typ av huvudman;Elever, årskurs 1-9",
        "Vallentuna;0115;Samtliga;4 10,2,3",
        "Haninge;0136;Samtliga;abc",
    )
    with pytest.raises(ImportRejected) as rejected:
        parse_skolverket_export(data, "bad.csv")
    assert [str(p) for p in rejected.value.problems] == [
        "bad.csv:7:Elever, årskurs 1-9: “4 10,2,3” is not a number as Skolverket writes them "
        "(1 234,5) nor one of the markers . .. ~100 -.",
        "bad.csv:8:Elever, årskurs 1-9: “abc” is not a number as Skolverket writes them "
        "(1 234,5) nor one of the markers . .. ~100 -.",
    ]


def test_a_bad_area_code_is_rejected_at_its_column():
    data = export(
        "Grundskola - Antal elever per årskurs",
        "Kommun;Kommun-kod;Typ av huvudman;Elever, årskurs 1-9",
        "Vallentuna;01155;Samtliga;4 102",
    )
    with pytest.raises(ImportRejected) as rejected:
        parse_skolverket_export(data, "bad.csv")
    assert str(rejected.value.problems[0]) == (
        "bad.csv:7:Kommun-kod: “01155” is not a code of 4 digits."
    )


def test_a_file_that_is_not_an_export_is_rejected():
    with pytest.raises(ImportRejected) as rejected:
        parse_skolverket_export(b"personnummer;betyg\n1;A\n", "grades.csv")
    assert "not a Skolverket “Sök statistik” export" in str(rejected.value)


# --- numbers and markers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("74,4", (74.4, Marker.NONE)),
        ("3 877", (3877.0, Marker.NONE)),
        ("1\u00a0105\u00a0583,5", (1105583.5, Marker.NONE)),
        ("-0,5", (-0.5, Marker.NONE)),
        (".", (None, Marker.MISSING)),
        ("..", (None, Marker.SUPPRESSED)),
        ("~100", (None, Marker.NEAR_ALL)),
        ("-", (None, Marker.MISSING)),
        ("", (None, Marker.NONE)),
    ],
)
def test_cells(text, expected):
    assert parse_cell(text) == expected


@pytest.mark.parametrize("text", ["74.4", "1,2,3", "12 34", "1 2345", "abc", "~99", "1e5"])
def test_cells_that_are_not_swedish_numbers(text):
    with pytest.raises(NotANumber):
        parse_cell(text)


def test_xlsx_cells_hold_numbers_with_a_point():
    assert parse_cell("224.5", point_decimals=True) == (224.5, Marker.NONE)


def swedish(value: int, decimals: str, separator: str) -> str:
    digits = f"{abs(value):,}".replace(",", separator)
    sign = "-" if value < 0 else ""
    return sign + digits + (f",{decimals}" if decimals else "")


@given(
    value=st.integers(min_value=-(10**12), max_value=10**12),
    decimals=st.text(alphabet="0123456789", max_size=4),
    separator=st.sampled_from([" ", "\u00a0", "\u202f", ""]),
)
def test_any_swedish_number_reads_back(value, decimals, separator):
    text = swedish(value, decimals, separator)
    number, marker = parse_cell(text)
    expected = float(f"{'-' if value < 0 else ''}{abs(value)}.{decimals or '0'}")
    assert (number, marker) == (expected, Marker.NONE)


@given(st.sampled_from([".", "..", "~100", "-"]), st.sampled_from(["", " ", "  "]))
def test_a_marker_is_never_a_value(marker, padding):
    value, read = parse_cell(padding + marker + padding)
    assert value is None and read != Marker.NONE


@given(st.text(max_size=12))
def test_any_text_is_a_number_a_marker_or_rejected(text):
    try:
        value, marker = parse_cell(text)
    except NotANumber:
        return
    assert (value is None) == (marker != Marker.NONE or not text.strip())


# Excerpts of two Skolverket exports (tests/ingest/data/README.md says where they are cut from).
DATA = Path(__file__).resolve().parent / "data"
NATIONAL_TESTS_2018_EXCERPT = (DATA / "skolverket_np9_2017-18_excerpt.csv").read_text("utf-8")
COSTS_2024_EXCERPT = (DATA / "skolverket_costs_2024_excerpt.csv").read_text("utf-8")


def test_the_2017_18_national_tests_carry_skolverkets_caveat():
    """Skolverket did not publish 2017/18's mathematics test results (the tests had leaked);
    every value of that export keeps the export's own words, and mathematics stays a marker."""
    records = parse_skolverket_export(NATIONAL_TESTS_2018_EXCERPT.encode("utf-8"), "np-2018.csv")
    maths = next(r for r in records if r.subject == "MA")
    english = next(r for r in records if r.subject == "EN")
    assert (maths.value, maths.marker) == (None, Marker.MISSING)
    assert english.value == 96.5
    for record in (maths, english):
        assert record.note.startswith("Under vårterminen 2018 fanns indikationer")
        assert "närmare 76 procent" in record.note
        assert "Om data saknas" not in record.note  # the markers' legend is no caveat


def test_a_later_export_without_a_caveat_has_none():
    excerpt = NATIONAL_TESTS_2018_EXCERPT.replace("Valt läsår: 2017/18", "Valt läsår: 2018/19")
    lines = excerpt.splitlines()
    plain = "\n".join(lines[:5] + lines[8:])
    assert {r.note for r in parse_skolverket_export(plain.encode("utf-8"), "np-2019.csv")} == {""}


def test_costs_carry_their_unit():
    """ "Totalt" is in thousands of kronor (526 708 tkr for Ale's 3 827 pupils, i.e. 137 600 kr
    per pupil, which the export gives as "Totalt per elev")."""
    records = {r.measure: r for r in parse_skolverket_export(COSTS_2024_EXCERPT.encode(), "k.csv")}
    assert (records["Totalt"].value, records["Totalt"].unit) == (526708.0, "tkr")
    assert (records["Totalt per elev"].value, records["Totalt per elev"].unit) == (137600.0, "kr")
    assert records["Genomsnittligt elevantal"].unit == ""
    assert round(526708 * 1000 / 3827, -2) == 137600  # the two units agree
