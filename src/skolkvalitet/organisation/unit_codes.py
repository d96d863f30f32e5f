"""Skolenhetskod: Skolverket's code for a school unit, eight ASCII digits (pure: no Django).

The pattern spells [0-9]: a digit class would let other scripts' digits through. The
reference command and the API's query parameters check it here; the file and register
importers (ingest/) are to call unit_code_parse too.
"""

from __future__ import annotations

import re

UNIT_CODE_PATTERN = "[0-9]{8}"
UNIT_CODE = re.compile(UNIT_CODE_PATTERN)


def unit_code_parse(text: str) -> str | None:
    """The skolenhetskod in `text` (surrounding space removed), or None if it is not one."""
    value = text.strip()
    return value if UNIT_CODE.fullmatch(value) else None
