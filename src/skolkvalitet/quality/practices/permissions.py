"""Who may write, publish, withdraw and read a shared practice, asked of the capability table
(organisation/roles.py) through the user's Scope:

    write, publish, remove a draft   the node's plan writers (quality/plans/permissions.py):
                                     WRITE_DIALOGUE on a unit (the unit head); on the
                                     organiser node also REVIEW_DIALOGUE (the förvaltning)
    withdraw a published one         the node's writers, and REVIEW_DIALOGUE on the node
                                     (the organiser's admins and analysts)
    read a draft or a withdrawn one  the same: writers and reviewers of the node
    read a published one             everyone with a valid role anywhere in the same
                                     organiser — every role, the board and teachers included

Sharing is the point: a published practice is read across the whole organiser, sideways from
the reader's own grant, which no other page does. It holds text about the unit's work only —
no figures, no pupil data (quality/practices/actions.py refuses personal identity numbers and
pupils' names) — so no capability of its own guards it."""

from __future__ import annotations

from skolkvalitet.organisation.models import Node
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope
from skolkvalitet.quality.models import PracticeStatus, SharedPractice
from skolkvalitet.quality.plans.permissions import PLAN_NODE_KINDS, may_write_plan

PRACTICE_NODE_KINDS = PLAN_NODE_KINDS


def organiser_path(path: str) -> str:
    """The path of the organiser (the tree's root) above a node's path: "/1/4/17/" → "/1/"."""
    return "/" + path.strip("/").split("/")[0] + "/"


def organiser_paths(scope: Scope) -> list[str]:
    """The organisers where the user holds a valid role (on any node of them)."""
    return sorted({organiser_path(g.path) for g in scope.grants})


def may_write_practice(scope: Scope, node: Node) -> bool:
    """May write, publish and remove the node's practices: whoever writes the node's plan."""
    return node.kind in PRACTICE_NODE_KINDS and may_write_plan(scope, node)


def may_review_practice(scope: Scope, node: Node) -> bool:
    """May read every state of the node's practices and withdraw a published one."""
    return may_write_practice(scope, node) or scope.can(Capability.REVIEW_DIALOGUE, node)


def may_withdraw_practice(scope: Scope, practice: SharedPractice) -> bool:
    return practice.status == PracticeStatus.PUBLISHED and may_review_practice(scope, practice.node)


def may_read_practice(scope: Scope, practice: SharedPractice) -> bool:
    if practice.status == PracticeStatus.PUBLISHED:
        return organiser_path(practice.node.path) in organiser_paths(scope)
    return may_review_practice(scope, practice.node)
