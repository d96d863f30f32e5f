"""Swedish personal identity numbers (personnummer, samordningsnummer) and pseudonyms.

A personnummer is validated at the edge (format, date, Luhn check digit) and turned into a
keyed pseudonym (HMAC-SHA256 with SKOLKVALITET_PSEUDONYM_KEY). The clear number never leaves
this module: it is not stored, not logged, and not part of any error message.

Sources: Skatteverket, "Personnummer" (SKV 704) and "Samordningsnummer" (SKV 707):
YYMMDD-NNNC, '+' instead of '-' from the year the holder turns 100, a samordningsnummer adds
60 to the day, the second-to-last digit is odd for men and even for women, and C is the
Luhn (mod 10) check digit over the ten digits YYMMDDNNN.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

FEMALE = "F"
MALE = "M"

_PATTERN = re.compile(
    r"^(?P<century>[0-9]{2})?(?P<yymmdd>[0-9]{6})(?P<sep>[-+]?)(?P<serial>[0-9]{4})$"
)


WRONG_FORMAT = _("The personal identity number has the wrong format (YYYYMMDD-NNNN).")


class InvalidPersonalNumber(ValueError):
    """Raised for input that is not a valid personnummer or samordningsnummer.

    The message never repeats the number itself.
    """


@dataclass(frozen=True)
class PersonalNumber:
    """A validated number; `canonical` is the 12-digit form YYYYMMDDNNNC."""

    canonical: str
    birth_date: dt.date
    legal_gender: str
    is_coordination_number: bool

    @property
    def birth_year(self) -> int:
        return self.birth_date.year

    def __repr__(self) -> str:  # never print the number, even in a traceback
        return f"PersonalNumber(birth_year={self.birth_year}, gender={self.legal_gender})"

    __str__ = __repr__


def luhn_check_digit(nine_digits: str) -> int:
    """Luhn check digit of nine digits (weights 2,1,2,1,...)."""
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def parse_personal_number(text: str, *, today: dt.date | None = None) -> PersonalNumber:
    """Validate a personnummer or samordningsnummer in any common written form.

    Accepted: YYYYMMDDNNNN, YYYYMMDD-NNNN, YYMMDD-NNNN, YYMMDD+NNNN and YYMMDDNNNN. With only
    two year digits the century is the latest that does not put the birth date in the future
    ('-'), or a hundred years before that ('+').
    """
    today = today or dt.date.today()
    cleaned = text.strip().replace(" ", "")
    match = _PATTERN.match(cleaned)
    if not match:
        raise InvalidPersonalNumber(WRONG_FORMAT)
    yymmdd, serial, sep, century = (
        match["yymmdd"],
        match["serial"],
        match["sep"],
        match["century"],
    )
    if century and sep == "+":
        raise InvalidPersonalNumber(WRONG_FORMAT)

    yy, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    is_coordination = day > 60
    if is_coordination:
        day -= 60

    if century:
        year = int(century) * 100 + yy
    elif sep == "+":
        # '+' from 1 January of the year the holder turns 100 (18 § folkbokföringslagen):
        # the latest year ending in YY that is at least a hundred years ago.
        latest = today.year - 100
        year = latest - (latest - yy) % 100
    else:
        year = (today.year // 100) * 100 + yy
        if (year, month, day) > (today.year, today.month, today.day):
            year -= 100
    try:
        birth_date = dt.date(year, month, day)
    except ValueError:
        message = _("The personal identity number contains a date that does not exist.")
        raise InvalidPersonalNumber(message) from None
    if birth_date > today:
        raise InvalidPersonalNumber(
            _("The personal identity number has a birth date in the future.")
        )

    ten = yymmdd + serial
    if luhn_check_digit(ten[:9]) != int(ten[9]):
        raise InvalidPersonalNumber(_("The check digit of the personal identity number is wrong."))

    gender = MALE if int(serial[2]) % 2 == 1 else FEMALE
    canonical = f"{year:04d}{yymmdd[2:]}{serial}"
    return PersonalNumber(
        canonical=canonical,
        birth_date=birth_date,
        legal_gender=gender,
        is_coordination_number=is_coordination,
    )


def pseudonym_for(number: PersonalNumber, *, key: str | None = None) -> str:
    """The keyed pseudonym (hex HMAC-SHA256) that stands for a person in the database."""
    if key is None:
        from django.conf import settings

        key = settings.PSEUDONYM_KEY
    if not key:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "No pseudonym key: set SKOLKVALITET_PSEUDONYM_KEY, or run `skolkvalitet keys create` "
            "to keep it in a file under the var directory (docs/operations.md)."
        )
    return hmac.new(key.encode(), number.canonical.encode(), hashlib.sha256).hexdigest()


def make_personal_number(birth_date: dt.date, serial3: int, *, coordination: bool = False) -> str:
    """Build a valid 12-digit number from a birth date and a three-digit serial (for tests
    and the synthetic demo organiser; the gender follows the serial's last digit)."""
    day = birth_date.day + (60 if coordination else 0)
    nine = f"{birth_date:%y%m}{day:02d}{serial3:03d}"
    return f"{birth_date.year // 100:02d}{nine}{luhn_check_digit(nine)}"
