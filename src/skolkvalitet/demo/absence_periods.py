"""The demo's absence per calendar month (pure numpy): each term's absence split into the
months of the term, as a school system exports it, so that absence sums to any date
(docs/demo-data.md, docs/indicators.md).

A term's generated totals (results_model._absence) are split exactly: the months of an ended
term add up to its totals, so every term and academic-year figure is what the term rows gave.
Scheduled time is split by the weekdays of each month inside the term; absence by those
minutes times a month-to-month variation of the pupil's rate (gamma, mean 1), never more than
the month's scheduled time; unexcused absence within each month's absence the same way. Of the
running term only the months that have ended by the demo's today are recorded.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from skolkvalitet.results.absence import month_periods

Table = dict[str, np.ndarray]

# How much a pupil's absence varies from month to month: gamma(shape, 1/shape), mean 1.
MONTH_VARIATION_SHAPE = 4.0


def split_exactly(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split each row's integer `total` over the columns in proportion to `weights` (rows ×
    columns, ≥ 0, one positive per row at least), in whole numbers that add up to the total."""
    cumulative = np.cumsum(weights, axis=1)
    share = cumulative / cumulative[:, -1:]
    ends = np.rint(total[:, None] * share).astype(np.int64)
    ends[:, -1] = total
    return np.diff(ends, axis=1, prepend=0)


def split_within(total: np.ndarray, capacity: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split each row's `total` (at most the row's summed `capacity`) over the columns in
    proportion to capacity × weights, never more than a column's capacity, in whole numbers
    that add up to the total: month by month, each taking its share of what is left, but at
    least what the later months cannot hold."""
    rows, columns = capacity.shape
    out = np.zeros((rows, columns), dtype=np.int64)
    left = total.astype(np.int64).copy()
    wanted = capacity * weights
    for column in range(columns - 1):
        later = capacity[:, column + 1 :].sum(axis=1)
        pool = wanted[:, column:].sum(axis=1)
        ideal = np.divide(left * wanted[:, column], pool, out=np.zeros(rows), where=pool > 0)
        low = np.maximum(0, left - later)
        high = np.minimum(capacity[:, column], left)
        out[:, column] = np.clip(np.rint(ideal).astype(np.int64), low, high)
        left -= out[:, column]
    out[:, -1] = left
    return out


def monthly(
    terms: Table, start: dt.date, end: dt.date, rng, *, until: dt.date | None = None
) -> Table:
    """One term's absence rows (pupil, unit, term, year_group, scheduled, absent, unexcused:
    the term's totals) as rows per month, with starts_on and ends_on; with `until`, only the
    months that end on or before it."""
    periods = month_periods(start, end)
    days = np.array(
        [np.busday_count(first, last + dt.timedelta(days=1)) for first, last in periods],
        dtype=float,
    )
    n, m = len(terms["pupil"]), len(periods)
    scheduled = split_exactly(terms["scheduled"], np.tile(np.maximum(days, 1e-9), (n, 1)))
    shape = MONTH_VARIATION_SHAPE
    variation = rng.gamma(shape, 1 / shape, (n, m))
    absent = split_within(terms["absent"], scheduled, variation)
    unexcused = split_within(terms["unexcused"], absent, rng.gamma(shape, 1 / shape, (n, m)))
    kept = [i for i, (_first, last) in enumerate(periods) if until is None or last <= until]
    out: dict[str, list[np.ndarray]] = {key: [] for key in (*terms, "starts_on", "ends_on")}
    for i in kept:
        first, last = periods[i]
        for key in ("pupil", "unit", "term", "year_group"):
            out[key].append(terms[key])
        out["scheduled"].append(scheduled[:, i])
        out["absent"].append(absent[:, i])
        out["unexcused"].append(unexcused[:, i])
        out["starts_on"].append(np.full(n, np.datetime64(first, "D")))
        out["ends_on"].append(np.full(n, np.datetime64(last, "D")))
    if not kept:
        return {}
    return {key: np.concatenate(parts) for key, parts in out.items()}
