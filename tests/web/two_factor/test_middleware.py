"""The two-factor middleware (web/two_factor/middleware.py): until a user who must give a code
has given it, every page sends them to the code step (or the set-up), and only the code and
set-up pages, logging out, static files, the public pages and the JSON API answer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from skolkvalitet.api.actions import api_token_create
from skolkvalitet.web.two_factor.middleware import is_open

pytestmark = pytest.mark.django_db

VERIFY = "/konto/tvastegsverifiering/kod/"


@pytest.fixture
def unverified(client_for, users, enrol):
    """The unit head with an authenticator, logged in by password and no code yet."""
    enrol(users.unit_head)
    return client_for("unit_head")


def test_pages_send_the_user_to_the_code_step(unverified):
    for path in (
        "/",
        "/resultat/",
        "/import/",
        "/konto/api-nycklar/",
        "/konto/tvastegsverifiering/krav/",
    ):
        answer = unverified.get(path)
        assert answer.status_code == 302, path
        assert answer["Location"].startswith(VERIFY), path


def test_a_form_sent_before_the_code_is_not_handled(unverified):
    answer = unverified.post("/konto/api-nycklar/", {"name": "x", "days": "30"})
    assert answer.status_code == 302 and answer["Location"] == VERIFY


def test_logging_out_is_let_through(unverified):
    answer = unverified.post(reverse("logout"))
    assert answer.status_code == 302 and answer["Location"] == reverse("login")
    assert "_auth_user_id" not in unverified.session


def test_the_code_page_and_static_files_are_let_through(unverified):
    assert unverified.get(VERIFY).status_code == 200
    assert unverified.get("/static/web/behaviours.js").status_code == 200


def test_the_api_takes_its_token_not_the_session(unverified, users):
    """An API token is a factor of its own: the API answers a valid token whatever the
    token owner's browser session."""
    _row, token = api_token_create(user=users.unit_head, name="sync")
    answer = unverified.get("/api/v1/nodes", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200


def test_an_htmx_request_sends_the_whole_page_to_the_code_step(unverified):
    answer = unverified.get("/resultat/", HTTP_HX_REQUEST="true")
    assert answer.status_code == 204 and answer["HX-Redirect"] == VERIFY


def test_anonymous_requests_are_left_to_the_login(client, org):
    answer = client.get("/")
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))


def test_the_open_paths():
    assert is_open("/konto/tvastegsverifiering/")
    assert is_open(VERIFY)
    assert is_open("/logout/")
    assert is_open("/api/v1/nodes")
    assert is_open("/static/web/skolkvalitet.css")
    assert is_open("/sso/oidc/callback/")
    assert not is_open("/konto/tvastegsverifiering/krav/")
    assert not is_open("/konto/tvastegsverifiering/ta-bort/")
    assert not is_open("/")
    assert not is_open("/resultat/")


def test_a_policy_switched_on_reaches_a_session_already_logged_in_within_a_minute(
    client_for, org, users
):
    from skolkvalitet.web.two_factor.middleware import RECHECK_SECONDS, SESSION_STATE

    client = client_for("teacher")
    assert client.get("/").status_code == 200
    org.organiser.two_factor_required = True
    org.organiser.save()
    # Decided at login, less than a minute ago: this request is not asked yet.
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_STATE] = {**session[SESSION_STATE], "at": 0}  # long ago
    session.save()
    answer = client.get("/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/konto/tvastegsverifiering/?next=")
    assert RECHECK_SECONDS == 60


def test_an_authenticator_set_up_elsewhere_is_asked_for_within_a_minute(client_for, users, enrol):
    from skolkvalitet.web.two_factor.middleware import SESSION_STATE

    client = client_for("board")
    enrol(users.board)  # in another browser
    session = client.session
    session[SESSION_STATE] = {**session[SESSION_STATE], "at": 0}
    session.save()
    assert client.get("/")["Location"].startswith(VERIFY)
