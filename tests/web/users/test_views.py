"""The user administration pages (`/administration/anvandare/`, web/users/): only holders of
manage_users on the organiser (organiser_admin) reach them; an administrator of one organiser
never sees or changes the users and grants of another; every change is an audit event with
the client address; the coach's end date, the password validators, the last administrator
and oneself are refused in Swedish."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from skolkvalitet.organisation import actions
from skolkvalitet.organisation.models import AuditEvent, NodeKind, Role, RoleAssignment
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.web.models import ExternalIdentity

pytestmark = pytest.mark.django_db

LIST = "/administration/anvandare/"
CREATE = "/administration/anvandare/ny/"
TODAY = timezone.localdate


def detail_url(user) -> str:
    return f"/administration/anvandare/{user.pk}/"


@pytest.fixture
def other(db, make_user) -> SimpleNamespace:
    """A second organiser with its own administrator (bertil) and a teacher (bo)."""
    ns = SimpleNamespace()
    ns.organiser = actions.node_create(kind=NodeKind.ORGANISER, name="Annanstads kommun")
    ns.unit = actions.node_create(kind=NodeKind.UNIT, name="Annanskolan", parent=ns.organiser)
    ns.admin = make_user("bertil")
    actions.role_grant(user=ns.admin, node=ns.organiser, role=Role.ORGANISER_ADMIN)
    ns.teacher = make_user("bo")
    actions.role_grant(user=ns.teacher, node=ns.unit, role=Role.TEACHER)
    return ns


def grant_data(node, role=Role.TEACHER, valid_from="", valid_until="", prefix="grant-") -> dict:
    return {
        f"{prefix}role": role,
        f"{prefix}node": str(node.pk),
        f"{prefix}valid_from": valid_from,
        f"{prefix}valid_until": valid_until,
    }


def message_levels(response) -> list[str]:
    return [m.level_tag for m in response.context["messages"]]


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def grant_events() -> list[AuditEvent]:
    """Grants someone made (the fixtures' grants are logged as made by no one)."""
    return list(AuditEvent.objects.filter(action="role_grant").exclude(user=None).order_by("pk"))


# -- who may ---------------------------------------------------------------------------------


def test_the_organiser_admin_lists_every_user_of_the_organiser_with_their_grants(
    client_for, users, org
):
    response = client_for("organiser_admin").get(LIST)
    assert response.status_code == 200
    listed = {row.user.username for row in response.context["rows"]}
    assert listed == {"agnes", "anders", "birgitta", "rut", "lars", "maja"}
    rut = next(r for r in response.context["rows"] if r.user.username == "rut")
    (grant,) = rut.grants
    assert (grant.assignment.role, grant.assignment.node, grant.valid) == (
        Role.UNIT_HEAD,
        org.unit_n1,
        True,
    )
    assert f'data-user-id="{users.unit_head.pk}"' in response.content.decode()


@pytest.mark.parametrize("role", ["analyst", "board", "unit_head", "teacher", "coach"])
def test_every_other_role_is_refused_and_sees_no_link(client_for, users, org, role):
    client = client_for(role)
    target = users.teacher if role != "teacher" else users.board
    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {"username": "x", **grant_data(org.unit_n1)}).status_code == 403
    assert client.get(detail_url(target)).status_code == 403
    assert client.post(detail_url(target) + "inaktivera/").status_code == 403
    assert (
        client.post(detail_url(target) + "behorighet/", grant_data(org.unit_n1)).status_code == 403
    )
    assert reverse("users_list") not in client.get("/").content.decode()
    assert not get_user_model().objects.filter(username="x").exists()


def test_the_organiser_admin_has_the_link(client_for, users):
    assert reverse("users_list") in client_for("organiser_admin").get("/").content.decode()


def test_an_organiser_admin_granted_on_an_area_is_refused(users, org, make_user):
    """manage_users counts only on the organiser node."""
    area_admin = make_user("arne")
    actions.role_grant(user=area_admin, node=org.area_north, role=Role.ORGANISER_ADMIN)
    client = Client()
    client.force_login(area_admin)
    assert client.get(LIST).status_code == 403


def test_anonymous_users_are_sent_to_the_login(db):
    response = Client().get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# -- one organiser never reaches another -----------------------------------------------------


