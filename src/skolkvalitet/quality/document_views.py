"""The board documents in the browser: the organiser's kvalitetsredovisning (for those who
review the units' reports on the organiser: REVIEW_DIALOGUE) and a unit's kvalitetsrapport
(for whoever may read the report), produced as a background job whose progress the page
polls, and downloaded by the user who asked for it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope, scope_for_request
from skolkvalitet.quality.documents.actions import document_job_create, document_job_start
from skolkvalitet.quality.documents.produce import Format
from skolkvalitet.quality.models import DocumentJob, DocumentStatus, PublishedReport
from skolkvalitet.quality.publication.actions import (
    annual_report_publish,
    annual_report_unpublish,
    key_figures_show,
)
from skolkvalitet.quality.publication.selectors import key_figures_shown, published_reports
from skolkvalitet.quality.reports.export import report_find
from skolkvalitet.quality.reports.selectors import report_readable


def _user(request: HttpRequest) -> User:
    """The user of a request to a login_required view."""
    user = request.user
    assert isinstance(user, User), "login_required lets no anonymous user in"
    return user


def _organisers(scope: Scope) -> list[Node]:
    """The organisers whose annual report the user may produce."""
    return [
        node
        for node in Node.objects.filter(kind=NodeKind.ORGANISER, parent__isnull=True)
        if scope.can(Capability.REVIEW_DIALOGUE, node)
    ]


def _years() -> list[AcademicYear]:
    return list(AcademicYear.objects.order_by("-start_date"))


@login_required
@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest) -> HttpResponse:
    scope = scope_for_request(request)
    organisers = _organisers(scope)
    if request.method == "POST":
        organiser = next(
            (o for o in organisers if str(o.pk) == request.POST.get("organiser", "")), None
        )
        year_id = _int(request.POST.get("year"))
        year = AcademicYear.objects.filter(pk=year_id).first() if year_id else None
        fmt = request.POST.get("format", "")
        if organiser is None:
            raise PermissionDenied
        if year is None or fmt not in {f.value for f in Format}:
            return HttpResponse(status=400)
        job = document_job_create(
            kind="annual", fmt=fmt, node=organiser, year=year, user=_user(request)
        )
        document_job_start(job)
        return redirect("quality_document_job", job_id=job.pk)
    jobs = DocumentJob.objects.filter(created_by=_user(request)).select_related(
        "node", "academic_year"
    )[:20]
    publishers = [o for o in organisers if scope.can(Capability.APPROVE_ORGANISER_REPORT, o)]
    return render(
        request,
        "quality/documents.html",
        {
            "organisers": organisers,
            "years": _years(),
            "jobs": jobs,
            "formats": list(Format),
            "publishing": [
                {
                    "organiser": o,
                    "published": published_reports(o),
                    "key_figures": key_figures_shown(o),
                }
                for o in publishers
            ],
            "may_publish": bool(publishers),
        },
    )


@login_required
@require_POST
def publication(request: HttpRequest) -> HttpResponse:
    """Publish a finished kvalitetsredovisning on the public pages, take one down, or show or
    hide the units' key figures there (the organiser's management)."""
    scope = scope_for_request(request)
    intent = request.POST.get("intent", "")
    try:
        if intent == "publish":
            job = _own_job(request, _int(request.POST.get("job")) or 0)
            annual_report_publish(job=job, scope=scope, by=_user(request))
            messages.success(
                request, _("The kvalitetsredovisning is published on the public pages.")
            )
        elif intent == "unpublish":
            published = get_object_or_404(PublishedReport, pk=_int(request.POST.get("published")))
            annual_report_unpublish(published=published, scope=scope, by=_user(request))
            messages.success(request, _("The kvalitetsredovisning was taken down."))
        elif intent == "key_figures":
            organiser = get_object_or_404(
                Node, pk=_int(request.POST.get("organiser")), kind=NodeKind.ORGANISER
            )
            shown = request.POST.get("shown") == "1"
            key_figures_show(organiser=organiser, shown=shown, scope=scope, by=_user(request))
            messages.success(
                request,
                _("The units' key figures are shown on the public pages.")
                if shown
                else _("The units' key figures are no longer shown on the public pages."),
            )
        else:
            return HttpResponse(status=400)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("quality_documents")


@login_required
@require_POST
def unit_document(request: HttpRequest, start_year: int, unit_id: int, school_form: str):
    """Produce a unit's kvalitetsrapport as PDF or Word (from the report page)."""
    scope = scope_for_request(request)
    year = get_object_or_404(AcademicYear, code=AcademicYear.code_for(start_year))
    unit = get_object_or_404(Node, pk=unit_id, kind=NodeKind.UNIT)
    if not scope.can_see(unit):
        raise Http404
    report = report_find(node=unit, year=year, school_form=school_form)
    if report is None or not report_readable(scope, report):
        raise Http404
    fmt = request.POST.get("format", "")
    if fmt not in {f.value for f in Format}:
        return HttpResponse(status=400)
    job = document_job_create(kind="unit", fmt=fmt, node=unit, year=year, user=_user(request))
    document_job_start(job)
    return redirect("quality_document_job", job_id=job.pk)


def _own_job(request: HttpRequest, job_id: int) -> DocumentJob:
    return get_object_or_404(
        DocumentJob.objects.select_related("node", "academic_year"),
        pk=job_id,
        created_by=_user(request),
    )


@login_required
@require_GET
def document_job(request: HttpRequest, job_id: int) -> HttpResponse:
    return render(request, "quality/document_job.html", {"job": _own_job(request, job_id)})


@login_required
@require_GET
def document_job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's status as a fragment; htmx polls it until the job is finished."""
    return render(request, "quality/_document_status.html", {"job": _own_job(request, job_id)})


@login_required
@require_GET
def document_download(request: HttpRequest, job_id: int) -> FileResponse:
    job = _own_job(request, job_id)
    if job.status != DocumentStatus.DONE or not job.stored_path:
        raise Http404
    try:
        handle = open(job.stored_path, "rb")  # noqa: SIM115 (FileResponse closes it)
    except FileNotFoundError:
        raise Http404 from None
    audit_record(
        user=_user(request), action="document_download", node=job.node, detail={"job": job.pk}
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.file_name,
        content_type=Format(job.format).media_type,
    )
    response["Cache-Control"] = "no-store"
    return response


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
