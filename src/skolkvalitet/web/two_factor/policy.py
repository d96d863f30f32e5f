"""Who must log in with a second factor, and what a logged-in user is asked for next.

Pure functions of plain values: the grants come from `scope_for` (organisation/scopes.py),
which already leaves out grants outside their dates, on inactive nodes and coaches' grants
without an end date; the organisers that require two-factor login and whether the user has a
device are read by web/two_factor/selectors.py. docs/security.md, "Two-factor login".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from enum import StrEnum
from typing import Protocol

from skolkvalitet.organisation.scopes import organiser_ids


class GrantLike(Protocol):
    """What the policy reads of a grant (organisation.scopes.Grant has it)."""

    @property
    def path(self) -> str: ...

    @property
    def pupil_access(self) -> bool: ...


def two_factor_required(grants: Iterable[GrantLike], organisers_requiring: Collection[int]) -> bool:
    """Whether the holder of `grants` must verify a second factor: some grant gives pupil
    access (Capability.SEE_PUPILS) and lies under an organiser in `organisers_requiring` (the
    ids of the organisers whose `two_factor_required` is set). Grants without pupil access
    (the board, a coach) never require it, nor do grants under other organisers."""
    return any(
        grant.pupil_access and organiser_ids([grant.path]) & set(organisers_requiring)
        for grant in grants
    )


class Step(StrEnum):
    """What a logged-in user must do before any other page."""

    NONE = "none"  # nothing: the session counts as verified, or no code is asked for
    VERIFY = "verify"  # give a code from the device (or a recovery code)
    ENROL = "enrol"  # set up a device: required, and the user has none


def next_step(*, required: bool, has_device: bool, verified: bool) -> Step:
    """A user with a confirmed device always gives a code before the session counts (whether
    or not the policy requires it: a device set up is a device used); a user the policy
    requires to verify and who has no device sets one up first."""
    if verified:
        return Step.NONE
    if has_device:
        return Step.VERIFY
    if required:
        return Step.ENROL
    return Step.NONE
