"""Reading one cell of an import file: each function takes the cell's text (never empty) and
returns its value or raises CellError with a message for the user.

The importer applies them once per distinct text of a column (ingest/files/importer.py), so a
million-row file with a hundred thousand pupils parses a hundred thousand personnummer.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from skolkvalitet.organisation.actions import academic_year_parse
from skolkvalitet.organisation.identity import InvalidPersonalNumber, parse_personal_number
from skolkvalitet.organisation.models.nodes import SchoolForm
from skolkvalitet.organisation.unit_codes import unit_code_parse
from skolkvalitet.results.grades import GRADE_VALUES


class CellError(ValueError):
    pass


def personal_number(text: str):
    try:
        return parse_personal_number(text)
    except InvalidPersonalNumber as error:
        raise CellError(str(error)) from None


def pseudonym(text: str) -> str:
    value = text.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        raise CellError(_("A pupil id is 64 hexadecimal digits, as exported by Skolkvalitet."))
    return value


def unit_code(text: str) -> str:
    """A skolenhetskod (organisation/unit_codes.py): eight ASCII digits."""
    value = unit_code_parse(text)
    if value is None:
        raise CellError(_("A skolenhetskod has 8 digits."))
    return value


def academic_year(text: str) -> int:
    start = academic_year_parse(text)
    if start is None:
        raise CellError(_("Write the academic year as 2024/25."))
    return start


_TERMS = {"ht": "HT", "vt": "VT", "host": "HT", "höst": "HT", "var": "VT", "vår": "VT"}
_TERMS |= {"autumn": "HT", "spring": "VT", "fall": "HT"}


def term(text: str) -> str:
    value = _TERMS.get(text.strip().lower().rstrip("."))
    if value is None:
        raise CellError(_("The term is HT or VT."))
    return value


def year_group(text: str) -> int:
    value = text.strip().upper()
    if value in {"F", "FK", "FKLASS"}:
        return 0
    if not re.fullmatch(r"[0-9]{1,2}", value) or int(value) > 9:
        raise CellError(_("The year group is 0 (or F) to 9."))
    return int(value)


def ordinal(text: str) -> int:
    value = text.strip()
    if not re.fullmatch(r"[0-9]{1,2}", value) or not 1 <= int(value) <= 6:
        raise CellError(_("The follow-up point is a number 1–6 within the term."))
    return int(value)


def subject_code(text: str) -> str:
    return text.strip().upper()


# The codes of Skolverket's grade collection (SCB, "Grundskolan: slutbetyg", instructions):
# 9 = no grade for want of a basis (the pupil's absence), written "-" (streck) on the grade;
# 3 = the subject was not read because of anpassad studiegång (skollagen 3 kap. 12 §).
NO_BASIS_SPELLINGS = frozenset({"-", "–", "—", "9", "STRECK"})
NOT_READ_CODE = "3"
NOT_READ = ""  # what grade() returns for code 3: no grade at all (the row is left out)


def grade(text: str) -> str:
    """A–F, "-" for no basis (also written 9, the school systems' and SCB's code, or
    "streck"), or NOT_READ for code 3 (anpassad studiegång: not a grade; the importer
    leaves the row out and says so)."""
    value = text.strip().upper()
    if value in NO_BASIS_SPELLINGS:
        return "-"
    if value == NOT_READ_CODE:
        return NOT_READ
    if value not in GRADE_VALUES:
        raise CellError(
            _(
                "A grade is A, B, C, D, E, F or - (no basis for a grade; the code 9 is read as "
                "-). The code 3 (anpassad studiegång) means the subject was not read: such "
                "rows are left out."
            )
        )
    return value


_GRADE_TYPES = {
    "terminsbetyg": "term",
    "term": "term",
    "t": "term",
    "slutbetyg": "final",
    "final": "final",
    "s": "final",
}


def grade_type(text: str) -> str:
    value = _GRADE_TYPES.get(text.strip().lower())
    if value is None:
        raise CellError(_("The grade type is terminsbetyg or slutbetyg."))
    return value


_REQUIREMENT = {
    "uppnått": "met",
    "uppnatt": "met",
    "met": "met",
    "ej uppnått": "not_met",
    "ej uppnatt": "not_met",
    "inte uppnått": "not_met",
    "not met": "not_met",
    "not_met": "not_met",
}


def test_result(text: str) -> tuple[str, str]:
    """(scale, value): ("grade", "B") or ("requirement", "met")."""
    value = text.strip()
    if value.upper() in set("ABCDEF"):
        return "grade", value.upper()
    requirement = _REQUIREMENT.get(value.lower())
    if requirement is None:
        raise CellError(_("A test result is A–F, or uppnått / ej uppnått."))
    return "requirement", requirement


def text(value: str) -> str:
    cleaned = value.strip()
    if len(cleaned) > 100:
        raise CellError(_("The text is longer than 100 characters."))
    return cleaned


def count(text: str) -> int:
    value = text.strip().replace(" ", "").replace("\u00a0", "")
    if not re.fullmatch(r"[0-9]{1,9}", value):
        raise CellError(_("Write a whole number, 0 or more."))
    return int(value)


def decimal(text: str) -> float:
    value = text.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CellError(_("Write a number, such as 12,5.")) from None
    if not number.is_finite() or number < 0 or number >= 100_000:
        raise CellError(_("Write a number, such as 12,5."))
    return float(round(number, 2))


# A date as 2024-10-15, with the time of day an XLSX date-time cell reads as (2024-10-15T08:30:00)
# or a CSV export writes (2024-10-15 08:30): the whole cell, nothing before or after it.
_DATE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)?"
)
# What a personnummer or samordningsnummer looks like: 6 or 8 digits, a - or + or nothing, 4.
_PERSONAL_NUMBER_SHAPE = re.compile(r"(?:[0-9]{2})?[0-9]{6}[-+]?[0-9]{4}")


def date(text: str) -> dt.date:
    """A date, read from the whole cell: 20100101-1234 (a personnummer) is no date, though
    its first ten characters, or Python's own ISO reader, would make it 2010-01-01."""
    value = text.strip()
    if _DATE.fullmatch(value):
        try:
            return dt.datetime.fromisoformat(value).date()
        except ValueError:
            pass  # 2024-02-30, 25:00
    elif _PERSONAL_NUMBER_SHAPE.fullmatch(value):
        raise CellError(
            _("The cell holds a personnummer, not a date. Write the date as 2024-10-15.")
        )
    raise CellError(_("Write the date as 2024-10-15."))


_YES = {"ja", "j", "yes", "y", "1", "true", "sant", "x"}
_NO = {"nej", "n", "no", "0", "false", "falskt"}


def yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise CellError(_("Write ja or nej."))


def education(text: str) -> int:
    value = text.strip()
    if value not in {"1", "2", "3"}:
        raise CellError(_("Parents' education is 1, 2 or 3."))
    return int(value)


def school_form(text: str) -> str:
    value = text.strip().upper()
    if value not in SchoolForm.values:
        raise CellError(
            _("The school form is one of %(forms)s.") % {"forms": ", ".join(SchoolForm.values)}
        )
    return value


def language(text: str) -> str:
    value = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise CellError(_("The language is a three-letter code (ISO 639-2), such as SPA."))
    return value
