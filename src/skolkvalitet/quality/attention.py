"""What needs a user's attention in the quality cycle, for the start page: the quality reports
they are to write (a deadline within REPORT_WINDOW_DAYS, or passed within it, and the report
not handed in), the reports they are to review (submitted), and the plan actions overdue in
the units they write for or that they own where they still have a role (on, above or below
the unit: those a plan may give an action to). The resultatdialoger due are the start page's
"Your follow-up dialogues" (selectors.my_dialogues)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope, path_prefix_q
from skolkvalitet.quality.models import QualityReport, ReportStatus
from skolkvalitet.quality.models.plans import ACTION_FINISHED, PlanAction, ReportDeadline
from skolkvalitet.quality.models.reports import REPORT_HANDED_IN
from skolkvalitet.quality.plans.permissions import may_read_plan
from skolkvalitet.quality.reports.export import school_form_of

# Deadlines this many days ahead, or passed this many days ago, make a report a task.
REPORT_WINDOW_DAYS = 60


@dataclass(frozen=True)
class ReportTask:
    unit: Node
    year: AcademicYear
    school_form: str
    status: str  # not_started, draft, returned (to write); submitted (to review)
    deadline: dt.date | None
    overdue: bool


@dataclass(frozen=True)
class Attention:
    reports_to_write: list[ReportTask]
    reports_to_review: list[ReportTask]
    actions_overdue: list[PlanAction]
    # The nodes whose plan the user may open: an owner who only owns an action there (a
    # teacher, say) sees it without a link to a page they may not read.
    readable_plans: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.reports_to_write or self.reports_to_review or self.actions_overdue)


def attention(*, scope: Scope, user_id: int | None, today: dt.date) -> Attention:
    overdue = _actions_overdue(scope, user_id, today)
    nodes = {a.goal.area.node_id: a.goal.area.node for a in overdue}
    return Attention(
        reports_to_write=_reports_to_write(scope, today),
        reports_to_review=_reports_to_review(scope, today),
        actions_overdue=overdue,
        readable_plans=frozenset(pk for pk, node in nodes.items() if may_read_plan(scope, node)),
    )


def _resolved(deadlines: list[ReportDeadline]) -> dict[tuple[int, str], dt.date]:
    """(academic year id, school form) → the deadline in force: the school form's own, else
    the year's deadline for every form (school form "")."""
    resolved: dict[tuple[int, str], dt.date] = {}
    for d in sorted(deadlines, key=lambda d: d.school_form != ""):  # every form's first
        resolved[(d.academic_year_id, d.school_form)] = d.deadline
    return resolved


def report_tasks(
    *, units: Iterable[Node], deadline_from: dt.date, deadline_to: dt.date, today: dt.date
) -> list[ReportTask]:
    """The reports of `units` not handed in whose deadline lies between `deadline_from` and
    `deadline_to` (both included). Each unit's deadline is resolved per academic year and
    school form first — the school form's own deadline wins over the year's deadline for
    every form — and only then compared with the dates, so a deadline that does not apply
    to the unit never stands in for the one that does."""
    years_near = ReportDeadline.objects.filter(
        deadline__gte=deadline_from, deadline__lte=deadline_to
    ).values("academic_year_id")
    deadlines = list(
        ReportDeadline.objects.filter(academic_year_id__in=years_near).select_related(
            "academic_year"
        )
    )
    if not deadlines:
        return []
    units = list(units)  # read only when some deadline is near
    years = {d.academic_year_id: d.academic_year for d in deadlines}
    resolved = _resolved(deadlines)
    stored = {
        (r.node_id, r.academic_year_id, r.template.school_form): r.status
        for r in QualityReport.objects.filter(
            node__in=units, academic_year_id__in=list(years)
        ).select_related("template")
    }
    tasks = []
    for year_id, year in sorted(years.items(), key=lambda item: item[1].start_date):
        for unit in units:
            school_form = school_form_of(unit)
            if school_form is None:
                continue
            deadline = resolved.get((year_id, school_form), resolved.get((year_id, "")))
            if deadline is None or not deadline_from <= deadline <= deadline_to:
                continue
            status = stored.get((unit.pk, year_id, school_form), "not_started")
            if status in REPORT_HANDED_IN:
                continue
            tasks.append(
                ReportTask(unit, year, school_form, status, deadline, overdue=deadline < today)
            )
    return tasks


def _reports_to_write(scope: Scope, today: dt.date) -> list[ReportTask]:
    paths = scope.paths_with(Capability.WRITE_DIALOGUE)
    if not paths:
        return []
    window = dt.timedelta(days=REPORT_WINDOW_DAYS)
    units = Node.objects.filter(
        path_prefix_q("path", paths), kind=NodeKind.UNIT, is_active=True
    ).order_by("name")
    return report_tasks(
        units=units, deadline_from=today - window, deadline_to=today + window, today=today
    )


def report_tasks_due(*, deadline: dt.date) -> list[ReportTask]:
    """Every active unit's report not handed in whose deadline is `deadline` (reminders),
    resolved as report_tasks does."""
    units = Node.objects.filter(kind=NodeKind.UNIT, is_active=True).order_by("name")
    return report_tasks(units=units, deadline_from=deadline, deadline_to=deadline, today=deadline)


def _reports_to_review(scope: Scope, today: dt.date) -> list[ReportTask]:
    paths = scope.paths_with(Capability.REVIEW_DIALOGUE)
    if not paths:
        return []
    reports = QualityReport.objects.filter(
        path_prefix_q("node__path", paths), status=ReportStatus.SUBMITTED
    ).select_related("node", "academic_year", "template")
    return [
        ReportTask(r.node, r.academic_year, r.template.school_form, r.status, None, False)
        for r in reports.order_by("submitted_at", "pk")
    ]


def _owned_where_reached(scope: Scope, user_id: int | None) -> Q:
    """The actions `user_id` owns in plans of nodes that one of their grants still reaches:
    on the node, above it or below it (valid today, on an active node: the scope's grants).
    These are the terms on which plans.selectors.plan_people offers them as an owner; an
    owner who has lost every such role sees the action no more."""
    if user_id is None or not scope.grants:
        return Q(pk__in=[])
    granted = [g.path for g in scope.grants]
    above_or_on = path_prefix_q("goal__area__node__path", granted)
    on_or_below = {  # the node's path begins a grant's path: the grant is on it or below
        "/" + "/".join(parts[:depth]) + "/"
        for path in granted
        for parts in [path.strip("/").split("/")]
        for depth in range(1, len(parts) + 1)
    }
    return Q(owner_id=user_id) & (above_or_on | Q(goal__area__node__path__in=on_or_below))


def _actions_overdue(scope: Scope, user_id: int | None, today: dt.date) -> list[PlanAction]:
    """The overdue actions of the plans the user writes, and those they own where they still
    have a role."""
    written = path_prefix_q("goal__area__node__path", scope.paths_with(Capability.WRITE_DIALOGUE))
    return list(
        PlanAction.objects.filter(written | _owned_where_reached(scope, user_id))
        .filter(ends__lt=today)
        .exclude(status__in=list(ACTION_FINISHED))
        .select_related("goal__area__node", "goal__area__academic_year")
        .order_by("ends", "pk")
    )
