"""ingest/files/rules.py, the absence kind's periods, as a property: whatever periods a file
gives one pupil at one unit in one term, the rule reports an overlap exactly when two of them
with different first days share a day, and none lies outside the term unreported."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skolkvalitet.ingest.files import rules
from skolkvalitet.ingest.files.checked import Checked, Problems
from skolkvalitet.ingest.files.kinds import FILE_KINDS

pytestmark = pytest.mark.django_db

HT_START, HT_END = dt.date(2024, 8, 15), dt.date(2024, 12, 22)  # the default dates
HEADINGS = {name: name for name in ("från", "till", "frånvaro", "ogiltig frånvaro")}


def messages(periods: list[tuple[dt.date, dt.date]]) -> list[tuple[int, str]]:
    """The rule's problems (line, message) for one pupil's periods at one unit in HT2024."""
    n = len(periods)
    frame = pl.DataFrame(
        {
            "_line": list(range(2, n + 2)),
            "pupil": ["p"] * n,
            "unit_id": [1] * n,
            "läsår": [2024] * n,
            "termin": ["HT"] * n,
            "från": [first for first, _last in periods],
            "till": [last for _first, last in periods],
            "schemalagd tid": [100] * n,
            "frånvaro": [10] * n,
            "ogiltig frånvaro": [0] * n,
        },
        schema_overrides={"från": pl.Date, "till": pl.Date},
    )
    checked = Checked(kind=FILE_KINDS["absence"], file="f.csv", rows=n, frame=frame)
    problems = Problems("f.csv")
    with translation.override("en"):
        rules.absence(checked, HEADINGS, problems)
    if not problems.frames:
        return []
    return [(line, message) for line, _c, message in pl.concat(problems.frames).iter_rows()]


days = st.integers(min_value=-10, max_value=140).map(lambda d: HT_START + dt.timedelta(days=d))


@st.composite
def period_lists(draw):
    out = []
    for _ in range(draw(st.integers(1, 5))):
        first = draw(days)
        length = draw(st.integers(0, 60))
        out.append((first, first + dt.timedelta(days=length)))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(periods=period_lists())
def test_overlaps_and_periods_outside_the_term_are_found(periods):
    found = messages(periods)
    overlapping = {line for line, message in found if "overlaps" in message}
    outside = {line for line, message in found if "not inside the term" in message}
    pairs = [
        (i, j)
        for i, (a_first, a_last) in enumerate(periods)
        for j, (b_first, b_last) in enumerate(periods)
        if i < j and a_first != b_first and a_first <= b_last and b_first <= a_last
    ]
    # Some row of every overlapping pair is reported; none is reported without one.
    assert all({i + 2, j + 2} & overlapping for i, j in pairs)
    assert bool(overlapping) == bool(pairs)
    assert outside == {
        i + 2 for i, (first, last) in enumerate(periods) if first < HT_START or last > HT_END
    }


def test_months_that_touch_do_not_overlap():
    assert (
        messages(
            [
                (dt.date(2024, 9, 1), dt.date(2024, 9, 30)),
                (dt.date(2024, 10, 1), dt.date(2024, 10, 31)),
            ]
        )
        == []
    )
    assert messages(
        [(dt.date(2024, 9, 1), dt.date(2024, 10, 1)), (dt.date(2024, 10, 1), dt.date(2024, 10, 31))]
    ) == [(3, "The period overlaps the one on line 2 (the same pupil, unit and term).")]
