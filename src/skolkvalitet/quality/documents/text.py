"""A report's written text as document blocks: paragraphs separated by a blank line, and
lists of lines that start with "- " or "* " (the plain text the report pages accept)."""

from __future__ import annotations

from skolkvalitet.publishing.documents.model import Block, BulletList, Paragraph


def text_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if all(line[:2] in ("- ", "* ") for line in lines):
            blocks.append(BulletList(tuple(line[2:].strip() for line in lines)))
        else:
            blocks.append(Paragraph("\n".join(lines)))
    return blocks
