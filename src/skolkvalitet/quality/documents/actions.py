"""Board documents produced from the browser: `document_job_create` records the request,
`document_job_start` queues it for the worker (quality/documents/tasks.py; `skolkvalitet
db_worker`), or runs it at once when SKOLKVALITET_DOCUMENTS_IN_BACKGROUND is False, and
`document_job_run` builds the document, checks it against the publication rules and renders
it, recording each stage for the page that polls it. The file is written under var/documents/
readable by the service's user only (0600 in a 0700 folder); a refusal records every problem
and writes no file. A transient failure (OperationalError) leaves the job queued for another
try while tries remain (SKOLKVALITET_JOB_ATTEMPTS). A job left running by a stopped worker is
marked failed when the next one starts."""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.models import AcademicYear, Node
from skolkvalitet.organisation.selectors import organiser_of
from skolkvalitet.publishing.documents.check import PublicationRefused
from skolkvalitet.publishing.documents.model import Document
from skolkvalitet.quality.documents.produce import Format, document_bytes
from skolkvalitet.quality.models import DocumentJob, DocumentStatus, QualityReport

logger = logging.getLogger(__name__)
KINDS = ("annual", "unit")
STALE_AFTER = dt.timedelta(hours=1)


def documents_dir() -> Path:
    directory = Path(settings.VAR_DIR) / "documents"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def document_job_create(
    *, kind: str, fmt: str, node: Node, year: AcademicYear, user: User | None
) -> DocumentJob:
    """Record a request for a document (the caller has checked the user may have it)."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    job = DocumentJob.objects.create(
        kind=kind, format=Format(fmt), node=node, academic_year=year, created_by=user
    )
    audit_record(
        user=user,
        action="document_job_create",
        node=node,
        detail={"job": job.pk, "kind": kind, "format": fmt, "year": year.code},
    )
    return job


def document_job_start(job: DocumentJob) -> None:
    """Queue the job for the worker, or run it now."""
    _mark_interrupted_jobs(exclude=job.pk)
    if not getattr(settings, "SKOLKVALITET_DOCUMENTS_IN_BACKGROUND", True):
        document_job_run(job)
        return
    from skolkvalitet.quality.documents.tasks import document_job_task

    try:
        document_job_task.enqueue(job_id=job.pk, organiser_id=organiser_of(job.node).pk)
    except Exception as error:  # the queue's table unreachable, ...
        logger.error("document job %s: not queued: %s", job.pk, type(error).__name__)
        DocumentJob.objects.filter(pk=job.pk).update(
            status=DocumentStatus.FAILED,
            problems=[_("The document could not be produced. Try again, or ask the operator.")],
            finished_at=timezone.now(),
        )


def _stage(job: DocumentJob, stage: str, done: int) -> None:
    job.stage, job.done, job.total = stage, done, 3
    DocumentJob.objects.filter(pk=job.pk).update(
        status=DocumentStatus.RUNNING, stage=stage, done=done, total=3
    )


def _build(job: DocumentJob) -> Document:
    if job.kind == "annual":
        from skolkvalitet.quality.documents.annual_report import annual_report_document

        return annual_report_document(job.node, job.academic_year)
    from skolkvalitet.quality.documents.unit_report import unit_report_document

    report = (
        QualityReport.objects.filter(node=job.node, academic_year=job.academic_year)
        .select_related("template", "node", "academic_year")
        .first()
    )
    if report is None:
        raise LookupError("the unit has no report for the year")
    return unit_report_document(report)


def document_file_name(job: DocumentJob) -> str:
    """The name the download is given: kvalitetsredovisning-2024-25.pdf,
    kvalitetsrapport-<unit>-2024-25.docx."""
    year = job.academic_year.code.replace("/", "-")
    if job.kind == "annual":
        return f"kvalitetsredovisning-{year}.{job.format}"
    unit = "".join(c if c.isalnum() else "-" for c in job.node.name.casefold()).strip("-")
    return f"kvalitetsrapport-{unit}-{year}.{job.format}"


def document_file_path(job: DocumentJob) -> Path:
    """A new file for the job's document: a random name under var/documents/."""
    return documents_dir() / f"{uuid.uuid4().hex}.{job.format}"


def document_job_run(
    job: DocumentJob, *, retry: bool = False, path: Path | None = None
) -> DocumentJob:
    """Build, check and render the job's document into `path` (document_file_path if None),
    recording each stage and the outcome; a transient failure (OperationalError) leaves the
    job queued if it may be tried again. A document not finished leaves no file."""
    path = document_file_path(job) if path is None else path
    try:
        _stage(job, _("Collecting the figures"), 0)
        document = _build(job)
        _stage(job, _("Drawing the charts and the pages"), 1)
        data = document_bytes(document, Format(job.format))
        _stage(job, _("Saving the file"), 2)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        job.stored_path = str(path)
        job.file_name = document_file_name(job)
        job.status = DocumentStatus.DONE
        job.done = 3
    except PublicationRefused as refused:
        job.status = DocumentStatus.REFUSED
        job.problems = [str(p) for p in refused.problems[:200]]
    except OperationalError as error:
        logger.error("document job %s: database unavailable: %s", job.pk, type(error).__name__)
        path.unlink(missing_ok=True)
        if retry:
            job.status, job.stage, job.done = DocumentStatus.QUEUED, _("Waiting to try again"), 0
            job.save(update_fields=["status", "stage", "done"])
            return job
        job.status = DocumentStatus.FAILED
        job.problems = [_("The document could not be produced. Try again, or ask the operator.")]
    except Exception as error:  # never the message: it may quote data
        logger.error("document job %s failed: %s", job.pk, type(error).__name__, exc_info=False)
        job.status = DocumentStatus.FAILED
        job.problems = [_("The document could not be produced. Try again, or ask the operator.")]
    if job.status != DocumentStatus.DONE:
        path.unlink(missing_ok=True)  # written in part, if at all
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "problems",
            "stored_path",
            "file_name",
            "done",
            "total",
            "stage",
            "finished_at",
        ]
    )
    return job


def document_job_fail(job_id: int, message: str, *, path: Path | None = None) -> None:
    """End an unfinished job as failed with `message`, deleting its file `path` (written in
    part, if at all)."""
    if path is not None:
        path.unlink(missing_ok=True)
    DocumentJob.objects.filter(
        pk=job_id, status__in=[DocumentStatus.QUEUED, DocumentStatus.RUNNING]
    ).update(status=DocumentStatus.FAILED, problems=[message], stage="", finished_at=timezone.now())


def document_job_requeue(job_id: int, *, path: Path | None = None) -> None:
    """Leave an unfinished job queued for another try, deleting its file `path` (written in
    part, if at all)."""
    if path is not None:
        path.unlink(missing_ok=True)
    DocumentJob.objects.filter(
        pk=job_id, status__in=[DocumentStatus.QUEUED, DocumentStatus.RUNNING]
    ).update(status=DocumentStatus.QUEUED, stage=_("Waiting to try again"), done=0)


def _mark_interrupted_jobs(*, exclude: int) -> None:
    stale = timezone.now() - STALE_AFTER
    DocumentJob.objects.filter(
        status__in=[DocumentStatus.QUEUED, DocumentStatus.RUNNING], created_at__lt=stale
    ).exclude(pk=exclude).update(
        status=DocumentStatus.FAILED,
        problems=[_("The job was interrupted; try again.")],
        finished_at=timezone.now(),
    )
