"""Logins are throttled and logged (issue 15, finding 1; docs/security.md "Logins"): after
AXES_FAILURE_LIMIT (5) wrong passwords for one username from one address that username is
locked out from that address for AXES_COOLOFF_TIME (15 minutes), the right password included;
every login, failed login and lockout is in the audit log with the client's address, never
the password, and a failed login's username only when it names a user."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from skolkvalitet.organisation.client_address import client_address
from skolkvalitet.organisation.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "rätt-lösenord-1"


@pytest.fixture
def eva():
    return get_user_model().objects.create_user(username="eva", password=PASSWORD)


def attempt(client, password, *, username="eva", address="192.0.2.10", **headers):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_is_refused(client, eva):
    """The finding: 30 wrong passwords in 20 s, then the right one was accepted."""
    answers = [attempt(client, f"fel-{i}").status_code for i in range(30)]
    assert answers[:4] == [200] * 4  # the login page again, "wrong username or password"
    assert set(answers[5:]) == {429}  # locked from the fifth on
    right = attempt(client, PASSWORD)
    assert right.status_code == 429 and not logged_in(client)
    assert "Logga in är spärrat i 15 minuter" in right.content.decode()


def test_the_lockout_ends_after_the_cool_off(client, eva):
    for i in range(5):
        attempt(client, f"fel-{i}")
    assert attempt(client, PASSWORD).status_code == 429
    # 16 minutes later (the attempts moved back in time: the cool-off is 15 minutes).
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - dt.timedelta(minutes=16)
    )
    assert attempt(client, PASSWORD).status_code == 302 and logged_in(client)


def test_a_success_before_the_limit_starts_the_count_again(client, eva):
    for i in range(4):
        attempt(client, f"fel-{i}")
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()
    for i in range(4):
        attempt(client, f"fel-{i}")
    assert attempt(client, PASSWORD).status_code == 302


def test_the_lockout_is_per_username_and_address(client, eva):
    get_user_model().objects.create_user(username="per", password=PASSWORD)
    for i in range(5):
        attempt(client, f"fel-{i}")
    assert attempt(client, PASSWORD).status_code == 429
    assert attempt(client, PASSWORD, username="per").status_code == 302  # another username
    client.logout()
    assert attempt(client, PASSWORD, address="198.51.100.7").status_code == 302  # elsewhere


def test_logins_failures_and_lockouts_are_audit_logged_without_passwords(client, eva):
    attempt(client, "fel-1")
    attempt(client, "fel-2", username="19121212-1212")  # not a user: its text is not kept
    for i in range(4):
        attempt(client, f"fel-{i + 3}")
    events = list(AuditEvent.objects.order_by("pk"))
    failed = [e for e in events if e.action == "login_failed"]
    assert failed[0].detail == {"username": "eva"} and failed[0].ip_address == "192.0.2.10"
    assert failed[1].detail == {"username": None}
    assert any(e.action == "login_locked_out" for e in events)
    stored = repr([(e.username, e.detail) for e in events])
    assert "fel-" not in stored and "19121212" not in stored
    AccessAttempt.objects.all().delete()
    attempt(client, PASSWORD)
    login = AuditEvent.objects.filter(action="login").get()
    assert login.user == eva and login.ip_address == "192.0.2.10"


class FakeRequest:
    def __init__(self, remote: str, forwarded: str = "") -> None:
        self.META = {"REMOTE_ADDR": remote}
        if forwarded:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


def test_no_proxy_is_trusted_by_default():
    """A client cannot choose its address by sending X-Forwarded-For."""
    assert client_address(FakeRequest("192.0.2.10", "203.0.113.5")) == "192.0.2.10"


@override_settings(SKOLKVALITET_PROXY_COUNT=1)
def test_behind_one_proxy_the_client_is_the_address_it_appended():
    # The client wrote 203.0.113.5 itself; the proxy appended the address it saw, 192.0.2.44.
    request = FakeRequest("10.0.0.2", "203.0.113.5, 192.0.2.44")
    assert client_address(request) == "192.0.2.44"
    assert client_address(FakeRequest("10.0.0.2")) == "10.0.0.2"  # no header: the connection


@override_settings(SKOLKVALITET_PROXY_COUNT=2)
def test_behind_two_proxies_the_second_address_from_the_right():
    request = FakeRequest("10.0.0.3", "203.0.113.5, 192.0.2.44, 10.0.0.2")
    assert client_address(request) == "192.0.2.44"


def test_the_operator_lifts_a_lockout_with_axes_reset_username(client, eva):
    """docs/operations.md, "Login lockouts": `skolkvalitet axes_reset_username USERNAME`."""
    from django.core.management import call_command

    for i in range(5):
        attempt(client, f"fel-{i}")
    assert attempt(client, PASSWORD).status_code == 429
    call_command("axes_reset_username", "eva", verbosity=0)
    assert attempt(client, PASSWORD).status_code == 302 and logged_in(client)
