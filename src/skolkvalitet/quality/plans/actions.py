"""Every write of the nulägesanalys, the utvecklingsplan and the report deadlines: named,
atomic functions with keyword-only arguments, each checking the capability table through the
user's Scope (quality/plans/permissions.py), validating (ValidationError with a translatable
message, keyed by the form field where there is one) and audit-logged.

- problem areas: problem_area_create, problem_area_update, problem_area_remove;
- evidence: evidence_add_figure (freezes the node's stored value, n, marker and data version
  of the indicator in that period), evidence_add_qualitative, evidence_remove;
- goals: goal_create_indicator (sets the node's Target for the indicator and year through
  dashboards' target_set and freezes the baseline), goal_create_qualitative, goal_update,
  goal_remove;
- actions (insatser): plan_action_create, plan_action_update, plan_action_remove;
- progress notes: progress_note_add, progress_note_remove;
- the evaluation at the year's end: goal_evaluate, goal_evaluation_remove;
- the calendar's report deadlines: report_deadline_set, report_deadline_remove.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.dashboards.actions import target_remove, target_set
from skolkvalitet.dashboards.models import Target
from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Node
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope
from skolkvalitet.quality.common_model import SCHOOL_FORMS
from skolkvalitet.quality.models import (
    ActionStatus,
    DevelopmentGoal,
    Evidence,
    EvidenceKind,
    GoalEvaluation,
    GoalKind,
    PlanAction,
    ProblemArea,
    ProgressNote,
    ReportDeadline,
    Verdict,
)
from skolkvalitet.quality.plans.permissions import (
    PLAN_NODE_KINDS,
    may_set_report_deadlines,
    may_write_plan,
)
from skolkvalitet.quality.plans.selectors import (
    evaluation_opens,
    figure_at,
    figure_latest,
    organiser_target,
    plan_people,
)

MAX_TITLE = 200
MAX_TEXT = 10_000
MAX_NOTE = 4_000
MAX_PRIORITY = 9
MAX_ACTION_DAYS = 3 * 366


def _require_writer(scope: Scope, node: Node) -> None:
    if not may_write_plan(scope, node):
        raise PermissionDenied


def _text(errors: dict[str, list[str]], field: str, value: str, *, limit: int) -> str:
    """`value` without surrounding space and with Unix line ends; a message in `errors`
    when it is longer than `limit`."""
    value = (value or "").replace("\r\n", "\n").strip()
    if len(value) > limit:
        errors.setdefault(field, []).append(_("At most %(count)d characters.") % {"count": limit})
    return value


def _required(errors: dict[str, list[str]], field: str, value: str, message: str) -> None:
    if not value:
        errors.setdefault(field, []).append(message)


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _audit(by, event: str, node: Node, /, **detail: object) -> None:
    audit_record(user=by, action=event, node=node, detail=dict(detail))


# -- problem areas -----------------------------------------------------------------------------


def _area_fields(
    *, title: str, description: str, causes: str, priority: int
) -> tuple[str, str, str, int]:
    errors: dict[str, list[str]] = {}
    title = _text(errors, "title", title, limit=MAX_TITLE)
    description = _text(errors, "description", description, limit=MAX_TEXT)
    causes = _text(errors, "causes", causes, limit=MAX_TEXT)
    _required(errors, "title", title, _("Give the problem area a title."))
    _required(
        errors,
        "causes",
        causes,
        _("Write the analysis of causes: the Education Act requires it."),
    )
    if not isinstance(priority, int) or not 1 <= priority <= MAX_PRIORITY:
        errors.setdefault("priority", []).append(
            _("The priority is a number from 1 (highest) to %(max)d.") % {"max": MAX_PRIORITY}
        )
    _raise(errors)
    return title, description, causes, priority


@transaction.atomic
def problem_area_create(
    *,
    node: Node,
    academic_year: AcademicYear,
    title: str,
    causes: str,
    priority: int,
    description: str = "",
    scope: Scope,
    by,
) -> ProblemArea:
    """A problem area of the node's nulägesanalys for the year."""
    _require_writer(scope, node)
    if node.kind not in PLAN_NODE_KINDS:
        raise ValidationError(_("A plan belongs to a school unit or to the organiser."))
    title, description, causes, priority = _area_fields(
        title=title, description=description, causes=causes, priority=priority
    )
    area = ProblemArea.objects.create(
        node=node,
        academic_year=academic_year,
        title=title,
        description=description,
        causes=causes,
        priority=priority,
        created_by=by,
        updated_by=by,
    )
    _audit(by, "problem_area_create", node, area=area.pk, year=academic_year.code)
    return area


