"""Who may do what with a resultatdialog and the calendar (årshjul).

Every question takes the user's Scope (organisation/scopes.py) and a unit: a capability counts
only where a grant giving it reaches the unit (granted on it or above it). Which role has which
capability is the table in organisation/roles.py (ROLE_SPECS); this module says how those
capabilities apply to the quality cycle:

    WRITE_DIALOGUE   (unit_head)                 writes, saves and submits; comments
    REVIEW_DIALOGUE  (organiser_admin, analyst)  reads every state, comments, returns,
                                                 marks as discussed
    SEE_FOLLOW_UP    (all but teacher)           the status board; reads dialogues once handed
                                                 in (submitted or discussed)
    MANAGE_CALENDAR  (organiser_admin on an organiser node)  changes the calendar
"""

from __future__ import annotations

from skolkvalitet.organisation.models import Node
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope
from skolkvalitet.quality.models import HANDED_IN_STATUSES


def may_write(scope: Scope, unit: Node) -> bool:
    """May write and submit the unit's dialogue (the unit head)."""
    return scope.can(Capability.WRITE_DIALOGUE, unit)


def may_review(scope: Scope, unit: Node) -> bool:
    """May read every state of the dialogue, comment, return and mark it discussed."""
    return scope.can(Capability.REVIEW_DIALOGUE, unit)


def may_read(scope: Scope, unit: Node, status: str) -> bool:
    """May read the unit's dialogue in `status` (not_started when none is written yet)."""
    if may_write(scope, unit) or may_review(scope, unit):
        return True
    return scope.can(Capability.SEE_FOLLOW_UP, unit) and status in HANDED_IN_STATUSES


def may_comment(scope: Scope, unit: Node) -> bool:
    """The organiser side and the unit head take part in the thread."""
    return may_review(scope, unit) or may_write(scope, unit)


def may_see_board(scope: Scope) -> bool:
    """Has a role that shows follow-up status somewhere (teachers do not)."""
    return scope.can_somewhere(Capability.SEE_FOLLOW_UP)


def board_paths(scope: Scope) -> list[str]:
    """The granted paths whose units appear on the status board."""
    return scope.paths_with(Capability.SEE_FOLLOW_UP)


def writer_paths(scope: Scope) -> list[str]:
    """The granted paths whose units' dialogues the user writes (as unit head)."""
    return scope.paths_with(Capability.WRITE_DIALOGUE)


def manages_calendar(scope: Scope) -> bool:
    """May change the calendar (MANAGE_CALENDAR, granted on an organiser node)."""
    return scope.can_somewhere(Capability.MANAGE_CALENDAR)
