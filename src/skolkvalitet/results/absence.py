"""Absence (frånvaro) as the follow-up counts it. Pure: the indicator registry and the list of
pupils who need support both read it."""

from __future__ import annotations

import datetime as dt

# The share of scheduled time absent at which a pupil counts as having high absence: the
# indicators absence_15_percent_or_more* and the list of pupils who need support. The
# organisers' own follow-up threshold, not a national statistic.
ABSENCE_THRESHOLD = 0.15


def month_periods(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar months from `start` to `end` (a term, or a term up to today), the first
    and last cut to those days: the periods the SS 12000 sync reads absence in and the demo
    generates it in."""
    periods = []
    first = start
    while first <= end:
        following = (first.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        last = min(following - dt.timedelta(days=1), end)
        periods.append((first, last))
        first = following
    return periods
