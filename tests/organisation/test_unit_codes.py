"""Skolenhetskod parsing (organisation/unit_codes.py): eight ASCII digits."""

from __future__ import annotations

import re

import pytest

from skolkvalitet.organisation.unit_codes import UNIT_CODE, UNIT_CODE_PATTERN, unit_code_parse


def test_eight_ascii_digits_are_a_unit_code():
    assert unit_code_parse("99100101") == "99100101"
    assert unit_code_parse("  12345678\t") == "12345678"


@pytest.mark.parametrize(
    "text", ["", "1234567", "123456789", "1234567a", "1234 5678", "١٢٣٤٥٦٧٨", "１２３４５６７８"]
)
def test_anything_else_is_not(text):
    assert unit_code_parse(text) is None
    assert UNIT_CODE.fullmatch(text.strip()) is None


def test_the_api_pattern_is_the_same():
    from skolkvalitet.api.endpoints.reference import UNIT as api_pattern

    assert api_pattern == f"^{UNIT_CODE_PATTERN}$"
    assert re.fullmatch(api_pattern, "99100101")
    assert not re.fullmatch(api_pattern, "١٢٣٤٥٦٧٨")