def test_an_administrator_sees_nothing_of_another_organiser(client_for, users, org, other):
    client = client_for("organiser_admin")
    listed = {row.user.username for row in client.get(LIST).context["rows"]}
    assert not {"bertil", "bo"} & listed
    assert client.get(LIST, {"sok": "bo"}).context["rows"] == []
    grant = RoleAssignment.objects.get(user=other.teacher)
    assert client.get(detail_url(other.teacher)).status_code == 404
    assert client.post(detail_url(other.teacher) + "inaktivera/").status_code == 404
    assert client.post(detail_url(other.teacher) + "aktivera/").status_code == 404
    assert client.post(detail_url(other.teacher) + "uppgifter/", {}).status_code == 404
    end = f"{detail_url(other.teacher)}behorighet/{grant.pk}/avsluta/"
    assert client.post(end).status_code == 404
    assert (
        client.post(detail_url(other.teacher) + "behorighet/", grant_data(org.unit_n1)).status_code
        == 404
    )
    # Their grant reached through one of our users' pages: 404 as well.
    end_via_ours = f"{detail_url(users.teacher)}behorighet/{grant.pk}/avsluta/"
    assert client.post(end_via_ours).status_code == 404
    other.teacher.refresh_from_db()
    grant.refresh_from_db()
    assert other.teacher.is_active and grant.valid_until is None


def test_another_organisers_nodes_cannot_be_granted(client_for, users, org, other):
    client = client_for("organiser_admin")
    response = client.post(detail_url(users.teacher) + "behorighet/", grant_data(other.unit))
    assert response.status_code == 400
    assert response.context["grant_form"].errors["node"]
    response = client.post(CREATE, {"username": "nisse", **grant_data(other.unit, prefix="")})
    assert response.status_code == 400
    assert not RoleAssignment.objects.filter(node=other.unit).exclude(user=other.teacher).exists()
    assert not get_user_model().objects.filter(username="nisse").exists()
    choices = [
        str(value)
        for _group, items in response.context["form"].fields["node"].choices
        if isinstance(items, list)
        for value, _label in items
    ]
    assert str(org.unit_n1.pk) in choices and str(other.unit.pk) not in choices


def test_a_user_of_two_organisers_keeps_the_account_out_of_one_administrators_hands(
    client_for, users, org, other
):
    actions.role_grant(user=other.teacher, node=org.unit_n2, role=Role.TEACHER)
    client = client_for("organiser_admin")
    (row,) = client.get(LIST, {"sok": "bo"}).context["rows"]
    assert row.shared
    assert [g.assignment.node for g in row.grants] == [org.unit_n2]  # not their grant there
    response = client.post(detail_url(other.teacher) + "inaktivera/", follow=True)
    assert message_levels(response) == ["error"]
    other.teacher.refresh_from_db()
    assert other.teacher.is_active
    response = client.post(
        detail_url(other.teacher) + "uppgifter/",
        {"details-first_name": "", "details-last_name": "", "details-email": "evil@example.org"},
    )
    assert response.status_code == 400
    other.teacher.refresh_from_db()
    assert other.teacher.email == ""
    # Their role here can still be ended.
    grant = RoleAssignment.objects.get(user=other.teacher, node=org.unit_n2)
    client.post(f"{detail_url(other.teacher)}behorighet/{grant.pk}/avsluta/")
    grant.refresh_from_db()
    assert grant.valid_until == TODAY() - dt.timedelta(days=1)


# -- search and filter -----------------------------------------------------------------------


def test_search_by_name_or_username_and_filter_by_role(client_for, users):
    users.unit_head.first_name, users.unit_head.last_name = "Rut", "Rektorsson"
    users.unit_head.save()
    client = client_for("organiser_admin")
    found = lambda **q: {r.user.username for r in client.get(LIST, q).context["rows"]}  # noqa: E731
    assert found(sok="rektors") == {"rut"}
    assert found(sok="AND") == {"anders"}
    assert found(roll=Role.COACH) == {"maja"}
    assert found(roll=Role.BOARD, sok="bir") == {"birgitta"}
    assert found(roll=Role.BOARD, sok="rut") == set()


# -- creating a user -------------------------------------------------------------------------


def test_creating_a_user_with_a_first_grant_is_audited(client_for, users, org):
    client = client_for("organiser_admin")
    response = client.post(
        CREATE,
        {
            "username": "nina",
            "first_name": "Nina",
            "last_name": "Nilsson",
            "email": "nina@exempelstad.se",
            "password": "",
            **grant_data(org.unit_s1, role=Role.UNIT_HEAD, prefix=""),
        },
        REMOTE_ADDR="10.1.2.3",
    )
    nina = get_user_model().objects.get(username="nina")
    assert response.status_code == 302
    assert response["Location"] == detail_url(nina)
    assert not nina.has_usable_password()  # single sign-on only
    assert scope_for(nina).can_see(org.unit_s1)
    (created,) = events("user.create")
    # One event for the grant (role_grant's), with who, whom, node, role, dates and address.
    (granted,) = grant_events()
    assert not events("role.grant")
    assert (created.user, created.node, created.ip_address) == (
        users.organiser_admin,
        org.organiser,
        "10.1.2.3",
    )
    assert created.detail == {"user_id": nina.pk, "username": "nina", "local_password": False}
    assert (granted.user, granted.node, granted.ip_address) == (
        users.organiser_admin,
        org.unit_s1,
        "10.1.2.3",
    )
    assert granted.detail == {
        "user_id": nina.pk,
        "username": "nina",
        "role": Role.UNIT_HEAD,
        "valid_from": None,
        "valid_until": None,
    }
    page = client.get(detail_url(nina)).content.decode()
    assert "Nina Nilsson" in page and "nina@exempelstad.se" in page


