"""Password reset by e-mail (web/users/password_reset.py): the whole round trip through
Django's mail outbox, the same answer for any address, no mail for single sign-on or
inactive users, the validators on the new password, a link that works once, the rate
limits, the link built on SKOLKVALITET_SITE_URL, the audit log, and the switch."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends import locmem
from django.test import Client

from skolkvalitet.organisation.models import AuditEvent
from skolkvalitet.web.users.password_reset import mail_sent

pytestmark = pytest.mark.django_db

RESET = "/login/glomt-losenord/"
DONE = "/login/glomt-losenord/skickat/"
OLD = "ett-gammalt-lösenord-17"
NEW = "ett-nytt-och-långt-lösenord-42"
LINK = re.compile(r"https?://[^/\s]+(/login/nytt-losenord/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def ulla(db):
    return get_user_model().objects.create_user(
        username="ulla", email="ulla@exempelstad.se", password=OLD
    )


def ask(client: Client, email: str, **extra):
    """Ask for a link, and wait for the mail the sender's thread sends after the answer."""
    response = client.post(RESET, {"email": email}, **extra)
    mail_sent()
    return response


def link_in(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def test_the_login_page_links_to_the_reset(db):
    assert RESET in Client().get("/login/").content.decode()


def test_a_user_resets_the_password_and_logs_in_with_the_new_one(ulla):
    client = Client()
    assert client.get(RESET).status_code == 200
    response = ask(client, "ULLA@exempelstad.se", REMOTE_ADDR="10.4.4.4")
    assert (response.status_code, response["Location"]) == (302, DONE)
    assert client.get(DONE).status_code == 200
    (message,) = mail.outbox
    assert message.to == ["ulla@exempelstad.se"]
    assert "ulla" in message.body
    link = link_in(message)

    response = client.get(link)  # Django moves the token into the session
    assert response.status_code == 302
    form_url = response["Location"]
    page = client.get(form_url)
    assert page.status_code == 200 and page.context["validlink"]

    # The password validators hold: too short and too common, and a mismatch.
    response = client.post(form_url, {"new_password1": "abc", "new_password2": "abc"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    response = client.post(form_url, {"new_password1": "password", "new_password2": "password"})
    assert response.context["form"].errors["new_password2"]
    ulla.refresh_from_db()
    assert ulla.check_password(OLD)

    response = client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert (response.status_code, response["Location"]) == (302, "/login/nytt-losenord/klart/")
    assert client.get(response["Location"]).status_code == 200

    login = Client().post("/login/", {"username": "ulla", "password": NEW})
    assert (login.status_code, login["Location"]) == (302, "/")
    assert Client().post("/login/", {"username": "ulla", "password": OLD}).status_code == 200

    (requested,) = AuditEvent.objects.filter(action="password_reset.request")
    assert requested.detail == {"user_id": ulla.pk, "username": "ulla"}
    assert requested.ip_address == "10.4.4.4"
    assert "ulla@exempelstad.se" not in str(requested.detail)
    (completed,) = AuditEvent.objects.filter(action="password_reset.complete")
    assert completed.user == ulla

    # The link worked once.
    again = Client()
    response = again.get(link, follow=True)
    assert response.context["validlink"] is False


@pytest.mark.parametrize("case", ["unknown", "single_sign_on", "inactive"])
def test_every_address_gets_the_same_answer_and_only_local_passwords_get_mail(db, case):
    model = get_user_model()
    if case == "single_sign_on":
        model.objects.create_user(username="sso", email="sso@exempelstad.se", password=None)
    if case == "inactive":
        model.objects.create_user(
            username="gone", email="gone@exempelstad.se", password=OLD, is_active=False
        )
    email = {
        "unknown": "nobody@exempelstad.se",
        "single_sign_on": "sso@exempelstad.se",
        "inactive": "gone@exempelstad.se",
    }[case]
    response = ask(Client(), email)
    assert (response.status_code, response["Location"]) == (302, DONE)
    assert mail.outbox == []
    (event,) = AuditEvent.objects.filter(action="password_reset.request")
    assert event.detail == {"user_id": None}


def test_an_invalid_address_is_refused_on_the_form(db):
    response = ask(Client(), "not an address")
    assert response.status_code == 200
    assert response.context["form"].errors["email"]


def test_one_address_gets_a_few_links_an_hour_then_nothing_with_the_same_answer(ulla, settings):
    settings.SKOLKVALITET_PASSWORD_RESET_PER_EMAIL = 2
    answers = [ask(Client(), "ulla@exempelstad.se", REMOTE_ADDR=f"10.0.0.{i}") for i in range(4)]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, DONE)}
    assert len(mail.outbox) == 2
    assert AuditEvent.objects.filter(action="password_reset.limited").count() == 2


def test_one_client_address_is_answered_429_past_its_limit(ulla, settings):
    settings.SKOLKVALITET_PASSWORD_RESET_PER_ADDRESS = 2
    client = Client()
    statuses = [ask(client, f"x{i}@exempelstad.se").status_code for i in range(3)]
    assert statuses == [302, 302, 429]
    # Another address is not affected.
    assert ask(Client(), "ulla@exempelstad.se", REMOTE_ADDR="10.9.9.9").status_code == 302
    assert len(mail.outbox) == 1


def test_the_link_is_built_on_the_site_url_not_the_host_header(ulla, settings):
    settings.SKOLKVALITET_SITE_URL = "https://skolkvalitet.exempelstad.se"
    settings.ALLOWED_HOSTS = ["*"]
    ask(Client(), "ulla@exempelstad.se", HTTP_HOST="evil.example.org")
    (message,) = mail.outbox
    assert "https://skolkvalitet.exempelstad.se/login/nytt-losenord/" in message.body
    assert "evil.example.org" not in message.body


@pytest.mark.parametrize("switch", ["SKOLKVALITET_PASSWORD_RESET", "SKOLKVALITET_PASSWORD_LOGIN"])
def test_the_reset_can_be_turned_off(ulla, settings, switch):
    setattr(settings, switch, False)
    assert Client().get(RESET).status_code == 404
    assert ask(Client(), "ulla@exempelstad.se").status_code == 404
    assert mail.outbox == []
    assert RESET not in Client().get("/login/").content.decode()


def test_a_link_expires(ulla, settings):
    ask(Client(), "ulla@exempelstad.se")
    link = link_in(mail.outbox[0])
    settings.PASSWORD_RESET_TIMEOUT = -1  # any link is past its time
    response = Client().get(link, follow=True)
    assert response.context["validlink"] is False


class SlowBackend(locmem.EmailBackend):
    """A mail server that takes its time."""

    def send_messages(self, messages):
        time.sleep(1.5)
        return super().send_messages(messages)


def test_the_answer_does_not_wait_for_the_mail(ulla, settings):
    """A known address is answered as fast as an unknown one: the mail is sent after."""
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    ask(Client(), "nobody@exempelstad.se")  # the process's first request loads everything

    def answered_in(email: str) -> float:
        started = time.monotonic()
        response = Client().post(RESET, {"email": email})
        assert response.status_code == 302
        return time.monotonic() - started

    unknown, known = answered_in("nobody@exempelstad.se"), answered_in("ulla@exempelstad.se")
    assert known < 1.0, (known, unknown)  # the server takes 1.5 s
    mail_sent()
    (message,) = mail.outbox
    assert message.to == ["ulla@exempelstad.se"]
