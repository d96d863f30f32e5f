"""Who may do what with a resultatdialog and the calendar (årshjul).

Every question takes the user's Scope (organisation/scopes.py) and a unit: a role counts only
where it reaches the unit (granted on it or above it). The roles' general powers are in
organisation/roles.py (ROLE_SPECS); this module says how they apply to the quality cycle:

    unit_head                 writes, saves and submits the unit's dialogue; comments
    organizer_admin, analyst  read every dialogue, comment, return, mark as discussed
    board, coach              read dialogues once handed in (submitted or discussed)
    teacher                   nothing
"""

from __future__ import annotations

from skolkvalitet.organisation.models import Node, Role
from skolkvalitet.organisation.scopes import Scope
from skolkvalitet.quality.models import HANDED_IN_STATUSES

WRITER_ROLES = frozenset({Role.UNIT_HEAD})
REVIEWER_ROLES = frozenset({Role.ORGANIZER_ADMIN, Role.ANALYST})
READER_ROLES = frozenset({Role.BOARD, Role.COACH})
BOARD_ROLES = WRITER_ROLES | REVIEWER_ROLES | READER_ROLES


def may_write(scope: Scope, unit: Node) -> bool:
    """May write and submit the unit's dialogue (the unit head)."""
    return bool(scope.roles_on(unit) & WRITER_ROLES)


def may_review(scope: Scope, unit: Node) -> bool:
    """May read every state of the dialogue, comment, return and mark it discussed."""
    return bool(scope.roles_on(unit) & REVIEWER_ROLES)


def may_read(scope: Scope, unit: Node, status: str) -> bool:
    """May read the unit's dialogue in `status` (not_started when none is written yet)."""
    roles = scope.roles_on(unit)
    if roles & (WRITER_ROLES | REVIEWER_ROLES):
        return True
    return bool(roles & READER_ROLES) and status in HANDED_IN_STATUSES


def may_comment(scope: Scope, unit: Node) -> bool:
    """The organiser side and the unit head take part in the thread."""
    return may_review(scope, unit) or may_write(scope, unit)


def may_see_board(scope: Scope) -> bool:
    """Has a role that shows follow-up status somewhere (teachers do not)."""
    return any(g.role in BOARD_ROLES for g in scope.grants)


def board_paths(scope: Scope) -> list[str]:
    """The granted paths whose units appear on the status board."""
    paths = sorted({g.path for g in scope.grants if g.role in BOARD_ROLES})
    return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]


def manages_calendar(scope: Scope) -> bool:
    """May change the calendar: manages the organisation on an organiser node."""
    return scope.manages_an_organiser()
