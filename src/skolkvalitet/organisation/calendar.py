"""The Swedish school year's default dates, spelled once (pure: no Django).

An academic year (läsår) starting in `start_year` runs from the autumn term (HT) to the spring
term (VT). Where an organiser has not stored its own dates, a year and its terms get these:
HT 15 Aug–22 Dec, VT 8 Jan–14 Jun. organisation.actions.academic_year_ensure creates them,
the SS 12000 sync places dated rows by them, and the demo's calendar uses them.
"""

from __future__ import annotations

import datetime as dt


def default_term_dates(start_year: int) -> dict[str, tuple[dt.date, dt.date]]:
    """The default first and last day of each term of the year starting in `start_year`."""
    return {
        "HT": (dt.date(start_year, 8, 15), dt.date(start_year, 12, 22)),
        "VT": (dt.date(start_year + 1, 1, 8), dt.date(start_year + 1, 6, 14)),
    }


def default_year_dates(start_year: int) -> tuple[dt.date, dt.date]:
    """The default first and last day of the academic year: HT's first, VT's last."""
    terms = default_term_dates(start_year)
    return terms["HT"][0], terms["VT"][1]
