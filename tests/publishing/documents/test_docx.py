"""The Word renderer, read back with python-docx: A4 in Swedish with a title page, a TOC field,
the organiser in the page header and PAGE / NUMPAGES fields in the footer, Word heading
styles, tables of figures with a repeating header row and figures aligned right, and charts
as PNG pictures with their description as alternative text and their data as a table."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from typing import Any

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm

from skolkvalitet.publishing.charts.trend import trend_chart
from skolkvalitet.publishing.documents import docx as renderer
from skolkvalitet.publishing.documents.docx import document_docx
from skolkvalitet.publishing.documents.model import (
    BulletList,
    Chart,
    Document,
    FigureCell,
    Heading,
    Note,
    PageBreak,
    Paragraph,
    Table,
)


def png(width: int = 4, height: int = 2) -> bytes:
    """A tiny valid PNG (white pixels), enough for python-docx to read its size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Charts drawn as a tiny PNG instead of by vl-convert; the specs asked for, in order."""
    specs: list[dict[str, Any]] = []

    def fake_png(spec: dict[str, Any], *, scale: float = 2.0) -> bytes:
        specs.append(spec)
        return png(620, 300)

    monkeypatch.setattr(renderer, "chart_png", fake_png)
    return specs


def read(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def zip_names(document: Document) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(document_docx(document))).namelist()


def instructions(element: Any) -> list[str]:
    return [text.text.strip() for text in element.xpath(".//w:instrText")]


def merit_spec() -> dict[str, Any]:
    return {
        "description": "Meritvärdet 2022/23–2024/25: 220,1, dolt, 225,0 poäng.",
        "mark": "line",
        "usermeta": {
            "table": {
                "columns": ["Läsår", "Meritvärde"],
                "rows": [["2022/23", "220,1"], ["2023/24", ".."], ["2024/25", "225,0"]],
                "notes": ["Källa: Skolverket"],
            }
        },
    }


def sample() -> Document:
    doc = Document(
        title="Kvalitetsredovisning 2024/25",
        organiser="Exempelstads kommun",
        subtitle="Huvudmannens kvalitetsredovisning",
        audience="Siffrorna visas som för nämnden.",
        generated_at=dt.datetime(2026, 12, 4, 16, 0),
        data_version=42,
    )
    doc.add(
        Heading("Sammanfattning"),
        Paragraph("Meritvärdet ökade med 4,9 poäng."),
        BulletList(("Åtta av tio enheter", "Två enheter")),
        Heading("Kunskapsresultat"),
        Heading("Grundskolan", level=2),
        Table(
            caption="Andel behöriga per enhet",
            columns=("Enhet", "Andel", "Elever"),
            rows=(
                ("Norrskolan", FigureCell(75.6, "percent", "eligible", 45, "", 10), "45"),
                ("Björkskolan", FigureCell("..", "percent", "eligible", 6, "..", 10), "6"),
                ("Söderskolan", FigureCell("~100", "percent", "eligible", 30, "~100", 10), "30"),
                ("Ekskolan", FigureCell(None, "percent", "eligible", None, ".", 10), ""),
            ),
            notes=("Källa: Skolverket och egna uppgifter",),
        ),
        Chart(merit_spec(), caption="Meritvärdet över tid"),
        Note("Små grupper döljs."),
    )
    return doc


def test_the_page_is_a4_and_the_properties_say_swedish_and_skolkvalitet(drawn) -> None:
    word = read(document_docx(sample()))
    section = word.sections[0]
    assert round(section.page_width.cm, 1) == 21.0
    assert round(section.page_height.cm, 1) == 29.7
    assert round(section.left_margin.cm, 1) == round(section.right_margin.cm, 1) == 2.0
    props = word.core_properties
    assert props.title == "Kvalitetsredovisning 2024/25"
    assert props.author == "Skolkvalitet"
    assert props.language == "sv-SE"
    assert "docProps/thumbnail.jpeg" not in zip_names(sample())  # the template's preview
    lang = word.styles.element.find(qn("w:docDefaults")).find(f".//{qn('w:lang')}")
    assert lang.get(qn("w:val")) == "sv-SE"  # every run is Swedish for spelling and readers


def test_the_title_page_holds_the_facts_and_ends_with_a_page_break(drawn) -> None:
    word = read(document_docx(sample()))
    texts = [p.text for p in word.paragraphs]
    assert texts[:5] == [
        "Kvalitetsredovisning 2024/25",
        "Huvudmannens kvalitetsredovisning",
        "Exempelstads kommun",
        "Siffrorna visas som för nämnden.",
        # "Produced ... · data version 42" in Swedish
        "Framtagen 2026-12-04 16:00 · dataversion 42",
    ]
    assert word.paragraphs[0].style.name == "Title"
    assert word.paragraphs[1].style.name == "Subtitle"
    assert word.paragraphs[5].paragraph_format.page_break_before  # the contents, a new page
    assert not any(p.paragraph_format.page_break_before for p in word.paragraphs[:5])


def test_chapters_and_sections_are_word_headings(drawn) -> None:
    word = read(document_docx(sample()))
    headings = [
        (p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")
    ]
    assert headings == [
        ("Heading 1", "Sammanfattning"),
        ("Heading 1", "Kunskapsresultat"),
        ("Heading 2", "Grundskolan"),
    ]
    chapters = [p for p in word.paragraphs if p.style.name == "Heading 1"]
    assert all(p.paragraph_format.page_break_before for p in chapters)  # each starts a page
    bullets = [p.text for p in word.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["Åtta av tio enheter", "Två enheter"]
    notes = [p.text for p in word.paragraphs if p.style.name == "Note"]
    assert notes == [
        "Källa: Skolverket och egna uppgifter",
        "Källa: Skolverket",
        "Små grupper döljs.",
    ]


def test_the_contents_is_a_dirty_toc_field_over_levels_one_and_two(drawn) -> None:
    word = read(document_docx(sample()))
    body = word.element.body
    assert instructions(body)[0] == 'TOC \\o "1-2" \\h \\z \\u'
    begin = body.xpath(".//w:fldChar[@w:fldCharType='begin']")[0]
    assert begin.get(qn("w:dirty")) == "true"  # Word computes it again on opening
    contents = next(p for p in word.paragraphs if p.style.name == "TOC Heading")
    assert contents.text == "Innehåll"
    # Until a reader computes the field, it shows the chapters.
    after = [p.text for p in word.paragraphs]
    start = after.index("Innehåll")
    assert after[start + 1 : start + 3] == ["Sammanfattning", "Kunskapsresultat"]
    assert len(body.xpath(".//w:fldChar[@w:fldCharType='end']")) == 1


def test_the_header_names_the_organiser_and_the_footer_counts_pages(drawn) -> None:
    word = read(document_docx(sample()))
    section = word.sections[0]
    assert section.header.paragraphs[0].text == "Exempelstads kommun\tKvalitetsredovisning 2024/25"
    footer = section.footer.paragraphs[0]
    assert instructions(footer._p) == ["PAGE", "NUMPAGES"]
    assert footer.text == "Sida 1 av 1"  # the fields' results until a reader computes them
    assert footer.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert section.different_first_page_header_footer  # not on the title page
    assert section.first_page_header.paragraphs[0].text == ""


def test_a_table_of_figures_keeps_its_text_repeats_its_header_and_aligns_figures_right(
    drawn,
) -> None:
    word = read(document_docx(sample()))
    table = word.tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells == [
        ["Enhet", "Andel", "Elever"],
        ["Norrskolan", "75,6\u00a0%", "45"],  # a no-break space before the sign
        ["Björkskolan", "..", "6"],
        ["Söderskolan", "~100", "30"],
        ["Ekskolan", ".", ""],
    ]
    header = table.rows[0]._tr.trPr
    assert header.find(qn("w:tblHeader")).get(qn("w:val")) == "true"
    assert table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None

    def alignment(row: int, column: int) -> Any:
        return table.rows[row].cells[column].paragraphs[0].alignment

    right, left = WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT
    assert [alignment(0, c) for c in range(3)] == [left, right, left]  # the column's header
    assert [alignment(2, c) for c in range(3)] == [left, right, left]  # ".." a figure; "6" text
    caption = table._tbl.getprevious()
    assert caption.xpath("string(.)") == "Andel behöriga per enhet"
    assert caption.xpath("string(.//w:pStyle/@w:val)") == "Caption"
    assert table._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val")) == "Andel behöriga per enhet"


def test_a_chart_is_a_picture_with_its_description_and_its_data_as_a_table(drawn) -> None:
    word = read(document_docx(sample()))
    assert len(drawn) == 1 and drawn[0]["description"] == merit_spec()["description"]
    (picture,) = word.inline_shapes
    assert picture.width == Cm(16)
    assert picture._inline.docPr.get("descr") == merit_spec()["description"]
    blob = word.part.related_parts[picture._inline.graphic.graphicData.pic.blipFill.blip.embed]
    assert blob.blob.startswith(b"\x89PNG")
    data = word.tables[1]
    assert [[c.text for c in row.cells] for row in data.rows] == [
        ["Läsår", "Meritvärde"],
        ["2022/23", "220,1"],
        ["2023/24", ".."],
        ["2024/25", "225,0"],
    ]
    assert data.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert data.rows[3].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert captions == ["Andel behöriga per enhet", "Meritvärdet över tid"]


def test_a_chart_drawn_by_vl_convert_is_embedded_as_png() -> None:
    spec = trend_chart([("2023/24", 80.0), ("2024/25", 120.0)], title="Meritvärde", unit="points")
    doc = Document(title="Kvalitetsrapport 2024/25", organiser="Exempelstads kommun")
    doc.add(Heading("Resultat"), Chart(spec, caption="Meritvärdet över tid"))
    word = read(document_docx(doc))
    (picture,) = word.inline_shapes
    assert picture._inline.docPr.get("descr") == spec["description"] != ""
    blob = word.part.related_parts[picture._inline.graphic.graphicData.pic.blipFill.blip.embed]
    assert blob.blob.startswith(b"\x89PNG")
    assert picture.width == Cm(16)
    assert picture.height > 0


def test_swedish_letters_and_markup_round_trip_as_text(drawn) -> None:
    text = "Åsa, Örjan och Ämnesgruppen: <script>alert(1)</script> & ”citat”"
    doc = Document(title="Kvalitetsrapport för Östra skolan", organiser="Ängby kommun")
    doc.add(Heading("Måluppfyllelse"), Paragraph(text))
    word = read(document_docx(doc))
    texts = [p.text for p in word.paragraphs]
    assert "Kvalitetsrapport för Östra skolan" in texts
    assert "Måluppfyllelse" in texts
    assert text in texts
    assert word.sections[0].header.paragraphs[0].text.startswith("Ängby kommun")


def test_a_paragraph_keeps_its_line_breaks_and_loses_characters_xml_cannot_hold(drawn) -> None:
    doc = Document(title="Rapport", organiser="Kommun")
    doc.add(Paragraph("Första stycket\x00\x0b\nny rad\n\nAndra stycket"))
    word = read(document_docx(doc))
    texts = [p.text for p in word.paragraphs]
    assert texts[-2:] == ["Första stycket\nny rad", "Andra stycket"]


def test_a_page_break_moves_the_next_paragraph_and_never_leaves_an_empty_page(drawn) -> None:
    doc = Document(title="Rapport", organiser="Kommun")
    doc.add(Heading("Ett"), Paragraph("Före"), PageBreak(), Paragraph("Efter"))
    doc.add(PageBreak(), Heading("Två"), Paragraph("Sist"), PageBreak())
    word = read(document_docx(doc))
    breaks = [p.text for p in word.paragraphs if p.paragraph_format.page_break_before]
    # The contents after the title page, each chapter, and the paragraph after the break;
    # the break before "Två" is the chapter's own, the one at the end makes nothing.
    assert breaks == ["Innehåll", "Ett", "Efter", "Två"]
    assert word.element.body.xpath(".//w:br[@w:type='page']") == []


def test_a_png_logo_is_on_the_title_page_and_an_svg_logo_is_left_out(drawn) -> None:
    with_png = Document(
        title="Rapport", organiser="Kommun", logo=png(400, 100), logo_type="image/png"
    )
    (logo,) = read(document_docx(with_png)).inline_shapes
    assert logo._inline.docPr.get("descr") == "Logotyp för Kommun"
    assert logo.width == Cm(8)  # 3 cm high would make it 12 cm wide: 8 cm at most
    assert logo.height == Cm(2)

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    with_svg = Document(title="Rapport", organiser="Kommun", logo=svg, logo_type="image/svg+xml")
    assert len(read(document_docx(with_svg)).inline_shapes) == 0


def test_an_empty_document_still_renders() -> None:
    word = read(document_docx(Document(title="Kvalitetsrapport 2024/25", organiser="Kommun")))
    assert [p.text for p in word.paragraphs] == ["Kvalitetsrapport 2024/25", "Kommun"]
    assert instructions(word.element.body) == []  # no chapters, no contents
    assert word.tables == []
