"""Writes of the dashboards app: targets.

A target is set on the organiser, an area or a school unit. Who may set it is the common
model's business: roles with `Capability.SET_TARGETS` (organiser_admin, organisation/roles.py),
within the subtree they are granted (`Scope.can(Capability.SET_TARGETS, node)`). The views
pass the user's scope; the `skolkvalitet target` command is the operator's tool on the server
and passes none.
"""

from __future__ import annotations

import math

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from skolkvalitet.dashboards.models import Target
from skolkvalitet.indicators.registry import REGISTRY, Indicator, Unit
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope

# The nodes a target may be set on: groups change every year and are never compared.
TARGET_NODE_KINDS = (NodeKind.ORGANISER, NodeKind.AREA, NodeKind.UNIT)

# The highest possible value of the indicators measured in points: merit values are the sum
# of 17 (or 16) grades of at most 20 points; every other points indicator is the mean grade
# points of one subject (A = 20).
MERIT_VALUE_MAX = {"merit_value_17": 340.0, "merit_value_16": 320.0, "term_merit_value": 340.0}
GRADE_POINTS_MAX = 20.0


def target_range(indicator: Indicator) -> tuple[float, float | None]:
    """The lowest and highest target that `indicator` can take (None: no upper bound)."""
    if indicator.unit == Unit.PERCENT:
        return 0.0, 100.0
    if indicator.unit == Unit.POINTS:
        return 0.0, MERIT_VALUE_MAX.get(indicator.key, GRADE_POINTS_MAX)
    return 0.0, None  # ratios and counts


def _check_value(indicator: Indicator, value: float) -> None:
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError({"value": _("A target must be a number.")})
    low, high = target_range(indicator)
    if indicator.unit == Unit.PERCENT and high is not None and not low <= value <= high:
        raise ValidationError({"value": _("A target in percent is between 0 and 100.")})
    if high is not None and not low <= value <= high:
        raise ValidationError(
            {
                "value": _("A target for %(name)s is between %(low)s and %(high)s.")
                % {"name": indicator.name_sv, "low": f"{low:g}", "high": f"{high:g}"}
            }
        )
    if value < low:
        raise ValidationError({"value": _("A target cannot be negative.")})


def _check_node(node: Node, scope: Scope | None) -> None:
    if scope is not None and not scope.can(Capability.SET_TARGETS, node):
        raise PermissionDenied
    if node.kind not in TARGET_NODE_KINDS:
        raise ValidationError(
            {"node": _("A target is set on the organiser, an area or a school unit.")}
        )


@transaction.atomic
def target_set(
    *,
    node: Node,
    indicator: str,
    value: float,
    academic_year: AcademicYear | None = None,
    by=None,
    scope: Scope | None = None,
) -> Target:
    """Set (or change) the target of `indicator` for `node` and the nodes below it, for
    `academic_year` or, with None, every year. With a `scope`, the node must lie in the part
    of the organisation the user manages (else PermissionDenied)."""
    _check_node(node, scope)
    if indicator not in REGISTRY:
        raise ValidationError({"indicator": _("Unknown indicator %(key)s.") % {"key": indicator}})
    _check_value(REGISTRY[indicator], value)
    target, _created = Target.objects.update_or_create(
        node=node,
        indicator=indicator,
        academic_year=academic_year,
        defaults={"value": float(value), "set_by": by},
    )
    return target


@transaction.atomic
def target_remove(*, target: Target, scope: Scope | None = None) -> None:
    """Remove a target: the nodes below it fall back on the target set above them, if any.
    With a `scope`, the target's node must lie in the part of the organisation the user
    manages (else PermissionDenied). A target that is already gone is left alone."""
    locked = (
        Target.objects.select_for_update(of=("self",))
        .select_related("node")
        .filter(pk=target.pk)
        .first()
    )
    if locked is None:
        return  # already removed
    if scope is not None and not scope.can(Capability.SET_TARGETS, locked.node):
        raise PermissionDenied
    locked.delete()
