"""Logging in through OpenID Connect (web/sso/oidc.py) against a real provider on localhost,
driven by Django's test client; the provider's consent page is answered over HTTP. The
mapping from the provider's identity to a user follows web/sso/identities.py's policy
(docs/security.md "Single sign-on")."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.exceptions import SuspiciousOperation
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.web.sso.provider import CLIENT_ID, NAME

from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.organisation.models import AuditEvent
from skolkvalitet.web.models import ExternalIdentity
from skolkvalitet.web.sso import identities
from skolkvalitet.web.sso.actions import identity_link
from skolkvalitet.web.sso.oidc import OidcBackend

pytestmark = pytest.mark.django_db


def oidc_login(client, provider, sub: str, *, next_url: str = ""):
    """The whole flow: our login URL → the provider's consent page, where `sub` is chosen →
    our callback. Returns the callback's response."""
    start = client.get(
        reverse("oidc_authentication_init") + (f"?next={next_url}" if next_url else "")
    )
    assert start.status_code == 302
    authorize = start["Location"]
    assert authorize.startswith(f"{provider.url}/oauth2/authorize?")
    assert "code_challenge=" in authorize and "nonce=" in authorize  # PKCE and nonce
    consent = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert consent.status_code == 302, consent.text
    callback = urlsplit(consent.headers["Location"])
    assert callback.path == reverse("oidc_authentication_callback")
    return client.get(f"{callback.path}?{callback.query}")


def logged_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


def refusal(response, reason: str):
    """The answer of a refused login: back to the login page, with the reason's message,
    nobody logged in, and the refusal in the audit log."""
    assert response.status_code == 302 and response["Location"] == reverse("login")
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    expected = identities.MESSAGES[reason] % {"provider": NAME}
    assert texts[-1] == str(expected)
    assert "_auth_user_id" not in response.wsgi_request.session
    event = AuditEvent.objects.filter(action="login_sso_refused").latest("pk")
    assert event.detail["reason"] == reason and event.user is None
    return event


@pytest.fixture
def eva(make_user):
    return make_user("eva", email="eva.berg@kommun.se")


def test_a_linked_identity_logs_in_as_its_user(client, oidc, eva):
    identity_link(user=eva, protocol="oidc", issuer=oidc.url, subject="eva-at-idp")
    oidc.person("eva-at-idp", email="someone.else@kommun.se", email_verified=True)
    answer = oidc_login(client, oidc, "eva-at-idp")
    assert answer.status_code == 302 and answer["Location"] == reverse("start")
    assert logged_in_as(client) == eva
    event = AuditEvent.objects.get(action="login_sso")
    assert event.user == eva
    assert event.detail == {
        "protocol": "oidc",
        "issuer": oidc.url,
        "subject": "eva-at-idp",
        "linked_now": False,
    }
    assert AuditEvent.objects.filter(action="login", user=eva).exists()  # as every login
    assert ExternalIdentity.objects.get().last_login_at is not None


def test_the_start_page_opens_after_an_oidc_login(client, oidc, eva):
    identity_link(user=eva, protocol="oidc", issuer=oidc.url, subject="eva-at-idp")
    oidc_login(client, oidc, "eva-at-idp")
    assert client.get(reverse("start")).status_code == 200


def test_a_user_with_an_authenticator_still_gives_a_code_after_single_sign_on(client, oidc, eva):
    """Single sign-on replaces the password, not the second factor (web/two_factor/)."""
    TOTPDevice.objects.create(user=eva, name="telefon", confirmed=True)
    identity_link(user=eva, protocol="oidc", issuer=oidc.url, subject="eva-at-idp")
    oidc_login(client, oidc, "eva-at-idp")
    assert logged_in_as(client) == eva
    start = client.get(reverse("start"))
    assert start.status_code == 302
    assert start["Location"].startswith(reverse("two_factor_verify"))


def test_the_next_page_is_kept_through_the_provider(client, oidc, eva):
    identity_link(user=eva, protocol="oidc", issuer=oidc.url, subject="eva-at-idp")
    answer = oidc_login(client, oidc, "eva-at-idp", next_url="/resultat/")
    assert answer["Location"] == "/resultat/"


