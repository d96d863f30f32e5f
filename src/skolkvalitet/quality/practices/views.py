"""The shared practices' pages ("Delade arbetssätt"): the list and search of the practices
published in the user's organiser, one practice with its linked actions, goals and
evaluations, and the form a unit writes and publishes one with. Views ask the user's scope,
validate the input with quality/practices/forms.py, dispatch to quality/practices/actions.py
and render.

A practice the user may not read is 404 (a published one outside the user's organisers, a
draft or withdrawn one for anyone but the node's writers and reviewers); a change the user's
roles do not allow is 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.organisation.models import AcademicYear, Node, SchoolForm
from skolkvalitet.organisation.scopes import Scope, scope_for_request
from skolkvalitet.quality.models import DevelopmentGoal, PlanAction, SharedPractice
from skolkvalitet.quality.plans.permissions import may_read_plan
from skolkvalitet.quality.practices import actions, permissions, selectors
from skolkvalitet.quality.practices.forms import (
    AREA_LIST_ID,
    PracticeForm,
    WithdrawForm,
    indicator_choices,
)
from skolkvalitet.web.forms import form_attach_error


def _scope(request: HttpRequest) -> Scope:
    scope = scope_for_request(request)
    if scope.is_empty:
        raise PermissionDenied
    return scope


def _current_year() -> AcademicYear | None:
    today = timezone.localdate()
    return (
        AcademicYear.objects.filter(start_date__lte=today).order_by("-start_date").first()
        or AcademicYear.objects.order_by("start_date").first()
    )


def _year(start_year: int) -> AcademicYear:
    year = AcademicYear.objects.filter(code=AcademicYear.code_for(start_year)).first()
    if year is None:
        raise Http404
    return year


def _search(request: HttpRequest) -> selectors.PracticeSearch:
    """The search the query asks for (`?sok=`, `?omrade=`, `?skolform=`, `?indikator=`,
    `?lasar=`: the start year); an unknown school form, indicator or year is ignored."""
    get = request.GET
    school_form = get.get("skolform", "")
    indicator = get.get("indikator", "")
    year = None
    start = get.get("lasar", "")
    if start.isdigit():
        year = AcademicYear.objects.filter(code=AcademicYear.code_for(int(start))).first()
    return selectors.PracticeSearch(
        text=get.get("sok", "")[:200],
        area=get.get("omrade", "")[:200],
        school_form=school_form if school_form in SchoolForm.values else "",
        indicator=indicator if indicator in REGISTRY else "",
        year=year,
    )


def _writable_nodes(scope: Scope) -> list[Node]:
    nodes = scope.nodes().filter(kind__in=permissions.PRACTICE_NODE_KINDS).order_by("name")
    return [n for n in nodes if permissions.may_write_practice(scope, n)]


@login_required
@require_GET
def practices(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    search = _search(request)
    found = selectors.practices_search(scope, search)
    context = {
        "search": search,
        "results": [
            (p, [REGISTRY[k].name_sv for k in p.indicators if k in REGISTRY]) for p in found
        ],
        "facets": selectors.practice_facets(scope),
        "mine": selectors.practices_to_write(scope),
        "writable": _writable_nodes(scope),
        "current_year": _current_year(),
    }
    return render(request, "quality/practices.html", context)


def _found(request: HttpRequest, pk: int) -> tuple[Scope, SharedPractice]:
    scope = _scope(request)
    practice = selectors.practice_find(scope, pk)
    if practice is None:
        raise Http404
    return scope, practice


def _render_practice(
    request: HttpRequest,
    scope: Scope,
    practice: SharedPractice,
    *,
    withdraw_form: WithdrawForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "practice": practice,
        "links": selectors.practice_links(practice),
        "indicators": [(k, REGISTRY[k].name_sv) for k in practice.indicators if k in REGISTRY],
        "may_write": permissions.may_write_practice(scope, practice.node),
        "may_withdraw": permissions.may_withdraw_practice(scope, practice),
        "may_read_plan": may_read_plan(scope, practice.node),
        "may_review": permissions.may_review_practice(scope, practice.node),
        "withdraw_form": withdraw_form or WithdrawForm(),
    }
    return render(request, "quality/practice.html", context, status=status)


@login_required
@require_GET
def practice(request: HttpRequest, pk: int) -> HttpResponse:
    scope, found = _found(request, pk)
    return _render_practice(request, scope, found)


def _form(
    node: Node, year: AcademicYear, scope: Scope, data=None, initial=None, chosen=()
) -> PracticeForm:
    goals = DevelopmentGoal.objects.filter(area__node=node).exclude(indicator="")
    extra = [*goals.values_list("indicator", flat=True), *chosen]
    return PracticeForm(
        data,
        initial=initial,
        school_forms=actions.school_forms_for(node),
        indicators=indicator_choices(actions.school_forms_for(node), extra),
        actions=selectors.action_choices(node, year),
        interventions=selectors.intervention_choices(node),
    )


def _render_form(
    request: HttpRequest,
    *,
    form: PracticeForm,
    node: Node,
    year: AcademicYear,
    scope: Scope,
    practice: SharedPractice | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "node": node,
        "year": year,
        "practice": practice,
        "areas": selectors.area_suggestions(node, year, scope),
        "area_list_id": AREA_LIST_ID,
    }
    return render(request, "quality/practice_form.html", context, status=status)


def _initial_from_action(node: Node, year: AcademicYear, action_id: str) -> dict:
    """The form filled in from the plan's action the unit shares (`?insats=ID`)."""
    if not action_id.isdigit():
        return {}
    action = (
        PlanAction.objects.filter(pk=int(action_id), goal__area__node=node)
        .select_related("goal__area")
        .first()
    )
    if action is None:
        return {}
    forms = actions.school_forms_for(node)
    return {
        "title": action.title,
        "area": action.goal.area.title,
        "plan_actions": [str(action.pk)],
        "indicators": [action.goal.indicator] if action.goal.indicator else [],
        "school_form": forms[0] if len(forms) == 1 else "",
    }