@transaction.atomic
def problem_area_update(
    *,
    area: ProblemArea,
    title: str,
    causes: str,
    priority: int,
    description: str = "",
    scope: Scope,
    by,
) -> ProblemArea:
    """Change a problem area's title, description, causes or priority."""
    area = ProblemArea.objects.select_for_update().select_related("node").get(pk=area.pk)
    _require_writer(scope, area.node)
    area.title, area.description, area.causes, area.priority = _area_fields(
        title=title, description=description, causes=causes, priority=priority
    )
    area.updated_by = by
    area.save()
    _audit(by, "problem_area_update", area.node, area=area.pk)
    return area


@transaction.atomic
def problem_area_remove(*, area: ProblemArea, scope: Scope, by) -> None:
    """Remove a problem area and its evidence; refused while it has goals (remove them
    first, so no target or evaluation goes unnoticed)."""
    area = ProblemArea.objects.select_for_update().select_related("node").get(pk=area.pk)
    _require_writer(scope, area.node)
    if area.goals.exists():
        raise ValidationError(
            _("%(area)s has goals: remove them before the problem area.") % {"area": area.title}
        )
    node, pk = area.node, area.pk
    area.delete()
    _audit(by, "problem_area_remove", node, area=pk)


# -- evidence ----------------------------------------------------------------------------------


def _area_locked(area: ProblemArea, scope: Scope) -> ProblemArea:
    area = ProblemArea.objects.select_for_update().select_related("node").get(pk=area.pk)
    _require_writer(scope, area.node)
    return area


@transaction.atomic
def evidence_add_figure(
    *,
    area: ProblemArea,
    indicator: str,
    period_kind: str,
    period_id: int,
    scope: Scope,
    by,
) -> Evidence:
    """Evidence from the node's own figures: the stored value of `indicator` in the period,
    frozen now with its n, suppression marker and data version, so a later import does not
    change what the analysis rested on."""
    area = _area_locked(area, scope)
    if indicator not in REGISTRY:
        raise ValidationError({"figure": _("Unknown indicator %(key)s.") % {"key": indicator}})
    figure = figure_at(
        node=area.node, indicator=indicator, period_kind=period_kind, period_id=period_id
    )
    if figure is None:
        raise ValidationError({"figure": _("The unit has no such figure.")})
    evidence = Evidence.objects.create(
        area=area,
        kind=EvidenceKind.FIGURE,
        indicator=indicator,
        period_kind=figure.period_kind,
        period_id=figure.period_id,
        period_label=figure.period_label,
        value=figure.value,
        n=figure.n,
        suppression=figure.suppression,
        data_version=figure.data_version,
        created_by=by,
    )
    _audit(
        by,
        "evidence_add",
        area.node,
        area=area.pk,
        evidence=evidence.pk,
        indicator=indicator,
        data_version=figure.data_version,
    )
    return evidence


@transaction.atomic
def evidence_add_qualitative(*, area: ProblemArea, text: str, scope: Scope, by) -> Evidence:
    """Evidence from a described source (a survey's free answers, observations, a review)."""
    area = _area_locked(area, scope)
    errors: dict[str, list[str]] = {}
    text = _text(errors, "text", text, limit=MAX_TEXT)
    _required(errors, "text", text, _("Describe the source."))
    _raise(errors)
    evidence = Evidence.objects.create(
        area=area, kind=EvidenceKind.QUALITATIVE, text=text, created_by=by
    )
    _audit(by, "evidence_add", area.node, area=area.pk, evidence=evidence.pk)
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, scope: Scope, by) -> None:
    evidence = Evidence.objects.select_related("area__node").get(pk=evidence.pk)
    _require_writer(scope, evidence.area.node)
    node, pk, area = evidence.area.node, evidence.pk, evidence.area_id
    evidence.delete()
    _audit(by, "evidence_remove", node, area=area, evidence=pk)


# -- goals -------------------------------------------------------------------------------------


def _goal_title(errors: dict[str, list[str]], title: str) -> str:
    title = _text(errors, "title", title, limit=MAX_TITLE)
    _required(errors, "title", title, _("State the goal."))
    return title