def test_an_unknown_identity_is_linked_by_a_verified_email_of_one_user(client, oidc, eva):
    oidc.person("new-sub", email="Eva.Berg@kommun.se", email_verified=True)
    oidc_login(client, oidc, "new-sub")
    assert logged_in_as(client) == eva
    link = ExternalIdentity.objects.get()
    assert (link.user, link.issuer, link.subject, link.protocol) == (
        eva,
        oidc.url,
        "new-sub",
        "oidc",
    )
    assert AuditEvent.objects.get(action="login_sso").detail["linked_now"] is True
    # From now on the identity itself logs in, whatever e-mail the provider says.
    client.logout()
    oidc.person("new-sub", email="eva@annan-kommun.se", email_verified=False)
    oidc_login(client, oidc, "new-sub")
    assert logged_in_as(client) == eva


def test_an_unverified_email_links_no_one(client, oidc, eva):
    oidc.person("new-sub", email="eva.berg@kommun.se", email_verified=False)
    refusal(oidc_login(client, oidc, "new-sub"), identities.NOT_LINKED)
    assert logged_in_as(client) is None and not ExternalIdentity.objects.exists()


def test_an_email_no_user_has_is_refused_and_no_user_is_created(client, oidc, eva):
    oidc.person("stranger", email="stranger@example.com", email_verified=True)
    users_before = get_user_model().objects.count()
    event = refusal(oidc_login(client, oidc, "stranger"), identities.NOT_LINKED)
    assert event.detail["subject"] == "stranger" and event.detail["issuer"] == oidc.url
    assert get_user_model().objects.count() == users_before
    assert 'class="message error"' in client.get(reverse("login")).content.decode()


def test_refused_logins_lock_no_one_out_of_single_sign_on(client, oidc, eva):
    """django-axes counts wrong passwords per username and address; a refused single sign-on
    has neither a password nor a username, and must not lock the address's other users out."""
    oidc.person("stranger", email="stranger@example.com", email_verified=True)
    for _ in range(6):
        refusal(oidc_login(client, oidc, "stranger"), identities.NOT_LINKED)
    identity_link(user=eva, protocol="oidc", issuer=oidc.url, subject="eva-at-idp")
    oidc_login(client, oidc, "eva-at-idp")
    assert logged_in_as(client) == eva


def test_an_email_two_users_share_links_neither(client, oidc, eva, make_user):
    make_user("eva2", email="EVA.BERG@kommun.se")
    oidc.person("new-sub", email="eva.berg@kommun.se", email_verified=True)
    refusal(oidc_login(client, oidc, "new-sub"), identities.AMBIGUOUS_EMAIL)
    assert not ExternalIdentity.objects.exists()


def test_a_deactivated_user_is_refused_whether_linked_or_matched(client, oidc, eva):
    eva.is_active = False
    eva.save()
    oidc.person("new-sub", email="eva.berg@kommun.se", email_verified=True)
    refusal(oidc_login(client, oidc, "new-sub"), identities.INACTIVE)
    assert not ExternalIdentity.objects.exists()
    identity_link(user=eva, protocol="oidc", issuer=oidc.url, subject="eva-at-idp")
    event = refusal(oidc_login(client, oidc, "eva-at-idp"), identities.INACTIVE)
    assert event.detail["username"] == "eva"


def test_a_user_linked_at_the_provider_is_not_linked_again_by_email(client, oidc, eva):
    """An address handed on to someone else at the provider does not open the old account."""
    identity_link(user=eva, protocol="oidc", issuer=oidc.url, subject="eva-at-idp")
    oidc.person("newcomer", email="eva.berg@kommun.se", email_verified=True)
    refusal(oidc_login(client, oidc, "newcomer"), identities.ALREADY_LINKED)
    assert ExternalIdentity.objects.count() == 1


def test_linking_by_email_can_be_turned_off(client, oidc, eva, settings):
    settings.SKOLKVALITET_SSO_LINK_BY_EMAIL = False
    oidc.person("new-sub", email="eva.berg@kommun.se", email_verified=True)
    refusal(oidc_login(client, oidc, "new-sub"), identities.NOT_LINKED)


def test_a_personnummer_as_subject_is_refused_and_kept_nowhere(client, oidc, eva):
    number = make_personal_number(dt.date(1980, 5, 17), 123)
    oidc.person(number, email="eva.berg@kommun.se", email_verified=True)
    event = refusal(oidc_login(client, oidc, number), identities.PERSONAL_NUMBER)
    assert event.detail["subject"] is None
    assert not ExternalIdentity.objects.exists()
    stored = [str(e.detail) for e in AuditEvent.objects.all()]
    assert not any(number in text or number[2:] in text for text in stored)


