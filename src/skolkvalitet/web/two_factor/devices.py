"""A TOTP key before it becomes a device: made, shown (QR code and text), and checked against
the first code, all without a row. The device is saved only once a code made from the key has
been given (web/two_factor/actions.py: two_factor_enrol)."""

from __future__ import annotations

import base64
import binascii
import re

import segno
from django.utils.safestring import SafeString, mark_safe
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

# As TOTPDevice's defaults: 20 random bytes, 30-second steps, 6 digits, one step either way.
KEY_BYTES = 20
STEP = 30
DIGITS = 6
TOLERANCE = 1

# What a user types: a TOTP code is six digits; a recovery code (django-otp's StaticToken) is
# eight characters of base32. Spaces and dashes people copy along are dropped.
TOTP_CODE = re.compile(r"^\d{6}$")
_SEPARATORS = re.compile(r"[\s-]+")


def code_normalised(code: str) -> str:
    return _SEPARATORS.sub("", code).lower()


def is_totp_code(code: str) -> bool:
    return bool(TOTP_CODE.match(code))


def key_new() -> str:
    """A new secret key, hex-encoded as TOTPDevice stores it."""
    return random_hex(KEY_BYTES)


def key_valid(key: str) -> bool:
    try:
        return len(bytes.fromhex(key)) == KEY_BYTES
    except (TypeError, ValueError):
        return False


def code_time_step(key: str, code: str, *, now: float | None = None) -> int | None:
    """The time step at which `code` is the code of `key` (within one step either way of
    `now`), or None when it is not. The device saved after it starts from that step, so the
    same code cannot be used again to log in."""
    if not (key_valid(key) and is_totp_code(code)):
        return None
    totp = TOTP(bytes.fromhex(key), STEP, 0, DIGITS, 0)
    if now is not None:
        totp.time = now
    if totp.verify(int(code), TOLERANCE):
        return totp.t()
    return None


def secret_text(key: str) -> str:
    """The key as an authenticator app takes it typed in: base32, in groups of four."""
    encoded = base64.b32encode(binascii.unhexlify(key)).decode("ascii").rstrip("=")
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def config_url(user, key: str) -> str:
    """The otpauth:// address that an authenticator app reads from the QR code (django-otp's
    own, from an unsaved device: issuer OTP_TOTP_ISSUER, label the username)."""
    return TOTPDevice(user=user, key=key, step=STEP, digits=DIGITS).config_url


def qr_svg(url: str, *, title: str) -> SafeString:
    """The QR code of `url` as inline SVG, drawn on the server (segno): no script, no style
    attribute, nothing loaded from elsewhere."""
    svg = segno.make(url, error="m").svg_inline(scale=4, svgclass="qr-code", title=title)
    return mark_safe(svg)  # segno's markup of our own address; the title is ours too
