"""The Word renderer: a Document as a .docx written by python-docx, on A4 in Swedish — a title
page, a table of contents as a real Word field, the organiser's name and the title in the
page header, "Sida X av Y" in the footer as PAGE and NUMPAGES fields (Word and LibreOffice
compute them), headings in Word's heading styles, tables with a repeating header row and
figures aligned right. A chart is a PNG drawn on the server by vl-convert, its description
as the picture's alternative text and its data as a small table beneath, so that the
numbers are there for screen readers and for editing.

Every text goes in through python-docx, which escapes it; characters that XML cannot hold
(control characters pasted into a text) are dropped."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
from typing import Any

import docx
from django.utils import timezone
from django.utils.translation import gettext as _
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.image.exceptions import UnrecognizedImageError
from docx.image.image import Image
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor, Twips
from docx.table import Table as WordTable
from docx.text.paragraph import Paragraph as WordParagraph

from skolkvalitet.publishing.charts.render import chart_png
from skolkvalitet.publishing.documents.model import (
    BulletList,
    Cell,
    Chart,
    Document,
    FigureCell,
    Heading,
    Note,
    PageBreak,
    Paragraph,
    Table,
)

LANGUAGE = "sv-SE"
CREATOR = "Skolkvalitet"
CHART_WIDTH = Cm(16)
LOGO_HEIGHT = Cm(3)
LOGO_WIDTH = Cm(8)
TEXT = RGBColor(0x1A, 0x1A, 0x1A)
MUTED = RGBColor(0x44, 0x44, 0x44)  # 9.7:1 on white: readable in small type
NOTE_STYLE = "Note"
TOC_LEVELS = "1-2"

# What XML 1.0 cannot hold: C0 controls other than tab, line feed and carriage return.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BLANK_LINE = re.compile(r"\n\s*\n")


def clean(text: str) -> str:
    """The text without the characters XML cannot hold."""
    return _NOT_XML.sub("", text)


def document_docx(document: Document) -> bytes:
    """The document as a Word file (.docx)."""
    word = docx.Document()
    _setup(word, document)
    writer = _Writer(word)
    writer.title_page(document)
    writer.contents(document.chapters())
    for block in document.blocks:
        writer.block(block)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


# -- the page, the styles and the properties -------------------------------------------------


def _setup(word: WordDocument, document: Document) -> None:
    section = word.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.4), Cm(2.2)
    section.left_margin = section.right_margin = Cm(2)
    section.header_distance = section.footer_distance = Cm(1.1)
    section.different_first_page_header_footer = True  # the title page has neither

    _language(word)
    _styles(word)
    _no_template_thumbnail(word)

    header = section.header.paragraphs[0]
    stops = header.paragraph_format.tab_stops
    for inherited in (Twips(4680), Twips(9360)):  # the Header style's centre and right stops
        stops.add_tab_stop(inherited, WD_TAB_ALIGNMENT.CLEAR)
    stops.add_tab_stop(Cm(16.9), WD_TAB_ALIGNMENT.RIGHT)
    _small(header.add_run(clean(document.organiser)))
    if document.title:
        _small(header.add_run("\t" + clean(document.title)))

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _small(footer.add_run(_("Page") + " "))
    _field(footer, "PAGE", "1", small=True)
    _small(footer.add_run(" " + _("of") + " "))
    _field(footer, "NUMPAGES", "1", small=True)

    props = word.core_properties
    props.title = clean(document.title)
    props.subject = clean(document.subtitle)
    props.author = CREATOR
    props.last_modified_by = CREATOR
    props.language = LANGUAGE
    props.keywords = ""
    props.comments = ""
    if document.generated_at:
        props.created = props.modified = _naive_utc(document.generated_at)


def _naive_utc(when: dt.datetime) -> dt.datetime:
    """python-docx writes a datetime as UTC and wants it without a zone."""
    if timezone.is_aware(when):
        return when.astimezone(dt.UTC).replace(tzinfo=None)
    return when


def _language(word: WordDocument) -> None:
    """Swedish as the language of every run (spelling, hyphenation, screen readers) and the
    Swedish decimal comma for fields."""
    defaults = word.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")) if defaults is not None else None
    if rpr is not None:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), LANGUAGE)
    settings = word.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), LANGUAGE)
    for tag, value in (("w:decimalSymbol", ","), ("w:listSeparator", ";")):
        element = settings.find(qn(tag))
        if element is not None:
            element.set(qn("w:val"), value)


def _no_template_thumbnail(word: WordDocument) -> None:
    """python-docx's template carries a preview picture of another document: drop it."""
    package = word.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rid)
    preview = word.settings.element.find(qn("w:savePreviewPicture"))
    if preview is not None:
        word.settings.element.remove(preview)


