"""What each role may do: the one capability table every permission check reads.

A role is granted on a node and counts in that node's subtree (organisation/scopes.py). Each
`RoleSpec` lists the role's capabilities; `Scope.can(capability, node)`,
`Scope.can_somewhere(capability)` and `Scope.paths_with(capability)` answer from this table, and
quality/permissions.py, the targets page, the Import page and the page header ask them.
docs/security.md's capability matrix is `capability_matrix_markdown()`
(tests/organisation/test_roles.py holds the two equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from skolkvalitet.organisation.models.roles import Role


class Capability(StrEnum):
    """Something a role may do where it is granted (and below)."""

    # Pupil-level data (names, individual results) and real figures; without it, every
    # figure shown is suppressed by Skolverket's rules.
    SEE_PUPILS = "see_pupils"
    # The Import page: import pupil data for the units in the granted subtree.
    IMPORT_DATA = "import_data"
    # Undo an import. Counts only on an organiser node (it touches the whole organiser).
    ROLL_BACK_IMPORTS = "roll_back_imports"
    # Set, change and remove targets (målvärden) on the organiser, areas and units.
    SET_TARGETS = "set_targets"
    # Change the calendar of follow-up points (årshjul). Counts only on an organiser node.
    MANAGE_CALENDAR = "manage_calendar"
    # Edit the common model's report templates (a new version). Counts only on an organiser node.
    EDIT_COMMON_MODEL = "edit_common_model"
    # The follow-up status board, and the dialogues handed in (submitted or discussed).
    SEE_FOLLOW_UP = "see_follow_up"
    # Write, save and submit the unit's resultatdialog, and comment on it.
    WRITE_DIALOGUE = "write_dialogue"
    # Read every state of a dialogue, comment, return it and mark it discussed.
    REVIEW_DIALOGUE = "review_dialogue"
    # Approve or return the organiser's own quality report (its analysis and priorities, which
    # those with REVIEW_DIALOGUE on the organiser write). Counts only on an organiser node.
    APPROVE_ORGANISER_REPORT = "approve_organiser_report"
    # Manage the organiser's users and their role grants, and its login policy (two-factor).
    # Counts only on an organiser node.
    MANAGE_USERS = "manage_users"
    # Search and export the audit log of the organiser. Counts only on an organiser node.
    SEE_AUDIT_LOG = "see_audit_log"

    @property
    def organiser_only(self) -> bool:
        """Counts only from a grant on an organiser node (the tree's roots)."""
        return self in ORGANISER_ONLY

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self]


ORGANISER_ONLY = frozenset(
    {
        Capability.ROLL_BACK_IMPORTS,
        Capability.MANAGE_CALENDAR,
        Capability.EDIT_COMMON_MODEL,
        Capability.APPROVE_ORGANISER_REPORT,
        Capability.MANAGE_USERS,
        Capability.SEE_AUDIT_LOG,
    }
)

DESCRIPTIONS: dict[Capability, str] = {
    Capability.SEE_PUPILS: "see pupil-level data and real figures (else figures are suppressed)",
    Capability.IMPORT_DATA: "import pupil data for units in the subtree (the Import page)",
    Capability.ROLL_BACK_IMPORTS: "roll an import back (granted on an organiser node only)",
    Capability.SET_TARGETS: "set, change and remove targets (målvärden)",
    Capability.MANAGE_CALENDAR: "change the calendar (årshjul; on an organiser node only)",
    Capability.EDIT_COMMON_MODEL: (
        "edit the common model's report templates (on an organiser node only)"
    ),
    Capability.SEE_FOLLOW_UP: "see the follow-up status board and handed-in dialogues",
    Capability.WRITE_DIALOGUE: "write, save and submit the resultatdialog; comment",
    Capability.REVIEW_DIALOGUE: "read every dialogue state, comment, return, mark discussed",
    Capability.APPROVE_ORGANISER_REPORT: (
        "approve or return the organiser's own quality report (on an organiser node only)"
    ),
    Capability.MANAGE_USERS: (
        "manage users, their role grants and the two-factor policy (on an organiser node only)"
    ),
    Capability.SEE_AUDIT_LOG: "search and export the audit log (on an organiser node only)",
}


@dataclass(frozen=True)
class RoleSpec:
    role: Role
    capabilities: frozenset[Capability]
    # Must carry an end date (coaches: "for a limited period").
    time_limited: bool = False

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    @property
    def pupil_access(self) -> bool:
        """May see pupil-level data (the start page's templates ask it)."""
        return self.can(Capability.SEE_PUPILS)


_C = Capability
ROLE_SPECS: dict[str, RoleSpec] = {
    Role.ORGANISER_ADMIN: RoleSpec(
        Role.ORGANISER_ADMIN,
        frozenset(
            {
                _C.SEE_PUPILS,
                _C.IMPORT_DATA,
                _C.ROLL_BACK_IMPORTS,
                _C.SET_TARGETS,
                _C.MANAGE_CALENDAR,
                _C.EDIT_COMMON_MODEL,
                _C.SEE_FOLLOW_UP,
                _C.REVIEW_DIALOGUE,
                _C.APPROVE_ORGANISER_REPORT,
                _C.MANAGE_USERS,
                _C.SEE_AUDIT_LOG,
            }
        ),
    ),
    Role.ANALYST: RoleSpec(
        Role.ANALYST, frozenset({_C.SEE_PUPILS, _C.SEE_FOLLOW_UP, _C.REVIEW_DIALOGUE})
    ),
    Role.UNIT_HEAD: RoleSpec(
        Role.UNIT_HEAD, frozenset({_C.SEE_PUPILS, _C.SEE_FOLLOW_UP, _C.WRITE_DIALOGUE})
    ),
    Role.TEACHER: RoleSpec(Role.TEACHER, frozenset({_C.SEE_PUPILS})),
    Role.BOARD: RoleSpec(Role.BOARD, frozenset({_C.SEE_FOLLOW_UP})),
    Role.COACH: RoleSpec(Role.COACH, frozenset({_C.SEE_FOLLOW_UP}), time_limited=True),
}
del _C


def role_can(role: str, capability: Capability) -> bool:
    """May `role` do `capability` where it is granted?"""
    return ROLE_SPECS[role].can(capability)


def capability_matrix_markdown() -> str:
    """docs/security.md's role × capability matrix, rendered from ROLE_SPECS."""
    roles = list(ROLE_SPECS)
    rows = [
        "| capability | what it allows | " + " | ".join(roles) + " |",
        "| --- | --- | " + " | ".join("---" for _ in roles) + " |",
    ]
    for capability in Capability:
        cells = " | ".join("yes" if role_can(r, capability) else "no" for r in roles)
        rows.append(f"| `{capability}` | {capability.description} | {cells} |")
    cells = " | ".join("yes" if ROLE_SPECS[r].time_limited else "no" for r in roles)
    rows.append(f"| `time_limited` | the grant must have an end date | {cells} |")
    return "\n".join(rows) + "\n"
