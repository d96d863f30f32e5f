"""Who sees what: every role against every node of the tree in conftest.py.

A role reaches the node it is granted on and that node's subtree, never the parent, never a
sibling. Board and coach see aggregates only, always suppressed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from skolkvalitet.organisation import actions
from skolkvalitet.organisation.models import Node, Role, RoleAssignment
from skolkvalitet.organisation.roles import ROLE_SPECS
from skolkvalitet.organisation.scopes import Grant, Scope, path_prefix_q, scope_for

# P = sees the node and its pupils; A = sees aggregates only (suppressed); - = sees nothing.
MATRIX = """
                organiser_admin  analyst  board  unit_head  teacher  coach
organiser             P             P       A        -          -       -
area_north            P             P       A        -          -       -
unit_n1               P             P       A        P          -       -
group_n1a             P             P       A        P          P       -
group_n1b             P             P       A        P          -       -
unit_n2               P             P       A        -          -       -
group_n2a             P             P       A        -          -       -
group_n2b             P             P       A        -          -       -
area_south            P             P       A        -          -       A
unit_s1               P             P       A        -          -       A
group_s1a             P             P       A        -          -       A
group_s1b             P             P       A        -          -       A
unit_s2               P             P       A        -          -       A
group_s2a             P             P       A        -          -       A
group_s2b             P             P       A        -          -       A
"""


def _parse_matrix(text: str) -> dict[tuple[str, str], str]:
    header, *rows = (line.split() for line in text.strip().splitlines())
    return {
        (role, row[0]): cell for row in rows for role, cell in zip(header, row[1:], strict=True)
    }


EXPECTED = _parse_matrix(MATRIX)
ROLES = [role.value for role in Role]
NODES = sorted({node for _role, node in EXPECTED})

# Pupils each role may see one by one (scope.pupils()), and may count (enrolments for
# aggregates). See conftest.py for who is enrolled where.
ALL_PUPILS = {"Alva", "Bella", "Cesar", "David", "Elsa", "Frida", "Gustav", "Hanna", "Ida", "Josef"}
PUPILS_SEEN = {
    "organiser_admin": ALL_PUPILS,
    "analyst": ALL_PUPILS,
    "board": set(),
    "unit_head": {"Alva", "Bella", "Cesar", "David", "Elsa"},
    "teacher": {"Alva", "Bella", "Cesar"},
    "coach": set(),
}
PUPILS_COUNTED = {
    **PUPILS_SEEN,
    "board": ALL_PUPILS,
    "coach": {"Hanna", "Ida", "Josef"},
}


def test_the_matrix_covers_every_role_and_every_node():
    assert set(ROLES) == {role for role, _node in EXPECTED}
    assert set(ROLES) == set(ROLE_SPECS)
    assert len(NODES) == 15


@pytest.mark.django_db
@pytest.mark.parametrize("node_name", NODES)
@pytest.mark.parametrize("role", ROLES)
def test_matrix(org, users, role, node_name):
    scope = scope_for(getattr(users, role))
    node = org.nodes[node_name]
    expected = EXPECTED[role, node_name]
    assert scope.can_see(node) is (expected in "PA")
    assert scope.can_see_pupils_in(node) is (expected == "P")
    assert scope.must_suppress(node) is (expected != "P")
    assert scope.roles_on(node) == ({role} if expected in "PA" else set())


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_querysets_return_exactly_the_expected_rows(org, users, role):
    scope = scope_for(getattr(users, role))
    visible = {name for (r, name), cell in EXPECTED.items() if r == role and cell in "PA"}
    assert set(scope.nodes()) == {org.nodes[name] for name in visible}

    seen = {org.pupils[name] for name in PUPILS_SEEN[role]}
    assert set(scope.pupils()) == seen
    assert set(scope.enrolments()) == {org.enrolments[p.given_name] for p in seen}
    counted = {org.enrolments[name] for name in PUPILS_COUNTED[role]}
    assert set(scope.enrolments(pupil_access_only=False)) == counted


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "top"),
    [
        ("organiser_admin", "organiser"),
        ("board", "organiser"),
        ("unit_head", "unit_n1"),
        ("teacher", "group_n1a"),
        ("coach", "area_south"),
    ],
)
def test_top_nodes_are_the_granted_nodes(org, users, role, top):
    scope = scope_for(getattr(users, role))
    assert list(scope.top_nodes()) == [org.nodes[top]]
    assert scope.paths() == [org.nodes[top].path]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_granted_only_pupil_access_roles_have_pupil_paths(org, users, role):
    scope = scope_for(getattr(users, role))
    has_access = ROLE_SPECS[role].pupil_access
    assert scope.paths(pupil_access_only=True) == (scope.paths() if has_access else [])
    assert has_access is (role not in {"board", "coach"})


# -- paths are prefixes: /1/ is not /12/ ---------------------------------------------------


def test_a_path_is_not_reached_by_a_grant_on_a_numeric_prefix():
    scope = Scope(user_id=1, grants=(Grant(node_id=1, path="/1/", role=Role.TEACHER),))
    assert scope.can_see(Node(path="/1/"))
    assert scope.can_see(Node(path="/1/12/"))
    assert not scope.can_see(Node(path="/12/"))
    assert not scope.can_see(Node(path="/11/1/"))


@pytest.mark.django_db
def test_path_prefix_q_of_no_paths_matches_no_rows(org):
    assert not Node.objects.filter(path_prefix_q("path", [])).exists()
    assert Node.objects.filter(path_prefix_q("path", [org.unit_s2.path])).count() == 3


# -- validity in time ----------------------------------------------------------------------

DAY = dt.date(2025, 3, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("valid_from", "valid_until", "reaches"),
    [
        (None, None, True),
        (None, DAY - dt.timedelta(days=1), False),  # expired yesterday
        (None, DAY, True),  # last day
        (DAY + dt.timedelta(days=1), None, False),  # starts tomorrow
        (DAY, None, True),  # first day
        (DAY - dt.timedelta(days=30), DAY + dt.timedelta(days=30), True),
        (DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=30), False),
        (DAY - dt.timedelta(days=30), DAY - dt.timedelta(days=1), False),
    ],
)
def test_grant_counts_only_between_its_dates(org, make_user, valid_from, valid_until, reaches):
    user = make_user("vikarie")
    actions.role_grant(
        user=user,
        node=org.unit_s1,
        role=Role.UNIT_HEAD,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    scope = scope_for(user, on=DAY)
    assert scope.is_empty is not reaches
    assert scope.can_see(org.group_s1a) is reaches
    assert set(scope.pupils()) == ({org.pupils["Hanna"], org.pupils["Ida"]} if reaches else set())


@pytest.mark.django_db
def test_coach_sees_nothing_after_the_end_date(org, users):
    until = RoleAssignment.objects.get(user=users.coach).valid_until
    assert scope_for(users.coach, on=until).can_see(org.area_south)
    expired = scope_for(users.coach, on=until + dt.timedelta(days=1))
    assert expired.is_empty
    assert not expired.nodes().exists()


@pytest.mark.django_db
def test_a_coach_grant_without_an_end_date_reaches_nothing(org, users):
    """However the row came to be (role_grant refuses it; an old row, a database edit), a
    time-limited role without an end date is not a grant for ever: every read is bound."""
    RoleAssignment.objects.filter(user=users.coach).update(valid_until=None)
    scope = scope_for(users.coach)
    assert scope.is_empty and not scope.can_see(org.area_south)
    assert not scope.nodes().exists() and not scope.enrolments(pupil_access_only=False).exists()


@pytest.mark.django_db
def test_other_roles_need_no_end_date(org, users):
    assert RoleAssignment.objects.get(user=users.unit_head).valid_until is None
    assert not scope_for(users.unit_head).is_empty


@pytest.mark.django_db
def test_lists_of_who_holds_a_role_count_grants_as_the_scope_does(org, users):
    """Who is told of what happens at a unit (users_with_capability) and who may own a plan's
    action (plan_people) count the same grants as scope_for: a coach's grant past its end
    date, or without one, counts in neither."""
    from skolkvalitet.organisation.roles import Capability
    from skolkvalitet.organisation.selectors import users_with_capability
    from skolkvalitet.quality.plans.selectors import plan_people

    def listed() -> tuple[bool, bool]:
        told = users_with_capability(capability=Capability.SEE_FOLLOW_UP, node=org.unit_s1)
        return users.coach in told, users.coach in plan_people(org.unit_s1)

    assert listed() == (True, True)
    grant = RoleAssignment.objects.filter(user=users.coach)
    grant.update(valid_until=None)
    assert listed() == (False, False)
    grant.update(valid_until=dt.date.today() - dt.timedelta(days=1))
    assert listed() == (False, False)


@pytest.mark.django_db
def test_a_coach_past_the_end_date_reaches_nothing_on_the_pages_or_the_api(client, org, users):
    from django.urls import reverse

    from skolkvalitet.api.actions import api_token_create

    _row, token = api_token_create(user=users.coach, name="coach")
    client.force_login(users.coach)
    unit_page = reverse("unit", args=[org.unit_s1.pk])

    def reached() -> tuple[int, list]:
        api = client.get("/api/v1/nodes", HTTP_AUTHORIZATION=f"Bearer {token}")
        return client.get(unit_page).status_code, [node["id"] for node in api.json()["items"]]

    status, nodes = reached()
    assert status == 200 and org.unit_s1.pk in nodes
    RoleAssignment.objects.filter(user=users.coach).update(
        valid_until=dt.date.today() - dt.timedelta(days=1)
    )
    status, nodes = reached()
    assert status in (403, 404) and nodes == []


# -- users without a scope -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("user", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_anonymous_user_has_an_empty_scope(org, user):
    scope = scope_for(user)
    assert scope.is_empty
    assert scope.user_id is None
    assert not scope.can_see(org.organiser)
    assert scope.must_suppress(org.group_n1a)
    assert not scope.nodes().exists()
    assert not scope.enrolments(pupil_access_only=False).exists()
    assert not scope.pupils().exists()


@pytest.mark.django_db
def test_inactive_user_has_an_empty_scope(org, users):
    users.organiser_admin.is_active = False
    users.organiser_admin.save()
    scope = scope_for(users.organiser_admin)
    assert scope.is_empty
    assert not scope.can_see(org.organiser)
    assert not scope.nodes().exists()
    assert not scope.pupils().exists()


@pytest.mark.django_db
def test_user_without_grants_has_an_empty_scope(org, make_user):
    scope = scope_for(make_user("ny"))
    assert scope.is_empty
    assert not scope.nodes().exists()


@pytest.mark.django_db
def test_superuser_gets_only_their_grants(org, make_user):
    root = make_user("root", is_superuser=True, is_staff=True)
    assert scope_for(root).is_empty
    actions.role_grant(user=root, node=org.unit_s2, role=Role.UNIT_HEAD)
    assert set(scope_for(root).nodes()) == {org.unit_s2, org.group_s2a, org.group_s2b}


@pytest.mark.django_db
def test_grant_on_an_inactive_node_reaches_nothing(org, users):
    org.unit_n1.is_active = False
    org.unit_n1.save()
    scope = scope_for(users.unit_head)
    assert scope.is_empty
    assert not scope.can_see(org.group_n1a)
    assert not scope.pupils().exists()
    # Grants on active nodes are unaffected.
    assert scope_for(users.teacher).can_see(org.group_n1a)


# -- several grants ------------------------------------------------------------------------


@pytest.mark.django_db
def test_two_separate_grants_give_the_union(org, make_user):
    user = make_user("dubbel")
    actions.role_grant(user=user, node=org.unit_n2, role=Role.UNIT_HEAD)
    actions.role_grant(user=user, node=org.group_s1a, role=Role.TEACHER)
    scope = scope_for(user)
    assert scope.paths() == sorted([org.unit_n2.path, org.group_s1a.path])
    assert set(scope.nodes()) == {org.unit_n2, org.group_n2a, org.group_n2b, org.group_s1a}
    assert {p.given_name for p in scope.pupils()} == {"Frida", "Gustav", "Hanna", "Ida"}
    assert not scope.can_see(org.unit_s1)
    assert not scope.can_see(org.area_north)


@pytest.mark.django_db
def test_nested_grants_fold_into_the_outer_path(org, make_user):
    user = make_user("kapsel")
    actions.role_grant(user=user, node=org.area_north, role=Role.ANALYST)
    actions.role_grant(user=user, node=org.unit_n1, role=Role.UNIT_HEAD)
    actions.role_grant(user=user, node=org.group_n1a, role=Role.TEACHER)
    scope = scope_for(user)
    assert len(scope.grants) == 3
    assert scope.paths() == [org.area_north.path]
    assert list(scope.top_nodes()) == [org.area_north]
    assert scope.roles_on(org.group_n1a) == {"analyst", "unit_head", "teacher"}
    assert scope.roles_on(org.group_n2a) == {"analyst"}
    assert scope.roles_on(org.area_north) == {"analyst"}
    assert scope.roles_on(org.organiser) == set()
    assert scope.nodes().count() == 7
    assert {p.given_name for p in scope.pupils()} == {
        "Alva",
        "Bella",
        "Cesar",
        "David",
        "Elsa",
        "Frida",
        "Gustav",
    }


@pytest.mark.django_db
def test_pupil_access_comes_only_from_the_grant_that_gives_it(org, make_user):
    user = make_user("blandad")
    actions.role_grant(
        user=user, node=org.area_south, role=Role.COACH, valid_until=dt.date(2099, 1, 1)
    )
    actions.role_grant(user=user, node=org.group_s1a, role=Role.TEACHER)
    scope = scope_for(user)
    assert scope.paths() == [org.area_south.path]
    assert scope.paths(pupil_access_only=True) == [org.group_s1a.path]
    assert scope.can_see_pupils_in(org.group_s1a)
    assert scope.must_suppress(org.unit_s1)
    assert scope.must_suppress(org.group_s1b)
    assert scope.must_suppress(org.area_south)
    assert {p.given_name for p in scope.pupils()} == {"Hanna", "Ida"}
    counted = {e.pupil.given_name for e in scope.enrolments(pupil_access_only=False)}
    assert counted == {"Hanna", "Ida", "Josef"}


# -- role_grant ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_coach_must_have_an_end_date(org, make_user):
    user = make_user("coach2")
    with pytest.raises(ValidationError):
        actions.role_grant(user=user, node=org.area_north, role=Role.COACH)
    assert not RoleAssignment.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_end_date_before_start_date_is_rejected(org, make_user):
    user = make_user("baklänges")
    with pytest.raises(ValidationError):
        actions.role_grant(
            user=user,
            node=org.unit_n1,
            role=Role.TEACHER,
            valid_from=dt.date(2025, 3, 2),
            valid_until=dt.date(2025, 3, 1),
        )
    assert not RoleAssignment.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_role_grant_is_idempotent_and_updates_the_dates(org, make_user):
    user = make_user("två_gånger")
    first = actions.role_grant(user=user, node=org.unit_n1, role=Role.UNIT_HEAD)
    second = actions.role_grant(
        user=user, node=org.unit_n1, role=Role.UNIT_HEAD, valid_until=dt.date(2030, 6, 30)
    )
    assert second.pk == first.pk
    assert RoleAssignment.objects.filter(user=user).count() == 1
    assert RoleAssignment.objects.get(user=user).valid_until == dt.date(2030, 6, 30)
    assert len(scope_for(user, on=dt.date(2025, 1, 1)).grants) == 1


@pytest.mark.django_db
def test_role_revoke_removes_the_reach(org, users):
    assert actions.role_revoke(user=users.unit_head, node=org.unit_n1, role=Role.UNIT_HEAD) == 1
    assert scope_for(users.unit_head).is_empty
    assert actions.role_revoke(user=users.unit_head, node=org.unit_n1, role=Role.UNIT_HEAD) == 0