def test_a_login_denied_at_the_provider_returns_to_the_login_page(client, oidc):
    start = client.get(reverse("oidc_authentication_init"))
    denied = requests.post(
        start["Location"], data={"action": "deny"}, allow_redirects=False, timeout=10
    )
    callback = urlsplit(denied.headers["Location"])
    assert "error=access_denied" in callback.query
    answer = client.get(f"{callback.path}?{callback.query}")
    assert answer.status_code == 302 and answer["Location"] == reverse("login")
    assert len(list(get_messages(answer.wsgi_request))) == 1
    assert logged_in_as(client) is None
    failed = AuditEvent.objects.get(action="login_sso_refused")
    assert failed.detail == {
        "protocol": "oidc",
        "issuer": oidc.url,
        "reason": "failed",
        "error": "access_denied",
    }


def test_a_callback_without_our_state_logs_no_one_in(client, oidc, eva):
    identity_link(user=eva, protocol="oidc", issuer=oidc.url, subject="eva-at-idp")
    start = client.get(reverse("oidc_authentication_init"))
    consent = requests.post(
        start["Location"], data={"sub": "eva-at-idp"}, allow_redirects=False, timeout=10
    )
    callback = urlsplit(consent.headers["Location"])
    other_browser = client_class_new()
    answer = other_browser.get(f"{callback.path}?{callback.query}")
    assert answer.status_code == 302 and answer["Location"] == reverse("login")
    assert "_auth_user_id" not in other_browser.session


def client_class_new():
    from django.test import Client

    return Client()


def test_an_unreachable_provider_is_said_and_passwords_still_work(client, oidc, settings, eva):
    settings.SKOLKVALITET_OIDC_ISSUER = "http://localhost:9"  # nothing listens there
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302 and start["Location"] == reverse("login")
    assert len(list(get_messages(start.wsgi_request))) == 1
    failed = AuditEvent.objects.get(action="login_sso_refused")
    assert failed.detail["error"] == "provider_unreachable"
    eva.set_password("ett-långt-lösenord-9")
    eva.save()
    answer = client.post(reverse("login"), {"username": "eva", "password": "ett-långt-lösenord-9"})
    assert answer.status_code == 302 and logged_in_as(client) == eva


def test_without_configuration_oidc_is_not_offered(client, settings):
    settings.SKOLKVALITET_OIDC_ISSUER = ""
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    page = client.get(reverse("login")).content.decode()
    assert 'data-sso="oidc"' not in page


def test_the_login_page_offers_the_configured_provider(client, oidc):
    page = client.get(reverse("login") + "?next=/resultat/").content.decode()
    assert 'data-sso="oidc"' in page and NAME in page
    assert f'href="{reverse("oidc_authentication_init")}?next=/resultat/"' in page
    assert 'id="id_password"' in page  # passwords stay unless turned off


@pytest.fixture
def signing_key(settings, oidc):
    """The ID token's signature checked against a key of our own (OIDC_RP_IDP_SIGN_KEY), to
    test the claims mozilla-django-oidc does not check."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.OIDC_RP_IDP_SIGN_KEY = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return key


def id_token(key, **claims) -> str:
    now = dt.datetime.now(dt.UTC)
    payload = {
        "sub": "eva-at-idp",
        "nonce": "n-1",
        "iat": now,
        "exp": now + dt.timedelta(minutes=5),
    }
    return jwt.encode({**payload, **claims}, key, algorithm="RS256")


def test_an_id_token_from_another_issuer_or_for_another_client_is_refused(oidc, signing_key):
    backend = OidcBackend().ready()
    good = id_token(signing_key, iss=oidc.url, aud=CLIENT_ID)
    assert backend.verify_token(good, nonce="n-1")["sub"] == "eva-at-idp"
    for bad in (
        id_token(signing_key, iss="https://evil.example", aud=CLIENT_ID),
        id_token(signing_key, iss=oidc.url, aud="another-client"),
        id_token(signing_key, iss=oidc.url, aud=[CLIENT_ID], nonce="n-2"),
    ):
        with pytest.raises(SuspiciousOperation):
            backend.verify_token(bad, nonce="n-1")