def test_a_local_password_is_checked_by_the_validators(client_for, org):
    client = client_for("organiser_admin")
    data = {"username": "olle", **grant_data(org.unit_n1, prefix="")}
    response = client.post(CREATE, {**data, "password": "12345678"})
    assert response.status_code == 400
    assert response.context["form"].errors["password"]
    assert not get_user_model().objects.filter(username="olle").exists()
    response = client.post(CREATE, {**data, "password": "ett-bra-lösenord-för-olle"})
    assert response.status_code == 302
    assert get_user_model().objects.get(username="olle").check_password("ett-bra-lösenord-för-olle")


def test_a_coach_needs_an_end_date_and_nothing_is_created_without_it(client_for, org):
    client = client_for("organiser_admin")
    data = {"username": "carl", **grant_data(org.area_north, role=Role.COACH, prefix="")}
    response = client.post(CREATE, data)
    assert response.status_code == 400
    assert response.context["form"].errors["valid_until"] == ["Rollen måste ha ett slutdatum."]
    assert "Rollen måste ha ett slutdatum." in response.content.decode()
    assert not get_user_model().objects.filter(username="carl").exists()
    assert not events("user.create") and not grant_events()
    until = (TODAY() + dt.timedelta(days=30)).isoformat()
    response = client.post(CREATE, {**data, "valid_until": until})
    assert response.status_code == 302