def _check_target_date(
    errors: dict[str, list[str]], target_date: dt.date | None, year: AcademicYear
) -> None:
    if target_date is None:
        errors.setdefault("target_date", []).append(_("Give the date the goal should be met."))
    elif target_date < year.start_date:
        errors.setdefault("target_date", []).append(
            _("The date cannot be before the academic year begins (%(start)s).")
            % {"start": year.start_date.isoformat()}
        )


def _target_for(
    *,
    node: Node,
    indicator: str,
    year: AcademicYear,
    value: float,
    scope: Scope,
    by,
) -> tuple[Target, bool]:
    """The Target an indicator goal of the node takes for the indicator and year, and
    whether the plan set it (none was there).

    A writer who may set targets (Capability.SET_TARGETS) sets the node's own target to
    `value` through dashboards' target_set. A writer who may not (the unit head) is bound by
    the target the organiser set — the nearest one on the node or above it, as the result
    pages show it (selectors.organiser_target): the goal must take its value and refers to
    it, so that no plan puts a unit target of its own in front of the organiser's. Only
    where the organiser has set none does the plan set (or change) the node's own."""
    may_set = scope.can(Capability.SET_TARGETS, node)
    if not may_set:
        binding = organiser_target(node=node, indicator=indicator, year=year)
        if binding is not None:
            if binding.value != value:
                raise ValidationError(
                    {
                        "target_value": _(
                            "The organiser has set the target %(value)s for this indicator "
                            "this year: give the goal that target, or ask the organiser to "
                            "change it."
                        )
                        % {"value": f"{binding.value:g}"}
                    }
                )
            return binding, False
    existing = Target.objects.filter(node=node, indicator=indicator, academic_year=year).first()
    try:
        target = target_set(
            node=node,
            indicator=indicator,
            value=value,
            academic_year=year,
            by=by,
            scope=scope if may_set else None,  # else the plan's writer, checked by the caller
        )
    except ValidationError as error:
        raise ValidationError({"target_value": error.messages}) from None
    return target, existing is None


@transaction.atomic
def goal_create_indicator(
    *,
    area: ProblemArea,
    title: str,
    indicator: str,
    target_value: float,
    target_date: dt.date | None,
    scope: Scope,
    by,
) -> DevelopmentGoal:
    """An indicator goal: the node's target for the indicator and the area's year (dashboards'
    Target: the targets page shows the same), the date it should be met, and the baseline —
    the node's latest stored value of the indicator now — frozen."""
    area = _area_locked(area, scope)
    year = area.academic_year
    errors: dict[str, list[str]] = {}
    title = _goal_title(errors, title)
    if indicator not in REGISTRY:
        errors.setdefault("indicator", []).append(_("Choose an indicator."))
    _check_target_date(errors, target_date, year)
    _raise(errors)
    target, owns = _target_for(
        node=area.node, indicator=indicator, year=year, value=target_value, scope=scope, by=by
    )
    baseline = figure_latest(node=area.node, indicator=indicator, until=year.end_date)
    goal = DevelopmentGoal.objects.create(
        area=area,
        kind=GoalKind.INDICATOR,
        title=title,
        indicator=indicator,
        target=target,
        owns_target=owns,
        target_date=target_date,
        baseline_value=baseline.value if baseline else None,
        baseline_n=baseline.n if baseline else None,
        baseline_suppression=baseline.suppression if baseline else "",
        baseline_period_kind=baseline.period_kind if baseline else "",
        baseline_period_id=baseline.period_id if baseline else None,
        baseline_period_label=baseline.period_label if baseline else "",
        baseline_data_version=baseline.data_version if baseline else None,
        created_by=by,
        updated_by=by,
    )
    _audit(
        by,
        "goal_create",
        area.node,
        goal=goal.pk,
        indicator=indicator,
        target=target.value,
        baseline_data_version=goal.baseline_data_version,
    )
    return goal


@transaction.atomic
def goal_create_qualitative(
    *, area: ProblemArea, title: str, criterion: str, scope: Scope, by
) -> DevelopmentGoal:
    """A goal with a stated criterion of when it is met."""
    area = _area_locked(area, scope)
    errors: dict[str, list[str]] = {}
    title = _goal_title(errors, title)
    criterion = _text(errors, "criterion", criterion, limit=MAX_TEXT)
    _required(errors, "criterion", criterion, _("State when the goal is met."))
    _raise(errors)
    goal = DevelopmentGoal.objects.create(
        area=area,
        kind=GoalKind.QUALITATIVE,
        title=title,
        criterion=criterion,
        created_by=by,
        updated_by=by,
    )
    _audit(by, "goal_create", area.node, goal=goal.pk)
    return goal


