"""Reading Kolada's files: every published file reads, values read back as the file shows
them, missing values are markers (never zero), and the real API v2 JSON reads too."""

from __future__ import annotations

import json
from functools import cache

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from tests.public_data import public_data

from skolkvalitet.batches.problems import ImportRejected
from skolkvalitet.reference.mapping import KOLADA_KPIS
from skolkvalitet.reference.records import AreaKind, Marker, ReferenceRecord
from skolkvalitet.reference.sources.kolada import (
    KoladaFile,
    KoladaKind,
    json_offset,
    parse_kolada_file,
    parse_kpi_titles,
)

KOLADA = public_data() / "kolada"
FILES = sorted(p.name for p in KOLADA.iterdir())
LONG_CSV = "kolada_school_kpis_2016-2020_long.csv"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def companions() -> dict[str, bytes]:
    return {name: (KOLADA / name).read_bytes() for name in ("Kommuner.txt", "Nyckeltal.txt")}


@cache
def read(name: str) -> KoladaFile:
    return parse_kolada_file((KOLADA / name).read_bytes(), name, companions=companions())


def one(name: str, **wanted) -> ReferenceRecord:
    found = [r for r in read(name).records if all(getattr(r, k) == v for k, v in wanted.items())]
    assert len(found) == 1, (wanted, found[:3])
    return found[0]


@pytest.mark.parametrize("name", FILES)
def test_every_published_kolada_file_reads(name):
    parsed = read(name)
    assert parsed.records or parsed.groups or parsed.master_rows
    assert all((r.value is None) == (r.marker != Marker.NONE) for r in parsed.records)
    assert len({r.identity() for r in parsed.records}) == len(parsed.records)


def test_the_nation_2019_share_passing_all_subjects_by_gender():
    # riket.txt: "N15419": {… "2019": {"K": 76.6, "M": 70.4, "T": 73.4} …}
    values = {
        r.breakdown: r.value
        for r in read("riket.txt").records
        if r.kpi == "N15419" and r.period == "2019"
    }
    assert values == {"": 73.4, "gender=F": 76.6, "gender=M": 70.4}
    total = one("riket.txt", kpi="N15419", period="2019", breakdown="")
    assert (total.area_kind, total.area_code, total.area_name) == (AreaKind.NATION, "0000", "Riket")
    assert (total.organiser_type, total.indicator_key) == ("Kommunal", "passed_all_subjects")
    assert total.measure.startswith("Elever i år 9 som uppnått kunskapskraven i alla ämnen")
    assert total.dataset == "Kolada"


def test_a_null_in_kolada_json_is_the_missing_marker_not_zero():
    # riket.txt: "N15008": {… "2020": {"T": null}}
    cost = one("riket.txt", kpi="N15008", period="2020")
    assert (cost.value, cost.marker) == (None, Marker.MISSING)


def test_master_data_names_municipalities_and_kommuner_txt_gives_their_codes():
    # MasterData.txt: "Ale": {"N15008": {"2016": {"T": 108615.28434}, …
    cost = one("MasterData.txt", area_name="Ale", kpi="N15008", period="2016")
    assert (cost.area_code, cost.value, cost.area_kind) == ("1440", 108615.28434, "municipality")


def test_master_data_without_kommuner_txt_is_rejected():
    data = (KOLADA / "MasterData.txt").read_bytes()
    with pytest.raises(ImportRejected) as rejected:
        parse_kolada_file(data, "MasterData.txt")
    assert "put Kolada's Kommuner.txt (code → name) in the same folder" in str(rejected.value)


