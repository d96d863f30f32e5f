"""The PDF renderer: a Document as HTML (templates/publishing/documents/document.html, escaped
by Django's template engine) laid out by WeasyPrint on A4 — a title page, a table of
contents with page numbers, the organiser's name and the title in the page header, "Sida X
av Y" in the footer, bookmarks for the chapters — and written as tagged PDF (PDF/UA-1) in
Swedish. Charts are drawn as SVG by vl-convert; each carries its description as its text
alternative and its data as a table beneath."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

from skolkvalitet.publishing.charts.render import chart_svg
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


@dataclass(frozen=True)
class _Cell:
    text: str
    figure: bool


def _data_uri(data: bytes | str, media_type: str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return f"data:{media_type};base64,{base64.b64encode(raw).decode()}"


def _blocks(document: Document) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    chapter = 0
    for block in document.blocks:
        if isinstance(block, Heading):
            item: dict[str, Any] = {"kind": "heading", "text": block.text, "level": block.level}
            if block.level == 1:
                chapter += 1
                item["id"] = f"chapter-{chapter}"
            out.append(item)
        elif isinstance(block, Paragraph):
            out.append({"kind": "paragraph", "text": block.text})
        elif isinstance(block, BulletList):
            out.append({"kind": "list", "items": block.items})
        elif isinstance(block, Note):
            out.append({"kind": "note", "text": block.text})
        elif isinstance(block, PageBreak):
            out.append({"kind": "page_break"})
        elif isinstance(block, Table):
            out.append(
                {
                    "kind": "table",
                    "caption": block.caption,
                    "columns": [
                        (
                            name,
                            any(
                                isinstance(row[i], FigureCell) for row in block.rows if i < len(row)
                            ),
                        )
                        for i, name in enumerate(block.columns)
                    ],
                    "rows": [
                        [
                            _Cell(c.text, True) if isinstance(c, FigureCell) else _Cell(c, False)
                            for c in row
                        ]
                        for row in block.rows
                    ],
                    "notes": block.notes,
                }
            )
        elif isinstance(block, Chart):
            meta = block.spec.get("usermeta", {})
            out.append(
                {
                    "kind": "chart",
                    "src": _data_uri(chart_svg(block.spec), "image/svg+xml"),
                    "alt": block.spec.get("description", "") or block.caption,
                    "caption": block.caption,
                    "table": meta.get("table"),
                }
            )
    return out


def document_html(document: Document) -> str:
    """The document as the HTML that WeasyPrint lays out (also useful to look at)."""
    logo = _data_uri(document.logo, document.logo_type) if document.logo else ""
    chapters = [
        (f"chapter-{number}", text) for number, text in enumerate(document.chapters(), start=1)
    ]
    return render_to_string(
        "publishing/documents/document.html",
        {"doc": document, "logo": logo, "chapters": chapters, "blocks": _blocks(document)},
    )


def document_pdf(document: Document) -> bytes:
    """The document as a tagged PDF (PDF/UA-1)."""
    from weasyprint import HTML

    pdf = HTML(string=document_html(document)).write_pdf(pdf_variant="pdf/ua-1")
    assert pdf is not None
    return pdf
