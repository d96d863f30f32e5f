"""The plan page ("Nulägesanalys och utvecklingsplan") of a unit, or of the organiser, and
year, and the calendar's report deadlines. Views ask the user's scope, validate the input with
quality/plans/forms.py, dispatch to quality/plans/actions.py and render.

The page posts every change to itself with an `intent` (what to do) and an `id` (the area,
goal, action or evidence it concerns); a refused change shows the page again with that form's
errors in place. A node outside the scope is 404; a plan the user's roles do not open is 403."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skolkvalitet.indicators.suppression import present
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Node
from skolkvalitet.organisation.scopes import Scope, scope_for_request
from skolkvalitet.quality.models import (
    DevelopmentGoal,
    Evidence,
    GoalKind,
    PlanAction,
    ProblemArea,
    ProgressNote,
    ReportDeadline,
)
from skolkvalitet.quality.plans import actions, permissions, selectors
from skolkvalitet.quality.plans.forms import (
    ActionForm,
    ActionStatusForm,
    AreaForm,
    EvaluationForm,
    FigureEvidenceForm,
    IndicatorGoalEditForm,
    IndicatorGoalForm,
    NoteForm,
    QualitativeGoalForm,
    ReportDeadlineForm,
    TextEvidenceForm,
    figure_choice_value,
)
from skolkvalitet.web.forms import form_attach_error


def _plan_node(request: HttpRequest, node_id: int) -> tuple[Scope, Node]:
    scope = scope_for_request(request)
    node = get_object_or_404(Node, pk=node_id)
    if node.kind not in permissions.PLAN_NODE_KINDS or not scope.can_see(node):
        raise Http404
    if not permissions.may_read_plan(scope, node):
        raise PermissionDenied
    return scope, node


@login_required
@require_GET
def plan_current(request: HttpRequest, node_id: int) -> HttpResponse:
    _plan_node(request, node_id)
    today = timezone.localdate()
    year = (
        AcademicYear.objects.filter(start_date__lte=today).order_by("-start_date").first()
        or AcademicYear.objects.order_by("start_date").first()
    )
    if year is None:
        raise Http404
    return redirect("quality_plan", node_id=node_id, start_year=year.start_year)


@dataclass
class Page:
    """The forms of the page: the blank ones, or the one whose change was refused."""

    failed: tuple[str, int | None, Form] | None = None
    forms: dict[tuple[str, int | None], Form] = field(default_factory=dict)

    def get(self, intent: str, pk: int | None, blank: Any) -> Form:
        if self.failed is not None and self.failed[:2] == (intent, pk):
            return self.failed[2]
        return blank()


@dataclass
class ActionRow:
    action: PlanAction
    status_form: Form
    edit_form: Form
    note_form: Form


@dataclass
class GoalRow:
    view: selectors.GoalView
    edit_form: Form
    actions: list[ActionRow]
    action_form: Form
    note_form: Form
    evaluation_form: Form


@dataclass
class AreaRow:
    view: selectors.AreaView
    area_form: Form
    figure_form: Form
    text_form: Form
    indicator_goal_form: Form
    qualitative_goal_form: Form
    goals: list[GoalRow]


def _goal_edit_form(goal: DevelopmentGoal, data=None) -> Form:
    """The form that edits `goal`: target and date, or criterion (blank, or bound to data)."""
    prefix = f"ge{goal.pk}"
    if goal.kind == GoalKind.INDICATOR:
        initial = {
            "title": goal.title,
            "target_value": goal.target.value if goal.target else None,
            "target_date": goal.target_date,
        }
        return IndicatorGoalEditForm(data, prefix=prefix, initial=initial)
    initial = {"title": goal.title, "criterion": goal.criterion}
    return QualitativeGoalForm(data, prefix=prefix, initial=initial)


def _owner_choices(node: Node, action: PlanAction, people=None):
    """Whom an action's edit form offers as its owner: the plan's people (`people`, when
    already read), and the action's present owner even after they lost their role, so that
    saving without changing the owner keeps them."""
    if action.owner_id is None or (
        people is not None and any(p.pk == action.owner_id for p in people)
    ):
        return people if people is not None else selectors.plan_people(node)
    return selectors.plan_people(node, keep_id=action.owner_id)


def _year(start_year: int) -> AcademicYear:
    year = AcademicYear.objects.filter(code=AcademicYear.code_for(start_year)).first()
    if year is None:
        raise Http404
    return year


def _figures(node: Node, year: AcademicYear, scope: Scope):
    figures = selectors.figure_choices(node=node, year=year)
    pupil_access = scope.can_see_pupils_in(node)
    shown = {}
    for f in figures:
        value = present(f.value, f.suppression, pupil_access=pupil_access)
        shown[figure_choice_value(f)] = (
            value if isinstance(value, str) else "–" if value is None else number_format(value, 1)
        )
    return figures, shown


def _render(
    request: HttpRequest,
    *,
    scope: Scope,
    node: Node,
    year: AcademicYear,
    page: Page,
    status: int = 200,
) -> HttpResponse:
    plan = selectors.plan_for(node=node, year=year, scope=scope)
    assert plan is not None
    may_write = permissions.may_write_plan(scope, node)
    today = timezone.localdate()
    points = list(FollowUpPoint.objects.filter(term__academic_year=year).order_by("assessed_on"))
    figures, shown = _figures(node, year, scope) if may_write else ([], {})
    people = selectors.plan_people(node)
    evaluation_opens = selectors.evaluation_opens(year)
    areas = []
    for area_view in plan.areas:
        area = area_view.area
        goals = []
        for goal_view in area_view.goals:
            goal = goal_view.goal
            evaluation = getattr(goal, "evaluation", None)
            goals.append(
                GoalRow(
                    view=goal_view,
                    edit_form=page.get(
                        "goal_update", goal.pk, lambda goal=goal: _goal_edit_form(goal)
                    ),
                    actions=[
                        ActionRow(
                            action=a,
                            status_form=page.get(
                                "action_status",
                                a.pk,
                                lambda a=a: ActionStatusForm(
                                    prefix=f"s{a.pk}", initial={"status": a.status}
                                ),
                            ),
                            edit_form=page.get(
                                "action_update",
                                a.pk,
                                lambda a=a: ActionForm(
                                    prefix=f"ae{a.pk}",
                                    people=_owner_choices(node, a, people),
                                    initial={
                                        "title": a.title,
                                        "owner": a.owner_id,
                                        "owner_name": a.owner_name,
                                        "starts": a.starts,
                                        "ends": a.ends,
                                        "status": a.status,
                                    },
                                ),
                            ),
                            note_form=page.get(
                                "action_note",
                                a.pk,
                                lambda a=a: NoteForm(prefix=f"an{a.pk}", points=points),
                            ),
                        )
                        for a in goal_view.actions
                    ],
                    action_form=page.get(
                        "action_add",
                        goal.pk,
                        lambda goal=goal: ActionForm(prefix=f"a{goal.pk}", people=people),
                    ),
                    note_form=page.get(
                        "goal_note",
                        goal.pk,
                        lambda goal=goal: NoteForm(prefix=f"gn{goal.pk}", points=points),
                    ),
                    evaluation_form=page.get(
                        "evaluate",
                        goal.pk,
                        lambda goal=goal, evaluation=evaluation: EvaluationForm(
                            prefix=f"e{goal.pk}",
                            initial=(
                                {"verdict": evaluation.verdict, "reasons": evaluation.reasons}
                                if evaluation
                                else {}
                            ),
                        ),
                    ),
                )
            )
        areas.append(
            AreaRow(
                view=area_view,
                area_form=page.get(
                    "area_update",
                    area.pk,
                    lambda area=area: AreaForm(
                        prefix=f"ar{area.pk}",
                        initial={
                            "title": area.title,
                            "description": area.description,
                            "causes": area.causes,
                            "priority": area.priority,
                        },
                    ),
                ),
                figure_form=page.get(
                    "evidence_figure",
                    area.pk,
                    lambda area=area: FigureEvidenceForm(
                        prefix=f"f{area.pk}", figures=figures, shown=shown
                    ),
                ),
                text_form=page.get(
                    "evidence_text",
                    area.pk,
                    lambda area=area: TextEvidenceForm(prefix=f"t{area.pk}"),
                ),
                indicator_goal_form=page.get(
                    "goal_indicator",
                    area.pk,
                    lambda area=area: IndicatorGoalForm(prefix=f"gi{area.pk}"),
                ),
                qualitative_goal_form=page.get(
                    "goal_qualitative",
                    area.pk,
                    lambda area=area: QualitativeGoalForm(prefix=f"gq{area.pk}"),
                ),
                goals=goals,
            )
        )
    context = {
        "node": node,
        "year": year,
        "plan": plan,
        "areas": areas,
        "may_write": may_write,
        "area_add_form": page.get("area_add", None, lambda: AreaForm(prefix="new")),
        "has_figures": bool(figures),
        "has_points": bool(points),
        "evaluation_open": today >= evaluation_opens,
        "evaluation_opens": evaluation_opens,
        "today": today,
        "previous_year": year.start_year - 1,
        "next_year": year.start_year + 1,
        "failed_intent": page.failed[0] if page.failed else "",
    }
    return render(request, "quality/plan.html", context, status=status)


# What each intent acts on: the model its `id` names (None: the page itself).
TARGETS: dict[str, type[Model] | None] = {
    "area_add": None,
    "area_update": ProblemArea,
    "area_remove": ProblemArea,
    "evidence_figure": ProblemArea,
    "evidence_text": ProblemArea,
    "evidence_remove": Evidence,
    "goal_indicator": ProblemArea,
    "goal_qualitative": ProblemArea,
    "goal_update": DevelopmentGoal,
    "goal_remove": DevelopmentGoal,
    "action_add": DevelopmentGoal,
    "action_status": PlanAction,
    "action_update": PlanAction,
    "action_remove": PlanAction,
    "action_note": PlanAction,
    "goal_note": DevelopmentGoal,
    "note_remove": ProgressNote,
    "evaluate": DevelopmentGoal,
    "evaluation_remove": DevelopmentGoal,
}


def _target(intent: str, pk: int | None, node: Node, year: AcademicYear):
    """The object `id` names, if it belongs to this node's plan of the year (else 404)."""
    model = TARGETS[intent]
    if model is None or pk is None:
        return None
    area_path: dict[type[Model], str] = {
        ProblemArea: "",
        Evidence: "area__",
        DevelopmentGoal: "area__",
        PlanAction: "goal__area__",
    }
    if model is ProgressNote:
        found = (
            ProgressNote.objects.filter(pk=pk)
            .select_related("action__goal__area", "goal__area")
            .first()
        )
        if found is None:
            raise Http404
        area = found.about_goal.area
        if (area.node_id, area.academic_year_id) != (node.pk, year.pk):
            raise Http404
        return found
    prefix = area_path[model]
    return get_object_or_404(
        model, pk=pk, **{f"{prefix}node": node, f"{prefix}academic_year": year}
    )


