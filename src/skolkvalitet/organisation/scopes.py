"""The one place that decides what a user may see and do.

A role is granted on a node and reaches that node's whole subtree, never its parent or its
siblings. `scope_for(user)` collects a user's valid grants; every query of nodes, pupils or
facts in views and selectors goes through the Scope it returns. What a grant allows is read
from the capability table in organisation/roles.py (`Scope.can(Capability.X, node)`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils import timezone

from skolkvalitet.organisation.models import Enrolment, Node, Pupil, RoleAssignment
from skolkvalitet.organisation.roles import ROLE_SPECS, Capability, role_can


def path_prefix_q(field: str, paths: list[str]) -> Q:
    """Q matching rows whose `field` (a materialised path) lies under any of `paths`."""
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def organiser_ids(paths: Iterable[str]) -> set[int]:
    """The ids of the organisers (the roots of the tree) the nodes at `paths` belong to: the
    first id of each materialised path (`/1/4/17/` belongs to organiser 1)."""
    return {int(path.split("/")[1]) for path in paths if path.count("/") >= 2}


def _folded(paths: set[str]) -> list[str]:
    """`paths` sorted, without those inside another: the outer one already covers them."""
    ordered = sorted(paths)
    return [p for p in ordered if not any(p != q and p.startswith(q) for q in ordered)]


@dataclass(frozen=True)
class Grant:
    node_id: int
    path: str
    role: str

    @property
    def pupil_access(self) -> bool:
        return role_can(self.role, Capability.SEE_PUPILS)

    @property
    def on_organiser(self) -> bool:
        """Granted on an organiser node (a root of the tree: `/<id>/`)."""
        return self.path.count("/") == 2

    def allows(self, capability: Capability) -> bool:
        """This grant gives `capability` (in its subtree)."""
        if capability.organiser_only and not self.on_organiser:
            return False
        return role_can(self.role, capability)


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    grants: tuple[Grant, ...]

    # -- capabilities (organisation/roles.py) ---------------------------------------------
    def can(self, capability: Capability, node: Node) -> bool:
        """A grant that reaches `node` gives `capability`."""
        return any(node.path.startswith(g.path) and g.allows(capability) for g in self.grants)

    def can_somewhere(self, capability: Capability) -> bool:
        """Some grant gives `capability` (pages that list what the user may act on)."""
        return any(g.allows(capability) for g in self.grants)

    def paths_with(self, capability: Capability) -> list[str]:
        """The granted paths below which the user has `capability`, nested paths folded into
        the outer one."""
        return _folded({g.path for g in self.grants if g.allows(capability)})

    # -- questions about one node ------------------------------------------------------
    def roles_on(self, node: Node) -> set[str]:
        """The roles that reach `node` (granted on it or on an ancestor)."""
        return {g.role for g in self.grants if node.path.startswith(g.path)}

    def can_see(self, node: Node) -> bool:
        return any(node.path.startswith(g.path) for g in self.grants)

    def can_see_pupils_in(self, node: Node) -> bool:
        return self.can(Capability.SEE_PUPILS, node)

    def must_suppress(self, node: Node) -> bool:
        """Aggregates for `node` must be suppressed: no role here gives pupil access."""
        return not self.can_see_pupils_in(node)

    # -- querysets -----------------------------------------------------------------------
    @property
    def is_empty(self) -> bool:
        return not self.grants

    def paths(self, *, pupil_access_only: bool = False) -> list[str]:
        """The granted paths, with paths inside another granted path folded into it."""
        return _folded({g.path for g in self.grants if g.pupil_access or not pupil_access_only})

    def nodes(self) -> QuerySet[Node]:
        """Every node the user may see aggregates for."""
        return Node.objects.filter(path_prefix_q("path", self.paths()))

    def top_nodes(self) -> QuerySet[Node]:
        """The nodes the grants sit on, with nested grants folded into their outer one."""
        return Node.objects.filter(path__in=self.paths()).order_by("path")

    def enrolments(self, *, pupil_access_only: bool = True) -> QuerySet[Enrolment]:
        """Enrolments whose pupils the user may see one by one (or, with
        pupil_access_only=False, count in aggregates).

        A grant on a unit (or above) covers every enrolment at the unit; a grant on a group
        covers only the enrolments in that group.
        """
        paths = self.paths(pupil_access_only=pupil_access_only)
        if not paths:
            return Enrolment.objects.none()
        return Enrolment.objects.filter(
            path_prefix_q("unit__path", paths) | path_prefix_q("group__path", paths)
        )

    def pupils(self) -> QuerySet[Pupil]:
        return Pupil.objects.filter(pk__in=self.enrolments().values("pupil_id"))


def grants_valid_q(on: dt.date) -> Q:
    """The role assignments that count on the day `on`: begun and not ended (`valid_from`,
    `valid_until`, both days included), on an active node, and, for a time-limited role (the
    coach), with an end date, however the row was written (role_grant refuses one without).
    scope_for and every list of who holds a role (organisation/selectors.py,
    quality/plans/selectors.py) read grants through it."""
    open_ended = [role for role, spec in ROLE_SPECS.items() if spec.time_limited]
    return (
        Q(node__is_active=True)
        & (Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        & ~Q(role__in=open_ended, valid_until__isnull=True)
    )


def scope_for(user, *, on: dt.date | None = None) -> Scope:
    """The scope of `user` on the day `on` (default today). Anonymous users get none;
    superusers get the same as anyone else: their grants."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope(user_id=None, grants=())
    rows = (
        RoleAssignment.objects.filter(user=user)
        .filter(grants_valid_q(on or timezone.localdate()))
        .values_list("node_id", "node__path", "role")
    )
    return Scope(user_id=user.pk, grants=tuple(Grant(*row) for row in rows))


def scope_for_request(request) -> Scope:
    """The request user's scope, computed once per request (views and the page header)."""
    scope = getattr(request, "_skolkvalitet_scope", None)
    if scope is None:
        scope = scope_for(request.user)
        request._skolkvalitet_scope = scope
    return scope
