"""Fixtures of the two-factor tests: users with an authenticator, sessions past the code."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.web.two_factor.codes import code_now, next_code

from skolkvalitet.web.two_factor import actions
from skolkvalitet.web.two_factor.devices import key_new


@pytest.fixture
def enrol():
    """enrol(user) → the user's authenticator, set up with a code from its key."""

    def make(user) -> TOTPDevice:
        key = key_new()
        device, _codes = actions.two_factor_enrol(user=user, key=key, code=code_now(key))
        return device

    return make


@pytest.fixture
def verified_client(client_for, enrol, users):
    """verified_client("unit_head") → a client of that role's user with an authenticator,
    past the code step."""

    def login(role: str) -> Client:
        client = client_for(role)
        device = enrol(getattr(users, role))
        answer = client.post(reverse("two_factor_verify"), {"code": next_code(device)})
        assert answer.status_code == 302, answer
        return client

    return login
