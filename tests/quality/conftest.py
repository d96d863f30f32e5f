"""Fixtures of the quality tests: the default calendar of `year` (2024/25) on top of the
shared `org`, `users` and `client_for` (tests/conftest.py)."""

from __future__ import annotations

import pytest

from skolkvalitet.organisation.models import FollowUpPoint
from skolkvalitet.quality.actions import calendar_points_default

DIALOGUE_TEXT = {
    "analysis": "Fler elever klarar E i matematik efter att vi infört tvålärarsystem.",
    "what_works": "Tvålärarsystemet i årskurs 7.",
    "actions": "Utvidga tvålärarsystemet till årskurs 8 från januari.",
    "support_needed": "Fortbildning i matematikdidaktik.",
}


@pytest.fixture
def points(org) -> list[FollowUpPoint]:
    """HT2024 1 and 2, VT2025 1 and 2 (the default calendar of 2024/25)."""
    return calendar_points_default(academic_year=org.year)


@pytest.fixture
def point(points) -> FollowUpPoint:
    return points[0]