def _dispatch(request: HttpRequest, *, intent: str, obj, scope: Scope, node: Node, year, points):
    """Run the intent: (form or None, success message). Raises ValidationError or returns a
    form with errors."""
    post, by = request.POST, request.user
    if intent in ("area_add", "area_update"):
        form: Form = AreaForm(post, prefix="new" if intent == "area_add" else f"ar{obj.pk}")
        if not form.is_valid():
            return form, None
        if intent == "area_add":
            actions.problem_area_create(
                node=node, academic_year=year, scope=scope, by=by, **form.cleaned_data
            )
            return form, _("The problem area was added.")
        actions.problem_area_update(area=obj, scope=scope, by=by, **form.cleaned_data)
        return form, _("The problem area was saved.")
    if intent == "evidence_figure":
        figures, shown = _figures(node, year, scope)
        form = FigureEvidenceForm(post, prefix=f"f{obj.pk}", figures=figures, shown=shown)
        if not form.is_valid():
            return form, None
        indicator, kind, period_id = form.parsed()
        actions.evidence_add_figure(
            area=obj,
            indicator=indicator,
            period_kind=kind,
            period_id=period_id,
            scope=scope,
            by=by,
        )
        return form, _("The figure was added as evidence.")
    if intent == "evidence_text":
        form = TextEvidenceForm(post, prefix=f"t{obj.pk}")
        if not form.is_valid():
            return form, None
        actions.evidence_add_qualitative(area=obj, scope=scope, by=by, **form.cleaned_data)
        return form, _("The source was added as evidence.")
    if intent == "goal_indicator":
        form = IndicatorGoalForm(post, prefix=f"gi{obj.pk}")
        if not form.is_valid():
            return form, None
        actions.goal_create_indicator(area=obj, scope=scope, by=by, **form.cleaned_data)
        return form, _("The goal was added.")
    if intent == "goal_qualitative":
        form = QualitativeGoalForm(post, prefix=f"gq{obj.pk}")
        if not form.is_valid():
            return form, None
        actions.goal_create_qualitative(area=obj, scope=scope, by=by, **form.cleaned_data)
        return form, _("The goal was added.")
    if intent == "goal_update":
        form = _goal_edit_form(obj, post)
        if not form.is_valid():
            return form, None
        actions.goal_update(goal=obj, scope=scope, by=by, **form.cleaned_data)
        return form, _("The goal was saved.")
    if intent == "action_add":
        form = ActionForm(post, prefix=f"a{obj.pk}", people=selectors.plan_people(node))
        if not form.is_valid():
            return form, None
        actions.plan_action_create(goal=obj, scope=scope, by=by, **form.cleaned_data)
        return form, _("The action was added.")
    if intent == "action_update":
        form = ActionForm(post, prefix=f"ae{obj.pk}", people=_owner_choices(node, obj))
        if not form.is_valid():
            return form, None
        actions.plan_action_update(action=obj, scope=scope, by=by, **form.cleaned_data)
        return form, _("The action was saved.")
    if intent == "action_status":
        form = ActionStatusForm(post, prefix=f"s{obj.pk}")
        if not form.is_valid():
            return form, None
        actions.plan_action_update(
            action=obj,
            title=obj.title,
            owner=obj.owner,
            owner_name=obj.owner_name,
            starts=obj.starts,
            ends=obj.ends,
            status=form.cleaned_data["status"],
            scope=scope,
            by=by,
        )
        return form, _("The action's status was saved.")
    if intent in ("action_note", "goal_note"):
        prefix = f"an{obj.pk}" if intent == "action_note" else f"gn{obj.pk}"
        form = NoteForm(post, prefix=prefix, points=points)
        if not form.is_valid():
            return form, None
        point = next(p for p in points if str(p.pk) == form.cleaned_data["point"])
        target = {"action": obj} if intent == "action_note" else {"goal": obj}
        actions.progress_note_add(
            point=point, text=form.cleaned_data["text"], scope=scope, by=by, **target
        )
        return form, _("The note was added.")
    if intent == "evaluate":
        form = EvaluationForm(post, prefix=f"e{obj.pk}")
        if not form.is_valid():
            return form, None
        actions.goal_evaluate(goal=obj, scope=scope, by=by, **form.cleaned_data)
        return form, _("The evaluation was saved.")
    removals: dict[str, tuple[Callable[..., object], str, str]] = {
        "area_remove": (actions.problem_area_remove, "area", _("The problem area was removed.")),
        "evidence_remove": (actions.evidence_remove, "evidence", _("The evidence was removed.")),
        "goal_remove": (actions.goal_remove, "goal", _("The goal was removed.")),
        "action_remove": (actions.plan_action_remove, "action", _("The action was removed.")),
        "note_remove": (actions.progress_note_remove, "note", _("The note was removed.")),
        "evaluation_remove": (
            actions.goal_evaluation_remove,
            "goal",
            _("The evaluation was removed."),
        ),
    }
    remove, keyword, message = removals[intent]
    remove(scope=scope, by=by, **{keyword: obj})
    return None, message


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, node_id: int, start_year: int) -> HttpResponse:
    scope, node = _plan_node(request, node_id)
    year = _year(start_year)
    if request.method == "GET":
        return _render(request, scope=scope, node=node, year=year, page=Page())
    if not permissions.may_write_plan(scope, node):
        raise PermissionDenied
    intent = request.POST.get("intent", "")
    if intent not in TARGETS:
        return HttpResponse(status=400)
    try:
        pk = int(request.POST["id"]) if TARGETS[intent] is not None else None
    except (KeyError, ValueError):
        return HttpResponse(status=400)
    obj = _target(intent, pk, node, year)
    points = list(FollowUpPoint.objects.filter(term__academic_year=year).order_by("assessed_on"))
    form = None
    try:
        form, message = _dispatch(
            request, intent=intent, obj=obj, scope=scope, node=node, year=year, points=points
        )
    except ValidationError as error:
        message = None
        failed_form = _failed_form(request, intent, obj, node, year, scope, points)
        if failed_form is None:
            messages.error(request, " ".join(error.messages))
            return redirect("quality_plan", node_id=node.pk, start_year=start_year)
        form_attach_error(failed_form, error)
        form = failed_form
    if message is None:
        assert form is not None
        page = Page(failed=(intent, pk, form))
        return _render(request, scope=scope, node=node, year=year, page=page, status=400)
    messages.success(request, message)
    url = reverse("quality_plan", kwargs={"node_id": node.pk, "start_year": start_year})
    anchor = f"#area-{obj.pk}" if isinstance(obj, ProblemArea) else ""
    return redirect(url + anchor)


