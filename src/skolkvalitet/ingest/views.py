"""The Import page: upload a file, follow its import, download templates, roll back.

Only users who manage part of the organisation (organiser admins) reach these views; a file's
rows must lie within the units they manage (checked by the importer, row by row)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.batches.problems import ImportRejected
from skolkvalitet.batches.selectors import (
    batches_to_recompute,
    batches_to_roll_back,
    batches_visible,
    batches_waiting_without_organiser,
)
from skolkvalitet.ingest.files.kinds import FILE_KINDS
from skolkvalitet.ingest.files.templates import template_csv, template_xlsx
from skolkvalitet.ingest.forms import UploadForm
from skolkvalitet.ingest.jobs import import_job_create, import_job_start, import_jobs_expire
from skolkvalitet.ingest.models import ImportJob
from skolkvalitet.ingest.register import KIND as REGISTER_KIND
from skolkvalitet.ingest.ss12000.sync import KIND as SS12000_KIND
from skolkvalitet.ingest.tasks import rollback_recompute_queued, rollback_recompute_start
from skolkvalitet.ingest.writing.rollback import import_rollback
from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.models import Node
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope, organiser_ids, scope_for_request
from skolkvalitet.reference.imports import KOLADA, NATION, SKOLVERKET

# What each kind of import is called on the page: the file kinds by their own names, the
# others here (the demo's kind is the demo builder's, which sits above this app).
BATCH_KIND_NAMES = {
    SS12000_KIND: gettext_lazy("SS 12000 sync"),
    REGISTER_KIND: gettext_lazy("Units (Skolenhetsregistret)"),
    SKOLVERKET: gettext_lazy("Skolverket's published figures"),
    KOLADA: gettext_lazy("Kolada's published figures"),
    NATION: gettext_lazy("The nation's published figures (shipped)"),
    "demo": gettext_lazy("Demo data"),
}


def batch_kind_name(kind: str) -> str:
    """An import's kind as the user reads it ("Betyg", "Demodata"); an unknown kind as it is
    stored."""
    if kind in FILE_KINDS:
        return FILE_KINDS[kind].name
    return str(BATCH_KIND_NAMES.get(kind, kind))


def user_name(user: User | None) -> str:
    """A person's name, their login id only if no name is recorded; "–" for no one (the demo
    and commands run without a user)."""
    if user is None:
        return "–"
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class BatchRow:
    """One import as the Import page lists it."""

    batch: ImportBatch
    kind: str
    by: str
    # The user may roll this import back.
    may_roll_back: bool = False
    # The user may start its recomputation after a rollback again.
    may_recompute: bool = False
    # Its recomputation after a rollback is queued or running in the worker.
    recompute_queued: bool = False


def _signed_in_user(request: HttpRequest) -> User:
    """The user of a request to a login_required view."""
    user = request.user
    assert isinstance(user, User), "login_required lets no anonymous user in"
    return user


def _managing_scope(request: HttpRequest) -> Scope:
    scope = scope_for_request(request)
    if not scope.paths_with(Capability.IMPORT_DATA):
        raise PermissionDenied
    return scope


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    scope = _managing_scope(request)
    import_jobs_expire()
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                kind=form.cleaned_data["kind"],
                uploaded=form.cleaned_data["file"],
                user=_signed_in_user(request),
            )
        except ImportRejected as rejected:
            form.add_error("file", str(rejected.problems[0].message))
        else:
            paths = scope.paths_with(Capability.IMPORT_DATA)
            # The upload, with the client's address (the import itself is an event too,
            # written by its own process, which has no request: "import").
            organisers = organiser_ids(paths)
            audit_record(
                user=request.user,
                action="import_upload",
                node=Node.objects.get(pk=organisers.pop()) if len(organisers) == 1 else None,
                detail={"job": job.pk, "kind": job.kind},
                request=request,
            )
            import_job_start(job, unit_paths=paths)
            return redirect("import_job", job_id=job.pk)
    context = {
        "form": form,
        "kinds": FILE_KINDS.values(),
        "batches": _batch_rows(scope),
        "jobs": ImportJob.objects.filter(created_by=_signed_in_user(request))[:10],
        "may_roll_back": scope.can_somewhere(Capability.ROLL_BACK_IMPORTS),
        "file_kinds": {*FILE_KINDS, "ss12000"},
    }
    return render(request, "ingest/import.html", context)


def _batch_rows(scope: Scope) -> list[BatchRow]:
    """The latest 25 imports the user sees, and any older one whose figures still wait for
    the recomputation after its rollback."""
    visible = batches_visible(scope).select_related("created_by")
    batches = list(visible[:25])
    shown = {batch.pk for batch in batches}
    batches += [b for b in visible.filter(recompute_pending__isnull=False) if b.pk not in shown]
    # An import whose rollback removed the organiser it created is no organiser's any more;
    # it is listed where figures still wait for it.
    mine = organiser_ids(scope.paths_with(Capability.IMPORT_DATA))
    batches += batches_waiting_without_organiser(mine)
    ids = [batch.pk for batch in batches]
    may = set(batches_to_roll_back(scope).filter(pk__in=ids).values_list("pk", flat=True))
    recompute = set(batches_to_recompute(scope).filter(pk__in=ids).values_list("pk", flat=True))
    queued = rollback_recompute_queued(ids)
    return [
        BatchRow(
            batch,
            batch_kind_name(batch.kind),
            user_name(batch.created_by),
            may_roll_back=batch.pk in may,
            may_recompute=batch.pk in recompute,
            recompute_queued=batch.pk in queued,
        )
        for batch in batches
    ]


def _job_for(request: HttpRequest, job_id: int) -> ImportJob:
    """The user's own job, ended as failed first if its process is gone or it has stalled."""
    _managing_scope(request)
    job = get_object_or_404(ImportJob, pk=job_id, created_by=_signed_in_user(request))
    if not job.is_finished and import_jobs_expire():
        job.refresh_from_db()
    return job


