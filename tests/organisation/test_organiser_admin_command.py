"""`skolkvalitet organiser_admin USERNAME`: the operator's way to an organiser's first
administrator, who may then manage its users in the browser."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from skolkvalitet.organisation import actions
from skolkvalitet.organisation.models import NodeKind, Role, RoleAssignment

pytestmark = pytest.mark.django_db


def test_the_first_administrator_is_granted_on_the_organiser_and_reaches_the_page(org, make_user):
    first = make_user("forsta")
    out = io.StringIO()
    call_command("organiser_admin", "forsta", stdout=out)
    grant = RoleAssignment.objects.get(user=first)
    assert (grant.node, grant.role, grant.valid_until) == (
        org.organiser,
        Role.ORGANISER_ADMIN,
        None,
    )
    assert "forsta" in out.getvalue()
    client = Client()
    client.force_login(first)
    assert client.get("/administration/anvandare/").status_code == 200


def test_an_unknown_user_or_an_unnamed_organiser_among_several_is_refused(org, make_user):
    with pytest.raises(CommandError, match="No user"):
        call_command("organiser_admin", "nobody")
    make_user("forsta")
    actions.node_create(kind=NodeKind.ORGANISER, name="Annanstad", code="2120000002")
    with pytest.raises(CommandError, match="organisers"):
        call_command("organiser_admin", "forsta")
    call_command("organiser_admin", "forsta", "--organiser", "2120000002", stdout=io.StringIO())
    assert RoleAssignment.objects.get(user__username="forsta").node.name == "Annanstad"