def _goal_locked(goal: DevelopmentGoal, scope: Scope) -> DevelopmentGoal:
    goal = (
        DevelopmentGoal.objects.select_for_update(of=("self",))
        .select_related("area__node", "area__academic_year", "target")
        .get(pk=goal.pk)
    )
    _require_writer(scope, goal.area.node)
    return goal


@transaction.atomic
def goal_update(
    *,
    goal: DevelopmentGoal,
    title: str,
    target_value: float | None = None,
    target_date: dt.date | None = None,
    criterion: str = "",
    scope: Scope,
    by,
) -> DevelopmentGoal:
    """Change a goal: its wording, and its target and date (an indicator goal) or its
    criterion (a qualitative one). The indicator and the baseline stay as they were set."""
    goal = _goal_locked(goal, scope)
    errors: dict[str, list[str]] = {}
    released: Target | None = None
    goal.title = _goal_title(errors, title)
    if goal.kind == GoalKind.INDICATOR:
        _check_target_date(errors, target_date, goal.area.academic_year)
        if target_value is None:
            errors.setdefault("target_value", []).append(_("Give the target value."))
        _raise(errors)
        assert target_value is not None
        if goal.target is not None and goal.target.value == target_value:
            target = goal.target  # the target as it stands: nothing to set
        else:
            target, owns = _target_for(
                node=goal.area.node,
                indicator=goal.indicator,
                year=goal.area.academic_year,
                value=target_value,
                scope=scope,
                by=by,
            )
            if goal.target_id != target.pk:
                if goal.owns_target and goal.target is not None:
                    released = goal.target  # the plan's own, given up for the organiser's
                goal.owns_target = owns
        goal.target, goal.target_date = target, target_date
    else:
        goal.criterion = _text(errors, "criterion", criterion, limit=MAX_TEXT)
        _required(errors, "criterion", goal.criterion, _("State when the goal is met."))
        _raise(errors)
    goal.updated_by = by
    goal.save()
    if released is not None and not released.plan_goals.exists():
        target_remove(target=released)
    _audit(by, "goal_update", goal.area.node, goal=goal.pk)
    return goal


@transaction.atomic
def goal_remove(*, goal: DevelopmentGoal, scope: Scope, by) -> None:
    """Remove a goal with its actions, notes and evaluation. A target the goal set is removed
    with it unless another goal uses it; a target set by the organiser stays."""
    goal = _goal_locked(goal, scope)
    target = goal.target
    node, pk = goal.area.node, goal.pk
    owned = goal.owns_target
    goal.delete()
    if target is not None and owned and not target.plan_goals.exists():
        target_remove(target=target)
    _audit(by, "goal_remove", node, goal=pk)


# -- actions (insatser) ------------------------------------------------------------------------


def _action_fields(
    *,
    node: Node,
    title: str,
    owner: User | None,
    owner_name: str,
    starts: dt.date | None,
    ends: dt.date | None,
    status: str,
    owner_changed: bool,
    today: dt.date | None = None,
) -> tuple[str, str]:
    """The action's title and owner's name, checked; an owner chosen now (`owner_changed`)
    must have a role at the node (plan_people). An owner kept as they were is not checked
    again: an action whose owner has since lost their role can still be updated."""
    errors: dict[str, list[str]] = {}
    title = _text(errors, "title", title, limit=MAX_TITLE)
    owner_name = _text(errors, "owner_name", owner_name, limit=MAX_TITLE)
    _required(errors, "title", title, _("Say what will be done."))
    if owner is None and not owner_name:
        errors.setdefault("owner_name", []).append(_("Say who is responsible."))
    chosen = owner.pk if owner is not None and owner_changed else None
    if chosen is not None and not plan_people(node, on=today).filter(pk=chosen).exists():
        errors.setdefault("owner", []).append(
            _("The responsible person must have a role at the unit.")
        )
    if starts is None:
        errors.setdefault("starts", []).append(_("Give the start date."))
    if ends is None:
        errors.setdefault("ends", []).append(_("Give the end date."))
    if starts is not None and ends is not None:
        if ends < starts:
            errors.setdefault("ends", []).append(_("The end cannot be before the start."))
        elif (ends - starts).days > MAX_ACTION_DAYS:
            errors.setdefault("ends", []).append(_("An action runs at most three years."))
    if status not in ActionStatus.values:
        errors.setdefault("status", []).append(_("Choose a status."))
    _raise(errors)
    return title, owner_name


