"""Logging in through SAML 2.0 (web/sso/saml.py, djangosaml2 and pysaml2) with an IdP inside
the test that signs its answers (tests/web/sso/saml_idp.py); the assertion is posted to our
ACS through Django's test client, as the browser would carry it. The identity (IdP entity id,
NameID) maps to a user by the same policy as OpenID Connect (web/sso/identities.py)."""

from __future__ import annotations

import base64

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from tests.web.sso.saml_idp import DATA, IDP_ENTITY_ID, IDP_SSO_URL, TestIdP, idp_metadata

from skolkvalitet.organisation.models import AuditEvent
from skolkvalitet.web.models import ExternalIdentity
from skolkvalitet.web.sso import identities
from skolkvalitet.web.sso.actions import identity_link

pytestmark = pytest.mark.django_db

SP_ENTITY_ID = "http://testserver/sso/saml/metadata/"


@pytest.fixture
def saml(settings, tmp_path, client):
    """Skolkvalitet as a service provider of the test IdP, and the IdP trusting it through
    the metadata our /sso/saml/metadata/ serves."""
    settings.SKOLKVALITET_SAML_IDP_METADATA_FILE = str(idp_metadata(tmp_path / "idp.xml"))
    settings.SKOLKVALITET_SAML_ENTITY_ID = SP_ENTITY_ID
    settings.SKOLKVALITET_SAML_KEY_FILE = str(DATA / "sp.key")
    settings.SKOLKVALITET_SAML_CERT_FILE = str(DATA / "sp.crt")
    settings.SKOLKVALITET_SAML_NAME = "Testfederationen"
    metadata = client.get(reverse("saml2_metadata"))
    assert metadata.status_code == 200
    sp_metadata = tmp_path / "sp.xml"
    sp_metadata.write_bytes(metadata.content)
    return TestIdP.trusting(sp_metadata)


@pytest.fixture
def eva(make_user):
    return make_user("eva", email="eva.berg@kommun.se")


def saml_login(client, idp: TestIdP, *, subject: str, mail: str = "", tamper=None):
    start = client.get(reverse("saml2_login") + "?next=/resultat/")
    assert start.status_code == 302 and start["Location"].startswith(IDP_SSO_URL)
    assert "&Signature=" in start["Location"]  # our key signs the request
    post = idp.answer(start["Location"], subject=subject, mail=mail)
    if tamper:
        xml = base64.b64decode(post["SAMLResponse"]).decode()
        post["SAMLResponse"] = base64.b64encode(tamper(xml).encode()).decode()
    return client.post(reverse("saml2_acs"), post)


def logged_in(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_a_signed_assertion_for_a_linked_identity_logs_in(client, saml, eva):
    identity_link(user=eva, protocol="saml", issuer=IDP_ENTITY_ID, subject="eva-persistent-1")
    answer = saml_login(client, saml, subject="eva-persistent-1")
    assert answer.status_code == 302 and answer["Location"] == "/resultat/"
    assert logged_in(client) == str(eva.pk)
    event = AuditEvent.objects.get(action="login_sso")
    assert event.detail == {
        "protocol": "saml",
        "issuer": IDP_ENTITY_ID,
        "subject": "eva-persistent-1",
        "linked_now": False,
    }
    assert client.get(reverse("start")).status_code == 200


def test_an_encrypted_assertion_is_read_with_our_key(client, saml, eva):
    identity_link(user=eva, protocol="saml", issuer=IDP_ENTITY_ID, subject="eva-persistent-1")
    start = client.get(reverse("saml2_login"))
    post = saml.answer(start["Location"], subject="eva-persistent-1", encrypt=True)
    assert b"EncryptedAssertion" in base64.b64decode(post["SAMLResponse"])
    assert b"eva-persistent-1" not in base64.b64decode(post["SAMLResponse"])
    client.post(reverse("saml2_acs"), post)
    assert logged_in(client) == str(eva.pk)


def test_an_unknown_identity_is_linked_by_the_signed_mail_attribute(client, saml, eva):
    saml_login(client, saml, subject="new-persistent", mail="Eva.Berg@kommun.se")
    assert logged_in(client) == str(eva.pk)
    link = ExternalIdentity.objects.get()
    assert (link.user, link.protocol, link.issuer, link.subject) == (
        eva,
        "saml",
        IDP_ENTITY_ID,
        "new-persistent",
    )


def test_an_unknown_identity_without_a_matching_mail_is_refused(client, saml, eva):
    answer = saml_login(client, saml, subject="stranger", mail="stranger@example.com")
    assert answer.status_code == 302 and answer["Location"] == reverse("login")
    assert logged_in(client) is None
    texts = [str(m) for m in get_messages(answer.wsgi_request)]
    assert texts == [
        str(identities.MESSAGES[identities.NOT_LINKED] % {"provider": "Testfederationen"})
    ]
    refused = AuditEvent.objects.get(action="login_sso_refused")
    assert refused.detail["reason"] == identities.NOT_LINKED
    assert refused.detail["issuer"] == IDP_ENTITY_ID


def test_a_tampered_assertion_is_refused(client, saml, eva, caplog):
    """The attacker changes who the signed assertion names: the signature no longer holds."""
    identity_link(user=eva, protocol="saml", issuer=IDP_ENTITY_ID, subject="eva-persistent-1")
    answer = saml_login(
        client,
        saml,
        subject="someone-else",
        tamper=lambda xml: xml.replace("someone-else", "eva-persistent-1"),
    )
    assert answer.status_code == 302 and answer["Location"] == reverse("login")
    assert logged_in(client) is None
    assert "The signature on the assertion cannot be verified." in caplog.messages
    assert not AuditEvent.objects.filter(action="login_sso").exists()
    failed = AuditEvent.objects.get(action="login_sso_refused")
    assert failed.detail["reason"] == "failed" and failed.detail["error"] == "SignatureError"


def test_an_unsigned_assertion_is_refused(client, saml, eva, caplog):
    identity_link(user=eva, protocol="saml", issuer=IDP_ENTITY_ID, subject="eva-persistent-1")
    start = client.get(reverse("saml2_login"))
    post = saml.answer(start["Location"], subject="eva-persistent-1", sign=False)
    answer = client.post(reverse("saml2_acs"), post)
    assert answer.status_code == 302 and answer["Location"] == reverse("login")
    assert logged_in(client) is None
    assert any("Signature missing for assertion" in m for m in caplog.messages)


def test_an_unsolicited_assertion_is_refused(client, saml, eva):
    """A signed answer to a request this browser never made (replayed or injected)."""
    identity_link(user=eva, protocol="saml", issuer=IDP_ENTITY_ID, subject="eva-persistent-1")
    start = client.get(reverse("saml2_login"))
    post = saml.answer(start["Location"], subject="eva-persistent-1")
    other_browser = client.__class__()
    answer = other_browser.post(reverse("saml2_acs"), post)
    assert answer.status_code == 302 and answer["Location"] == reverse("login")
    assert "_auth_user_id" not in other_browser.session


def test_the_service_provider_metadata_names_our_acs_and_entity_id(client, saml):
    metadata = client.get(reverse("saml2_metadata")).content.decode()
    assert f'entityID="{SP_ENTITY_ID}"' in metadata
    assert "http://testserver/sso/saml/acs/" in metadata


def test_without_configuration_saml_is_not_offered(client):
    assert client.get(reverse("saml2_login")).status_code == 404
    assert 'data-sso="saml"' not in client.get(reverse("login")).content.decode()
