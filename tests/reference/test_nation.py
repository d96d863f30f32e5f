"""The nation's published values ship with Skolkvalitet (reference/data/) and stand beside the
organiser's figures per type of organiser, each citing its source."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.utils import translation

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.reference.comparison import Basis
from skolkvalitet.reference.imports import nation_import
from skolkvalitet.reference.models import ReferenceValue
from skolkvalitet.reference.nation import SKOLVERKET_NATION_FILE, skolverket_nation_records
from skolkvalitet.reference.selectors import comparisons_for_indicator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("reference", *args, stdout=out)
    return out.getvalue()


def test_every_shipped_skolverket_row_maps_to_an_indicator_and_cites_its_source():
    records = skolverket_nation_records(SKOLVERKET_NATION_FILE.read_bytes())
    assert len(records) == 40
    assert all(r.indicator_key for r in records)
    assert all(r.note.startswith("Skolverket, ") for r in records)
    assert {r.area_code for r in records} == {"0000"}


def test_the_shipped_file_gives_each_figure_once():
    """One row per measure, year, type of organiser and breakdown: where two publications give
    the same figure only the later one is shipped (reference/data/README.md)."""
    records = skolverket_nation_records(SKOLVERKET_NATION_FILE.read_bytes())
    keys = [(r.measure, r.period, r.organiser_type, r.breakdown) for r in records]
    assert len(keys) == len(set(keys))


def test_loading_is_idempotent():
    first = nation_import()
    again = nation_import()
    assert again.unchanged and again.batch == first.batch
    assert ImportBatch.objects.filter(kind="nation").count() == 1
    # 40 Skolverket rows and Kolada's riket.txt (18 KPIs x 5 years x T/K/M where published)
    assert ReferenceValue.objects.filter(source="skolverket", area_kind="nation").count() == 40
    assert ReferenceValue.objects.filter(source="kolada", area_kind="nation").exists()


def test_the_nation_of_2017_18_per_type_of_organiser_as_skolverket_published_it():
    """SIRIS, Grundskolan - Slutbetyg årskurs 9, läsåret 2017/18, Riket: samtliga 110 583
    pupils 75,6 / 84,4 / 228,7; kommunal 89 604 pupils 73,5 / 82,7 / 223,3; enskild 20 979
    pupils 84,6 / 92,0 / 252,0 (all subjects / eligible for vocational / merit value 17)."""
    nation_import()

    def nation(key: str, basis: Basis, breakdown: str = ""):
        return comparisons_for_indicator(
            indicator_key=key, municipality_code="0136", period="2017/18", basis=basis
        )[breakdown].nation

    merit = nation("merit_value_17", Basis.MUNICIPAL)
    assert (merit.value, merit.n, merit.source, merit.organiser_type) == (
        223.3,
        89604,
        "skolverket",  # before Kolada's N15505 2018 (also 223.3)
        "Kommunal",
    )
    assert nation("merit_value_17", Basis.ALL).value == 228.7
    assert nation("merit_value_17", Basis.INDEPENDENT).value == 252.0
    assert nation("passed_all_subjects", Basis.MUNICIPAL).value == 73.5
    assert nation("eligible_vocational", Basis.ALL).value == 84.4
    assert nation("eligible_vocational", Basis.MUNICIPAL, "gender=F").value == 85.2
    assert nation("eligible_vocational", Basis.INDEPENDENT, "gender=M").value == 91.3


def test_kolada_fills_the_municipal_schools_of_years_skolverket_is_not_shipped_for():
    """Kolada riket N15505 (merit value, municipal schools) 2019 = 224.5: academic year
    2018/19; Skolverket's all-schools figure for that year is not shipped."""
    nation_import()
    found = comparisons_for_indicator(
        indicator_key="merit_value_17", municipality_code="0136", period="2018/19",
        basis=Basis.MUNICIPAL,
    )  # fmt: skip
    assert (found[""].nation.value, found[""].nation.source) == (224.5, "kolada")
    everyone = comparisons_for_indicator(
        indicator_key="merit_value_17", municipality_code="0136", period="2018/19",
        basis=Basis.ALL,
    )  # fmt: skip
    assert everyone[""].nation is None  # no all-schools figure: none, not the municipal one


