"""The identity policy itself (web/sso/identities.py), without a provider: the protocol
tests (test_oidc.py, test_saml.py) walk its rules through each protocol."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from skolkvalitet.organisation.models import AuditEvent
from skolkvalitet.web.models import ExternalIdentity
from skolkvalitet.web.sso import identities
from skolkvalitet.web.sso.actions import identity_link
from skolkvalitet.web.sso.identities import LoginRefused, ProviderIdentity, user_for_identity

pytestmark = pytest.mark.django_db

ISSUER = "https://login.example.se/tenant/v2.0"


def identity(subject: str = "sub-1", **fields) -> ProviderIdentity:
    return ProviderIdentity(
        protocol="oidc", provider="Entra ID", issuer=ISSUER, subject=subject, **fields
    )


def test_an_identity_without_subject_is_refused(make_user):
    with pytest.raises(LoginRefused) as refused:
        user_for_identity(identity(subject="", email="a@b.se", email_verified=True))
    assert refused.value.reason == identities.NO_SUBJECT
    assert "Entra ID" in str(refused.value.message)


def test_the_same_issuer_and_subject_cannot_be_linked_twice(make_user):
    eva, per = make_user("eva"), make_user("per")
    identity_link(user=eva, protocol="oidc", issuer=ISSUER, subject="sub-1")
    with pytest.raises(IntegrityError):  # the unique constraint
        identity_link(user=per, protocol="oidc", issuer=ISSUER, subject="sub-1")
    # Another issuer's identical subject is another identity.
    identity_link(user=per, protocol="oidc", issuer="https://other.example", subject="sub-1")
    assert ExternalIdentity.objects.count() == 2


def test_a_first_login_in_two_tabs_at_once_logs_in_both(make_user, monkeypatch):
    """The other tab links the identity between this one's look-up and its link."""
    eva = make_user("eva", email="eva@kommun.se")
    real_link = identities.identity_link

    def other_tab_first(**arguments):
        real_link(**arguments)  # the other tab
        return real_link(**arguments)  # this one: the unique constraint refuses

    monkeypatch.setattr(identities, "identity_link", other_tab_first)
    user = user_for_identity(identity(email="eva@kommun.se", email_verified=True))
    assert user == eva and ExternalIdentity.objects.get().user == eva
    assert AuditEvent.objects.get(action="login_sso").detail["linked_now"] is False