def _styles(word: WordDocument) -> None:
    styles = word.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.font.color.rgb = TEXT
    # The template's light blue (4F81BD) is under 4.5:1 on white in small type.
    for name in ("Heading 1", "Heading 2", "Heading 3", "Subtitle", "Caption", "TOC Heading"):
        styles[name].font.color.rgb = TEXT
    styles["Caption"].font.size = Pt(9)
    styles["Caption"].paragraph_format.keep_with_next = True
    note = styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size = Pt(8.5)
    note.font.color.rgb = MUTED
    note.paragraph_format.space_after = Pt(4)


def _small(run: Any) -> Any:
    run.font.size = Pt(8.5)
    run.font.color.rgb = MUTED
    return run


def _field(
    paragraph: WordParagraph,
    instruction: str,
    shown: str,
    *,
    dirty: bool = False,
    small: bool = False,
) -> None:
    """A complex field (begin, instruction, separate, the result as last computed, end) in
    one paragraph; `dirty` asks Word to compute it again when it opens the file."""
    _field_char(paragraph, "begin", dirty=dirty, small=small)
    _instruction(paragraph, instruction, small=small)
    _field_char(paragraph, "separate", small=small)
    run = paragraph.add_run(shown)
    if small:
        _small(run)
    _field_char(paragraph, "end", small=small)


def _field_char(
    paragraph: WordParagraph, kind: str, *, dirty: bool = False, small: bool = False
) -> None:
    run = paragraph.add_run()
    if small:
        _small(run)
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if dirty:
        char.set(qn("w:dirty"), "true")
    run._r.append(char)


def _instruction(paragraph: WordParagraph, instruction: str, *, small: bool = False) -> None:
    run = paragraph.add_run()
    if small:
        _small(run)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)


# -- the blocks ------------------------------------------------------------------------------


