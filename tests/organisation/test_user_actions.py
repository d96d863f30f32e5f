"""The user administration's writes (organisation/user_actions.py), called directly: each
checks the acting user's scope itself, whatever a view checked; a refused write leaves
nothing behind; an organiser keeps an active administrator; membership of an organiser is a
grant, of any date, in its tree."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from skolkvalitet.organisation import actions, user_actions
from skolkvalitet.organisation.models import AuditEvent, Node, NodeKind, Role, RoleAssignment
from skolkvalitet.organisation.scopes import scope_for

pytestmark = pytest.mark.django_db

OURS = ["user.create", "role_grant", "role.end", "user.deactivate", "user.reactivate"]


def our_events() -> list[str]:
    """The user administration's audit events: those done by a user (the fixtures' grants
    are logged as done by no one)."""
    events = AuditEvent.objects.filter(action__in=OURS).exclude(user=None).order_by("pk")
    return [e.action for e in events]


@pytest.fixture
def admin(users):
    return users.organiser_admin, scope_for(users.organiser_admin)


def test_membership_is_a_grant_of_any_date_in_the_organisers_tree(users, org):
    assert user_actions.user_organiser_ids(users.teacher) == {org.organiser.pk}
    grant = RoleAssignment.objects.get(user=users.teacher)
    user_actions.grant_end(
        by=users.organiser_admin, scope=scope_for(users.organiser_admin), assignment=grant
    )
    assert scope_for(users.teacher).is_empty
    assert user_actions.user_organiser_ids(users.teacher) == {org.organiser.pk}  # still ours
    assert user_actions.managed_organiser_ids(scope_for(users.organiser_admin)) == {
        org.organiser.pk
    }
    assert user_actions.managed_organiser_ids(scope_for(users.analyst)) == set()


@pytest.mark.parametrize("role", ["analyst", "board", "unit_head", "teacher", "coach"])
def test_every_write_refuses_a_scope_without_manage_users(users, org, role):
    by = getattr(users, role)
    scope = scope_for(by)
    with pytest.raises(PermissionDenied):
        user_actions.user_create(
            by=by, scope=scope, username="x", role=Role.TEACHER, node=org.group_n1a
        )
    with pytest.raises(PermissionDenied):
        user_actions.grant_add(
            by=by, scope=scope, user=users.teacher, role=Role.TEACHER, node=org.group_n1a
        )
    with pytest.raises(PermissionDenied):
        user_actions.grant_end(
            by=by, scope=scope, assignment=RoleAssignment.objects.get(user=users.teacher)
        )
    target = users.board if role != "board" else users.teacher
    with pytest.raises(PermissionDenied):
        user_actions.user_deactivate(by=by, scope=scope, user=target)
    assert not get_user_model().objects.filter(username="x").exists()
    assert our_events() == []


def test_another_organisers_node_and_user_are_refused(users, org, make_user, admin):
    by, scope = admin
    elsewhere = actions.node_create(kind=NodeKind.ORGANISER, name="Annanstad")
    stranger = make_user("stranger")
    actions.role_grant(user=stranger, node=elsewhere, role=Role.BOARD)
    with pytest.raises(PermissionDenied):
        user_actions.user_create(by=by, scope=scope, username="x", role=Role.BOARD, node=elsewhere)
    with pytest.raises(PermissionDenied):
        user_actions.grant_add(
            by=by, scope=scope, user=stranger, role=Role.BOARD, node=org.organiser
        )
    with pytest.raises(PermissionDenied):
        user_actions.user_deactivate(by=by, scope=scope, user=stranger)


def test_a_refused_first_grant_leaves_no_user(admin, org):
    by, scope = admin
    with pytest.raises(ValidationError) as refused:
        user_actions.user_create(
            by=by, scope=scope, username="coachen", role=Role.COACH, node=org.area_south
        )
    assert refused.value.message_dict == {"valid_until": ["Rollen måste ha ett slutdatum."]}
    assert not get_user_model().objects.filter(username="coachen").exists()
    assert our_events() == []


def test_a_user_created_without_a_password_has_an_unusable_one(admin, org):
    by, scope = admin
    user = user_actions.user_create(
        by=by,
        scope=scope,
        username=" nora ",
        email="Nora@Exempelstad.SE",
        role=Role.TEACHER,
        node=org.group_n1b,
    )
    assert (user.username, user.email) == ("nora", "Nora@exempelstad.se")
    assert not user.has_usable_password()
    assert our_events() == ["role_grant", "user.create"]  # one event per grant


def test_granting_the_same_role_again_changes_its_dates_and_says_what_it_replaced(
    admin, users, org
):
    by, scope = admin
    until = timezone.localdate() + dt.timedelta(days=10)
    grant = user_actions.grant_add(
        by=by,
        scope=scope,
        user=users.coach,
        role=Role.COACH,
        node=org.area_south,
        valid_until=until,
    )
    assert RoleAssignment.objects.filter(user=users.coach).count() == 1
    assert grant.valid_until == until
    (event,) = AuditEvent.objects.filter(action="role_grant", user=by)
    assert (
        event.detail["replaced"]["valid_until"]
        == (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    )


def test_ending_a_grant_that_has_not_begun_ends_it_before_it_begins(admin, users, org):
    by, scope = admin
    later = timezone.localdate() + dt.timedelta(days=5)
    grant = user_actions.grant_add(
        by=by,
        scope=scope,
        user=users.teacher,
        role=Role.TEACHER,
        node=org.unit_s1,
        valid_from=later,
    )
    user_actions.grant_end(by=by, scope=scope, assignment=grant)
    grant.refresh_from_db()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert (grant.valid_from, grant.valid_until) == (yesterday, yesterday)
    assert not scope_for(users.teacher, on=later).can_see(org.unit_s1)


def test_the_organiser_keeps_an_administrator(admin, users, org, make_user):
    by, scope = admin
    own = RoleAssignment.objects.get(user=by)
    with pytest.raises(ValidationError):
        user_actions.grant_end(by=by, scope=scope, assignment=own)
    own.refresh_from_db()
    assert own.valid_until is None  # rolled back
    assert user_actions.organiser_has_administrator(org.organiser.pk)
    # An analyst on the organiser, or an organiser_admin on an area, is no administrator.
    assert not user_actions.organiser_has_administrator(org.area_north.pk)
    second = make_user("greta")
    actions.role_grant(user=second, node=org.organiser, role=Role.ORGANISER_ADMIN)
    with pytest.raises(ValidationError):
        user_actions.user_deactivate(by=by, scope=scope, user=by)  # never oneself
    user_actions.user_deactivate(by=by, scope=scope, user=second)
    with pytest.raises(ValidationError):
        user_actions.grant_end(by=by, scope=scope, assignment=own)  # greta is inactive now
    user_actions.user_reactivate(by=by, scope=scope, user=second)
    user_actions.grant_end(by=by, scope=scope, assignment=own)
    assert user_actions.organiser_has_administrator(org.organiser.pk)  # greta


@pytest.mark.django_db(transaction=True)
def test_a_write_waits_for_the_organisers_lock(users, org):
    """Two administrators ending each other's grants at once: the second write waits for the
    first's lock on the organiser's node (PostgreSQL; SQLite runs one write at a time)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite's writes are serialised anyway")
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        try:
            with transaction.atomic():
                list(Node.objects.select_for_update().filter(pk=org.organiser.pk))
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert locked.wait(10)
    grant = RoleAssignment.objects.get(user=users.teacher)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
            with pytest.raises(OperationalError):
                user_actions.grant_end(
                    by=users.organiser_admin,
                    scope=scope_for(users.organiser_admin),
                    assignment=grant,
                )
    finally:
        release.set()
        holder.join(10)
    grant.refresh_from_db()
    assert grant.valid_until is None
    user_actions.grant_end(
        by=users.organiser_admin, scope=scope_for(users.organiser_admin), assignment=grant
    )  # once the lock is gone
