"""Reading the personnummer a rotation needs: a text or CSV file, one number per line, or a
column headed `personnummer` (as in the import files and a school information system's
export of its pupil register). Lines that hold no valid number are named by line number only,
never by content."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from skolkvalitet.organisation.identity import (
    InvalidPersonalNumber,
    PersonalNumber,
    parse_personal_number,
)

HEADER = "personnummer"


def numbers_read(path: Path) -> tuple[list[PersonalNumber], list[int]]:
    """The valid numbers of the file, and the line numbers of the lines that are not."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count) if any(d in first for d in ";,\t") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    column, start = 0, 0
    if rows:
        header = [cell.strip().lower() for cell in rows[0]]
        if HEADER in header:
            column, start = header.index(HEADER), 1
    numbers: list[PersonalNumber] = []
    bad: list[int] = []
    for line, row in enumerate(rows[start:], start=start + 1):
        if not row or not "".join(row).strip():
            continue
        try:
            numbers.append(parse_personal_number(row[column] if column < len(row) else ""))
        except InvalidPersonalNumber:
            bad.append(line)
    return numbers, bad
