"""Web hardening (docs/security.md, "Web hardening"): the Content-Security-Policy on every
page, no inline script or handler in any template, no caching of pages with pupil data, and
the session's idle and absolute timeouts (web/middleware.py)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.web.middleware import (
    SEEN_RESOLUTION,
    SESSION_SEEN,
    SESSION_STARTED,
    session_expired,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "skolkvalitet"
# Board documents are HTML only on their way to WeasyPrint's PDF; no browser receives them.
NOT_SERVED = {"publishing/templates/publishing/documents/document.html"}


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as directive -> sources."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def main_pages(org) -> list[str]:
    return [
        reverse("start"),
        reverse("overview"),
        reverse("unit", args=[org.unit_n1.pk]),
        reverse("import_page"),
        reverse("quality_board"),
        reverse("quality_practices"),
    ]


@pytest.mark.django_db
def test_every_main_page_carries_the_policy_without_inline_script_or_eval(org, client_for):
    client = client_for("organiser_admin")
    for url in main_pages(org):
        response = client.get(url)
        assert response.status_code == 200, url
        directives = policy(response)
        assert directives["script-src"] == ["'self'"], url
        assert directives["default-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["base-uri"] == ["'self'"]
        assert directives["form-action"] == ["'self'"]
        assert directives["img-src"] == ["'self'", "data:"]
        everything = " ".join(" ".join(sources) for sources in directives.values())
        assert "unsafe-inline" not in everything and "unsafe-eval" not in everything


@pytest.mark.django_db
def test_the_login_page_and_the_public_pages_carry_it_too():
    for url in (reverse("login"), reverse("public_index")):
        assert policy(Client().get(url))["script-src"] == ["'self'"]


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"javascript:", re.IGNORECASE)
STYLE = re.compile(r"<[^>]*\sstyle\s*=|<style\b", re.IGNORECASE)


def offences(text: str) -> list[str]:
    found = []
    for name, pattern in (
        ("inline script", INLINE_SCRIPT),
        ("event handler attribute", HANDLER),
        ("javascript: URL", JS_URL),
        ("inline style", STYLE),
    ):
        found += [
            f"{name} at line {text[: m.start()].count(chr(10)) + 1}" for m in pattern.finditer(text)
        ]
    return found


def test_no_template_has_inline_script_handlers_or_style():
    found = {
        str(path.relative_to(SRC)): problems
        for path in sorted(SRC.rglob("templates/**/*.html"))
        if str(path.relative_to(SRC)) not in NOT_SERVED
        for problems in [offences(path.read_text(encoding="utf-8"))]
        if problems
    }
    assert found == {}, "move it to a static file (web/static/web/behaviours.js, a stylesheet)"


def test_the_scan_finds_what_it_forbids():
    assert offences("<script>alert(1)</script>")
    assert offences('<select onchange="this.form.submit()">')
    assert offences('<form class="x"\n      onsubmit="return confirm(1)">')
    assert offences('<a href="javascript:void(0)">')
    assert offences('<p style="color: red">')
    assert offences("<style>p {}</style>")
    assert not offences('<script src="/static/web/charts.js" defer></script>')
    assert not offences('<script id="s" type="application/json">{}</script>')
    assert not offences('<select data-autosubmit name="grupp">')
    assert not offences('<form data-confirm="Ångra?">')


def test_the_served_html_documents_are_where_the_exemption_says():
    for name in NOT_SERVED:
        assert (SRC / name).exists()


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_pages_downloads_and_fragments_with_pupil_data_are_not_stored(org, client_for):
    client = client_for("organiser_admin")
    for url in [*main_pages(org), reverse("unit_groups", args=[org.unit_n1.pk])]:
        response = client.get(url)
        assert no_store(response), url
        assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_login_page_is_not_stored_and_the_public_pages_may_be(client_for):
    assert no_store(Client().get(reverse("login")))
    public = Client().get(reverse("public_index"))
    assert public.status_code == 200
    assert not no_store(public)
    # The same public page asked for while logged in shows who is: not stored.
    assert no_store(client_for("board").get(reverse("public_index")))


@pytest.mark.django_db
def test_the_api_keeps_its_own_header(org, client_for):
    response = client_for("organiser_admin").get("/api/v1/docs")
    assert response["Cache-Control"] == "no-store"


def test_session_expiry_by_hand(settings):
    settings.SKOLKVALITET_SESSION_IDLE = 30 * 60
    settings.SKOLKVALITET_SESSION_MAX_AGE = 8 * 3600
    now = 1_000_000
    assert not session_expired(None, None, now)  # a session just logged in
    assert not session_expired(now - 3600, now - 30 * 60, now)  # idle exactly 30 minutes
    assert session_expired(now - 3600, now - 30 * 60 - 1, now)  # a second longer
    assert not session_expired(now - 8 * 3600, now, now)  # active, exactly 8 hours old
    assert session_expired(now - 8 * 3600 - 1, now, now)  # active, but older


@given(
    idle=st.integers(1, 10_000),
    max_age=st.integers(1, 100_000),
    since_start=st.integers(0, 200_000),
    since_seen=st.integers(0, 200_000),
)
def test_a_session_ends_exactly_when_one_limit_is_passed(idle, max_age, since_start, since_seen):
    from django.conf import settings

    old = settings.SKOLKVALITET_SESSION_IDLE, settings.SKOLKVALITET_SESSION_MAX_AGE
    settings.SKOLKVALITET_SESSION_IDLE, settings.SKOLKVALITET_SESSION_MAX_AGE = idle, max_age
    try:
        now = 500_000
        expected = since_seen > idle or since_start > max_age
        assert session_expired(now - since_start, now - since_seen, now) == expected
    finally:
        settings.SKOLKVALITET_SESSION_IDLE, settings.SKOLKVALITET_SESSION_MAX_AGE = old


def stamp(client: Client, started: int, seen: int) -> None:
    session = client.session
    session[SESSION_STARTED] = started
    session[SESSION_SEEN] = seen
    session.save()


@pytest.mark.django_db
def test_a_session_idle_for_longer_than_the_timeout_is_logged_out(client_for, settings):
    settings.SKOLKVALITET_SESSION_IDLE = 30 * 60
    client = client_for("unit_head")
    now = int(time.time())
    stamp(client, now - 3600, now - 29 * 60)
    assert client.get(reverse("start")).status_code == 200  # 29 minutes idle: still in

    stamp(client, now - 3600, now - 31 * 60)
    response = client.get(reverse("overview"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    login = client.get(response["Location"])
    assert "Din session har upphört. Logga in igen." in login.content.decode()
    # and stays out
    assert client.get(reverse("overview")).status_code == 302


@pytest.mark.django_db
def test_an_htmx_request_of_an_ended_session_sends_its_page_to_the_login(client_for, org):
    client = client_for("unit_head")
    now = int(time.time())
    stamp(client, now - 3600, now - 31 * 60)
    unit = reverse("unit", args=[org.unit_n1.pk])
    response = client.get(
        reverse("unit_groups", args=[org.unit_n1.pk]),
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{unit}?grupp=gender"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{reverse('login')}?next={unit}%3Fgrupp%3Dgender"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_session_older_than_its_lifetime_is_logged_out_though_active(client_for, settings):
    settings.SKOLKVALITET_SESSION_MAX_AGE = 8 * 3600
    client = client_for("unit_head")
    now = int(time.time())
    stamp(client, now - 8 * 3600 - 60, now - 10)
    assert client.get(reverse("overview")).status_code == 302


@pytest.mark.django_db
def test_activity_renews_the_stamp_about_once_a_minute(client_for):
    client = client_for("unit_head")
    client.get(reverse("start"))
    first = client.session[SESSION_SEEN]
    assert abs(first - time.time()) < 5
    assert client.session[SESSION_STARTED] == first
    client.get(reverse("start"))
    assert client.session[SESSION_SEEN] == first  # not rewritten within the minute

    stamp(client, first, first - SEEN_RESOLUTION)
    client.get(reverse("start"))
    assert client.session[SESSION_SEEN] >= first


@pytest.mark.django_db
def test_the_session_cookie_ends_with_the_browser(users):
    client = Client()
    users.unit_head.set_password("ett-långt-lösenord-för-test")
    users.unit_head.save()
    response = client.post(
        reverse("login"),
        {"username": users.unit_head.username, "password": "ett-långt-lösenord-för-test"},
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"]
