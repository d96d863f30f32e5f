"""Every write to the organisation: named, atomic, validating functions."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.calendar import default_term_dates, default_year_dates
from skolkvalitet.organisation.identity import PersonalNumber, pseudonym_for
from skolkvalitet.organisation.models import (
    AcademicYear,
    Node,
    NodeKind,
    Pupil,
    RoleAssignment,
    Term,
)
from skolkvalitet.organisation.models.nodes import ALLOWED_PARENTS
from skolkvalitet.organisation.roles import ROLE_SPECS


@transaction.atomic
def node_create(*, kind: str, name: str, parent: Node | None = None, **fields) -> Node:
    """Create a node under `parent` and give it its materialised path."""
    parent_kind = parent.kind if parent else None
    if parent_kind not in ALLOWED_PARENTS[kind]:
        raise ValidationError(
            _("A %(kind)s cannot be placed under %(parent)s.")
            % {"kind": NodeKind(kind).label, "parent": parent_kind or "-"}
        )
    node = Node.objects.create(kind=kind, name=name, parent=parent, path="", **fields)
    node.path = f"{parent.path if parent else '/'}{node.pk}/"
    node.save(update_fields=["path"])
    return node


@transaction.atomic
def role_grant(
    *,
    user,
    node: Node,
    role: str,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    by=None,
    request=None,
) -> RoleAssignment:
    """Grant `role` on `node` (reaching its subtree). Idempotent for the same triple. A new
    grant, or changed dates, is audit-logged ("role_grant") as done by `by` (None: an
    operator's command or the demo) from `request`'s client address: whom, which role, the
    dates and, for changed dates, the dates they replaced. This is the one event of a grant,
    from the user administration too (organisation/user_actions.py writes none of its own)."""
    spec = ROLE_SPECS[role]
    if spec.time_limited and valid_until is None:
        raise ValidationError(_("This role must have an end date."))
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError(_("The end date is before the start date."))
    before = RoleAssignment.objects.filter(user=user, node=node, role=role).first()
    assignment, _created = RoleAssignment.objects.update_or_create(
        user=user,
        node=node,
        role=role,
        defaults={"valid_from": valid_from, "valid_until": valid_until},
    )
    if before is None or (before.valid_from, before.valid_until) != (valid_from, valid_until):
        detail = _grant_detail(user, role, valid_from, valid_until)
        if before is not None:
            detail["replaced"] = {
                "valid_from": before.valid_from.isoformat() if before.valid_from else None,
                "valid_until": before.valid_until.isoformat() if before.valid_until else None,
            }
        audit_record(user=by, action="role_grant", node=node, detail=detail, request=request)
    return assignment


@transaction.atomic
def role_revoke(*, user, node: Node, role: str, by=None, request=None) -> int:
    """Remove `user`'s grant of `role` on `node`; audit-logged ("role_revoke") when there
    was one."""
    grants = RoleAssignment.objects.filter(user=user, node=node, role=role)
    dates = grants.values_list("valid_from", "valid_until").first()
    deleted, _detail = grants.delete()
    if deleted and dates is not None:
        audit_record(
            user=by,
            action="role_revoke",
            node=node,
            detail=_grant_detail(user, role, *dates),
            request=request,
        )
    return deleted


def _grant_detail(user, role: str, valid_from: dt.date | None, valid_until: dt.date | None) -> dict:
    return {
        "user_id": user.pk,
        "username": user.get_username(),
        "role": role,
        "valid_from": valid_from.isoformat() if valid_from else None,
        "valid_until": valid_until.isoformat() if valid_until else None,
    }


@transaction.atomic
def pupil_get_or_create(*, number: PersonalNumber, **attributes) -> tuple[Pupil, bool]:
    """The pupil behind a validated personnummer; created with gender and birth year
    derived from the number when not yet known. Only the pseudonym is stored."""
    defaults = {
        "birth_year": number.birth_year,
        "legal_gender": number.legal_gender,
        "coordination_number": number.is_coordination_number,
        **attributes,
    }
    return Pupil.objects.get_or_create(pseudonym=pseudonym_for(number), defaults=defaults)


ACADEMIC_YEAR_CODE = re.compile(r"^([0-9]{4})/([0-9]{2})$")


def academic_year_parse(code: str) -> int | None:
    """The start year of an academic year written "2024/25" (or "2024/2025"); None if the
    text is not one."""
    text = code.strip()
    if re.fullmatch(r"[0-9]{4}/[0-9]{4}", text):
        text = f"{text[:4]}/{text[7:]}"
    match = ACADEMIC_YEAR_CODE.match(text)
    if not match:
        return None
    start = int(match.group(1))
    if (start + 1) % 100 != int(match.group(2)):
        return None
    return start


@transaction.atomic
def academic_year_ensure(start_year: int) -> tuple[AcademicYear, dict[str, Term]]:
    """The academic year starting in `start_year` and its two terms, created with the
    default dates (organisation/calendar.py) when not yet known."""
    year_start, year_end = default_year_dates(start_year)
    year, _created = AcademicYear.objects.get_or_create(
        code=AcademicYear.code_for(start_year),
        defaults={"start_date": year_start, "end_date": year_end},
    )
    terms = {}
    for kind, (start, end) in default_term_dates(start_year).items():
        terms[kind], _created = Term.objects.get_or_create(
            academic_year=year, kind=kind, defaults={"start_date": start, "end_date": end}
        )
    return year, terms
