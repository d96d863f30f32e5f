"""The quality report pages (kvalitetsrapport): the reports of an academic year, one unit's
report (written section by section, submitted, returned or approved, commented), each
section's saved versions compared, and the organiser's editor of the common model.

Views validate input, ask the capability table through the scope and dispatch to
quality/reports/actions.py, which checks again and audits. A unit outside the user's scope is
404; a report the user may not read (a draft, for the board) is 404 too, as if it did not
exist; a change the user's roles do not allow is 403.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope, scope_for_request
from skolkvalitet.quality.common_model import (
    ORGANISER_FORM,
    QUESTIONS,
    SCHOOL_FORMS,
    Section,
    template_checked,
)
from skolkvalitet.quality.models import (
    FollowUpDialogue,
    QualityReport,
    ReportSection,
    ReportStatus,
)
from skolkvalitet.quality.observations.rules import Observation
from skolkvalitet.quality.observations.selectors import observations_for_report
from skolkvalitet.quality.permissions import may_read as may_read_dialogue
from skolkvalitet.quality.plans.permissions import may_read_plan
from skolkvalitet.quality.plans.selectors import Plan, plan_for
from skolkvalitet.quality.reports import actions
from skolkvalitet.quality.reports.charts import SectionChart, section_charts
from skolkvalitet.quality.reports.export import (
    NOT_STARTED,
    newer_data,
    report_figures,
    report_find,
    school_form_of,
    template_latest,
    template_of,
    template_versions,
    units_under,
)
from skolkvalitet.quality.reports.figures import (
    ShownFigure,
    figures_as_shown,
    figures_with_charts_live,
    n_counts_pupils,
)
from skolkvalitet.quality.reports.selectors import (
    may_review_report,
    may_write_report,
    report_forms,
    report_readable,
    reports_visible,
)

SCHOOL_FORM_NAMES = {
    "forskola": "Förskola",
    "grundskola": "Grundskola och fritidshem",
    "gymnasieskola": "Gymnasieskola",
    "huvudman": "Huvudmannen",
}


def _status_label(status: str) -> str:
    """The report's status in words: inte påbörjad, utkast, inlämnad, returnerad, godkänd."""
    labels = {
        NOT_STARTED: _("Not started"),
        ReportStatus.DRAFT: _("Draft"),
        ReportStatus.SUBMITTED: _("Handed in"),
        ReportStatus.RETURNED: _("Returned to the unit"),
        ReportStatus.APPROVED: _("Approved"),
    }
    return labels[status]


def _year(start_year: int) -> AcademicYear:
    year = AcademicYear.objects.filter(code=AcademicYear.code_for(start_year)).first()
    if year is None:
        raise Http404
    return year


def _may_see_reports(scope: Scope) -> bool:
    return any(
        scope.can_somewhere(c)
        for c in (Capability.WRITE_DIALOGUE, Capability.REVIEW_DIALOGUE, Capability.SEE_FOLLOW_UP)
    )


# -- the reports of a year -------------------------------------------------------------------


@dataclass
class Row:
    unit: Node
    school_form: str
    report: QualityReport | None
    status: str
    status_label: str
    may_start: bool

    @property
    def school_form_name(self) -> str:
        return SCHOOL_FORM_NAMES[self.school_form]


@login_required
@require_GET
def reports_current(request: HttpRequest) -> HttpResponse:
    """The reports of the academic year under way (the latest that has started)."""
    scope = scope_for_request(request)
    if not _may_see_reports(scope):
        raise PermissionDenied
    today = timezone.localdate()
    year = (
        AcademicYear.objects.filter(start_date__lte=today).order_by("-start_date").first()
        or AcademicYear.objects.order_by("start_date").first()
    )
    if year is None:
        raise Http404
    return redirect("quality_reports", start_year=year.start_year)