@login_required
@require_GET
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    return render(request, "ingest/job.html", {"job": _job_for(request, job_id)})


@login_required
@require_GET
def import_job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's status as a fragment; htmx polls it until the job is finished."""
    return render(request, "ingest/_job_status.html", {"job": _job_for(request, job_id)})


@login_required
@require_GET
def import_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    _managing_scope(request)
    if kind not in FILE_KINDS or fmt not in {"csv", "xlsx"}:
        raise Http404
    if fmt == "csv":
        response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            template_xlsx(kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="mall-{kind}.{fmt}"'
    return response


@login_required
@require_POST
def import_batch_rollback(request: HttpRequest, batch_id: int) -> HttpResponse:
    scope = _managing_scope(request)
    if not scope.can_somewhere(Capability.ROLL_BACK_IMPORTS):
        raise PermissionDenied
    batch = get_object_or_404(batches_to_roll_back(scope), pk=batch_id)  # its organiser's only
    if batch.kind not in (*FILE_KINDS, "ss12000"):
        raise PermissionDenied  # reference data and registers are re-imported, not undone here
    try:
        # The rows now, in this request's transaction; the recomputation of the figures (the
        # heavy part) by the worker.
        import_rollback(batch, by=_signed_in_user(request), request=request, recompute=False)
    except ImportRejected as rejected:
        messages.error(request, rejected.problems[0].message)
        return redirect("import_page")
    batch.refresh_from_db()  # with the periods its rollback left waiting
    queued = rollback_recompute_start(batch)
    messages.success(
        request, _("The import %(name)s was rolled back.") % {"name": batch.source_name}
    )
    if queued:
        messages.info(
            request,
            _(
                "Its figures are being recomputed; the result pages show them as they were "
                "before the import once that is done."
            ),
        )
    return redirect("import_page")


@login_required
@require_POST
def import_batch_recompute(request: HttpRequest, batch_id: int) -> HttpResponse:
    """Start the recomputation after a rollback again, when the figures still wait for it
    (its job was lost: the worker stopped, or its process was killed)."""
    scope = _managing_scope(request)
    if not scope.can_somewhere(Capability.ROLL_BACK_IMPORTS):
        raise PermissionDenied
    batch = get_object_or_404(batches_to_recompute(scope), pk=batch_id)
    if not batch.recompute_pending:
        messages.info(request, _("The figures have already been recomputed."))
        return redirect("import_page")
    if rollback_recompute_queued([batch.pk]):
        messages.info(request, _("The figures are already being recomputed."))
        return redirect("import_page")
    if rollback_recompute_start(batch):
        messages.info(
            request,
            _(
                "The figures are being recomputed; the result pages show them without the "
                "rolled-back import once that is done."
            ),
        )
    else:
        messages.success(request, _("The figures were recomputed."))
    return redirect("import_page")