def _save(
    request: HttpRequest,
    *,
    form: PracticeForm,
    scope: Scope,
    node: Node,
    year: AcademicYear,
    practice: SharedPractice | None,
) -> HttpResponse | None:
    """Save (and with `intent=publish` publish) from a valid form: the redirect to the
    practice, or None with the action's refusal on the form (nothing saved)."""
    publish = request.POST.get("intent") == "publish"
    try:
        with transaction.atomic():
            saved = actions.practice_save(
                practice=practice,
                node=node if practice is None else None,
                academic_year=year if practice is None else None,
                scope=scope,
                by=request.user,
                **form.action_arguments(),
            )
            if publish:
                actions.practice_publish(practice=saved, scope=scope, by=request.user)
    except ValidationError as error:
        form_attach_error(form, error)
        return None
    if publish:
        messages.success(request, _("The practice was published to the whole organiser."))
    else:
        messages.success(request, _("The practice was saved."))
    return redirect("quality_practice", pk=saved.pk)


@login_required
@require_http_methods(["GET", "POST"])
def practice_new(request: HttpRequest, node_id: int, start_year: int) -> HttpResponse:
    scope = _scope(request)
    node = get_object_or_404(Node, pk=node_id)
    if node.kind not in permissions.PRACTICE_NODE_KINDS or not scope.can_see(node):
        raise Http404
    if not permissions.may_write_practice(scope, node):
        raise PermissionDenied
    year = _year(start_year)
    if request.method == "GET":
        initial = _initial_from_action(node, year, request.GET.get("insats", ""))
        form = _form(node, year, scope, initial=initial, chosen=initial.get("indicators", []))
        return _render_form(request, form=form, node=node, year=year, scope=scope)
    form = _form(node, year, scope, data=request.POST, chosen=request.POST.getlist("indicators"))
    if form.is_valid():
        done = _save(request, form=form, scope=scope, node=node, year=year, practice=None)
        if done is not None:
            return done
    return _render_form(request, form=form, node=node, year=year, scope=scope, status=400)


def _stored(practice: SharedPractice) -> dict:
    """The practice's stored values as the form's data."""
    return {
        "title": practice.title,
        "what": practice.what,
        "for_whom": practice.for_whom,
        "material": practice.material,
        "contact": practice.contact,
        "school_form": practice.school_form,
        "area": practice.area,
        "indicators": list(practice.indicators),
        "plan_actions": [str(a.pk) for a in practice.plan_actions.all()],
        "interventions": [str(i.pk) for i in practice.interventions.all()],
    }


@login_required
@require_http_methods(["GET", "POST"])
def practice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope, found = _found(request, pk)
    if not permissions.may_write_practice(scope, found.node):
        raise PermissionDenied
    node, year = found.node, found.academic_year
    if request.method == "GET":
        form = _form(node, year, scope, initial=_stored(found), chosen=found.indicators)
        return _render_form(request, form=form, node=node, year=year, scope=scope, practice=found)
    form = _form(node, year, scope, data=request.POST, chosen=request.POST.getlist("indicators"))
    if form.is_valid():
        done = _save(request, form=form, scope=scope, node=node, year=year, practice=found)
        if done is not None:
            return done
    return _render_form(
        request, form=form, node=node, year=year, scope=scope, practice=found, status=400
    )


@login_required
@require_POST
def practice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    scope, found = _found(request, pk)
    if not permissions.may_write_practice(scope, found.node):
        raise PermissionDenied
    try:
        actions.practice_publish(practice=found, scope=scope, by=request.user)
    except ValidationError as error:
        # The form as stored, with what is missing marked on its fields.
        stored = _stored(found)
        data = MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in stored.items()})
        form = _form(found.node, found.academic_year, scope, data=data, chosen=found.indicators)
        form.is_valid()
        form_attach_error(form, error)
        return _render_form(
            request,
            form=form,
            node=found.node,
            year=found.academic_year,
            scope=scope,
            practice=found,
            status=400,
        )
    messages.success(request, _("The practice was published to the whole organiser."))
    return redirect("quality_practice", pk=found.pk)


@login_required
@require_POST
def practice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    scope, found = _found(request, pk)
    if not permissions.may_review_practice(scope, found.node):
        raise PermissionDenied
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            actions.practice_withdraw(
                practice=found, reason=form.cleaned_data["reason"], scope=scope, by=request.user
            )
        except ValidationError as error:
            form_attach_error(form, error)
        else:
            messages.success(request, _("The practice was withdrawn."))
            return redirect("quality_practice", pk=found.pk)
    return _render_practice(request, scope, found, withdraw_form=form, status=400)


@login_required
@require_POST
def practice_remove(request: HttpRequest, pk: int) -> HttpResponse:
    scope, found = _found(request, pk)
    if not permissions.may_write_practice(scope, found.node):
        raise PermissionDenied
    try:
        actions.practice_remove(practice=found, scope=scope, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("quality_practice", pk=found.pk)
    messages.success(request, _("The draft was removed."))
    return redirect("quality_practices")