class _Writer:
    """Writes the blocks in order. A page break is not an empty paragraph but "page break
    before" on the next paragraph, so that a break followed by a chapter (which starts its own
    page) never leaves an empty page."""

    def __init__(self, word: WordDocument) -> None:
        self.word = word
        self.break_pending = False

    def paragraph(self, text: str = "", style: str | None = None) -> WordParagraph:
        paragraph = self.word.add_paragraph(clean(text), style)
        self._take_break(paragraph)
        return paragraph

    def _take_break(self, paragraph: WordParagraph) -> None:
        if self.break_pending:
            paragraph.paragraph_format.page_break_before = True
            self.break_pending = False

    def title_page(self, document: Document) -> None:
        if document.logo and _is_png(document.logo, document.logo_type):
            self._logo(document.logo, _("The logo of %(name)s") % {"name": document.organiser})
        self.paragraph(document.title, "Title")
        if document.subtitle:
            self.paragraph(document.subtitle, "Subtitle")
        for run in self.paragraph(document.organiser).runs:
            run.font.size = Pt(16)
        if document.audience:
            _muted(self.paragraph(document.audience))
        if document.generated_at:
            when = document.generated_at
            if timezone.is_aware(when):
                when = timezone.localtime(when)
            facts = _("Produced %(when)s") % {"when": when.strftime("%Y-%m-%d %H:%M")}
            if document.data_version:
                facts += " · " + _("data version %(version)s") % {"version": document.data_version}
            _muted(self.paragraph(facts))
        self.break_pending = True

    def _logo(self, data: bytes, description: str) -> None:
        try:
            image = Image.from_blob(data)
        except (UnrecognizedImageError, ValueError, IndexError, struct.error):
            return  # a broken logo does not stop the document
        paragraph = self.paragraph()
        width = int(LOGO_WIDTH)
        if image.px_width and image.px_height:  # 3 cm high unless that is wider than 8 cm
            width = min(width, int(LOGO_HEIGHT * image.px_width / image.px_height))
        shape = paragraph.add_run().add_picture(io.BytesIO(data), width=Emu(width))
        _describe(shape, description)

    def contents(self, chapters: list[str]) -> None:
        """A heading and a TOC field over the headings of levels 1–2, marked dirty so that Word
        fills in the page numbers when it opens the file. Until then the field shows the
        chapters, so that a reader that does not compute fields still sees them."""
        if not chapters:
            return
        self.paragraph(_("Contents"), "TOC Heading")
        first = self.paragraph()
        _field_char(first, "begin", dirty=True)
        _instruction(first, f'TOC \\o "{TOC_LEVELS}" \\h \\z \\u')
        _field_char(first, "separate")
        first.add_run(clean(chapters[0]))
        last = first
        for chapter in chapters[1:]:
            last = self.paragraph(chapter)
        _field_char(last, "end")

    def block(self, block: Any) -> None:
        if isinstance(block, Heading):
            level = min(max(block.level, 1), 3)
            heading = self.word.add_heading(clean(block.text), level)
            if level == 1:
                heading.paragraph_format.page_break_before = True  # each chapter on a new page
                self.break_pending = False
            else:
                self._take_break(heading)
        elif isinstance(block, Paragraph):
            for part in _BLANK_LINE.split(block.text.strip()):
                self.paragraph(part)  # a single line break stays a line break
        elif isinstance(block, BulletList):
            for item in block.items:
                self.paragraph(item, "List Bullet")
        elif isinstance(block, Note):
            self.paragraph(block.text, NOTE_STYLE)
        elif isinstance(block, PageBreak):
            self.break_pending = True
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Chart):
            self.chart(block)

    def table(self, block: Table) -> None:
        if block.caption:
            self.paragraph(block.caption, "Caption")
        elif self.break_pending:
            self.paragraph()
        figures = _figure_columns(block.columns, block.rows)
        header = [_text(c) for c in block.columns]
        body = [[_text(c) for c in row] for row in block.rows]
        self._word_table(header, body, figures, caption=block.caption, size=Pt(9))
        for note in block.notes:
            self.paragraph(note, NOTE_STYLE)

    def chart(self, block: Chart) -> None:
        description = str(block.spec.get("description") or block.caption)
        picture = self.paragraph()
        picture.paragraph_format.keep_with_next = True
        shape = picture.add_run().add_picture(io.BytesIO(chart_png(block.spec)), width=CHART_WIDTH)
        _describe(shape, clean(description))
        if block.caption:
            self.paragraph(block.caption, "Caption")
        table = block.spec.get("usermeta", {}).get("table") or {}
        columns = [str(c) for c in table.get("columns", ())]
        rows = [[str(c) for c in row] for row in table.get("rows", ())]
        if columns or rows:
            # The first column names the row; the others are the figures the chart draws.
            width = max([len(columns), *(len(r) for r in rows)])
            figures = [index > 0 for index in range(width)]
            self._word_table(
                columns, rows, figures, caption=block.caption or description, size=Pt(8)
            )
        for note in table.get("notes", ()):
            self.paragraph(str(note), NOTE_STYLE)

    def _word_table(
        self,
        header: list[str],
        body: list[list[str]],
        figures: list[bool],
        *,
        caption: str,
        size: Pt,
    ) -> WordTable | None:
        width = max([len(header), *(len(r) for r in body)])
        if width == 0:
            return None
        rows = len(body) + (1 if header else 0)
        table = self.word.add_table(rows=rows, cols=width)
        table.style = self.word.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        _table_caption(table, clean(caption))
        word_rows = list(table.rows)
        if header:
            head = word_rows.pop(0)
            _repeat_as_header(head)
            for index, cell in enumerate(head.cells):
                text = header[index] if index < len(header) else ""
                self._cell(cell, text, right=figures[index], size=size, bold=True)
        for word_row, values in zip(word_rows, body, strict=True):
            _cannot_split(word_row)
            for index, cell in enumerate(word_row.cells):
                text = values[index] if index < len(values) else ""
                self._cell(cell, text, right=figures[index], size=size)
        # A paragraph after the table, so that two tables never run together.
        self.word.add_paragraph().paragraph_format.space_after = Pt(0)
        return table

    @staticmethod
    def _cell(cell: Any, text: str, *, right: bool, size: Pt, bold: bool = False) -> None:
        paragraph = cell.paragraphs[0]
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
        run = paragraph.add_run(clean(text))
        run.font.size = size
        if bold:
            run.bold = True


def _muted(paragraph: WordParagraph) -> None:
    for run in paragraph.runs:
        run.font.color.rgb = MUTED


def _text(cell: Cell) -> str:
    return cell.text if isinstance(cell, FigureCell) else cell


def _figure_columns(columns: tuple[str, ...], rows: tuple[tuple[Cell, ...], ...]) -> list[bool]:
    """Which columns hold figures (aligned right, the header too)."""
    width = max([len(columns), *(len(r) for r in rows)])
    return [
        any(index < len(row) and isinstance(row[index], FigureCell) for row in rows)
        for index in range(width)
    ]


def _is_png(data: bytes, media_type: str) -> bool:
    """Word embeds PNG; an SVG logo is left out (python-docx cannot embed SVG)."""
    return media_type == "image/png" and data.startswith(b"\x89PNG\r\n\x1a\n")


def _describe(shape: Any, description: str) -> None:
    """The picture's alternative text (docPr descr), which screen readers read."""
    shape._inline.docPr.set("descr", description)


def _table_caption(table: WordTable, caption: str) -> None:
    """The table's title for assistive technology (tblCaption, the last of tblPr)."""
    if not caption:
        return
    element = OxmlElement("w:tblCaption")
    element.set(qn("w:val"), caption[:255])
    table._tbl.tblPr.append(element)


def _repeat_as_header(row: Any) -> None:
    """The row repeats at the top of each page the table runs over and is read as a header."""
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)
    _cannot_split(row)


def _cannot_split(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    trpr.insert(0, element)  # cantSplit comes before tblHeader in CT_TrPr
