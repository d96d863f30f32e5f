"""Producing a board document: the publication check first (publishing/documents/check.py,
with the names of every pupil the product holds), then the renderer of the format asked for.
A document that fails the check is not produced: PublicationRefused names each problem."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

from django.conf import settings

from skolkvalitet.organisation.models import Pupil
from skolkvalitet.publishing.documents.check import publication_checked
from skolkvalitet.publishing.documents.model import Document


class Format(StrEnum):
    PDF = "pdf"
    DOCX = "docx"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self]


MEDIA_TYPES = {
    Format.PDF: "application/pdf",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def pupil_names() -> Iterator[str]:
    """The full names of the pupils the product holds, for the check (never written out)."""
    rows = Pupil.objects.exclude(given_name="").exclude(family_name="")
    for given, family in rows.values_list("given_name", "family_name").iterator(chunk_size=5000):
        yield f"{given} {family}"


LOGO_TYPES = {".png": "image/png", ".svg": "image/svg+xml"}


def with_logo(document: Document) -> Document:
    """The document with the organiser's logo (settings.SKOLKVALITET_LOGO), when it names a
    PNG or SVG file that exists and the document has none."""
    path = Path(getattr(settings, "SKOLKVALITET_LOGO", "") or "")
    media_type = LOGO_TYPES.get(path.suffix.lower())
    if document.logo is None and media_type and path.is_file():
        document.logo, document.logo_type = path.read_bytes(), media_type
    return document


def document_bytes(document: Document, fmt: Format) -> bytes:
    """The checked document rendered as `fmt`, with the organiser's logo."""
    publication_checked(document, pupil_names=pupil_names())
    with_logo(document)
    if fmt == Format.PDF:
        from skolkvalitet.publishing.documents.pdf import document_pdf

        return document_pdf(document)
    from skolkvalitet.publishing.documents.docx import document_docx

    return document_docx(document)
