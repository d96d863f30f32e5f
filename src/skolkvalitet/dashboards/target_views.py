"""The targets page (`/resultat/malvarden/`): the targets in force in the user's scope, and a
form to add, change and remove them.

Targets are part of the common model, which the organiser sets: only roles that manage the
organisation (organiser_admin: `Capability.SET_TARGETS` in organisation/roles.py) may set
them, on the organiser, an area or a school unit within the subtree they are granted
(`Scope.can(Capability.SET_TARGETS, node)`). Others get 403 and see no link; a target outside
that subtree is 404. Views validate and dispatch to dashboards/actions.py, which checks the
scope again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from skolkvalitet.dashboards import actions
from skolkvalitet.dashboards.forms import TARGET_INDICATORS, TargetForm, node_label, range_label
from skolkvalitet.dashboards.models import Target
from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.organisation.models import Node
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope, path_prefix_q, scope_for_request
from skolkvalitet.web.forms import form_attach_error

# -- who may ---------------------------------------------------------------------------------


def may_set_targets(scope: Scope) -> bool:
    """Some grant lets the user set targets (SET_TARGETS, organisation/roles.py)."""
    return scope.can_somewhere(Capability.SET_TARGETS)


def target_nodes(scope: Scope) -> list[Node]:
    """The active organiser, area and unit nodes the user may set targets on."""
    return list(
        Node.objects.filter(path_prefix_q("path", scope.paths_with(Capability.SET_TARGETS)))
        .filter(kind__in=actions.TARGET_NODE_KINDS, is_active=True)
        .select_related("parent")
    )


# -- reading ---------------------------------------------------------------------------------


def _value_text(value: float) -> str:
    """A target as written in the interface: 82,5 and 230 (decimal comma, no padding)."""
    value = round(value, 2)
    return number_format(int(value) if value.is_integer() else value, use_l10n=True)


@dataclass(frozen=True)
class TargetRow:
    target: Target
    node_label: str
    indicator_name: str
    unit: str
    value: str
    editable: bool  # False: set above the part the user manages, shown because it applies


def _tree_order(node: Node) -> tuple[int, ...]:
    return tuple(int(p) for p in node.path.strip("/").split("/"))


def targets_in_force(scope: Scope) -> list[TargetRow]:
    """Every target that applies within the user's scope: those set on nodes in it and those
    set on the nodes above it (which reach down into it), in the order of the tree."""
    paths = scope.paths()
    above = {int(p) for path in paths for p in path.strip("/").split("/")[:-1]}
    targets = (
        Target.objects.filter(path_prefix_q("node__path", paths) | Q(node_id__in=above))
        .select_related("node__parent", "academic_year", "set_by")
        .order_by("node__path", "indicator")
    )
    order = {key: i for i, key in enumerate(TARGET_INDICATORS)}
    rows = []
    for t in targets:
        indicator = REGISTRY.get(t.indicator)
        rows.append(
            TargetRow(
                target=t,
                node_label=node_label(t.node),
                indicator_name=indicator.name_sv if indicator else t.indicator,
                unit=range_label(indicator) if indicator else "",
                value=_value_text(t.value),
                editable=scope.can(Capability.SET_TARGETS, t.node),
            )
        )
    rows.sort(
        key=lambda r: (
            _tree_order(r.target.node),
            order.get(r.target.indicator, len(order)),
            r.target.indicator,
            r.target.academic_year.start_date.toordinal() if r.target.academic_year else 0,
        )
    )
    return rows


# -- pages -----------------------------------------------------------------------------------


def _scope_that_may_set_targets(request: HttpRequest) -> Scope:
    scope = scope_for_request(request)
    if not may_set_targets(scope):
        raise PermissionDenied
    return scope


@login_required
@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    scope = _scope_that_may_set_targets(request)
    nodes = target_nodes(scope)
    status = 200
    changing = None
    if request.method == "POST":
        form = TargetForm(request.POST, nodes=nodes)
        if form.is_valid():
            data = form.cleaned_data
            try:
                target = actions.target_set(
                    node=data["node"],
                    indicator=data["indicator"],
                    value=data["value"],
                    academic_year=data["academic_year"],
                    by=request.user,
                    scope=scope,
                )
            except ValidationError as error:
                form_attach_error(form, error)
            else:
                messages.success(
                    request,
                    _("The target of %(indicator)s for %(node)s, %(year)s, is now %(value)s.")
                    % {
                        "indicator": REGISTRY[target.indicator].name_sv,
                        "node": node_label(target.node),
                        "year": target.academic_year.code
                        if target.academic_year
                        else _("every year"),
                        "value": _value_text(target.value),
                    },
                )
                return redirect("targets")
        status = 400
    else:
        initial = {}
        change_id = request.GET.get("andra")
        if change_id and change_id.isdigit():
            changing = (
                Target.objects.filter(pk=int(change_id), node__in=[n.pk for n in nodes])
                .select_related("node")
                .first()
            )
        if changing is not None:
            initial = {
                "node": changing.node_id,
                "indicator": changing.indicator,
                "academic_year": changing.academic_year_id,
                "value": changing.value,
            }
        form = TargetForm(initial=initial, nodes=nodes)
    context = {"form": form, "rows": targets_in_force(scope), "changing": changing}
    return render(request, "dashboards/targets.html", context, status=status)


@login_required
@require_POST
def target_remove(request: HttpRequest, target_id: int) -> HttpResponse:
    scope = _scope_that_may_set_targets(request)
    target = get_object_or_404(
        Target.objects.select_related("node__parent", "academic_year"), pk=target_id
    )
    if not scope.can(Capability.SET_TARGETS, target.node):
        raise Http404
    actions.target_remove(target=target, scope=scope)
    indicator = REGISTRY.get(target.indicator)
    messages.success(
        request,
        _("The target of %(indicator)s for %(node)s, %(year)s, was removed.")
        % {
            "indicator": indicator.name_sv if indicator else target.indicator,
            "node": node_label(target.node),
            "year": target.academic_year.code if target.academic_year else _("every year"),
        },
    )
    return redirect("targets")
