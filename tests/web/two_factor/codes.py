"""Codes computed the way an authenticator app computes them: RFC 6238 from the device's key
(django_otp.oath), never read back from the server."""

from __future__ import annotations

import time

from django_otp.oath import hotp, totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_now(key_hex: str) -> str:
    """The code an app shows now for the key (as a user types it: six digits)."""
    return f"{totp(bytes.fromhex(key_hex)):06d}"


def next_code(device: TOTPDevice) -> str:
    """The next code the device accepts: django-otp takes each time step once (a code already
    used is refused), so a test that verifies twice within 30 seconds gives the next step's
    code, as an app would a moment later (one step of drift is allowed either way)."""
    device.refresh_from_db()
    step = max(int(time.time()) // device.step, device.last_t + 1)
    return f"{hotp(device.bin_key, step):06d}"
