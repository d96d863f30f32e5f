"""`skolkvalitet indicators`: printing materialised values, --materialise and --doc."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.indicators.docs import indicators_markdown
from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.organisation.models import FollowUpPoint, Term
from skolkvalitet.results.models import Assessment, AssessmentScale, Grade, Subject

pytestmark = pytest.mark.django_db

KEYS = {"indicator", "node", "period", "breakdown", "value", "n", "suppressed", "marker"}
# Final grades in MA: five of the ten pupils pass.
MA = {
    "Alva": "C",
    "Bella": "E",
    "Cesar": "F",
    "David": "F",
    "Elsa": "B",
    "Frida": "D",
    "Gustav": "F",
    "Hanna": "A",
    "Ida": "F",
    "Josef": "F",
}


@pytest.fixture
def materialised(org):
    """Final MA grades of the ten pupils in the spring term, and one assessment at the autumn
    follow-up point, materialised."""
    batch = ImportBatch.objects.create(kind="grades", source_name="betyg.csv")
    year = org.year
    ht = Term.objects.create(
        academic_year=year,
        kind="HT",
        start_date=dt.date(2024, 8, 19),
        end_date=dt.date(2025, 1, 10),
    )
    vt = Term.objects.create(
        academic_year=year,
        kind="VT",
        start_date=dt.date(2025, 1, 13),
        end_date=dt.date(2025, 6, 13),
    )
    point = FollowUpPoint.objects.create(
        term=ht,
        ordinal=1,
        name="Uppföljning 1 HT2024",
        assessed_on=dt.date(2024, 10, 15),
        deadline=dt.date(2024, 11, 1),
    )
    ma = Subject.objects.get(code="MA")
    Grade.objects.bulk_create(
        Grade(
            pupil=org.pupils[name],
            unit=org.enrolments[name].unit,
            term=vt,
            year_group=9,
            subject=ma,
            value=value,
            grade_type="final",
            batch=batch,
        )
        for name, value in MA.items()
    )
    Assessment.objects.create(
        pupil=org.pupils["Alva"],
        unit=org.unit_n1,
        follow_up_point=point,
        year_group=7,
        subject=ma,
        scale=AssessmentScale.objects.get(code="forecast_af"),
        value="B",
        batch=batch,
    )
    indicators_materialise()
    return org


def run_json(capsys, *args) -> list[dict]:
    call_command("indicators", *args, "--format", "json")
    return json.loads(capsys.readouterr().out)


def only(rows, **match) -> dict:
    found = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]


def test_doc_prints_the_markdown_generated_from_the_registry(capsys, db):
    call_command("indicators", "--doc")
    out = capsys.readouterr().out
    assert out == indicators_markdown()
    assert out.startswith("# Indicators: definitions and sources")
    assert "| `merit_value_17` |" in out


def test_the_organiser_as_json(materialised, capsys):
    rows = run_json(capsys, "--organiser", "--year", "2024/25")
    assert rows
    assert all(set(r) == KEYS for r in rows)
    assert {r["node"] for r in rows} == {"2120000001"}
    assert {r["breakdown"] for r in rows} == {""}
    assert {r["period"] for r in rows} == {"2024/25", "VT2025", "Uppföljning 1 HT2024"}
    passed = only(rows, indicator="passed_MA", period="2024/25")
    assert passed == {
        "indicator": "passed_MA",
        "node": "2120000001",
        "period": "2024/25",
        "breakdown": "",
        "value": 50.0,
        "n": 10,
        "suppressed": False,
        "marker": "",
    }
    points = only(rows, indicator="grade_points_MA", period="2024/25")
    assert points["value"] == pytest.approx(round((15 + 10 + 17.5 + 12.5 + 20) / 10, 2))
    forecast = only(rows, indicator="on_track_MA", period="Uppföljning 1 HT2024")
    # The operator sees the real value with its marker.
    assert (forecast["value"], forecast["n"], forecast["suppressed"], forecast["marker"]) == (
        100.0,
        1,
        True,
        "..",
    )


def test_a_unit_by_its_skolenhetskod(materialised, capsys):
    rows = run_json(capsys, "--unit", "10000001", "--year", "2024/25")
    assert rows
    assert {r["node"] for r in rows} == {"10000001"}
    passed = only(rows, indicator="passed_MA", period="2024/25")
    # Alva, Bella and Elsa of Alva, Bella, Cesar, David and Elsa.
    assert (passed["value"], passed["n"], passed["suppressed"], passed["marker"]) == (
        60.0,
        5,
        True,
        "..",
    )


def test_by_gender_adds_the_breakdown_rows(materialised, capsys):
    rows = run_json(
        capsys, "--organiser", "--year", "2024/25", "--by", "gender", "--indicator", "passed_MA"
    )
    year = [r for r in rows if r["period"] == "2024/25"]
    assert [(r["breakdown"], r["n"]) for r in year] == [("", 10), ("gender=F", 6), ("gender=M", 4)]
    assert only(year, breakdown="gender=F")["value"] == pytest.approx(83.33)
    assert all(r["marker"] == ".." for r in year if r["breakdown"])


def test_indicator_filters_to_the_keys_given(materialised, capsys):
    rows = run_json(
        capsys, "--organiser", "--year", "2024/25", "--indicator", "passed_MA", "merit_value_17"
    )
    assert {r["indicator"] for r in rows} == {"passed_MA", "merit_value_17"}


def test_term_keeps_that_term_and_its_points(materialised, capsys):
    rows = run_json(capsys, "--organiser", "--year", "2024/25", "--term", "HT")
    assert {r["period"] for r in rows} == {"Uppföljning 1 HT2024"}
    rows = run_json(capsys, "--organiser", "--year", "2024/25", "--term", "VT")
    assert {r["period"] for r in rows} == {"VT2025"}


def test_csv_has_a_header_row(materialised, capsys):
    call_command(
        "indicators",
        "--organiser",
        "--year",
        "2024/25",
        "--format",
        "csv",
        "--indicator",
        "passed_MA",
    )
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "indicator,node,period,breakdown,value,n,suppressed,marker"
    rows = list(csv.DictReader(io.StringIO(out)))
    year = only(rows, period="2024/25")
    assert (year["indicator"], year["value"], year["n"], year["suppressed"]) == (
        "passed_MA",
        "50.0",
        "10",
        "False",
    )


def test_the_table_shows_values_with_their_marker(materialised, capsys):
    call_command(
        "indicators", "--unit", "10000001", "--year", "2024/25", "--indicator", "passed_MA"
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["indicator", "period", "breakdown", "value", "n"]
    year = [line for line in lines if "2024/25" in line]
    assert len(year) == 1
    assert year[0].split() == ["passed_MA", "2024/25", "-", "60.0", "..", "5"]


def test_a_year_without_values_prints_an_empty_list(org, capsys):
    assert run_json(capsys, "--organiser", "--year", "2024/25") == []


def test_materialise_recomputes_and_reports(materialised, capsys):
    IndicatorValue.objects.all().delete()
    call_command("indicators", "--materialise", "--year", "2024/25")
    captured = capsys.readouterr()
    count = IndicatorValue.objects.count()
    assert count > 0
    assert captured.err.startswith(f"{count} values in ")
    assert captured.out == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organiser", "--year", "1999/00"], "No academic year '1999/00' (write it as 2024/25)."),
        (["--organiser", "--year", "2024-25"], "No academic year '2024-25'"),
        (
            ["--unit", "99999999", "--year", "2024/25"],
            "No school unit with skolenhetskod '99999999'.",
        ),
        (["--unit", "7A", "--year", "2024/25"], "No school unit with skolenhetskod '7A'."),
        (
            ["--organiser", "--year", "2024/25", "--indicator", "passed_MA", "no_such"],
            "Unknown indicator 'no_such'.",
        ),
        (["--year", "2024/25"], "Give --unit SKOLENHETSKOD or --organiser."),
        ([], "Give --unit SKOLENHETSKOD or --organiser."),
        (["--organiser"], "Give --year, e.g. --year 2024/25."),
        (["--organiser", "--year", "2024/25", "--by", "colour"], "invalid choice: 'colour'"),
        (["--organiser", "--unit", "10000001", "--year", "2024/25"], "not allowed with"),
    ],
)
def test_bad_arguments_raise_a_clear_command_error(org, args, message):
    with pytest.raises(CommandError) as excinfo:
        call_command("indicators", *args)
    assert message in str(excinfo.value)


@pytest.mark.parametrize(
    "fmt",
    [
        "table",
        "json",
        "csv",
    ],
)
def test_every_format_writes_to_the_commands_stdout(materialised, fmt):
    out = io.StringIO()
    call_command(
        "indicators",
        "--organiser",
        "--year",
        "2024/25",
        "--indicator",
        "passed_MA",
        "--format",
        fmt,
        stdout=out,
    )
    assert "passed_MA" in out.getvalue()


def test_reference_values_stand_beside_the_years_figures(materialised, capsys):
    """The organiser is Exempelstad (municipality 0999): the nation's and the municipality's
    published passed_MA for 2024/25 of all schools are printed beside its own figure when all
    schools are asked for; like for like (the default) finds no municipal schools' figure."""
    from skolkvalitet.reference.actions import reference_values_store
    from skolkvalitet.reference.records import AreaKind, ReferenceRecord, Source

    materialised.organiser.municipality_code = "0999"
    materialised.organiser.save()
    batch = ImportBatch.objects.create(kind="skolverket", source_name="ämnesbetyg.csv")

    def published(kind, code, name, value):
        return ReferenceRecord(
            source=Source.SKOLVERKET,
            dataset="Grundskola - Jämförelse av ämnesbetyg över tid",
            measure="Andel (%) elever som fått godkänt betyg i respektive ämne",
            area_kind=kind,
            area_code=code,
            area_name=name,
            period="2024/25",
            value=value,
            subject="MA",
            organiser_type="Samtliga",
            indicator_key="passed_MA",
        )

    reference_values_store(
        [
            published(AreaKind.NATION, "0000", "Riket", 88.1),
            published(AreaKind.MUNICIPALITY, "0999", "Exempelstad", 84.0),
        ],
        batch,
    )
    like_for_like = only(
        run_json(
            capsys, "--organiser", "--year", "2024/25", "--indicator", "passed_MA", "--reference"
        ),
        period="2024/25",
        breakdown="",
    )
    assert like_for_like["reference_basis"] == "Kommunal"
    assert (like_for_like["nation"], like_for_like["municipality"]) == (None, None)

    rows = run_json(capsys, "--organiser", "--year", "2024/25", "--indicator", "passed_MA",
                    "--reference", "--compare-with", "samtliga")  # fmt: skip
    year_row = only(rows, period="2024/25", breakdown="")
    assert (year_row["value"], year_row["nation"], year_row["municipality"]) == (
        50.0,
        "88.1",
        "84.0",
    )
    assert (year_row["reference_basis"], year_row["nation_source"]) == ("Samtliga", "skolverket")
    assert year_row["similar"] is None  # no group of similar municipalities imported

    call_command("indicators", "--organiser", "--year", "2024/25", "--indicator", "passed_MA",
                 "--reference", "--compare-with", "samtliga", "--format", "csv")  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(
        ",reference_basis,nation,nation_source,municipality,municipality_source,"
        "similar,similar_source"
    )


def test_with_several_organisers_the_organiser_must_be_named(materialised, capsys):
    """Never the first of several: the command refuses and lists them; a code chooses."""
    from skolkvalitet.organisation.actions import node_create

    node_create(kind="organiser", name="Annan huvudman AB", code="5560000000")
    with pytest.raises(CommandError, match=r"holds 2 organisers.*Annan huvudman AB"):
        call_command("indicators", "--organiser", "--year", "2024/25")
    with pytest.raises(CommandError, match="No single organiser with code '1111111111'"):
        call_command("indicators", "--organiser", "1111111111", "--year", "2024/25")
    materialised.organiser.municipality_code = "0999"
    materialised.organiser.save()
    rows = run_json(capsys, "--organiser", "0999", "--year", "2024/25", "--indicator", "passed_MA")
    organiser = materialised.organiser
    assert {r["node"] for r in rows} == {organiser.code or organiser.name}