@login_required
@require_GET
def reports(request: HttpRequest, start_year: int) -> HttpResponse:
    """Every unit whose report the user writes or reviews, with its status; for those who
    only follow up (the board), the reports handed in."""
    scope = scope_for_request(request)
    if not _may_see_reports(scope):
        raise PermissionDenied
    year = _year(start_year)
    found = {
        (r.node_id, r.template.school_form): r for r in reports_visible(scope=scope, year=year)
    }
    rows: list[Row] = []
    listed: set[tuple[int, str]] = set()
    every_state = scope.paths_with(Capability.WRITE_DIALOGUE) + scope.paths_with(
        Capability.REVIEW_DIALOGUE
    )
    for organiser in Node.objects.filter(kind=NodeKind.ORGANISER, parent__isnull=True):
        # The organiser's own report, for those who write or approve it.
        if not (may_write_report(scope, organiser) or may_review_report(scope, organiser)):
            continue
        report = found.get((organiser.pk, ORGANISER_FORM))
        status = report.status if report else NOT_STARTED
        listed.add((organiser.pk, ORGANISER_FORM))
        rows.append(
            Row(
                unit=organiser,
                school_form=ORGANISER_FORM,
                report=report,
                status=status,
                status_label=_status_label(status),
                may_start=report is None and may_write_report(scope, organiser),
            )
        )
    for unit in units_under(every_state):
        school_form = school_form_of(unit)
        if school_form is None:
            continue
        report = found.get((unit.pk, school_form))
        status = report.status if report else NOT_STARTED
        listed.add((unit.pk, school_form))
        rows.append(
            Row(
                unit=unit,
                school_form=school_form,
                report=report,
                status=status,
                status_label=_status_label(status),
                may_start=report is None and scope.can(Capability.WRITE_DIALOGUE, unit),
            )
        )
    for (unit_id, school_form), report in found.items():
        if (unit_id, school_form) in listed or report.node.kind not in (
            NodeKind.UNIT,
            NodeKind.ORGANISER,
        ):
            continue
        rows.append(
            Row(
                unit=report.node,
                school_form=school_form,
                report=report,
                status=report.status,
                status_label=_status_label(report.status),
                may_start=False,
            )
        )
    rows.sort(key=lambda r: (r.unit.path, r.school_form))
    context = {
        "year": year,
        "rows": rows,
        "years": list(AcademicYear.objects.order_by("start_date")),
        "may_edit_model": scope.can_somewhere(Capability.EDIT_COMMON_MODEL),
        "may_produce_annual": scope.can_somewhere(Capability.REVIEW_DIALOGUE),
        "only_handed_in": not every_state,
    }
    return render(request, "quality/reports.html", context)


# -- one report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureRow:
    """A figure as the page prints it: the value, or the marker put in its place."""

    indicator: str
    name: str
    period: str
    value: float | None
    marker: str
    percent: bool
    n: int | None


def _figure_rows(shown: list[ShownFigure]) -> list[FigureRow]:
    """The rows of a section's table; n beside a shown value only, never beside a marker, as
    in the API (quality/reports/figures.py)."""
    return [
        FigureRow(
            indicator=f.figure.indicator,
            name=f.figure.name,
            period=f.figure.period_label,
            value=f.shown if isinstance(f.shown, float | int) else None,
            marker=f.shown if isinstance(f.shown, str) else "",
            percent=str(f.figure.unit) == "percent",
            n=f.n,
        )
        for f in shown
    ]


@dataclass
class SectionView:
    """One section of the report page as the reader sees it."""

    section: Section
    questions: list[tuple[str, tuple[str, ...]]]
    figures: list[FigureRow]
    charts: list[SectionChart]
    observations: list[Observation]
    stored: ReportSection | None
    # The edit form's text and version (the stored ones, or after a conflict the stored
    # text and version, with the refused text kept beside it).
    text: str = ""
    version: int = 0

    @property
    def n_counts_pupils(self) -> bool:
        """The table's n column counts pupils (else respondents, teachers or children)."""
        return n_counts_pupils(f.indicator for f in self.figures)

    refused_text: str | None = None
    error: str = ""
    revisions: int = 0


def _unit(scope: Scope, unit_id: int, school_form: str) -> Node:
    unit = get_object_or_404(Node.objects.select_related("parent"), pk=unit_id)
    if not scope.can_see(unit) or school_form not in report_forms(unit):
        raise Http404  # a unit's own school forms, or the organiser's own template
    return unit


@dataclass(frozen=True)
class Place:
    """Whose report page: the reader's scope, the unit, the year and the school form."""

    scope: Scope
    unit: Node
    year: AcademicYear
    school_form: str