def test_the_long_csv_by_hand():
    # line 279: N15505,1440,Ale,2019,T,219.7 (= Skolverket's 2018/19 for Ale's municipal schools)
    merit = one(LONG_CSV, kpi="N15505", area_code="1440", period="2019", breakdown="")
    assert (merit.value, merit.indicator_key, merit.area_name) == (219.7, "merit_value_17", "Ale")
    # lines 1104–1106 (43841–43843 of the published file): N15419,0115,Vallentuna,2019,K,80.6 /
    # M,81.8 / T,81.3
    girls = one(LONG_CSV, kpi="N15419", area_code="0115", period="2019", breakdown="gender=F")
    boys = one(LONG_CSV, kpi="N15419", area_code="0115", period="2019", breakdown="gender=M")
    assert (girls.value, boys.value) == (80.6, 81.8)
    # line 6: N15008,0000,Riket,2020,T,   (an empty value)
    cost = one(LONG_CSV, kpi="N15008", area_code="0000", period="2020")
    assert (cost.value, cost.marker, cost.area_kind) == (None, Marker.MISSING, AreaKind.NATION)


def test_the_long_csv_and_master_data_hold_the_same_values():
    long_values = {r.identity(): r.value for r in read(LONG_CSV).records}
    for record in read("MasterData.txt").records[:2000]:
        assert long_values[record.identity()] == record.value


def test_sekom_groups_of_similar_municipalities():
    # sekom.json: "Vallentuna": "Lila", … "Haninge": "Orange"
    groups = {
        m.municipality_code: (m.group, m.municipality_name) for m in read("sekom.json").groups
    }
    assert groups["0115"] == ("Lila", "Vallentuna")
    assert groups["0136"] == ("Orange", "Haninge")
    assert len(groups) == 290 and {g for g, _n in groups.values()} == {
        "Gul",
        "Grön",
        "Blå",
        "Orange",
        "Lila",
    }


def test_master_data_files_give_no_values():
    assert (read("Kommuner.txt").kind, read("Kommuner.txt").master_rows) == (
        KoladaKind.MUNICIPALITIES,
        312,
    )
    assert (read("Nyckeltal.txt").kind, read("Nyckeltal.txt").master_rows) == (KoladaKind.KPIS, 18)
    assert not read("Kommuner.txt").records and not read("Nyckeltal.txt").records


def test_kpi_titles_match_the_mapping_table_and_the_run_in_title_is_cut():
    titles = parse_kpi_titles((KOLADA / "Nyckeltal.txt").read_bytes())
    assert titles == {kpi: known.title for kpi, known in KOLADA_KPIS.items()}
    assert titles["N15820"].endswith("lägeskommun, andel (%)")


API_JSON = {
    "count": 2,
    "values": [
        {
            "kpi": "N15419",
            "municipality": "0115",
            "period": 2019,
            "values": [
                {"count": 1, "gender": "K", "status": "", "value": 80.6},
                {"count": 1, "gender": "M", "status": "", "value": 81.8},
                {"count": 1, "gender": "T", "status": "", "value": 81.3},
            ],
        },
        {
            "kpi": "N15505",
            "municipality": "0115",
            "period": 2020,
            "values": [
                {"count": 0, "gender": "T", "status": "Saknas", "value": None},
                {"count": 1, "gender": "K", "status": "..", "value": None},
            ],
        },
    ],
    "next_page": None,
}


def test_the_kolada_api_v2_json():
    data = json.dumps(API_JSON).encode()
    parsed = parse_kolada_file(
        data, "api.json", companions={"Kommuner.txt": companions()["Kommuner.txt"]}
    )
    assert parsed.kind == KoladaKind.API
    by = {(r.kpi, r.period, r.breakdown): r for r in parsed.records}
    assert by[("N15419", "2019", "gender=F")].value == 80.6
    total = by[("N15419", "2019", "")]
    assert (total.value, total.area_code, total.area_name) == (81.3, "0115", "Vallentuna")
    missing = by[("N15505", "2020", "")]
    assert (missing.value, missing.marker) == (None, Marker.MISSING)
    suppressed = by[("N15505", "2020", "gender=F")]
    assert (suppressed.value, suppressed.marker) == (None, Marker.SUPPRESSED)