@transaction.atomic
def plan_action_create(
    *,
    goal: DevelopmentGoal,
    title: str,
    starts: dt.date | None,
    ends: dt.date | None,
    owner: User | None = None,
    owner_name: str = "",
    status: str = ActionStatus.PLANNED,
    scope: Scope,
    by,
    today: dt.date | None = None,
) -> PlanAction:
    """An action toward the goal: what, who (a user with a role at the unit on `today`,
    default the real date, or a name), from when to when, and its status."""
    goal = _goal_locked(goal, scope)
    title, owner_name = _action_fields(
        node=goal.area.node,
        title=title,
        owner=owner,
        owner_name=owner_name,
        starts=starts,
        ends=ends,
        status=status,
        owner_changed=True,
        today=today,
    )
    assert starts is not None and ends is not None
    action = PlanAction.objects.create(
        goal=goal,
        title=title,
        owner=owner,
        owner_name="" if owner is not None else owner_name,
        starts=starts,
        ends=ends,
        status=status,
        created_by=by,
        updated_by=by,
    )
    _audit(by, "plan_action_create", goal.area.node, goal=goal.pk, action=action.pk)
    return action


def _action_locked(action: PlanAction, scope: Scope) -> PlanAction:
    action = (
        PlanAction.objects.select_for_update(of=("self",))
        .select_related("goal__area__node")
        .get(pk=action.pk)
    )
    _require_writer(scope, action.goal.area.node)
    return action


@transaction.atomic
def plan_action_update(
    *,
    action: PlanAction,
    title: str,
    starts: dt.date | None,
    ends: dt.date | None,
    status: str,
    owner: User | None = None,
    owner_name: str = "",
    scope: Scope,
    by,
) -> PlanAction:
    """Change an action: what, who, its dates or its status. A new owner must have a role at
    the unit; the present one is kept even after losing theirs."""
    action = _action_locked(action, scope)
    title, owner_name = _action_fields(
        node=action.goal.area.node,
        title=title,
        owner=owner,
        owner_name=owner_name,
        starts=starts,
        ends=ends,
        status=status,
        owner_changed=(owner.pk if owner is not None else None) != action.owner_id,
    )
    assert starts is not None and ends is not None
    previous = action.status
    action.title, action.starts, action.ends, action.status = title, starts, ends, status
    action.owner = owner
    action.owner_name = "" if owner is not None else owner_name
    action.updated_by = by
    action.save()
    _audit(
        by,
        "plan_action_update",
        action.goal.area.node,
        action=action.pk,
        status=status,
        previous_status=previous,
    )
    return action


@transaction.atomic
def plan_action_remove(*, action: PlanAction, scope: Scope, by) -> None:
    action = _action_locked(action, scope)
    node, pk = action.goal.area.node, action.pk
    action.delete()
    _audit(by, "plan_action_remove", node, action=pk)


# -- progress notes ----------------------------------------------------------------------------


@transaction.atomic
def progress_note_add(
    *,
    point: FollowUpPoint,
    text: str,
    action: PlanAction | None = None,
    goal: DevelopmentGoal | None = None,
    scope: Scope,
    by,
) -> ProgressNote:
    """A note on how an action or a goal (one of them) is going, at a follow-up point of the
    plan's academic year."""
    if (action is None) == (goal is None):
        raise ValueError("progress_note_add takes an action or a goal")
    if action is not None:
        action = _action_locked(action, scope)
        area = action.goal.area
    else:
        assert goal is not None
        goal = _goal_locked(goal, scope)
        area = goal.area
    errors: dict[str, list[str]] = {}
    text = _text(errors, "text", text, limit=MAX_NOTE)
    _required(errors, "text", text, _("Write the note."))
    point = FollowUpPoint.objects.select_related("term").get(pk=point.pk)
    if point.term.academic_year_id != area.academic_year_id:
        errors.setdefault("point", []).append(
            _("Choose a follow-up point of the plan's academic year.")
        )
    _raise(errors)
    note = ProgressNote.objects.create(
        action=action, goal=goal, follow_up_point=point, text=text, created_by=by
    )
    _audit(by, "progress_note_add", area.node, note=note.pk, point=point.pk)
    return note


