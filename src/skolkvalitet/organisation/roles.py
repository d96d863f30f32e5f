"""What each role may do. The one table every permission check reads."""

from __future__ import annotations

from dataclasses import dataclass

from skolkvalitet.organisation.models.roles import Role


@dataclass(frozen=True)
class RoleSpec:
    role: Role
    # May see pupil-level data (names, individual results) within the scope; without it,
    # every figure shown is suppressed by Skolverket's rules.
    pupil_access: bool
    # May change the common model: organisation, calendar, users and roles.
    manages_organisation: bool
    # Must carry an end date (coaches: "for a limited period").
    time_limited: bool


ROLE_SPECS: dict[str, RoleSpec] = {
    Role.ORGANIZER_ADMIN: RoleSpec(Role.ORGANIZER_ADMIN, True, True, False),
    Role.ANALYST: RoleSpec(Role.ANALYST, True, False, False),
    Role.UNIT_HEAD: RoleSpec(Role.UNIT_HEAD, True, False, False),
    Role.TEACHER: RoleSpec(Role.TEACHER, True, False, False),
    Role.BOARD: RoleSpec(Role.BOARD, False, False, False),
    Role.COACH: RoleSpec(Role.COACH, False, False, True),
}
