"""The board-document job as the worker runs it (`skolkvalitet db_worker`; django-tasks'
database backend): in its organiser's turn (organisation/job_turns.py), in a process of its own
with limited memory (organisation/job_child.py; SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB, every
job's limit), queued again after a transient failure (OperationalError) while tries remain.
The web process only queues it (document_job_start).

A job whose process ends without finishing it (killed for its memory, or by anyone) ends as
failed, and the file it was writing, if any, is deleted."""

from __future__ import annotations

import logging
from pathlib import Path

from django.db import OperationalError
from django.utils.translation import gettext as _
from django_tasks import task

from skolkvalitet.organisation.job_child import ChildEnd, job_child_run
from skolkvalitet.organisation.job_turns import (
    enqueue_again,
    job_attempts,
    organiser_turn,
    retry_at,
    wait_at,
)
from skolkvalitet.quality.documents.actions import (
    document_file_path,
    document_job_fail,
    document_job_requeue,
    document_job_run,
)
from skolkvalitet.quality.models import DocumentJob, DocumentStatus

logger = logging.getLogger(__name__)
# What the job's process runs (a dotted path: the process imports it by name).
DOCUMENT_CHILD = "skolkvalitet.quality.documents.tasks.document_job_child"


@task()
def document_job_task(job_id: int, organiser_id: int, attempt: int = 1) -> str:
    """Run document job `job_id` (try number `attempt`); returns what became of it: "done",
    "refused", "failed", "gone" (no longer waiting), "waiting" (the organiser's turn was
    taken: queued again) or "retry" (failed transiently: queued again)."""
    retry = attempt < job_attempts()
    try:
        with organiser_turn(organiser_id) as taken:
            if not taken:
                enqueue_again(
                    document_job_task,
                    at=wait_at(),
                    job_id=job_id,
                    organiser_id=organiser_id,
                    attempt=attempt,
                )
                return "waiting"
            job = DocumentJob.objects.filter(pk=job_id, status=DocumentStatus.QUEUED).first()
            if job is None:
                return "gone"
            status = document_job_process(job, retry=retry)
    except OperationalError:
        if not retry:
            raise  # the job stays unfinished; the next job's start marks it failed
        status = DocumentStatus.QUEUED
    if status == DocumentStatus.QUEUED:
        logger.warning("document job %s: try %d failed transiently", job_id, attempt)
        enqueue_again(
            document_job_task,
            at=retry_at(),
            job_id=job_id,
            organiser_id=organiser_id,
            attempt=attempt + 1,
        )
        return "retry"
    return status


def document_job_process(job: DocumentJob, *, retry: bool) -> str:
    """Run the job in a process of its own with limited memory and wait for it (the worker's
    side of the job); end it as failed, its file deleted, if the process ended without
    finishing it. Returns the job's status: "queued" when it failed transiently and may be
    tried again (`retry`)."""
    path = document_file_path(job)
    end = job_child_run(
        DOCUMENT_CHILD,
        {"job_id": job.pk, "retry": retry, "path": str(path)},
        name=f"skolkvalitet-document-{job.pk}",
        # The charts' renderer (V8, in vl_convert) reserves tens of GB of address space it
        # never uses: resident memory, which the watcher limits, is the document's limit.
        address_space_capped=False,
    )
    if end.transient and retry:
        document_job_requeue(job.pk, path=path)
        return DocumentStatus.QUEUED
    job.refresh_from_db()
    if job.is_finished or (job.status == DocumentStatus.QUEUED and end.completed):
        return str(job.status)
    logger.error("document job %s: its process %s", job.pk, end.describe())
    document_job_fail(job.pk, _ended_message(end), path=path)
    return DocumentStatus.FAILED


def _ended_message(end: ChildEnd) -> str:
    if end.out_of_memory:
        return _(
            "The document needed more memory than a job may use. Ask the operator to raise "
            "the limit."
        )
    if not end.started or end.transient:
        return _("The document could not be produced. Try again, or ask the operator.")
    return _(
        "The document could not be produced: its process was ended before it finished. "
        "Try again, or ask the operator."
    )


def document_job_child(job_id: int, retry: bool, path: str) -> None:
    """In the job's process: produce the document of job `job_id` into `path`."""
    document_job_run(DocumentJob.objects.get(pk=job_id), retry=retry, path=Path(path))
