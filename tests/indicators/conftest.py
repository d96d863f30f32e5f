"""A tiny organisation as engine frames, written out by hand so results can be checked by hand.

organiser 1
└── area 2
    ├── unit 10 ── group 100: p1 (F), p2 (M), p3 (F, reads SVA)
    └── unit 11 ── group 101: p4 (M), p5 (F, born abroad, parents too, immigrated 2023:
                                              newly arrived in 2024/25)
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from skolkvalitet.indicators.engine import Organisation, years_frame

YEAR = 1
SPRING = 2  # term id of the spring term


@pytest.fixture
def org_frames() -> Organisation:
    return Organisation(
        nodes=pl.DataFrame(
            {
                "node_id": [1, 2, 10, 11, 100, 101],
                "parent_id": [None, 1, 2, 2, 10, 11],
                "kind": ["organiser", "area", "unit", "unit", "group", "group"],
            },
            schema={"node_id": pl.Int64, "parent_id": pl.Int64, "kind": pl.String},
        ),
        unit_ancestors=pl.DataFrame({"unit_id": [10, 10, 11, 11], "ancestor_id": [2, 1, 2, 1]}),
        enrolments=pl.DataFrame(
            {
                "pupil_id": [1, 2, 3, 4, 5],
                "academic_year_id": [YEAR] * 5,
                "unit_id": [10, 10, 10, 11, 11],
                "group_id": [100, 100, 100, 101, 101],
                "sva": [False, False, True, False, False],
            }
        ),
        pupils=pl.DataFrame(
            {
                "pupil_id": [1, 2, 3, 4, 5],
                "gender": ["F", "M", "F", "M", "F"],
                "arrival_date": [None, None, None, None, dt.date(2023, 1, 1)],
                "born_abroad": [False, False, None, False, True],
                "parents_born_abroad": [False, False, None, None, True],
                "coordination_number": [False] * 5,
                "parents_education": [3, 2, None, 1, None],
            },
            schema_overrides={
                "arrival_date": pl.Date,
                "born_abroad": pl.Boolean,
                "parents_born_abroad": pl.Boolean,
                "parents_education": pl.Int64,
            },
        ),
        years=years_frame({YEAR: dt.date(2024, 8, 15)}),
    )


def _grade_rows(
    pupil: int,
    unit: int,
    grades: dict[str, str],
    *,
    grade_type="final",
    year_group=9,
    term=SPRING,
    term_kind="VT",
) -> list[dict]:
    return [
        {
            "pupil_id": pupil,
            "unit_id": unit,
            "academic_year_id": YEAR,
            "term_id": term,
            "term_kind": term_kind,
            "year_group": year_group,
            "subject": subject,
            "value": value,
            "grade_type": grade_type,
        }
        for subject, value in grades.items()
    ]


@pytest.fixture
def grade_rows():
    """grade_rows(pupil, unit, {"MA": "C", ...}, grade_type=..., year_group=..., term=...)
    → grade fact rows (final grades of year 9 in the spring term by default)."""
    return _grade_rows