def test_the_reference_command_prints_the_nation_with_its_sources():
    assert "reference --load-nation" in run("--nation")  # nothing stored yet: how to
    run("--load-nation")
    table = run("--nation", "--year", "2023/24")
    assert "83.7" in table and "Samtliga" in table
    assert "[1] Skolverket, pressmeddelande" in table
    rows = json.loads(run("--nation", "--year", "2017/18", "--format", "json"))
    merit = next(
        r
        for r in rows
        if r["indicator"] == "merit_value_17"
        and r["organiser_type"] == "Enskild"
        and not r["breakdown"]
    )
    assert (merit["value"], merit["n"], merit["area"]["name"]) == (252.0, 20979, "Riket")
    assert "SIRIS" in merit["note"]
    assert "already stored" in run("--load-nation")


def test_the_pages_say_whose_schools_and_which_year_the_nation_is():
    """No figure of another year or type stands in: a year without a shipped value of the
    basis gives none."""
    nation_import()
    found = comparisons_for_indicator(
        indicator_key="eligible_vocational", municipality_code="0136", period="2024/25",
        basis=Basis.ALL,
    )  # fmt: skip
    assert found == {}  # 2024/25 is not shipped: nothing, not 2023/24's 83.7
    found = comparisons_for_indicator(
        indicator_key="eligible_vocational", municipality_code="0136", period="2023/24",
        basis=Basis.MUNICIPAL,
    )  # fmt: skip
    assert found[""].nation is None  # only all schools' 83.7 is published for 2023/24


def test_eligibility_of_girls_and_boys_2018_19_and_2019_20_as_skolverket_published_it():
    """Skolverket's press release 2019-09-26: 84,3 % of all pupils eligible for a national
    programme in spring 2019, 85,8 % of the girls, 82,9 % of the boys. Press release 2020-09-24:
    87,0 % of the girls and 84,3 % of the boys in spring 2020; the total 85,6 % is shipped from
    the later press release of 2024 (via.tt.se 3630977), which gives the same figure."""
    nation_import()

    def nation(period: str, breakdown: str = ""):
        return comparisons_for_indicator(
            indicator_key="eligible_vocational", municipality_code="0136", period=period,
            basis=Basis.ALL,
        )[breakdown].nation  # fmt: skip

    spring_2019 = nation("2018/19")
    assert (spring_2019.value, spring_2019.organiser_type) == (84.3, "Samtliga")
    assert "2019-09-26" in spring_2019.note
    assert nation("2018/19", "gender=F").value == 85.8
    assert nation("2018/19", "gender=M").value == 82.9
    assert nation("2019/20", "gender=F").value == 87.0
    assert nation("2019/20", "gender=M").value == 84.3
    assert "2020-09-24" in nation("2019/20", "gender=M").note
    total_2020 = nation("2019/20")
    assert total_2020.value == 85.6 and "3630977" in total_2020.note


def test_the_demo_years_have_the_nation_only_where_skolverket_published_it():
    """The municipal organiser of the demo compares like for like with municipal schools. For
    2023/24 only the eligibility of all schools is published in the shipped files (83,7 %);
    the merit value of the nation's municipal schools is not, so there is none rather than
    2017/18's 223,3 or Kolada's 2019/20."""
    nation_import()
    merit = comparisons_for_indicator(
        indicator_key="merit_value_17", municipality_code="0136", period="2023/24",
        basis=Basis.MUNICIPAL,
    )  # fmt: skip
    assert merit == {}  # no nation, no municipality: nothing to stand beside the organiser
    everyone = comparisons_for_indicator(
        indicator_key="eligible_vocational", municipality_code="0136", period="2023/24",
        basis=Basis.ALL,
    )  # fmt: skip
    assert everyone[""].nation.value == 83.7