def test_a_username_is_taken_once_whatever_its_case(client_for, org):
    response = client_for("organiser_admin").post(
        CREATE, {"username": "RUT", **grant_data(org.unit_n1, prefix="")}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["username"]


# -- grants ----------------------------------------------------------------------------------


def test_granting_a_role_is_audited_and_counts_at_once(client_for, users, org):
    client = client_for("organiser_admin")
    response = client.post(
        detail_url(users.teacher) + "behorighet/", grant_data(org.unit_n2, role=Role.TEACHER)
    )
    assert response.status_code == 302
    assert scope_for(users.teacher).can_see(org.unit_n2)
    (event,) = grant_events()
    assert (event.node, event.detail["role"], event.detail["username"]) == (
        org.unit_n2,
        "teacher",
        "lars",
    )


def test_a_coachs_grant_without_an_end_date_is_refused_in_swedish(client_for, users, org):
    response = client_for("organiser_admin").post(
        detail_url(users.teacher) + "behorighet/", grant_data(org.area_north, role=Role.COACH)
    )
    assert response.status_code == 400
    assert response.context["grant_form"].errors["valid_until"] == [
        "Rollen måste ha ett slutdatum."
    ]
    assert not RoleAssignment.objects.filter(user=users.teacher, role=Role.COACH).exists()


def test_ending_a_grant_keeps_it_as_history_and_stops_it_at_once(client_for, users, org):
    client = client_for("organiser_admin")
    grant = RoleAssignment.objects.get(user=users.unit_head)
    response = client.post(
        f"{detail_url(users.unit_head)}behorighet/{grant.pk}/avsluta/", REMOTE_ADDR="10.9.8.7"
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.valid_until == TODAY() - dt.timedelta(days=1)
    assert scope_for(users.unit_head).is_empty
    (event,) = events("role.end")
    assert (event.user, event.node, event.ip_address) == (
        users.organiser_admin,
        org.unit_n1,
        "10.9.8.7",
    )
    assert event.detail["replaced"] == {"valid_until": None}
    (row,) = [r for r in client.get(LIST).context["rows"] if r.user == users.unit_head]
    assert [g.state for g in row.grants] == ["ended"]
    # Ending it again changes nothing.
    client.post(f"{detail_url(users.unit_head)}behorighet/{grant.pk}/avsluta/")
    assert len(events("role.end")) == 1


def test_the_last_administrator_cannot_end_their_own_grant(client_for, users, org, make_user):
    client = client_for("organiser_admin")
    own = RoleAssignment.objects.get(user=users.organiser_admin)
    response = client.post(
        f"{detail_url(users.organiser_admin)}behorighet/{own.pk}/avsluta/", follow=True
    )
    assert message_levels(response) == ["error"]
    own.refresh_from_db()
    assert own.valid_until is None
    assert not events("role.end")
    # Nor move it into the past.
    yesterday = (TODAY() - dt.timedelta(days=1)).isoformat()
    response = client.post(
        detail_url(users.organiser_admin) + "behorighet/",
        grant_data(org.organiser, role=Role.ORGANISER_ADMIN, valid_until=yesterday),
    )
    assert response.status_code == 400
    own.refresh_from_db()
    assert own.valid_until is None
    # With a second administrator, it can.
    second = make_user("greta")
    actions.role_grant(user=second, node=org.organiser, role=Role.ORGANISER_ADMIN)
    client.post(f"{detail_url(users.organiser_admin)}behorighet/{own.pk}/avsluta/")
    own.refresh_from_db()
    assert own.valid_until == TODAY() - dt.timedelta(days=1)


def test_an_inactive_administrator_does_not_count_as_the_organisers_administrator(
    client_for, users, org, make_user
):
    second = make_user("greta", is_active=False)
    actions.role_grant(user=second, node=org.organiser, role=Role.ORGANISER_ADMIN)
    own = RoleAssignment.objects.get(user=users.organiser_admin)
    client_for("organiser_admin").post(
        f"{detail_url(users.organiser_admin)}behorighet/{own.pk}/avsluta/"
    )
    own.refresh_from_db()
    assert own.valid_until is None


# -- the account -----------------------------------------------------------------------------


def test_deactivating_and_reactivating_a_user_is_audited(client_for, users, org):
    client = client_for("organiser_admin")
    response = client.post(detail_url(users.teacher) + "inaktivera/", REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 302
    users.teacher.refresh_from_db()
    assert not users.teacher.is_active
    assert scope_for(users.teacher).is_empty
    (event,) = events("user.deactivate")
    assert (event.node, event.detail["username"], event.ip_address) == (
        org.organiser,
        "lars",
        "10.0.0.5",
    )
    teacher = Client()
    teacher.force_login(users.teacher)
    assert teacher.get("/").status_code == 302  # logged out: an inactive user is nobody
    client.post(detail_url(users.teacher) + "aktivera/")
    users.teacher.refresh_from_db()
    assert users.teacher.is_active
    assert len(events("user.reactivate")) == 1


def test_nobody_deactivates_themselves(client_for, users):
    client = client_for("organiser_admin")
    response = client.post(detail_url(users.organiser_admin) + "inaktivera/", follow=True)
    users.organiser_admin.refresh_from_db()
    assert users.organiser_admin.is_active
    assert not events("user.deactivate")
    assert message_levels(response) == ["error"]


def test_name_and_e_mail_are_changed_and_audited(client_for, users):
    client = client_for("organiser_admin")
    response = client.post(
        detail_url(users.teacher) + "uppgifter/",
        {
            "details-first_name": "Lars",
            "details-last_name": "Lärare",
            "details-email": "lars@exempelstad.se",
        },
    )
    assert response.status_code == 302
    users.teacher.refresh_from_db()
    assert (users.teacher.get_full_name(), users.teacher.email) == (
        "Lars Lärare",
        "lars@exempelstad.se",
    )
    (event,) = events("user.change")
    assert event.detail["changed"] == ["email", "first_name", "last_name"]


def test_the_list_is_paged_and_its_queries_do_not_grow_with_the_users(
    client_for, users, org, make_user, django_assert_max_num_queries
):
    for i in range(60):
        actions.role_grant(user=make_user(f"t{i:02}"), node=org.group_n1b, role=Role.TEACHER)
    client = client_for("organiser_admin")
    with django_assert_max_num_queries(20):
        first = client.get(LIST)
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.count == 66
    second = client.get(LIST, {"roll": Role.TEACHER, "sida": "2"})
    # lars and t00–t48 on the first page of teachers, the rest on the second.
    assert [r.user.username for r in second.context["rows"]] == [f"t{i}" for i in range(49, 60)]
    assert 'href="?roll=teacher&amp;sida=1"' in second.content.decode()


def test_a_users_page_says_how_they_sign_in(client_for, users):
    client = client_for("organiser_admin")
    page = client.get(detail_url(users.teacher))
    assert page.context["sign_in"].identities == []
    assert 'data-set-up="false"' in page.content.decode()
    ExternalIdentity.objects.create(
        user=users.teacher,
        protocol=ExternalIdentity.Protocol.OIDC,
        issuer="https://login.exempelstad.se",
        subject="a-subject-not-shown",
    )
    TOTPDevice.objects.create(user=users.teacher, name="telefon", confirmed=True)
    html = client.get(detail_url(users.teacher)).content.decode()
    assert "https://login.exempelstad.se" in html
    assert "a-subject-not-shown" not in html
    assert 'data-set-up="true"' in html
