"""A unit's kvalitetsrapport as a board document: its sections with the unit's text, its
figures frozen at submission and suppressed as for the board, its charts; written as PDF
by `skolkvalitet report unit --format pdf`, and refused when it breaks the publication
rules."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.publishing.documents.check import publication_problems
from skolkvalitet.publishing.documents.model import Chart, FigureCell, Heading, Paragraph, Table
from skolkvalitet.quality.documents.unit_report import unit_report_document
from skolkvalitet.quality.reports.actions import report_section_save, report_start, report_submit

pytestmark = pytest.mark.django_db

SUBJECTS = ("SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI")


def grades(unit_code: str, year: str, grade: str, pupils: int) -> bytes:
    born = int(year[:4]) - 15
    rows = ["personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"]
    for serial in range(1, pupils + 1):
        pupil = make_personal_number(dt.date(born, 3, serial), 100 + serial)
        rows += [f"{pupil};{unit_code};{year};VT;9;{s};{grade};slutbetyg\n" for s in SUBJECTS]
    return "".join(rows).encode()


@pytest.fixture
def submitted(org, users):
    # 2023/24: 12 pupils with E (merit 80); 2024/25: 12 pupils with C (merit 120).
    facts_import_bytes("grades", grades(org.unit_n1.code, "2023/24", "E", 12), "a.csv")
    facts_import_bytes("grades", grades(org.unit_n1.code, "2024/25", "C", 12), "b.csv")
    head = scope_for(users.unit_head)
    report = report_start(
        node=org.unit_n1, year=org.year, school_form="grundskola", scope=head, by=users.unit_head
    )
    report_section_save(
        report=report,
        key="kunskaper",
        text="Meritvärdet ökade.\n\n- Läsfokus i åk 7\n- Lovskola",
        version=0,
        scope=head,
        by=users.unit_head,
    )
    return report_submit(report=report, scope=head, by=users.unit_head)


def test_the_document_holds_the_sections_text_figures_and_charts(submitted, org) -> None:
    document = unit_report_document(submitted)
    assert document.subtitle == org.unit_n1.name
    assert document.organiser == org.organiser.name
    headings = [b.text for b in document.blocks if isinstance(b, Heading)]
    assert "Kunskaper och bedömning" in headings
    assert any(isinstance(b, Paragraph) and b.text == "Meritvärdet ökade." for b in document.blocks)
    [merit] = [
        row[2]
        for table in document.blocks
        if isinstance(table, Table)
        for row in table.rows
        if isinstance(row[2], FigureCell) and row[2].indicator == "merit_value_17"
    ]
    assert (merit.shown, merit.n) == (120.0, 12)
    assert merit.min_n == 10 and merit.suppression == ""
    charts = [b for b in document.blocks if isinstance(b, Chart)]
    assert len(charts) == 2  # the merit value's trend and the grade distribution
    assert [c.shown for c in charts[0].figures] == [80.0, 120.0]
    assert publication_problems(document) == []


def test_figures_are_suppressed_as_for_the_board(org, users) -> None:
    # Six pupils: below the unit-level limit of 10.
    facts_import_bytes("grades", grades(org.unit_n1.code, "2024/25", "C", 6), "b.csv")
    head = scope_for(users.unit_head)
    report = report_start(
        node=org.unit_n1, year=org.year, school_form="grundskola", scope=head, by=users.unit_head
    )
    report = report_submit(report=report, scope=head, by=users.unit_head)
    document = unit_report_document(report)
    merits = [c for _where, c in document.figure_cells() if c.indicator == "merit_value_17"]
    assert merits and all(c.shown == ".." and c.n is None for c in merits)
    assert publication_problems(document) == []


def test_the_command_writes_a_pdf(submitted, org, tmp_path) -> None:
    out = tmp_path / "rapport.pdf"
    call_command(
        "report", "unit", unit=org.unit_n1.code, year="2024/25", format="pdf", out=str(out)
    )
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert org.unit_n1.name in text and "Meritvärdet ökade." in text
    assert "Läsfokus i åk 7" in text
    assert "120,0" in text


def test_the_command_refuses_a_report_that_names_a_pupil(submitted, org, users, tmp_path) -> None:
    # A pupil of the register is named in the text (given and family name).
    from skolkvalitet.organisation.models import Pupil

    pupil = Pupil.objects.first()
    assert pupil is not None
    name = f"{pupil.given_name or 'Anna'} {pupil.family_name or 'Svensson'}"
    Pupil.objects.filter(pk=pupil.pk).update(
        given_name=name.split()[0], family_name=name.split()[1]
    )
    out = tmp_path / "rapport.pdf"
    report = submitted
    report.sections.filter(key="analys").update(text=f"Vi följer upp {name} särskilt.")
    with pytest.raises(CommandError, match="publication"):
        call_command(
            "report", "unit", unit=org.unit_n1.code, year="2024/25", format="pdf", out=str(out)
        )
    assert not out.exists()


def test_a_unit_without_a_report_is_named(org, tmp_path) -> None:
    with pytest.raises(CommandError, match="not started"):
        call_command(
            "report",
            "unit",
            unit=org.unit_n1.code,
            year="2024/25",
            format="pdf",
            out=str(tmp_path / "x.pdf"),
        )


def test_figure_cells_and_tables_are_typed(submitted) -> None:
    tables = [b for b in unit_report_document(submitted).blocks if isinstance(b, Table)]
    assert tables and all(isinstance(row[2], FigureCell) for t in tables for row in t.rows)


def test_the_organisers_logo_is_on_the_title_page(submitted, org, tmp_path, settings) -> None:
    from skolkvalitet.publishing.charts.render import chart_png
    from skolkvalitet.publishing.charts.trend import trend_chart

    logo = tmp_path / "logo.png"
    logo.write_bytes(chart_png(trend_chart([("a", 1.0), ("b", 2.0)], title="", unit="points")))
    settings.SKOLKVALITET_LOGO = str(logo)
    out = tmp_path / "rapport.pdf"
    call_command(
        "report", "unit", unit=org.unit_n1.code, year="2024/25", format="pdf", out=str(out)
    )
    first = PdfReader(io.BytesIO(out.read_bytes())).pages[0]
    assert first.images, "the title page carries the logo"
