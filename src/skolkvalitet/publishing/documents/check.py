"""The publication check: before a document for the board or the public is written, every
figure must follow the publication rules and no pupil may be identifiable in it. A document
that fails is not produced; the problems name each failing figure or text.

The rules (docs/reports.md):
1. A figure shown as a number rests on at least the indicator's smallest n for its level and
   year (`FigureCell.min_n`, from the registry's SmallNumbers): else it is a small group.
2. A figure whose stored marker hides it (`..`, `~100`, `.`, from the suppression of the
   materialised values, complementary suppression included) is shown as that marker, never
   as a number: a document is suppressed for the board's role, without pupil access.
3. No personnummer or samordningsnummer appears anywhere in the text (ten or twelve digits
   with or without the separator, with a valid check digit).
4. No pupil's name appears: the caller passes the pupils' full names (given and family
   name), and no text may contain one as consecutive whole words, case-insensitive.
Pure: no database; the caller supplies the names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from skolkvalitet.publishing.documents.model import Document
from skolkvalitet.publishing.formatting import as_number

# YYMMDD or YYYYMMDD, an optional - or +, four digits; not inside a longer run of digits.
PERSONAL_NUMBER = re.compile(r"(?<!\d)(?:\d{2})?(\d{6})[-+]?(\d{4})(?!\d)")


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


class PublicationRefused(Exception):
    """The document breaks the publication rules: nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _looks_like_personal_number(text: str) -> bool:
    for match in PERSONAL_NUMBER.finditer(text):
        date, serial = match.group(1), match.group(2)
        month, day = int(date[2:4]), int(date[4:6])
        day = day - 60 if day > 60 else day  # samordningsnummer: day + 60
        if 1 <= month <= 12 and 1 <= day <= 31 and _luhn_ok(date + serial):
            return True
    return False


WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
LONGEST_NAME = 5  # words in a full name, at most


def _normalised(name: str) -> str:
    return " ".join(WORD.findall(name.casefold()))


def _names_in(text: str, names: frozenset[str]) -> bool:
    """Whether a run of two to LONGEST_NAME consecutive words of `text` is one of `names`."""
    words = WORD.findall(text.casefold())
    for start in range(len(words) - 1):
        for length in range(2, LONGEST_NAME + 1):
            if start + length > len(words):
                break
            if " ".join(words[start : start + length]) in names:
                return True
    return False


def publication_problems(document: Document, *, pupil_names: Iterable[str] = ()) -> list[Problem]:
    """Every way `document` breaks the publication rules; empty when it may be published."""
    problems: list[Problem] = []
    for where, cell in document.figure_cells():
        number = as_number(cell.shown)
        if number is None:
            continue
        facts = {
            "figure": cell.indicator or _("a figure"),
            "value": cell.text,
            "marker": cell.suppression,
            "n": "?" if cell.n is None else cell.n,
            "min_n": cell.min_n,
        }
        if cell.suppression:
            what = _("%(figure)s is shown as %(value)s but is hidden (%(marker)s)") % facts
            problems.append(Problem(where, what))
        elif cell.min_n is not None and (cell.n is None or cell.n < cell.min_n):
            what = (
                _("%(figure)s is shown as %(value)s for %(n)s pupils, fewer than %(min_n)s") % facts
            )
            problems.append(Problem(where, what))
    names = frozenset(full for n in pupil_names if len((full := _normalised(n)).split()) >= 2)
    for text in document.texts():
        if not text:
            continue
        if _looks_like_personal_number(text):
            problems.append(Problem(_excerpt(text), _("holds a personal identity number")))
        if names and _names_in(text, names):
            problems.append(Problem(_excerpt(text), _("names a pupil")))
    return problems


def publication_checked(document: Document, *, pupil_names: Iterable[str] = ()) -> Document:
    """The document, or PublicationRefused naming every problem."""
    problems = publication_problems(document, pupil_names=pupil_names)
    if problems:
        raise PublicationRefused(problems)
    return document


def _excerpt(text: str, limit: int = 60) -> str:
    one_line = " ".join(text.split())
    shown = f"{one_line[:limit]}…" if len(one_line) > limit else one_line
    return _("the text “%(text)s”") % {"text": shown}
