"""Which audit events an organiser's administrator reads (docs/security.md, "Audit log").

A holder of `Capability.SEE_AUDIT_LOG` (organiser_admin, granted on the organiser node) reads,
for each organiser O where it holds it, the events

1. on a node of O's tree (the event's node lies in O), whoever did them; and
2. on no node (a login, an API request, a token's life), done by a user who belongs to O
   only: the user holds at least one grant, of any date, and every grant of theirs is on a
   node of O. A failed login or lockout is done by no user; it counts as the user its
   recorded username names (recorded only when it names an existing user).

Nothing else: an event on no node by a user of two organisers, or of no organiser (without
grants), or by nobody at all (a command's), is read by the operators only (the database).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone

from skolkvalitet.organisation.models import AuditEvent, Node, NodeKind, RoleAssignment
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope, organiser_ids, path_prefix_q


def audit_organisers(scope: Scope) -> list[Node]:
    """The organisers whose audit log `scope` may read."""
    ids = organiser_ids(scope.paths_with(Capability.SEE_AUDIT_LOG))
    return list(Node.objects.filter(pk__in=ids, kind=NodeKind.ORGANISER).order_by("name"))


def may_see_audit_log(scope: Scope) -> bool:
    return scope.can_somewhere(Capability.SEE_AUDIT_LOG)


def users_of_only(organiser: Node) -> QuerySet:
    """The ids of the users whose every grant (of any date) is on a node of `organiser`."""
    inside = Q(node__path__startswith=organiser.path)
    elsewhere = RoleAssignment.objects.exclude(inside).values("user_id")
    return (
        RoleAssignment.objects.filter(inside)
        .exclude(user_id__in=elsewhere)
        .values("user_id")
        .distinct()
    )


def events_visible(scope: Scope) -> QuerySet[AuditEvent]:
    """Every event `scope` may read (the module's rule), newest first."""
    rule = Q(pk__in=[])
    for organiser in audit_organisers(scope):
        members = users_of_only(organiser)
        usernames = get_user_model().objects.filter(pk__in=members).values("username")
        rule |= (
            path_prefix_q("node__path", [organiser.path])
            | Q(node__isnull=True, user_id__in=members)
            | Q(node__isnull=True, user__isnull=True, named__in=usernames)
        )
    return (
        AuditEvent.objects.annotate(named=KT("detail__username"))
        .filter(rule)
        .select_related("node", "user")
        .order_by("-at", "-pk")
    )


@dataclass(frozen=True)
class AuditFilter:
    username: str = ""
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    node: Node | None = None  # events on this node or below it
    pupil_id: int | None = None

    @property
    def any(self) -> bool:
        return any(
            (self.username, self.action, self.date_from, self.date_to, self.node, self.pupil_id)
        )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def events_filtered(scope: Scope, chosen: AuditFilter) -> QuerySet[AuditEvent]:
    """The events `scope` may read that match `chosen` (dates are whole local days, both
    included)."""
    events = events_visible(scope)
    if chosen.username:
        events = events.filter(
            Q(username__iexact=chosen.username) | Q(named__iexact=chosen.username)
        )
    if chosen.action:
        events = events.filter(action=chosen.action)
    if chosen.date_from:
        events = events.filter(at__gte=_day_start(chosen.date_from))
    if chosen.date_to:
        events = events.filter(at__lt=_day_start(chosen.date_to + dt.timedelta(days=1)))
    if chosen.node is not None:
        events = events.filter(node__path__startswith=chosen.node.path)
    if chosen.pupil_id is not None:
        events = _naming_pupil(events, chosen.pupil_id)
    return events


def _naming_pupil(events: QuerySet[AuditEvent], pupil_id: int) -> QuerySet[AuditEvent]:
    """The events whose pupil ids hold `pupil_id` (SQLite has no JSON containment lookup)."""
    if connection.vendor == "sqlite":
        table = AuditEvent._meta.db_table
        return events.extra(
            where=[f"EXISTS (SELECT 1 FROM json_each({table}.pupil_ids) WHERE value = %s)"],
            params=[pupil_id],
        )
    return events.filter(pupil_ids__contains=[pupil_id])


def actions_present(scope: Scope) -> list[str]:
    """The distinct actions among the events `scope` may read, for the filter's choices."""
    return sorted(set(events_visible(scope).order_by().values_list("action", flat=True)))


def nodes_to_filter(scope: Scope) -> QuerySet[Node]:
    """The nodes of the organisers whose log `scope` reads, in tree order."""
    paths = [organiser.path for organiser in audit_organisers(scope)]
    return Node.objects.filter(path_prefix_q("path", paths)).order_by("path")
