"""The school year's default dates, spelled once (organisation/calendar.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from skolkvalitet.demo.generator import build_calendar
from skolkvalitet.organisation.actions import academic_year_ensure
from skolkvalitet.organisation.calendar import default_term_dates, default_year_dates


def test_the_default_dates_by_hand():
    assert default_term_dates(2024) == {
        "HT": (dt.date(2024, 8, 15), dt.date(2024, 12, 22)),
        "VT": (dt.date(2025, 1, 8), dt.date(2025, 6, 14)),
    }
    assert default_year_dates(2024) == (dt.date(2024, 8, 15), dt.date(2025, 6, 14))


@pytest.mark.django_db
def test_academic_year_ensure_creates_the_defaults():
    year, terms = academic_year_ensure(2023)
    assert (year.start_date, year.end_date) == default_year_dates(2023)
    assert {k: (t.start_date, t.end_date) for k, t in terms.items()} == default_term_dates(2023)


def test_the_demo_calendar_uses_the_defaults():
    for year in build_calendar(2022, 2023):
        assert (year.start, year.end) == default_year_dates(year.start_year)
        dates = default_term_dates(year.start_year)
        assert {t.kind: (t.start, t.end) for t in year.terms} == dates
