"""The page "API-nycklar" (api/token_views.py): a user makes, sees and revokes their own API
tokens in the browser; the token is shown once, only its owner sees or revokes it, and each
change is audit-logged."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from skolkvalitet.api.actions import api_token_create
from skolkvalitet.api.models import ApiToken
from skolkvalitet.api.tokens import PREFIX, token_hash
from skolkvalitet.organisation.models import AuditEvent

pytestmark = pytest.mark.django_db

PAGE = "/konto/api-nycklar/"


def shown_token(html: str) -> str | None:
    match = re.search(r'id="new-token" value="([^"]+)"', html)
    return match.group(1) if match else None


def test_the_urls():
    assert reverse("api_tokens") == PAGE
    assert reverse("api_token_revoke", args=[7]) == f"{PAGE}7/aterkalla/"


def test_a_new_token_is_shown_once_and_works(client_for, users):
    client = client_for("analyst")
    answer = client.post(PAGE, {"name": "Power BI", "days": "30"})
    assert answer.status_code == 200
    token = shown_token(answer.content.decode())
    assert token is not None and token.startswith(PREFIX)
    row = ApiToken.objects.get()
    assert (row.user, row.name, row.token_hash) == (users.analyst, "Power BI", token_hash(token))
    assert abs(row.expires - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    # It reads the API as its owner.
    api = client.__class__().get("/api/v1/nodes", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200
    # Shown only in the answer that made it: the page lists it, never the token again.
    again = client.get(PAGE).content.decode()
    assert token not in again and shown_token(again) is None
    assert f'data-token="{row.pk}"' in again and "Power BI" in again
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.user == users.analyst
    assert event.detail == {
        "token": row.pk,
        "name": "Power BI",
        "owner": "anders",
        "by": "user",
        "days": 30,
    }
    assert token not in str(event.detail)


def test_the_lifetime_is_bounded_by_the_maximum(client_for, users, settings):
    settings.SKOLKVALITET_API_TOKEN_MAX_DAYS = 100
    client = client_for("analyst")
    answer = client.post(PAGE, {"name": "för länge", "days": "101"})
    assert answer.status_code == 400 and not ApiToken.objects.exists()
    assert shown_token(answer.content.decode()) is None
    assert client.post(PAGE, {"name": "", "days": "10"}).status_code == 400
    assert client.post(PAGE, {"name": "noll", "days": "0"}).status_code == 400
    assert not ApiToken.objects.exists()
    assert client.post(PAGE, {"name": "lagom", "days": "100"}).status_code == 200


def test_the_page_lists_only_the_owners_tokens(client_for, users):
    mine, _ = api_token_create(user=users.analyst, name="min nyckel")
    theirs, _ = api_token_create(user=users.unit_head, name="rektorns nyckel")
    page = client_for("analyst").get(PAGE).content.decode()
    assert f'data-token="{mine.pk}"' in page and "min nyckel" in page
    assert f'data-token="{theirs.pk}"' not in page and "rektorns nyckel" not in page


def test_revoking_works_and_is_logged(client_for, users):
    row, token = api_token_create(user=users.analyst, name="gammal")
    client = client_for("analyst")
    page = client.get(PAGE).content.decode()
    assert f'action="{PAGE}{row.pk}/aterkalla/"' in page and "data-confirm=" in page
    answer = client.post(reverse("api_token_revoke", args=[row.pk]))
    assert answer.status_code == 302 and answer["Location"] == PAGE
    row.refresh_from_db()
    assert row.revoked is not None and row.status == "revoked"
    api = client.__class__().get("/api/v1/nodes", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 401
    assert 'data-status="revoked"' in client.get(PAGE).content.decode()
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert event.user == users.analyst and event.detail["token"] == row.pk


def test_another_users_token_is_not_found(client_for, users):
    theirs, _token = api_token_create(user=users.unit_head, name="rektorns")
    answer = client_for("analyst").post(reverse("api_token_revoke", args=[theirs.pk]))
    assert answer.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked is None
    assert not AuditEvent.objects.filter(action="api_token.revoke").exists()


def test_revoking_is_a_post(client_for, users):
    row, _ = api_token_create(user=users.analyst, name="x")
    assert client_for("analyst").get(reverse("api_token_revoke", args=[row.pk])).status_code == 405


def test_the_page_needs_a_login(client, org):
    answer = client.get(PAGE)
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))


def test_the_command_is_logged_as_the_operators(users):
    api_token_create(user=users.board, name="export")
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.user is None and event.detail["by"] == "command"
    assert event.detail["owner"] == "birgitta"