@transaction.atomic
def progress_note_remove(*, note: ProgressNote, scope: Scope, by) -> None:
    note = ProgressNote.objects.select_related("action__goal__area__node", "goal__area__node").get(
        pk=note.pk
    )
    goal = note.about_goal
    _require_writer(scope, goal.area.node)
    pk = note.pk
    note.delete()
    _audit(by, "progress_note_remove", goal.area.node, note=pk)


# -- the evaluation at the year's end ----------------------------------------------------------


@transaction.atomic
def goal_evaluate(
    *,
    goal: DevelopmentGoal,
    verdict: str,
    reasons: str,
    scope: Scope,
    by,
    today: dt.date | None = None,
) -> GoalEvaluation:
    """Evaluate the goal at the year's end (from the year's last follow-up point on, as of
    `today`, default the real date): met, partly met or not met, and why. A second
    evaluation replaces the first."""
    goal = _goal_locked(goal, scope)
    year = goal.area.academic_year
    errors: dict[str, list[str]] = {}
    if verdict not in Verdict.values:
        errors.setdefault("verdict", []).append(_("Choose met, partly met or not met."))
    reasons = _text(errors, "reasons", reasons, limit=MAX_TEXT)
    _required(errors, "reasons", reasons, _("Say why."))
    _raise(errors)
    opens = evaluation_opens(year)
    if (today or timezone.localdate()) < opens:
        raise ValidationError(
            _("The goals of %(year)s are evaluated from %(date)s, at the year's end.")
            % {"year": year.code, "date": opens.isoformat()}
        )
    evaluation, _created = GoalEvaluation.objects.update_or_create(
        goal=goal,
        defaults={"verdict": verdict, "reasons": reasons, "updated_by": by},
        create_defaults={
            "verdict": verdict,
            "reasons": reasons,
            "created_by": by,
            "updated_by": by,
        },
    )
    _audit(by, "goal_evaluate", goal.area.node, goal=goal.pk, verdict=verdict)
    return evaluation


@transaction.atomic
def goal_evaluation_remove(*, goal: DevelopmentGoal, scope: Scope, by) -> None:
    goal = _goal_locked(goal, scope)
    GoalEvaluation.objects.filter(goal=goal).delete()
    _audit(by, "goal_evaluation_remove", goal.area.node, goal=goal.pk)


# -- report deadlines (the calendar) -----------------------------------------------------------


@transaction.atomic
def report_deadline_set(
    *,
    academic_year: AcademicYear,
    school_form: str,
    deadline: dt.date | None,
    scope: Scope,
    by,
) -> ReportDeadline:
    """Set the deadline of the year's quality reports for a school form ("" for all)."""
    if not may_set_report_deadlines(scope):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if school_form and school_form not in SCHOOL_FORMS:
        errors.setdefault("school_form", []).append(_("Choose a school form."))
    if deadline is None:
        errors.setdefault("deadline", []).append(_("Give the deadline."))
    elif (
        not academic_year.start_date <= deadline <= academic_year.end_date + dt.timedelta(days=183)
    ):
        errors.setdefault("deadline", []).append(
            _("The deadline must lie within the academic year or the half year after it.")
        )
    _raise(errors)
    found, _created = ReportDeadline.objects.update_or_create(
        academic_year=academic_year,
        school_form=school_form,
        defaults={"deadline": deadline, "updated_by": by},
    )
    audit_record(
        user=by,
        action="report_deadline_set",
        detail={
            "year": academic_year.code,
            "school_form": school_form,
            "deadline": found.deadline.isoformat(),
        },
    )
    return found


@transaction.atomic
def report_deadline_remove(*, deadline: ReportDeadline, scope: Scope, by) -> None:
    if not may_set_report_deadlines(scope):
        raise PermissionDenied
    found = ReportDeadline.objects.filter(pk=deadline.pk).select_related("academic_year").first()
    if found is None:
        return
    detail = {"year": found.academic_year.code, "school_form": found.school_form}
    found.delete()
    audit_record(user=by, action="report_deadline_remove", detail=detail)
