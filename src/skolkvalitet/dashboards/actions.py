"""Writes of the dashboards app: targets."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from skolkvalitet.dashboards.models import Target
from skolkvalitet.indicators.registry import REGISTRY, Unit
from skolkvalitet.organisation.models import AcademicYear, Node


@transaction.atomic
def target_set(
    *, node: Node, indicator: str, value: float, academic_year: AcademicYear | None = None, by=None
) -> Target:
    """Set (or change) the target of `indicator` for `node` and the nodes below it."""
    if indicator not in REGISTRY:
        raise ValidationError(_("Unknown indicator %(key)s.") % {"key": indicator})
    if REGISTRY[indicator].unit == Unit.PERCENT and not 0 <= value <= 100:
        raise ValidationError(_("A target in percent is between 0 and 100."))
    target, _created = Target.objects.update_or_create(
        node=node,
        indicator=indicator,
        academic_year=academic_year,
        defaults={"value": value, "set_by": by},
    )
    return target
