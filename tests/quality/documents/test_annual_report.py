"""The kvalitetsredovisning built from the database: the organiser's figures as stored and
as the board sees them, the nation where published and '.' where not, the gaps between groups,
every unit with year-9 figures, the goals, the units' reports, the year's shared practices;
and the command writes it as PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.publishing.documents.check import publication_problems
from skolkvalitet.publishing.documents.model import FigureCell, Heading, Table
from skolkvalitet.quality.documents.annual_report import annual_report_document
from skolkvalitet.quality.practices.actions import practice_publish, practice_save

pytestmark = pytest.mark.django_db

SUBJECTS = ("SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI")


def grades(unit_code: str, year: str, pupils: list[tuple[str, str]]) -> bytes:
    """One row per subject for each (gender digit source, grade): girls have an even
    second-last digit in their personnummer."""
    born = int(year[:4]) - 15
    rows = ["personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"]
    for serial, (gender, grade) in enumerate(pupils, start=1):
        number = make_personal_number(dt.date(born, 4, serial), 200 + serial * 2 + (gender == "M"))
        rows += [f"{number};{unit_code};{year};VT;9;{s};{grade};slutbetyg\n" for s in SUBJECTS]
    return "".join(rows).encode()


@pytest.fixture
def graded(org):
    # Norrskolan 2024/25: 12 girls with C (120) and 12 boys with E (80): merit value 100.
    pupils = [("F", "C")] * 12 + [("M", "E")] * 12
    facts_import_bytes("grades", grades(org.unit_n1.code, "2024/25", pupils), "b.csv")
    return org


def tables(document) -> dict[str, Table]:
    return {b.caption: b for b in document.blocks if isinstance(b, Table)}


def test_the_organisers_figures_are_the_stored_ones_and_the_nation_is_missing(graded) -> None:
    org = graded
    document = annual_report_document(org.organiser, org.year)
    stored = IndicatorValue.objects.get(
        node=org.organiser,
        indicator="merit_value_17",
        period_kind="year",
        period_id=org.year.pk,
        breakdown="",
    )
    assert stored.value == 100.0
    merit = next(t for caption, t in tables(document).items() if "meritvärde" in caption.lower())
    [row] = [r for r in merit.rows if r[0] == "2024/25"]
    own, nation = row[1], row[2]
    assert isinstance(own, FigureCell) and own.shown == 100.0 and own.n == 24
    assert isinstance(nation, FigureCell) and nation.shown == "."  # none imported for 2024/25
    assert publication_problems(document) == []


def test_the_gap_between_girls_and_boys_is_computed_from_shown_figures(graded) -> None:
    document = annual_report_document(graded.organiser, graded.year)
    equity = next(t for c, t in tables(document).items() if "per elevgrupp" in c or "group" in c)
    gap = next(
        r for r in equity.rows if isinstance(r[0], str) and r[0].startswith(("Skillnad", "Gap"))
    )
    assert gap[-1] == "40,0"  # 120 − 80, the last column is the report's year


def test_the_units_results_list_units_with_year_9_only(graded) -> None:
    org = graded
    document = annual_report_document(org.organiser, org.year)
    units = next(
        t
        for c, t in tables(document).items()
        if c.startswith(("Enheternas resultat", "The units' results"))
    )
    assert [r[0] for r in units.rows] == [org.unit_n1.name]


def test_a_published_practice_is_in_the_report(graded, users) -> None:
    org = graded
    head = scope_for(users.unit_head)
    practice = practice_save(
        node=org.unit_n1,
        academic_year=org.year,
        title="Läsfokus i åk 7",
        what="Tjugo minuters läsning varje morgon.",
        for_whom="Elever i årskurs 7",
        contact="Rektor, rektor@exempelstad.se",
        school_form="GR",
        scope=head,
        by=users.unit_head,
    )
    practice_publish(practice=practice, scope=head, by=users.unit_head)
    document = annual_report_document(org.organiser, org.year)
    headings = [b.text for b in document.blocks if isinstance(b, Heading)]
    assert f"Läsfokus i åk 7 – {org.unit_n1.name}" in headings


def test_the_command_writes_the_pdf(graded, tmp_path) -> None:
    out = tmp_path / "kvalitetsredovisning.pdf"
    call_command("report", "annual", year="2024/25", format="pdf", out=str(out))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "Kvalitetsredovisning 2024/25" in text
    assert graded.organiser.name in text and graded.unit_n1.name in text
    assert "100,0" in text


def test_final_grades_against_the_tests_are_the_stored_shares(org) -> None:
    from skolkvalitet.indicators.registry import REGISTRY

    for outcome, value in (("lower", 10.0), ("same", 70.0), ("higher", 20.0)):
        key = f"test_vs_grade_{outcome}_MA"
        IndicatorValue.objects.create(
            indicator=key,
            family=str(REGISTRY[key].family),
            node=org.organiser,
            period_kind="year",
            period_id=org.year.pk,
            breakdown="",
            value=value,
            n=40,
            numerator=value * 40 / 100,
            denominator=40,
            suppression="",
            data_version=1,
        )
    document = annual_report_document(org.organiser, org.year)
    [table] = [t for c, t in tables(document).items() if "provbetyg" in c or "test grade" in c]
    [row] = table.rows
    assert row[0] == "Matematik"
    assert [c.shown for c in row[1:]] == [10.0, 70.0, 20.0]
    assert publication_problems(document) == []
