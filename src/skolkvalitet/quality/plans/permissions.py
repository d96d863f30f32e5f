"""Who may write and read a node's nulägesanalys and utvecklingsplan, asked of the capability
table (organisation/roles.py) through the user's Scope:

    a unit's plan        written with WRITE_DIALOGUE on the unit (the unit head), read also
                         with REVIEW_DIALOGUE (the organiser's admins and analysts)
    the organiser's own  written with REVIEW_DIALOGUE on the organiser node (the förvaltning
                         that reviews the units analyses itself), read by the same
    the report deadlines changed with MANAGE_CALENDAR (on an organiser node)

Plans are kept for units and for the organiser itself; areas and groups have none."""

from __future__ import annotations

from skolkvalitet.organisation.models import Node, NodeKind
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope

PLAN_NODE_KINDS = (NodeKind.UNIT, NodeKind.ORGANISER)


def may_write_plan(scope: Scope, node: Node) -> bool:
    """May record the node's problem areas, goals, actions, notes and evaluations."""
    if node.kind == NodeKind.UNIT:
        return scope.can(Capability.WRITE_DIALOGUE, node)
    if node.kind == NodeKind.ORGANISER:
        return scope.can(Capability.WRITE_DIALOGUE, node) or scope.can(
            Capability.REVIEW_DIALOGUE, node
        )
    return False


def may_read_plan(scope: Scope, node: Node) -> bool:
    """May read the node's plan: its writers and its reviewers."""
    if node.kind not in PLAN_NODE_KINDS:
        return False
    return may_write_plan(scope, node) or scope.can(Capability.REVIEW_DIALOGUE, node)


def may_set_report_deadlines(scope: Scope) -> bool:
    return scope.can_somewhere(Capability.MANAGE_CALENDAR)