def test_a_malformed_long_csv_is_rejected_with_line_and_column():
    data = (
        b"kpi,municipality_id,municipality,year,gender,value\n"
        b"N15419,0115,Vallentuna,2019,T,81.3\n"
        b"N15419,115,Vallentuna,2019,X,8l.3\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        parse_kolada_file(data, "long.csv")
    assert [str(p) for p in rejected.value.problems] == [
        "long.csv:3:municipality_id: “115” is not 4 digits.",
        "long.csv:3:gender: “X” is not a Kolada gender (T, K or M).",
        "long.csv:3:value: “8l.3” is not a number.",
    ]


def test_broken_json_is_rejected_with_line_and_column():
    with pytest.raises(ImportRejected) as rejected:
        parse_kolada_file(b'{"values": [\n  {"kpi": }]}', "api.json")
    problem = rejected.value.problems[0]
    assert (problem.line, problem.column) == (2, "11")


# Where a wrong value is: file:line:column and its JSON path --------------------------------


def problems_of(data: bytes, file: str, **options) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        parse_kolada_file(data, file, **options)
    return [str(problem) for problem in rejected.value.problems]


def test_a_wrong_value_in_valid_json_is_named_by_line_column_and_path():
    data = b'{\n  "N15419": {\n    "2019": {"T": 73.4, "K": "76,6"}\n  }\n}\n'

    # Line 3, column 30: where "76,6" begins (4 spaces, "2019": {"T": 73.4, "K": ).
    assert problems_of(data, "riket.txt") == [
        'riket.txt:3:30: N15419["2019"].K: “76,6” is not a number.'
    ]


def test_a_wrong_gender_is_named_by_where_its_key_is():
    data = b'{"N15419": {"2019": {"T": 73.4,\n                     "X": 1.0}}}'

    assert problems_of(data, "riket.txt") == [
        'riket.txt:2:22: N15419["2019"].X: “X” is not a Kolada gender (T, K or M).'
    ]


API_WITH_A_WRONG_CODE = b"""{"values": [
  {"kpi": "N15419", "municipality": "0115", "period": 2019,
   "values": [{"gender": "T", "value": 81.3}]},
  {"kpi": "N15505", "municipality": "115", "period": 2020,
   "values": [{"gender": "T", "value": 219.7}]}
]}"""


def test_a_wrong_municipality_in_the_api_json_is_named_by_line_column_and_path():
    # Line 4, column 37: the "115" after   {"kpi": "N15505", "municipality": .
    assert problems_of(API_WITH_A_WRONG_CODE, "api.json") == [
        "api.json:4:37: values[1].municipality: “115” is not 4 digits."
    ]


def test_a_missing_member_is_named_by_where_its_object_is():
    data = b'{"values": [{"kpi": "N15419", "municipality": "0115", "period": 2019,\n' + (
        b'  "values": [{"value": 81.3}]}]}'
    )

    # Line 2, column 14: the object that lacks "gender".
    assert problems_of(data, "api.json") == [
        "api.json:2:14: values[0].values[0].gender: “None” is not a Kolada gender (T, K or M)."
    ]


def test_every_unknown_name_in_named_files_has_its_line():
    municipalities = {"Kommuner.txt": companions()["Kommuner.txt"]}
    sekom = '{"Vallentuna": "Lila",\n "Valentuna": "Lila",\n "Upplands Wäsby": "Gul"}'

    assert problems_of(sekom.encode(), "sekom.json", companions=municipalities) == [
        "sekom.json:2:2: Valentuna: “Valentuna” is not a municipality in Kommuner.txt.",
        'sekom.json:3:2: ["Upplands Wäsby"]: “Upplands Wäsby” is not a municipality in '
        "Kommuner.txt.",
    ]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=20,
)


def paths_of(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths_of(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths_of(child, (*path, index))


def at(value, path):
    for step in path:
        value = value[step]
    return value


@given(json_values, st.sampled_from([None, 0, 2]), st.booleans())
def test_every_path_of_any_json_is_found_where_its_value_begins(value, indent, ascii_only):
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)

    for path in paths_of(value):
        offset = json_offset(text, path)
        assert json.JSONDecoder().raw_decode(text, offset)[0] == at(value, path)
        if path and isinstance(path[-1], str):
            key = json_offset(text, path, key=True)
            assert json.JSONDecoder().raw_decode(text, key)[0] == path[-1]