def _report_page(
    request: HttpRequest,
    place: Place,
    *,
    conflict: actions.SectionConflict | None = None,
    section_error: tuple[str, str, str] | None = None,
    return_error: str = "",
    comment_error: str = "",
    return_text: str = "",
    comment_text: str = "",
    status: int = 200,
) -> HttpResponse:
    scope, unit, year, school_form = place.scope, place.unit, place.year, place.school_form
    report = report_find(node=unit, year=year, school_form=school_form)
    may_write = may_write_report(scope, unit)
    may_review = may_review_report(scope, unit)
    if report is None:
        if not (may_write or may_review):
            raise Http404
        name, version, data = template_latest(school_form)
        template = template_checked(school_form, name, data)
        template_version = version
        figures = figures_with_charts_live(node=unit, year=year, template=template)
        stored_sections: dict[str, ReportSection] = {}
        revision_counts: dict[str, int] = {}
    else:
        if not report_readable(scope, report):
            raise Http404
        template = template_of(report.template)
        template_version = report.template.version
        figures = report_figures(report, template)
        stored_sections = {s.key: s for s in report.sections.all()}
        revision_counts = {s.key: s.revisions.count() for s in stored_sections.values()}
    shown = figures_as_shown(figures, node=unit, scope=scope)
    charts = section_charts(
        figures, template=template, year=year, pupil_access=scope.can_see_pupils_in(unit)
    )
    editable = may_write and report is not None and report.is_editable
    drafted = (
        observations_for_report(report, year, template) if editable and report is not None else {}
    )
    sections = []
    for section in template.sections:
        stored = stored_sections.get(section.key)
        handled = set(stored.observations_handled) if stored else set()
        view = SectionView(
            section=section,
            questions=[
                (label, section.questions.get(key, ()))
                for key, label in QUESTIONS
                if section.questions.get(key)
            ],
            figures=_figure_rows([f for f in shown if f.figure.section_key == section.key]),
            charts=charts.get(section.key, []),
            observations=[o for o in drafted.get(section.key, []) if o.key not in handled],
            stored=stored,
            text=stored.text if stored else "",
            version=stored.version if stored else 0,
            revisions=revision_counts.get(section.key, 0),
        )
        if conflict is not None and conflict.section.key == section.key:
            view.refused_text = conflict.refused_text
        if section_error is not None and section_error[0] == section.key:
            view.error = section_error[1]
            view.refused_text = section_error[2]
        sections.append(view)
    frozen = report is not None and report.is_handed_in
    context = {
        "unit": unit,
        "year": year,
        "school_form": school_form,
        "school_form_name": SCHOOL_FORM_NAMES[school_form],
        "report": report,
        "status": report.status if report else NOT_STARTED,
        "status_label": _status_label(report.status if report else NOT_STARTED),
        "template_name": report.template.name if report else template.name,
        "template_version": template_version,
        "sections": sections,
        "frozen": frozen,
        "newer_data": report is not None and newer_data(report, template),
        "editable": editable,
        "may_start": report is None and may_write,
        "may_submit": editable,
        "may_review": may_review and report is not None and report.status == "submitted",
        "may_comment": report is not None and (may_write or may_review),
        # The thread is the handling between the unit and the organiser, like the saved
        # versions: those who only read the handed-in report do not see it.
        "comments": (
            list(report.comments.select_related("author"))
            if report and _reads_history(scope, unit)
            else []
        ),
        "return_error": return_error,
        "comment_error": comment_error,
        "return_text": return_text,
        "comment_text": comment_text,
        "page_url": _page_url(unit, year, school_form),
        "reads_history": _reads_history(scope, unit),
        "previous_plan": _previous_plan(scope, unit, year),
        "reads_plan": may_read_plan(scope, unit),
        "dialogues": _dialogues_of_year(scope, unit, year),
    }
    return render(request, "quality/report.html", context, status=status)


def _previous_plan(scope: Scope, unit: Node, year: AcademicYear) -> Plan | None:
    """Last year's nulägesanalys and utvecklingsplan with its evaluations, for the reader who
    may read it."""
    previous = (
        AcademicYear.objects.filter(start_date__lt=year.start_date).order_by("-start_date").first()
    )
    if previous is None:
        return None
    plan = plan_for(node=unit, year=previous, scope=scope)
    return plan if plan is not None and plan.areas else None


