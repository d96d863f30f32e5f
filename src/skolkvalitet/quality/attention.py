"""What needs a user's attention in the quality cycle, for the start page: the quality reports
they are to write (a deadline within REPORT_WINDOW_DAYS, or passed within it, and the report
not handed in), the reports they are to review (submitted), and the plan actions overdue in
the units they write for or that they own. The resultatdialoger due are the start page's
"Your follow-up dialogues" (selectors.my_dialogues)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope, path_prefix_q
from skolkvalitet.quality.models import QualityReport, ReportStatus
from skolkvalitet.quality.models.plans import ACTION_FINISHED, PlanAction, ReportDeadline
from skolkvalitet.quality.models.reports import REPORT_HANDED_IN
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

    @property
    def is_empty(self) -> bool:
        return not (self.reports_to_write or self.reports_to_review or self.actions_overdue)


def attention(*, scope: Scope, user_id: int | None, today: dt.date) -> Attention:
    return Attention(
        reports_to_write=_reports_to_write(scope, today),
        reports_to_review=_reports_to_review(scope, today),
        actions_overdue=_actions_overdue(scope, user_id, today),
    )


def _deadline_of(deadlines: list[ReportDeadline], year_id: int, school_form: str):
    for d in deadlines:  # a deadline for the school form wins over one for every form
        if d.academic_year_id == year_id and d.school_form == school_form:
            return d.deadline
    for d in deadlines:
        if d.academic_year_id == year_id and not d.school_form:
            return d.deadline
    return None


def _reports_to_write(scope: Scope, today: dt.date) -> list[ReportTask]:
    paths = scope.paths_with(Capability.WRITE_DIALOGUE)
    if not paths:
        return []
    window = dt.timedelta(days=REPORT_WINDOW_DAYS)
    deadlines = list(
        ReportDeadline.objects.filter(
            deadline__gte=today - window, deadline__lte=today + window
        ).select_related("academic_year")
    )
    if not deadlines:
        return []
    units = list(
        Node.objects.filter(
            path_prefix_q("path", paths), kind=NodeKind.UNIT, is_active=True
        ).order_by("name")
    )
    return _report_tasks(units, deadlines, today=today)


def _report_tasks(
    units: list[Node], deadlines: list[ReportDeadline], *, today: dt.date
) -> list[ReportTask]:
    years = {d.academic_year_id: d.academic_year for d in deadlines}
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
            deadline = _deadline_of(deadlines, year_id, school_form)
            status = stored.get((unit.pk, year_id, school_form), "not_started")
            if deadline is None or status in REPORT_HANDED_IN:
                continue
            tasks.append(
                ReportTask(unit, year, school_form, status, deadline, overdue=deadline < today)
            )
    return tasks


def report_tasks_due(*, deadline: dt.date) -> list[ReportTask]:
    """Every unit's report not handed in whose deadline is `deadline` (reminders). A school
    form's own deadline wins over the year's deadline for every form."""
    years = ReportDeadline.objects.filter(deadline=deadline).values("academic_year_id")
    deadlines = list(
        ReportDeadline.objects.filter(academic_year_id__in=years).select_related("academic_year")
    )
    if not deadlines:
        return []
    units = list(Node.objects.filter(kind=NodeKind.UNIT, is_active=True).order_by("name"))
    tasks = _report_tasks(units, deadlines, today=deadline)
    return [task for task in tasks if task.deadline == deadline]


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


def _actions_overdue(scope: Scope, user_id: int | None, today: dt.date) -> list[PlanAction]:
    paths = scope.paths_with(Capability.WRITE_DIALOGUE)
    mine = Q(owner_id=user_id) if user_id is not None else Q(pk__in=[])
    return list(
        PlanAction.objects.filter(path_prefix_q("goal__area__node__path", paths) | mine)
        .filter(ends__lt=today)
        .exclude(status__in=list(ACTION_FINISHED))
        .select_related("goal__area__node", "goal__area__academic_year")
        .order_by("ends", "pk")
    )
