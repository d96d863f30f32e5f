"""Template helpers that show the plan and the report deadlines on the other quality pages.

{% load plan_tags %}
{% plan_due_actions unit point %}         on the resultatdialog: the plan's actions due before
                                          the next follow-up point, or overdue (for the plan's
                                          readers)
{% report_deadlines year start_year %}    on the calendar: the year's report deadlines, and
                                          the form to set one (for MANAGE_CALENDAR)
"""

from __future__ import annotations

from django import template

from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Node
from skolkvalitet.organisation.scopes import scope_for_request
from skolkvalitet.quality.plans.forms import SCHOOL_FORM_CHOICES, ReportDeadlineForm
from skolkvalitet.quality.plans.permissions import may_read_plan, may_set_report_deadlines
from skolkvalitet.quality.plans.selectors import due_actions
from skolkvalitet.quality.plans.selectors import report_deadlines as year_deadlines

register = template.Library()


@register.inclusion_tag("quality/_plan_due_actions.html", takes_context=True)
def plan_due_actions(context: template.Context, unit: Node, point: FollowUpPoint) -> dict:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"show": False}
    scope = scope_for_request(request)
    if not may_read_plan(scope, unit):
        return {"show": False}
    return {
        "show": True,
        "unit": unit,
        "start_year": point.term.academic_year.start_year,
        "due": due_actions(node=unit, point=point, scope=scope),
    }


@register.inclusion_tag("quality/_report_deadlines.html", takes_context=True)
def report_deadlines(context: template.Context, year: AcademicYear | None, start_year: int) -> dict:
    request = context.get("request")
    may_edit = bool(
        request is not None
        and request.user.is_authenticated
        and may_set_report_deadlines(scope_for_request(request))
    )
    form = ReportDeadlineForm(prefix="deadline")
    labels = dict(SCHOOL_FORM_CHOICES)
    rows = [
        {"deadline": d, "label": labels.get(d.school_form, d.school_form)}
        for d in (year_deadlines(year) if year is not None else [])
    ]
    return {
        "deadlines": rows,
        "may_edit": may_edit,
        "form": form,
        "year": year,
        "start_year": start_year,
    }