def _dialogues_of_year(scope: Scope, unit: Node, year: AcademicYear) -> list[FollowUpDialogue]:
    """The unit's resultatdialoger of the year the reader may read, in the calendar's order."""
    dialogues = FollowUpDialogue.objects.filter(
        unit=unit, follow_up_point__term__academic_year=year
    ).select_related("follow_up_point")
    return [
        d
        for d in dialogues.order_by("follow_up_point__assessed_on")
        if may_read_dialogue(scope, unit, d.status)
    ]


def _page_url(unit: Node, year: AcademicYear, school_form: str) -> str:
    return reverse(
        "quality_report",
        kwargs={"start_year": year.start_year, "unit_id": unit.pk, "school_form": school_form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, start_year: int, unit_id: int, school_form: str) -> HttpResponse:
    scope = scope_for_request(request)
    year = _year(start_year)
    unit = _unit(scope, unit_id, school_form)
    page = Place(scope=scope, unit=unit, year=year, school_form=school_form)
    if request.method == "GET":
        return _report_page(request, page)
    intent = request.POST.get("intent", "")
    url = _page_url(unit, year, school_form)
    if intent == "start":
        if not may_write_report(scope, unit):
            raise PermissionDenied
        actions.report_start(
            node=unit, year=year, school_form=school_form, scope=scope, by=request.user
        )
        messages.success(request, _("The report is started. Write its sections below."))
        return redirect(url)
    found = report_find(node=unit, year=year, school_form=school_form)
    if found is None or not report_readable(scope, found):
        raise Http404
    try:
        if intent == "save":
            return _save_section(request, found, page, url)
        if intent in ("observation_take", "observation_discard"):
            return _observation(request, found, page, url, take=intent == "observation_take")
        if intent == "submit":
            if not may_write_report(scope, unit):
                raise PermissionDenied
            actions.report_submit(report=found, scope=scope, by=request.user)
            messages.success(request, _("The report is submitted to the organiser."))
        elif intent in ("return", "approve"):
            if not may_review_report(scope, unit):
                raise PermissionDenied
            if intent == "return":
                comment = request.POST.get("comment", "")
                if not comment.strip():
                    return _report_page(
                        request,
                        page,
                        return_error=_("Say why the report is returned."),
                        status=400,
                    )
                try:
                    actions.report_return(
                        report=found, comment=comment, scope=scope, by=request.user
                    )
                except ValidationError as error:  # e.g. too long: the text comes back
                    return _report_page(
                        request,
                        page,
                        return_error=" ".join(error.messages),
                        return_text=comment,
                        status=400,
                    )
                messages.success(request, _("The report is returned to the unit."))
            else:
                actions.report_approve(report=found, scope=scope, by=request.user)
                messages.success(request, _("The report is approved."))
        elif intent == "comment":
            text = request.POST.get("text", "")
            if not text.strip():
                return _report_page(request, page, comment_error=_("Write a comment."), status=400)
            try:
                actions.report_comment(report=found, text=text, scope=scope, by=request.user)
            except ValidationError as error:  # e.g. too long: the text comes back
                return _report_page(
                    request,
                    page,
                    comment_error=" ".join(error.messages),
                    comment_text=text,
                    status=400,
                )
            messages.success(request, _("Your comment was added."))
            return redirect(url + "#comments")
        else:
            return HttpResponse(status=400)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(url)


def _observation(
    request: HttpRequest, found: QualityReport, page: Place, url: str, *, take: bool
) -> HttpResponse:
    """Take a drafted observation into its section's text, or discard it. The sentence is
    drafted again here from the figures, never taken from the request."""
    scope = page.scope
    if not may_write_report(scope, found.node):
        raise PermissionDenied
    key = request.POST.get("section", "")
    if not found.sections.filter(key=key).exists():
        return HttpResponse(status=400)
    wanted = request.POST.get("observation", "")
    drafted = observations_for_report(found, page.year, template_of(found.template))
    observation = next((o for o in drafted.get(key, []) if o.key == wanted), None)
    if observation is None:
        messages.error(request, _("The figures no longer give that observation."))
        return redirect(f"{url}#section-{key}")
    if not take:
        actions.report_observation_discard(
            report=found, key=key, observation=wanted, scope=scope, by=request.user
        )
        return redirect(f"{url}#section-{key}")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponse(status=400)
    try:
        actions.report_observation_take(
            report=found,
            key=key,
            observation=wanted,
            sentence=observation.text,
            version=version,
            scope=scope,
            by=request.user,
        )
    except actions.SectionConflict as conflict:
        return _report_page(request, page, conflict=conflict, status=409)
    messages.success(request, _("The observation is in the text: change it as you see fit."))
    return redirect(f"{url}#section-{key}")


def _save_section(
    request: HttpRequest, found: QualityReport, page: Place, url: str
) -> HttpResponse:
    scope = page.scope
    if not may_write_report(scope, found.node):
        raise PermissionDenied
    key = request.POST.get("section", "")
    if not found.sections.filter(key=key).exists():
        return HttpResponse(status=400)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponse(status=400)
    text = request.POST.get("text", "")
    try:
        actions.report_section_save(
            report=found, key=key, text=text, version=version, scope=scope, by=request.user
        )
    except actions.SectionConflict as conflict:
        return _report_page(request, page, conflict=conflict, status=409)
    except ValidationError as error:
        return _report_page(
            request, page, section_error=(key, " ".join(error.messages), text), status=400
        )
    messages.success(request, _("The section is saved."))
    return redirect(f"{url}#section-{key}")


# -- a section's versions --------------------------------------------------------------------


def _reads_history(scope: Scope, unit: Node) -> bool:
    """The saved versions of a report's texts are working material: its writers and
    reviewers read them; those who only follow up (the board, coaches) read the report as
    handed in."""
    return may_write_report(scope, unit) or scope.can(Capability.REVIEW_DIALOGUE, unit)


@login_required
@require_GET
def section_versions(
    request: HttpRequest, start_year: int, unit_id: int, school_form: str, key: str
) -> HttpResponse:
    """The saved versions of one section, and two of them compared line by line."""
    scope = scope_for_request(request)
    year = _year(start_year)
    unit = _unit(scope, unit_id, school_form)
    found = report_find(node=unit, year=year, school_form=school_form)
    if found is None or not report_readable(scope, found) or not _reads_history(scope, unit):
        raise Http404
    section = get_object_or_404(ReportSection, report=found, key=key)
    revisions = list(section.revisions.select_related("saved_by").order_by("version"))
    by_version = {r.version: r for r in revisions}
    newest = revisions[-1].version if revisions else 0
    after = _int(request.GET.get("till")) or newest
    before = _int(request.GET.get("fran"))
    if before is None:
        before = max((v for v in by_version if v < after), default=0)
    compared = None
    if after in by_version:
        old = by_version[before].text if before in by_version else ""
        new = by_version[after].text
        compared = _line_diff(old, new)
    template = template_of(found.template)
    title = next((s.title for s in template.sections if s.key == key), key)
    context = {
        "unit": unit,
        "year": year,
        "report": found,
        "section": section,
        "title": title,
        "revisions": revisions,
        "before": before,
        "after": after,
        "compared": compared,
        "page_url": _page_url(unit, year, school_form),
    }
    return render(request, "quality/report_versions.html", context)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _line_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, line) of the comparison: kind is "same", "removed" or "added". The template
    escapes the lines."""
    out = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        code, text = line[:2], line[2:]
        if code == "  ":
            out.append(("same", text))
        elif code == "- ":
            out.append(("removed", text))
        elif code == "+ ":
            out.append(("added", text))
    return out


# -- the common model ------------------------------------------------------------------------


def _model_editor(request: HttpRequest) -> Scope:
    scope = scope_for_request(request)
    if not scope.can_somewhere(Capability.EDIT_COMMON_MODEL):
        raise PermissionDenied
    return scope


@login_required
@require_GET
def common_model(request: HttpRequest) -> HttpResponse:
    """The three templates of the common model with their versions."""
    _model_editor(request)
    forms = []
    for school_form in SCHOOL_FORMS:
        name, version, sections = template_latest(school_form)
        forms.append(
            {
                "school_form": school_form,
                "school_form_name": SCHOOL_FORM_NAMES[school_form],
                "name": name,
                "version": version,
                "sections": [s.get("title", "") for s in sections],
                "versions": template_versions(school_form),
            }
        )
    return render(request, "quality/report_model.html", {"forms": forms})


def _indicator_choices(school_form: str) -> list[tuple[str, str]]:
    forms = SCHOOL_FORMS[school_form]  # none for the organiser's own report: every indicator
    return [
        (key, indicator.name_sv)
        for key, indicator in REGISTRY.items()
        if not forms or forms & set(indicator.school_forms)
    ]


def _sections_posted(post, kept: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The sections of the edit form, in the form's order; charts are kept from the stored
    section of the same key (the editor does not change them)."""
    try:
        count = min(int(post.get("count", "0")), 100)
    except ValueError:
        count = 0
    sections = []
    for i in range(count):
        key = post.get(f"s{i}-key", "").strip()
        questions = {}
        for question, _label in QUESTIONS:
            lines = [line.strip() for line in post.get(f"s{i}-{question}", "").splitlines()]
            if any(lines):
                questions[question] = [line for line in lines if line]
        section: dict[str, Any] = {
            "key": key,
            "title": post.get(f"s{i}-title", "").strip(),
            "questions": questions,
            "indicators": post.getlist(f"s{i}-indicators"),
        }
        if key in kept and kept[key].get("charts"):
            section["charts"] = kept[key]["charts"]
        sections.append(section)
    return sections


