"""API tokens have a default and a maximum lifetime (issue 15, finding 7): without --days a
token expires after SKOLKVALITET_API_TOKEN_DAYS (90), --days above
SKOLKVALITET_API_TOKEN_MAX_DAYS (365) is refused, and a token stored without an end (made
before this rule) expires 365 days after it was made."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from skolkvalitet.api.actions import api_token_create
from skolkvalitet.api.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return get_user_model().objects.create_user(username="integration")


def test_a_token_without_days_expires_after_90_days(user):
    row, _token = api_token_create(user=user, name="sync")
    lifetime = row.expires - row.created
    assert dt.timedelta(days=90) - dt.timedelta(minutes=1) < lifetime <= dt.timedelta(days=90)


def test_more_than_the_maximum_is_refused_and_nothing_is_stored(user):
    with pytest.raises(ValidationError):
        api_token_create(user=user, name="för evigt", days=366)
    assert not ApiToken.objects.exists()
    row, _token = api_token_create(user=user, name="ett år", days=365)
    assert row.expires is not None


def test_a_token_stored_without_an_end_expires_a_year_after_it_was_made(user):
    row, _token = api_token_create(user=user, name="gammal")
    ApiToken.objects.filter(pk=row.pk).update(expires=None)  # as tokens were stored before
    row.refresh_from_db()
    made = row.created
    assert row.is_valid_at(made + dt.timedelta(days=364))
    assert not row.is_valid_at(made + dt.timedelta(days=365))
    assert row.is_valid_at(timezone.now())


def test_a_lowered_maximum_binds_the_tokens_already_made(user, settings):
    """An operator who lowers SKOLKVALITET_API_TOKEN_MAX_DAYS shortens every token's life:
    a 365-day token made 40 days ago is refused once the maximum is 30 days."""
    row, token = api_token_create(user=user, name="ett år", days=365)
    made = timezone.now() - dt.timedelta(days=40)
    ApiToken.objects.filter(pk=row.pk).update(created=made, expires=made + dt.timedelta(days=365))
    row.refresh_from_db()
    assert row.is_valid_at(timezone.now())
    settings.SKOLKVALITET_API_TOKEN_MAX_DAYS = 30
    assert not row.is_valid_at(timezone.now()) and row.status == "expired"
    assert row.expires_at == made + dt.timedelta(days=30)
    answer = Client().get("/api/v1/nodes", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
