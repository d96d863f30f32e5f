"""The API's rate limits (issue 15, finding 1; api/throttling.py): a token may make
SKOLKVALITET_API_RATE requests, then gets 429 with Retry-After; an address that presented
SKOLKVALITET_API_FAILED_TOKENS_PER_HOUR refused tokens gets 429 for the rest of the hour, even
with a valid token, and each refused token is logged without the token."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from skolkvalitet.api.actions import api_token_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/nodes"


@pytest.fixture
def token():
    user = get_user_model().objects.create_user(username="integration")
    _row, secret = api_token_create(user=user, name="sync")
    return secret


def get(client, token, address="192.0.2.20"):
    return client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=address)


def test_a_token_over_its_rate_gets_429_with_retry_after(client, token, settings):
    settings.SKOLKVALITET_API_RATE = "3/m"
    from skolkvalitet.api.api import api

    for throttle in api.throttle:  # the throttle reads its rate when made: make it again
        throttle.__init__()
    try:
        answers = [get(client, token).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        last = get(client, token)
        assert last.status_code == 429 and 0 < int(last["Retry-After"]) <= 60
    finally:
        settings.SKOLKVALITET_API_RATE = "600/m"
        for throttle in api.throttle:
            throttle.__init__()


def test_guessing_tokens_locks_the_address_out_for_the_hour(client, token, caplog):
    caplog.set_level(logging.WARNING, logger="skolkvalitet.security")
    answers = [get(client, f"guess-{i}").status_code for i in range(20)]
    assert set(answers) == {401}
    # The 21st request from that address is refused before its token is looked at, valid or not.
    blocked = get(client, token)
    assert blocked.status_code == 429 and 3500 < int(blocked["Retry-After"]) <= 3600
    assert get(client, token, address="198.51.100.9").status_code == 200  # another address
    assert "api token refused from 192.0.2.20 (20 in the hour)" in caplog.text
    assert "guess-" not in caplog.text


def test_the_count_of_refused_tokens_starts_again_after_the_hour(client, token):
    for i in range(20):
        get(client, f"guess-{i}")
    key = "api_token_failures_192.0.2.20"
    count, first = cache.get(key)
    cache.set(key, (count, first - 3601))
    assert get(client, token).status_code == 200


def test_requests_without_a_token_are_limited_per_address(client, token):
    """SKOLKVALITET_API_ANONYMOUS_RATE (60 a minute): 401 until then, 429 after, per address;
    a valid token is not held back by it."""
    answers = [client.get(URL, REMOTE_ADDR="192.0.2.30").status_code for _ in range(60)]
    assert set(answers) == {401}
    over = client.get(URL, REMOTE_ADDR="192.0.2.30")
    assert over.status_code == 429 and 0 < int(over["Retry-After"]) <= 60
    assert client.get(URL, REMOTE_ADDR="192.0.2.31").status_code == 401  # another address
    assert get(client, token, address="192.0.2.30").status_code == 200