def _new_key(sections: list[dict[str, Any]]) -> str:
    taken = {s.get("key") for s in sections}
    number = len(sections) + 1
    while f"avsnitt_{number}" in taken:
        number += 1
    return f"avsnitt_{number}"


@login_required
@require_http_methods(["GET", "POST"])
def common_model_edit(request: HttpRequest, school_form: str) -> HttpResponse:
    """Edit one school form's template: titles, guiding questions (one a line) and
    indicators of each section; add, remove and move sections. Saving makes a new version."""
    scope = _model_editor(request)
    if school_form not in SCHOOL_FORMS:
        raise Http404
    name, version, stored_sections = template_latest(school_form)
    kept = {s["key"]: s for s in stored_sections}
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        sections = _sections_posted(request.POST, kept)
        intent = request.POST.get("intent", "")
        where, _sep, number = intent.partition("-")
        index = _int(number)
        if intent == "save":
            try:
                saved = actions.report_template_save(
                    school_form=school_form,
                    name=name,
                    sections=sections,
                    scope=scope,
                    by=request.user,
                )
            except ValidationError as error:
                errors = list(error.messages)
                status = 400
            else:
                messages.success(
                    request,
                    _("Version %(version)d of the template is saved.") % {"version": saved.version},
                )
                return redirect("quality_common_model")
        elif intent == "add":
            sections.append({"key": _new_key(sections), "title": "", "questions": {}})
        elif index is not None and 0 <= index < len(sections):
            if where == "remove":
                sections.pop(index)
            elif where == "up" and index > 0:
                sections[index - 1], sections[index] = sections[index], sections[index - 1]
            elif where == "down" and index < len(sections) - 1:
                sections[index + 1], sections[index] = sections[index], sections[index + 1]
    else:
        sections = stored_sections
    context = {
        "school_form": school_form,
        "school_form_name": SCHOOL_FORM_NAMES[school_form],
        "name": name,
        "version": version,
        "errors": errors,
        "sections": [
            {
                "index": i,
                "key": s.get("key", ""),
                "title": s.get("title", ""),
                "questions": [
                    (key, label, "\n".join(s.get("questions", {}).get(key, ())))
                    for key, label in QUESTIONS
                ],
                "indicators": set(s.get("indicators", ())),
                "charts": len(s.get("charts", ())),
                "first": i == 0,
                "last": i == len(sections) - 1,
            }
            for i, s in enumerate(sections)
        ],
        "count": len(sections),
        "indicator_choices": _indicator_choices(school_form),
    }
    return render(request, "quality/report_model_edit.html", context, status=status)
