"""The model of a document: a title page's facts and a sequence of blocks (headings,
paragraphs, lists, tables of figures, charts, notes). Pure data, no database and no
rendering; both renderers and the publication check read it.

A table cell that holds a figure is a `FigureCell`: the figure as shown (a number or a
marker, already suppressed for the document's audience) together with what it rests on —
the indicator, n, the stored marker and the smallest n the indicator may be shown for — so
that the publication check can prove the rules hold without going back to the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from skolkvalitet.publishing.formatting import Unit, Value, format_value


@dataclass(frozen=True)
class FigureCell:
    """One figure in a table: `shown` is what the reader sees (a number, or a marker `..`,
    `~100`, `.`, or None for no figure); `indicator`, `n`, `suppression` (the stored marker)
    and `min_n` are what the publication check reads."""

    shown: Value
    unit: Unit | str
    indicator: str = ""
    n: int | None = None
    suppression: str = ""
    min_n: int | None = None

    @property
    def text(self) -> str:
        return format_value(self.shown, self.unit)


Cell = str | FigureCell


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 a chapter (in the table of contents), 2 a section, 3 a sub-section


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()  # what the table compares and its sources


@dataclass(frozen=True)
class Chart:
    """A Vega-Lite spec from publishing/charts; its data table (spec["usermeta"]["table"])
    goes with it as the text alternative. `figures` are the figures it draws, with what they
    rest on, for the publication check (a chart of reference values has none)."""

    spec: dict[str, Any]
    caption: str = ""
    figures: tuple[FigureCell, ...] = ()


@dataclass(frozen=True)
class Note:
    """A remark in smaller type: a source, a definition, a footnote."""

    text: str


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | BulletList | Table | Chart | Note | PageBreak


def chart_title(spec: dict[str, Any]) -> str:
    """A Vega-Lite spec's title: a text, or an object with its text (publishing/charts)."""
    title = spec.get("title", "")
    if isinstance(title, dict):
        title = title.get("text", "")
    return str(title)


@dataclass
class Document:
    title: str  # "Kvalitetsredovisning 2024/25"
    organiser: str  # the organiser's name, on every page
    subtitle: str = ""
    audience: str = ""  # who the figures are suppressed for, said on the title page
    generated_at: dt.datetime | None = None
    data_version: int | None = None
    logo: bytes | None = None  # PNG or SVG of the organiser's logo
    logo_type: str = ""  # "image/png" or "image/svg+xml"
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    def chapters(self) -> list[str]:
        """The level-1 headings: the table of contents."""
        return [b.text for b in self.blocks if isinstance(b, Heading) and b.level == 1]

    def texts(self) -> Iterator[str]:
        """Every piece of text the document shows, for the publication check and tests."""
        yield from (self.title, self.subtitle, self.organiser, self.audience)
        for block in self.blocks:
            if isinstance(block, Heading | Paragraph | Note):
                yield block.text
            elif isinstance(block, BulletList):
                yield from block.items
            elif isinstance(block, Table):
                yield block.caption
                yield from block.columns
                yield from block.notes
                for row in block.rows:
                    for cell in row:
                        yield cell.text if isinstance(cell, FigureCell) else cell
            elif isinstance(block, Chart):
                yield block.caption
                table = block.spec.get("usermeta", {}).get("table") or {}
                yield from (str(c) for c in table.get("columns", ()))
                for row in table.get("rows", ()):
                    yield from (str(c) for c in row)

    def figure_cells(self) -> Iterator[tuple[str, FigureCell]]:
        """Every figure of the tables and charts, with where it is ("table 'caption', row 2")."""
        for block in self.blocks:
            if isinstance(block, Table):
                for number, row in enumerate(block.rows, start=1):
                    for cell in row:
                        if isinstance(cell, FigureCell):
                            where = _("table “%(caption)s”, row %(row)d")
                            yield where % {"caption": block.caption, "row": number}, cell
            elif isinstance(block, Chart):
                title = block.caption or chart_title(block.spec)
                for cell in block.figures:
                    yield _("chart “%(title)s”") % {"title": title}, cell
