"""Rotating the pseudonym key: every stored pseudonym recomputed under a new key, in one
transaction.

A pseudonym is HMAC-SHA256 of the personnummer under the key (organisation/identity.py) and
the number itself is stored nowhere, so a pseudonym cannot be carried from one key to the next
without the number: the rotation takes the numbers again (from the pupil register, the same
source as the next import) and, for each, replaces the pseudonym under the old key by the one
under the new. A stored pupil or member of staff whose number is not given cannot be re-keyed:
it keeps its history and its figures but is unlinked (a random value that no key and no number
gives), so the next import knows it no more; that is done only when asked for."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.identity import PersonalNumber, pseudonym_for
from skolkvalitet.organisation.models import Pupil, StaffMember

Person = TypeVar("Person", Pupil, StaffMember)


@dataclass
class RotationOutcome:
    rekeyed: dict[str, int]  # table → rows given their pseudonym under the new key
    unmatched: dict[str, int]  # table → rows whose number was not given
    unlinked: bool  # whether the unmatched were unlinked (else there were none)
    dry_run: bool


class RotationRefused(Exception):
    """Stored people whose number was not given, and unlinking them not asked for."""

    def __init__(self, outcome: RotationOutcome):
        self.outcome = outcome
        super().__init__(
            _(
                "%(pupils)s pupils and %(staff)s staff are stored whose personnummer the file "
                "does not hold: they cannot be re-keyed. Give their numbers too, or "
                "--unlink-unmatched to keep their history without a link to the next import."
            )
            % {
                "pupils": outcome.unmatched["organisation_pupil"],
                "staff": outcome.unmatched["organisation_staffmember"],
            }
        )


class _DryRun(Exception):
    pass


def pseudonyms_rotate(
    *,
    numbers: Iterable[PersonalNumber],
    old_key: str,
    new_key: str,
    unlink_unmatched: bool = False,
    dry_run: bool = False,
    by=None,
) -> RotationOutcome:
    """Give every stored pupil and member of staff the pseudonym of its number under
    `new_key`, for the `numbers` given; those not among them are unlinked if
    `unlink_unmatched`, else nothing is changed (RotationRefused). One transaction,
    audit-logged; a dry run does the same and rolls it back."""
    if not old_key or not new_key:
        raise ValueError(_("Both the old and the new pseudonym key are needed."))
    if old_key == new_key:
        raise ValueError(_("The new pseudonym key is the old one."))
    renamed = {
        pseudonym_for(number, key=old_key): pseudonym_for(number, key=new_key) for number in numbers
    }
    outcome = RotationOutcome({}, {}, unlink_unmatched, dry_run)
    try:
        with transaction.atomic():
            for table, counts in (
                ("organisation_pupil", _rekey(Pupil, renamed, write=unlink_unmatched)),
                ("organisation_staffmember", _rekey(StaffMember, renamed, write=unlink_unmatched)),
            ):
                outcome.rekeyed[table], outcome.unmatched[table] = counts
            if any(outcome.unmatched.values()) and not unlink_unmatched:
                raise RotationRefused(outcome)
            audit_record(
                user=by,
                action="pseudonym_key_rotate",
                detail={"rekeyed": outcome.rekeyed, "unlinked": outcome.unmatched},
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return outcome


def _rekey(model: type[Person], renamed: dict[str, str], *, write: bool) -> tuple[int, int]:
    """Give each row of `model` its pseudonym in `renamed`, or a random one; written when
    every row has a new one or `write`. Returns (re-keyed, without a new one)."""
    rows = list(model._default_manager.select_for_update().only("pseudonym"))
    unmatched = 0
    for row in rows:
        if row.pseudonym in renamed:
            row.pseudonym = renamed[row.pseudonym]
        else:
            row.pseudonym = secrets.token_hex(32)
            unmatched += 1
    if write or not unmatched:
        model._default_manager.bulk_update(rows, ["pseudonym"], batch_size=500)
    return len(rows) - unmatched, unmatched
