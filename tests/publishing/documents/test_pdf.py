"""The PDF renderer: a tagged PDF in Swedish with a title page, a table of contents with page
numbers, the organiser in the page header, page numbers, tables and a chart drawn by
vl-convert; every text escaped."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from skolkvalitet.publishing.charts.render import chart_png, chart_svg
from skolkvalitet.publishing.charts.trend import trend_chart
from skolkvalitet.publishing.documents.model import (
    BulletList,
    Chart,
    Document,
    FigureCell,
    Heading,
    Note,
    Paragraph,
    Table,
)
from skolkvalitet.publishing.documents.pdf import document_html, document_pdf


def sample() -> Document:
    doc = Document(
        title="Kvalitetsredovisning 2024/25",
        organiser="Exempelstads kommun",
        subtitle="Huvudmannens kvalitetsredovisning",
        generated_at=dt.datetime(2026, 12, 4, 16, 0),
        data_version=42,
    )
    spec = trend_chart(
        [("2022/23", 220.1), ("2023/24", ".."), ("2024/25", 225.0)],
        title="Meritvärde",
        unit="points",
    )
    doc.add(
        Heading("Sammanfattning"),
        Paragraph("Meritvärdet ökade med 4,9 poäng. <script>alert(1)</script>"),
        BulletList(("Åtta av tio enheter", "Två enheter")),
        Heading("Kunskapsresultat"),
        Table(
            caption="Meritvärde per läsår",
            columns=("Läsår", "Exempelstads kommun"),
            rows=(("2024/25", FigureCell(225.0, "points", "merit_value_17", 120, "", 10)),),
            notes=("Källa: Skolverket",),
        ),
        Chart(spec, caption="Meritvärdet över tid"),
        Note("Små tal döljs."),
    )
    return doc


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_holds_the_title_contents_tables_and_page_numbers() -> None:
    pdf = document_pdf(sample())
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    text = text_of(pdf)
    assert "Kvalitetsredovisning 2024/25" in text
    assert "Exempelstads kommun" in text
    assert "225,0" in text  # the Swedish decimal comma
    assert "Åtta av tio enheter" in text
    contents_page = reader.pages[1].extract_text()
    assert "Sammanfattning" in contents_page and "Kunskapsresultat" in contents_page
    assert len(reader.pages) >= 4  # title, contents, one page per chapter
    last = reader.pages[-1].extract_text()
    assert f"{len(reader.pages)}" in last  # "Sida 4 av 4"
    assert reader.outline  # bookmarks for the chapters
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "sv"
    assert "/StructTreeRoot" in root  # tagged


def test_text_is_escaped_not_interpreted() -> None:
    html = document_html(sample())
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_a_chart_is_drawn_on_the_server_without_any_url() -> None:
    spec = trend_chart([("2023/24", 80.0), ("2024/25", 120.0)], title="Meritvärde", unit="points")
    svg = chart_svg(spec)
    assert svg.startswith("<svg") and "Meritvärde" in svg
    assert "120,0" in svg  # the labels as the pages write them
    assert chart_png(spec).startswith(b"\x89PNG")


def test_an_empty_document_still_renders() -> None:
    pdf = document_pdf(Document(title="Kvalitetsrapport 2024/25", organiser="Exempelstads kommun"))
    assert "Kvalitetsrapport 2024/25" in text_of(pdf)


def test_a_short_table_keeps_its_caption_rows_and_notes_on_one_page() -> None:
    # Tables of four rows after paragraphs of one to seven lines: wherever one falls at the
    # foot of a page, its caption, its rows and its note move together.
    doc = Document(title="Kvalitetsredovisning 2024/25", organiser="Exempelstads kommun")
    doc.add(Heading("Resultat"))
    filler = "Resultaten följs upp varje termin och jämförs med föregående läsår."
    for number in range(1, 31):
        doc.add(Paragraph(" ".join([filler] * (number % 7 + 1))))
        doc.add(
            Table(
                caption=f"Tabell{number:02d}",
                columns=("Läsår", "Värde"),
                rows=tuple(
                    (f"Rad{number:02d}x{row}", FigureCell(float(row), "points")) for row in range(4)
                ),
                notes=(f"Not{number:02d}",),
            )
        )
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(document_pdf(doc))).pages]

    def page_of(text: str) -> int:
        [page] = [i for i, p in enumerate(pages) if text in p]
        return page

    spread = [
        {
            page_of(f"Tabell{n:02d}"),
            page_of(f"Rad{n:02d}x0"),
            page_of(f"Rad{n:02d}x3"),
            page_of(f"Not{n:02d}"),
        }
        for n in range(1, 31)
    ]
    assert len({min(s) for s in spread}) > 3  # the tables run over several pages
    assert all(len(s) == 1 for s in spread)
