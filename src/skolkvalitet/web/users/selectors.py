"""Reads of the user administration, each within the organisers the acting user manages
(`Capability.MANAGE_USERS` on the organiser node; organisation/user_actions.py says which
users belong to an organiser): nothing of another organiser is listed, and a user or grant of
another organiser answers 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind, RoleAssignment
from skolkvalitet.organisation.roles import ROLE_SPECS, Capability
from skolkvalitet.organisation.scopes import Scope, grants_valid_q, path_prefix_q
from skolkvalitet.organisation.selectors import academic_year_current
from skolkvalitet.organisation.user_actions import managed_organiser_ids, user_organiser_ids
from skolkvalitet.web.models import ExternalIdentity
from skolkvalitet.web.two_factor.selectors import has_device


def may_manage_users(scope: Scope) -> bool:
    return scope.can_somewhere(Capability.MANAGE_USERS)


def managed_paths(scope: Scope) -> list[str]:
    return scope.paths_with(Capability.MANAGE_USERS)


def managed_assignments(scope: Scope) -> QuerySet[RoleAssignment]:
    """Every grant, of any date, on a node of the managed organisers."""
    return RoleAssignment.objects.filter(path_prefix_q("node__path", managed_paths(scope)))


class GrantState:
    """What a grant does today, as the list shows it."""

    VALID = "valid"
    NOT_BEGUN = "not_begun"
    ENDED = "ended"
    NODE_INACTIVE = "node_inactive"
    NO_END_DATE = "no_end_date"  # a time-limited role (coach) without one: counts nowhere


@dataclass(frozen=True)
class GrantRow:
    assignment: RoleAssignment
    state: str

    @property
    def valid(self) -> bool:
        return self.state == GrantState.VALID

    @property
    def role_label(self) -> str:
        return str(ROLE_SPECS[self.assignment.role].role.label)

    @property
    def node_label(self) -> str:
        return node_label(self.assignment.node)

    @property
    def may_end(self) -> bool:
        """Still counting today or later: ending it changes something."""
        return self.state in {GrantState.VALID, GrantState.NOT_BEGUN, GrantState.NODE_INACTIVE}


@dataclass(frozen=True)
class UserRow:
    user: User
    grants: list[GrantRow]
    # Grants in an organiser the acting user does not manage: the account is not theirs alone.
    shared: bool

    @property
    def has_valid_grant(self) -> bool:
        return any(g.valid for g in self.grants)


def _grant_rows(assignments: list[RoleAssignment], valid_ids: set[int]) -> list[GrantRow]:
    today = timezone.localdate()
    rows = []
    for a in sorted(assignments, key=lambda a: (a.node.path, a.role)):
        if a.pk in valid_ids:
            state = GrantState.VALID
        elif a.valid_until is not None and a.valid_until < today:
            state = GrantState.ENDED
        elif a.valid_from is not None and a.valid_from > today:
            state = GrantState.NOT_BEGUN
        elif not a.node.is_active:
            state = GrantState.NODE_INACTIVE
        else:
            state = GrantState.NO_END_DATE
        rows.append(GrantRow(assignment=a, state=state))
    return rows


def _valid_ids(assignments: QuerySet[RoleAssignment]) -> set[int]:
    """The grants that count today, by the scope's one rule (grants_valid_q)."""
    return set(
        assignments.filter(grants_valid_q(timezone.localdate())).values_list("pk", flat=True)
    )


def users_managed_query(scope: Scope, *, search: str = "", role: str = "") -> QuerySet[User]:
    """The users of the managed organisers, by username; `search` matches username, first
    name, last name and e-mail (parts of them, every word), `role` keeps the users holding
    that role here (of any date)."""
    assignments = managed_assignments(scope)
    users = get_user_model().objects.filter(pk__in=assignments.values("user_id"))
    if role:
        users = users.filter(pk__in=assignments.filter(role=role).values("user_id"))
    for word in search.split():
        users = users.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
        )
    return users.order_by("username")


def user_rows(scope: Scope, users: list[User]) -> list[UserRow]:
    """`users` (of the managed organisers) with their grants there: four queries whatever
    their number."""
    ids = [user.pk for user in users]
    assignments = managed_assignments(scope).filter(user_id__in=ids)
    grants: dict[int, list[RoleAssignment]] = {pk: [] for pk in ids}
    for assignment in assignments.select_related("node__parent"):
        grants[assignment.user_id].append(assignment)
    elsewhere = set(
        RoleAssignment.objects.filter(user_id__in=ids)
        .exclude(path_prefix_q("node__path", managed_paths(scope)))
        .values_list("user_id", flat=True)
    )
    valid_ids = _valid_ids(assignments)
    return [
        UserRow(
            user=user,
            grants=_grant_rows(grants[user.pk], valid_ids),
            shared=user.pk in elsewhere,
        )
        for user in users
    ]


def users_managed(scope: Scope, *, search: str = "", role: str = "") -> list[UserRow]:
    """Every user of the managed organisers that matches, with their grants there."""
    return user_rows(scope, list(users_managed_query(scope, search=search, role=role)))


def user_managed(scope: Scope, user_id: int) -> UserRow:
    """One user of the managed organisers, with their grants there; 404 for anyone else."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not user_organiser_ids(user) & managed_organiser_ids(scope):
        raise Http404
    assignments = managed_assignments(scope).filter(user=user)
    rows = _grant_rows(list(assignments.select_related("node__parent")), _valid_ids(assignments))
    shared = not user_organiser_ids(user) <= managed_organiser_ids(scope)
    return UserRow(user=user, grants=rows, shared=shared)


def assignment_managed(scope: Scope, user: User, assignment_id: int) -> RoleAssignment:
    """One grant of `user` in the managed organisers; 404 for any other."""
    assignment = (
        managed_assignments(scope)
        .filter(pk=assignment_id, user=user)
        .select_related("node", "user")
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


@dataclass(frozen=True)
class SignIn:
    """How a user logs in, as the user's page shows it: the identity providers their
    account is linked to (protocol and issuer; the subject is the provider's and is not
    shown) and whether they have an authenticator for two-step verification (web/two_factor/
    decides it)."""

    identities: list[ExternalIdentity]
    two_factor: bool


def sign_in(user: User) -> SignIn:
    identities = list(
        ExternalIdentity.objects.filter(user=user).order_by("protocol", "issuer", "pk")
    )
    return SignIn(identities=identities, two_factor=has_device(user))


# -- the nodes a role may be granted on ------------------------------------------------------

NODE_KIND_ORDER = (NodeKind.ORGANISER, NodeKind.AREA, NodeKind.UNIT, NodeKind.GROUP)


def node_label(node: Node) -> str:
    """A node as the forms and lists name it: a unit with its area, a group with its unit
    ("9A, Hamnskolan")."""
    if node.kind == NodeKind.UNIT and node.parent is not None:
        return f"{node.name} ({node.parent.name})"
    return node.display_name


def grant_nodes(scope: Scope, *, academic_year: AcademicYear | None = None) -> list[Node]:
    """The active nodes of the managed organisers a role may be granted on: the organisers,
    their areas and units, and the groups of the current academic year (groups are made anew
    each year), in the order of the tree."""
    year = academic_year or academic_year_current()
    nodes = (
        Node.objects.filter(path_prefix_q("path", managed_paths(scope)), is_active=True)
        .filter(~Q(kind=NodeKind.GROUP) | Q(academic_year=year))
        .select_related("parent")
    )
    return sorted(nodes, key=lambda n: tuple(int(p) for p in n.path.strip("/").split("/")))
