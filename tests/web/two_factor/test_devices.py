"""A key before it is a device (web/two_factor/devices.py), by RFC 6238's own test key."""

from __future__ import annotations

from skolkvalitet.web.two_factor import devices

# RFC 6238 appendix B's SHA-1 key, "12345678901234567890", hex-encoded as TOTPDevice keeps it.
RFC_KEY = b"12345678901234567890".hex()


def test_the_code_of_a_time_step_is_found_one_step_either_way():
    # At 60 s the step is 2, whose code is 359152 (RFC 4226's HOTP value for counter 2).
    assert devices.code_time_step(RFC_KEY, "359152", now=60) == 2
    assert devices.code_time_step(RFC_KEY, "359152", now=89) == 2
    assert devices.code_time_step(RFC_KEY, "359152", now=90) == 2  # the step before now
    assert devices.code_time_step(RFC_KEY, "359152", now=30) == 2  # the step after now
    assert devices.code_time_step(RFC_KEY, "359152", now=120) is None  # two steps on


def test_wrong_or_malformed_codes_and_keys_match_nothing():
    assert devices.code_time_step(RFC_KEY, "359153", now=60) is None
    assert devices.code_time_step(RFC_KEY, "35915", now=60) is None
    assert devices.code_time_step(RFC_KEY, "abcdef", now=60) is None
    assert devices.code_time_step("not hex", "359152", now=60) is None
    assert devices.code_time_step("00" * 19, "359152", now=60) is None  # 19 bytes


def test_the_key_as_text_is_base32_in_groups_of_four():
    assert devices.secret_text(RFC_KEY) == "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"


def test_new_keys_are_160_random_bits():
    first, second = devices.key_new(), devices.key_new()
    assert devices.key_valid(first) and len(first) == 40 and first != second


def test_what_users_type_is_normalised():
    assert devices.code_normalised(" 287 082 ") == "287082"
    assert devices.code_normalised("ABCD-EFGH") == "abcdefgh"
    assert devices.is_totp_code("287082") and not devices.is_totp_code("abcdefgh")


def test_the_qr_code_is_inline_svg_without_style_or_script():
    svg = str(devices.qr_svg("otpauth://totp/Skolkvalitet:rut?secret=GEZD", title="QR"))
    assert svg.startswith("<svg") and 'class="qr-code"' in svg
    assert "style" not in svg and "<script" not in svg
