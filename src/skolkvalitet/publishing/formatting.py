"""Numbers as Swedish readers expect them: decimal comma, a no-break space between thousands,
a real minus sign, and Skolverket's suppression markers shown as they are.

Pure: no Django. Charts, tables and exports all format through here, so a figure reads the
same on a page, in a tooltip and in a hidden table for screen readers.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from skolkvalitet.indicators.markers import HIDDEN, MARKERS, MISSING, NEAR_FULL
from skolkvalitet.indicators.registry import Unit

NBSP = "\u00a0"
MINUS = "\u2212"

# The markers (HIDDEN "..", NEAR_FULL "~100", MISSING ".") are spelled in indicators/markers.py.
__all__ = ["HIDDEN", "MARKERS", "MISSING", "NEAR_FULL"]

# A value as pages receive it: a number, a suppression marker, or None (nothing to show).
Value = float | int | Decimal | str | None


def as_number(value: Value) -> float | None:
    """The value as a finite float, or None for a marker, None, NaN or infinity."""
    if value is None or isinstance(value, str | bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def marker_of(value: Value) -> str:
    """The marker a value stands for: the string itself for a marker, "." for a missing
    number (None, NaN), "" for a number that can be shown."""
    if isinstance(value, str):
        return value
    return "" if as_number(value) is not None else MISSING


def decimals_for(unit: Unit | str) -> int:
    return 0 if Unit(unit) == Unit.COUNT else 1


def round_half_up(value: float, decimals: int) -> Decimal:
    """Rounded as statistics tables round (71.25 → 71.3), not to even as floats do."""
    exact = Decimal(repr(float(value)))
    if abs(exact) >= 10**15:  # a float that large has no fraction left to round
        return exact
    return exact.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


def format_number(value: float, decimals: int = 1, *, thousands: str = NBSP) -> str:
    """75.6 → "75,6"; 1234.5 → "1 234,5" (no-break space); −2.0 → "−2,0" (minus sign)."""
    rounded = round_half_up(value, decimals)
    text = f"{abs(rounded):,.{decimals}f}".replace(",", thousands).replace(".", ",")
    return f"{MINUS}{text}" if rounded < 0 else text


def format_value(value: Value, unit: Unit | str = Unit.POINTS, decimals: int | None = None) -> str:
    """A value as shown to a reader: numbers formatted, percent with " %", markers as they
    are, None as "."."""
    number = as_number(value)
    if number is None:
        return marker_of(value)
    places = decimals_for(unit) if decimals is None else decimals
    text = format_number(number, places)
    return f"{text}{NBSP}%" if Unit(unit) == Unit.PERCENT else text
