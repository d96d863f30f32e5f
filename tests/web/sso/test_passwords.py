"""Local passwords are optional (web/sso/passwords.py): with SKOLKVALITET_PASSWORD_LOGIN off
the login page shows only the single sign-on buttons and a posted password is refused."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from skolkvalitet.organisation.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "ett-långt-lösenord-9"


@pytest.fixture
def eva():
    return get_user_model().objects.create_user(username="eva", password=PASSWORD)


def post_password(client):
    return client.post(reverse("login"), {"username": "eva", "password": PASSWORD})


def test_passwords_log_in_by_default(client, eva):
    assert post_password(client).status_code == 302
    assert client.session["_auth_user_id"] == str(eva.pk)


def test_with_passwords_off_the_right_password_is_refused(client, eva, settings):
    settings.SKOLKVALITET_PASSWORD_LOGIN = False
    answer = post_password(client)
    assert answer.status_code == 200 and "_auth_user_id" not in client.session
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.detail == {"username": "eva"}


def test_with_passwords_off_the_login_page_shows_only_single_sign_on(client, settings, oidc):
    settings.SKOLKVALITET_PASSWORD_LOGIN = False
    page = client.get(reverse("login")).content.decode()
    assert 'id="id_password"' not in page and 'name="username"' not in page
    assert 'data-sso="oidc"' in page and "data-login-off" not in page


def test_with_passwords_off_and_no_provider_the_page_says_logging_in_is_off(client, settings):
    settings.SKOLKVALITET_PASSWORD_LOGIN = False
    page = client.get(reverse("login")).content.decode()
    assert "data-login-off" in page and 'id="id_password"' not in page
