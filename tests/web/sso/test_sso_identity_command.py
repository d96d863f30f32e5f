"""`skolkvalitet sso_identity list|unlink` (web/management/commands/sso_identity.py)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from skolkvalitet.organisation.models import AuditEvent
from skolkvalitet.web.models import ExternalIdentity
from skolkvalitet.web.sso.actions import identity_link

pytestmark = pytest.mark.django_db

ISSUER = "https://login.example.se/tenant/v2.0"


def run(*arguments: str) -> str:
    out = StringIO()
    call_command("sso_identity", *arguments, stdout=out)
    return out.getvalue()


def test_identities_are_listed_and_unlinked(make_user):
    eva, per = make_user("eva"), make_user("per")
    evas = identity_link(user=eva, protocol="oidc", issuer=ISSUER, subject="eva-sub")
    identity_link(user=per, protocol="saml", issuer="https://idp.example", subject="per-sub")
    listed = run("list", "--user", "eva")
    assert f"{evas.pk}\teva\toidc\t{ISSUER}\teva-sub" in listed and "per-sub" not in listed
    run("unlink", str(evas.pk))
    assert list(ExternalIdentity.objects.values_list("subject", flat=True)) == ["per-sub"]
    event = AuditEvent.objects.get(action="sso_identity_unlink")
    assert event.detail == {
        "protocol": "oidc",
        "issuer": ISSUER,
        "subject": "eva-sub",
        "username": "eva",
    }


def test_unlinking_an_unknown_id_fails():
    with pytest.raises(CommandError):
        run("unlink", "999")
