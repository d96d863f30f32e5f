"""Each organiser's retention (gallring) period: what it is, setting it, and when retention last
ran for the organiser. Retention itself, which removes the pupil-level data, is
operations/retention/actions.py; the organiser's administrator sets the period in the browser
(web/users/, docs/operations.md "Retention")."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.models import AuditEvent, Node, NodeKind
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import scope_for

RETENTION_YEARS_MIN = 1  # a period the organiser sets in the browser: whole years, 1 to 50
RETENTION_YEARS_MAX = 50


def organiser_retention_years(organiser: Node) -> int:
    """The organiser's retention period: its own, else the installation's default."""
    if organiser.retention_years is not None:
        return organiser.retention_years
    return int(settings.SKOLKVALITET_RETENTION_YEARS)


@transaction.atomic
def retention_period_set(*, organiser: Node, years: int | None, by, request=None) -> Node:
    """Set `organiser`'s retention period to `years` whole years (None: the installation's
    default). Only a holder of MANAGE_USERS on the organiser (`by`) may; audit-logged
    ("policy.retention", with the period before and after)."""
    if organiser.kind != NodeKind.ORGANISER:
        raise ValidationError(_("The retention period is set for a whole organiser."))
    if not scope_for(by).can(Capability.MANAGE_USERS, organiser):
        raise PermissionDenied
    if years is not None and not RETENTION_YEARS_MIN <= years <= RETENTION_YEARS_MAX:
        raise ValidationError(
            _("The retention period is between %(min)d and %(max)d years.")
            % {"min": RETENTION_YEARS_MIN, "max": RETENTION_YEARS_MAX}
        )
    before = Node.objects.select_for_update().get(pk=organiser.pk).retention_years
    organiser.retention_years = years
    if before == years:
        return organiser
    Node.objects.filter(pk=organiser.pk).update(retention_years=years)
    audit_record(
        user=by,
        action="policy.retention",
        node=organiser,
        detail={"years": years, "before": before},
        request=request,
    )
    return organiser


def retention_last_run(organiser: Node) -> AuditEvent | None:
    """The organiser's latest retention event (None: retention never ran for it)."""
    return AuditEvent.objects.filter(action="retention", node=organiser).order_by("-pk").first()
