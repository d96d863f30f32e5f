"""An administrator removes a user's lost authenticator and unlinks a single sign-on identity
from the user's page: for users of their own organiser only, each an audit event with the
client address; a user who also belongs to another organiser is changed by neither alone."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from skolkvalitet.organisation import actions
from skolkvalitet.organisation.models import AuditEvent, NodeKind, Role
from skolkvalitet.web.models import ExternalIdentity

pytestmark = pytest.mark.django_db


def base(user) -> str:
    return f"/administration/anvandare/{user.pk}/"


def admin_client(users) -> Client:
    client = Client()
    client.force_login(users.organiser_admin)
    return client


def identity_of(user, issuer: str = "https://login.exempelstad.se") -> ExternalIdentity:
    return ExternalIdentity.objects.create(
        user=user, protocol=ExternalIdentity.Protocol.OIDC, issuer=issuer, subject="s-1"
    )


def test_the_administrator_removes_a_lost_authenticator(users):
    TOTPDevice.objects.create(user=users.teacher, name="telefon", confirmed=True)
    StaticDevice.objects.create(user=users.teacher, name="reserv")
    client = admin_client(users)
    assert 'id="two-factor-reset"' in client.get(base(users.teacher)).content.decode()
    response = client.post(
        base(users.teacher) + "tvastegsverifiering/ta-bort/", REMOTE_ADDR="10.4.4.4"
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=users.teacher).exists()
    assert not StaticDevice.objects.filter(user=users.teacher).exists()
    event = AuditEvent.objects.get(action="two_factor.remove")
    assert (event.user, event.ip_address) == (users.organiser_admin, "10.4.4.4")
    assert event.detail == {"user": users.teacher.get_username(), "by": "administrator"}


def test_the_administrator_unlinks_a_single_sign_on_identity(users):
    identity = identity_of(users.teacher)
    client = admin_client(users)
    assert f'data-identity-id="{identity.pk}"' in client.get(base(users.teacher)).content.decode()
    response = client.post(base(users.teacher) + f"inloggning/{identity.pk}/ta-bort/")
    assert response.status_code == 302
    assert not ExternalIdentity.objects.filter(pk=identity.pk).exists()
    event = AuditEvent.objects.get(action="sso_identity_unlink")
    assert event.user == users.organiser_admin
    assert event.detail["username"] == users.teacher.get_username()


def test_another_users_identity_is_not_found_through_this_user(users):
    theirs = identity_of(users.unit_head)
    response = admin_client(users).post(base(users.teacher) + f"inloggning/{theirs.pk}/ta-bort/")
    assert response.status_code == 404
    assert ExternalIdentity.objects.filter(pk=theirs.pk).exists()


def test_roles_without_manage_users_are_refused(users):
    TOTPDevice.objects.create(user=users.teacher, name="telefon", confirmed=True)
    for role in ("analyst", "unit_head", "board", "coach"):
        client = Client()
        client.force_login(getattr(users, role))
        response = client.post(base(users.teacher) + "tvastegsverifiering/ta-bort/")
        assert response.status_code == 403, role
    assert TOTPDevice.objects.filter(user=users.teacher).exists()


def test_a_user_of_another_organiser_too_is_changed_by_neither_alone(users):
    elsewhere = actions.node_create(kind=NodeKind.ORGANISER, name="Annanstads kommun")
    actions.role_grant(user=users.teacher, node=elsewhere, role=Role.TEACHER)
    TOTPDevice.objects.create(user=users.teacher, name="telefon", confirmed=True)
    identity = identity_of(users.teacher)
    client = admin_client(users)
    html = client.get(base(users.teacher)).content.decode()
    assert 'id="two-factor-reset"' not in html
    assert f'data-identity-id="{identity.pk}"' not in html
    client.post(base(users.teacher) + "tvastegsverifiering/ta-bort/")
    client.post(base(users.teacher) + f"inloggning/{identity.pk}/ta-bort/")
    assert TOTPDevice.objects.filter(user=users.teacher).exists()
    assert ExternalIdentity.objects.filter(pk=identity.pk).exists()
    assert not AuditEvent.objects.filter(action__in=["two_factor.remove", "sso_identity_unlink"])


def test_a_user_of_another_organiser_only_is_not_found(users):
    elsewhere = actions.node_create(kind=NodeKind.ORGANISER, name="Annanstads kommun")
    stranger = users.teacher.__class__.objects.create_user("sven")
    actions.role_grant(user=stranger, node=elsewhere, role=Role.TEACHER)
    TOTPDevice.objects.create(user=stranger, name="telefon", confirmed=True)
    response = admin_client(users).post(base(stranger) + "tvastegsverifiering/ta-bort/")
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=stranger).exists()
