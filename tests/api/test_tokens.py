"""API tokens: created and printed once, stored hashed, refused when unknown, revoked,
expired or of an inactive user; `last_used` records use."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from skolkvalitet.api.actions import TOUCH_INTERVAL, api_token_create, api_token_revoke
from skolkvalitet.api.models import ApiToken

pytestmark = pytest.mark.django_db

NODES = "/api/v1/nodes"


def command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def get(token: str, path: str = NODES, scheme: str = "Bearer"):
    return Client().get(path, headers={"Authorization": f"{scheme} {token}"})


def test_create_prints_the_token_once_and_stores_only_its_hash(users):
    out, err = command("create", "rut", "--name", "Power BI", "--days", "30")
    token = out.strip()
    assert token.startswith("skv_") and len(token) > 40
    assert token not in err
    row = ApiToken.objects.get()
    assert (row.user, row.name) == (users.unit_head, "Power BI")
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [
        str(v)
        for v in ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.fields]).get()
    ]
    assert not any(token in value or token[4:] in value for value in stored)
    assert dt.timedelta(days=29) < row.expires - timezone.now() <= dt.timedelta(days=30)
    listing, _err = command("list")
    assert "Power BI" in listing and "rut" in listing and "active" in listing
    assert token not in listing and row.token_hash not in listing


def test_two_tokens_are_different(users):
    first, _ = command("create", "rut", "--name", "a")
    second, _ = command("create", "rut", "--name", "b")
    assert first != second


def test_a_new_token_works_and_records_its_use(users):
    out, _err = command("create", "rut", "--name", "x")
    row = ApiToken.objects.get()
    assert row.last_used is None
    assert get(out.strip()).status_code == 200
    row.refresh_from_db()
    assert timezone.now() - row.last_used < dt.timedelta(seconds=10)


def test_last_used_is_written_at_most_once_per_interval(users, token_for):
    token = token_for(users.unit_head)
    assert get(token).status_code == 200
    first = ApiToken.objects.get().last_used
    assert get(token).status_code == 200
    assert ApiToken.objects.get().last_used == first
    ApiToken.objects.update(last_used=first - TOUCH_INTERVAL)
    assert get(token).status_code == 200
    assert ApiToken.objects.get().last_used > first - TOUCH_INTERVAL


def test_revoked_tokens_are_refused(users, token_for):
    token = token_for(users.unit_head)
    assert get(token).status_code == 200
    row = ApiToken.objects.get()
    out, _err = command("revoke", str(row.pk))
    assert str(row.pk) in out
    response = get(token)
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert isinstance(response.json()["detail"], str)
    assert "revoked" in command("list")[0]


def test_revoking_twice_keeps_the_first_time(users):
    row, _token = api_token_create(user=users.unit_head, name="x")
    first = api_token_revoke(token=row).revoked
    again = api_token_revoke(token=ApiToken.objects.get()).revoked
    assert first is not None and again == first


def test_expired_tokens_are_refused(users, token_for):
    token = token_for(users.unit_head, days=1)
    assert get(token).status_code == 200
    ApiToken.objects.update(expires=timezone.now() - dt.timedelta(seconds=1))
    assert get(token).status_code == 401
    assert "expired" in command("list")[0]


def test_tokens_of_inactive_users_are_refused(users, token_for):
    token = token_for(users.unit_head)
    users.unit_head.is_active = False
    users.unit_head.save()
    assert get(token).status_code == 401


@pytest.mark.parametrize(
    ("token", "scheme"),
    [
        ("skv_not-a-token", "Bearer"),
        ("", "Bearer"),
        ("x" * 10_000, "Bearer"),
        ("VALID", "Token"),
        ("VALID", "Basic"),
    ],
)
def test_unknown_tokens_and_other_schemes_are_refused(users, token_for, token, scheme):
    valid = token_for(users.unit_head)
    response = get(valid if token == "VALID" else token, scheme=scheme)
    assert response.status_code == 401
    assert response.headers["Cache-Control"] == "no-store"


def test_no_authorization_header_is_refused(users):
    response = Client().get(NODES)
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


def test_a_session_login_is_not_an_api_token(users, client):
    client.force_login(users.organiser_admin)
    assert client.get(NODES).status_code == 401


def test_command_errors(users):
    with pytest.raises(CommandError):
        command("create", "nobody", "--name", "x")
    with pytest.raises(CommandError):
        command("create", "rut", "--name", "x", "--days", "0")
    with pytest.raises(CommandError):
        command("create", "rut", "--name", "  ")
    with pytest.raises(CommandError):
        command("revoke", "999")
    assert not ApiToken.objects.exists()


def test_list_filters_by_user(users):
    api_token_create(user=users.unit_head, name="rut's")
    api_token_create(user=users.board, name="birgitta's")
    out, _err = command("list", "--user", "birgitta")
    assert "birgitta's" in out and "rut's" not in out


def test_create_validates(users):
    with pytest.raises(ValidationError):
        api_token_create(user=users.unit_head, name="x" * 101)


def test_a_token_sent_with_another_scheme_is_never_logged(users, token_for, settings, caplog):
    settings.DEBUG = True
    token = token_for(users.unit_head)
    with caplog.at_level("DEBUG"):
        assert get(token, scheme="Token").status_code == 401
    assert token not in caplog.text
