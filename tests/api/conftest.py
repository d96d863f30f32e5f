"""Fixtures of the API tests: final grades of conftest.py's pupils materialised into
IndicatorValue, a token per user, and a client that sends it.

Final grades in year 9, spring 2025 (as tests/indicators/test_materialise.py): passed_MA is
60 % of five pupils at unit_n1 (stored with the marker ".."), 50 % of ten at the organiser
(shown to everyone); passed_EN is 90 % of ten at the organiser (shown: Skolverket publishes
subject pass shares as numbers, not "~100").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from skolkvalitet.api.actions import api_token_create
from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.organisation.models import FollowUpPoint, Term
from skolkvalitet.results.models import Grade, Subject

FINAL = {
    "Alva": {"SV": "A", "EN": "B", "MA": "C", "M1": "B"},
    "Bella": {"SV": "C", "EN": "C", "MA": "E"},
    "Cesar": {"SV": "E", "EN": "E", "MA": "F"},
    "David": {"SV": "F", "EN": "F", "MA": "F"},
    "Elsa": {"SV": "B", "EN": "A", "MA": "B"},
    "Frida": {"SV": "D", "EN": "D", "MA": "D"},
    "Gustav": {"SV": "-", "EN": "E", "MA": "F"},
    "Hanna": {"SV": "A", "EN": "A", "MA": "A"},
    "Ida": {"SV": "F", "EN": "C", "MA": "F"},
    "Josef": {"SV": "C", "EN": "B", "MA": "F"},
}


@pytest.fixture
def materialised(org):
    """org with its terms, a follow-up point, final grades and their materialised values."""
    year = org.year
    org.ht = Term.objects.create(
        academic_year=year,
        kind="HT",
        start_date=dt.date(2024, 8, 19),
        end_date=dt.date(2025, 1, 10),
    )
    org.vt = Term.objects.create(
        academic_year=year,
        kind="VT",
        start_date=dt.date(2025, 1, 13),
        end_date=dt.date(2025, 6, 13),
    )
    org.point = FollowUpPoint.objects.create(
        term=org.ht,
        ordinal=1,
        name="Uppföljning 1 HT2024",
        assessed_on=dt.date(2024, 10, 15),
        deadline=dt.date(2024, 11, 1),
    )
    org.batch = ImportBatch.objects.create(kind="grades", source_name="betyg.csv")
    subjects = {s.code: s for s in Subject.objects.all()}
    Grade.objects.bulk_create(
        Grade(
            pupil=org.pupils[name],
            unit=org.enrolments[name].unit,
            term=org.vt,
            year_group=9,
            subject=subjects[code],
            value=value,
            grade_type="final",
            batch=org.batch,
        )
        for name, by_subject in FINAL.items()
        for code, value in by_subject.items()
    )
    indicators_materialise()
    return org


@pytest.fixture
def token_for(db) -> Callable[..., str]:
    """token_for(user, days=None) → a new API token of `user`."""

    def make(user, *, days: int | None = None, name: str = "test") -> str:
        _row, token = api_token_create(user=user, name=name, days=days)
        return token

    return make


@pytest.fixture
def api_client(token_for) -> Callable[..., Client]:
    """api_client(user) → a test client sending a new token of `user` with every request."""

    def make(user) -> Client:
        return Client(headers={"Authorization": f"Bearer {token_for(user)}"})

    return make