def _failed_form(request, intent, obj, node, year, scope, points) -> Form | None:
    """The intent's form bound to the posted data again (for an action's refusal), or None
    for the intents without one."""
    post = request.POST
    builders = {
        "area_add": lambda: AreaForm(post, prefix="new"),
        "area_update": lambda: AreaForm(post, prefix=f"ar{obj.pk}"),
        "evidence_figure": lambda: FigureEvidenceForm(
            post, prefix=f"f{obj.pk}", figures=_figures(node, year, scope)[0], shown={}
        ),
        "evidence_text": lambda: TextEvidenceForm(post, prefix=f"t{obj.pk}"),
        "goal_indicator": lambda: IndicatorGoalForm(post, prefix=f"gi{obj.pk}"),
        "goal_qualitative": lambda: QualitativeGoalForm(post, prefix=f"gq{obj.pk}"),
        "goal_update": lambda: _goal_edit_form(obj, post),
        "action_add": lambda: ActionForm(
            post, prefix=f"a{obj.pk}", people=selectors.plan_people(node)
        ),
        "action_status": lambda: ActionStatusForm(post, prefix=f"s{obj.pk}"),
        "action_update": lambda: ActionForm(
            post, prefix=f"ae{obj.pk}", people=_owner_choices(node, obj)
        ),
        "action_note": lambda: NoteForm(post, prefix=f"an{obj.pk}", points=points),
        "goal_note": lambda: NoteForm(post, prefix=f"gn{obj.pk}", points=points),
        "evaluate": lambda: EvaluationForm(post, prefix=f"e{obj.pk}"),
    }
    builder = builders.get(intent)
    if builder is None:
        return None
    form = builder()
    form.is_valid()
    return form


# -- the calendar's report deadlines -----------------------------------------------------------


@login_required
@require_POST
def report_deadline_set(request: HttpRequest, start_year: int) -> HttpResponse:
    scope = scope_for_request(request)
    if not permissions.may_set_report_deadlines(scope):
        raise PermissionDenied
    year = _year(start_year)
    form = ReportDeadlineForm(request.POST, prefix="deadline")
    if form.is_valid():
        try:
            actions.report_deadline_set(
                academic_year=year, scope=scope, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The deadline for the quality reports was saved."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("quality_calendar", args=[start_year]) + "#report-deadlines")


@login_required
@require_POST
def report_deadline_remove(request: HttpRequest, deadline_id: int) -> HttpResponse:
    scope = scope_for_request(request)
    if not permissions.may_set_report_deadlines(scope):
        raise PermissionDenied
    found = get_object_or_404(
        ReportDeadline.objects.select_related("academic_year"), pk=deadline_id
    )
    start_year = found.academic_year.start_year
    actions.report_deadline_remove(deadline=found, scope=scope, by=request.user)
    messages.success(request, _("The deadline was removed."))
    return redirect(reverse("quality_calendar", args=[start_year]) + "#report-deadlines")
