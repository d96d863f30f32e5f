"""The board-document job as the worker runs it (`skolkvalitet db_worker`; django-tasks'
database backend): in its organiser's turn (organisation/job_turns.py), queued again after a
transient failure (OperationalError) while tries remain. The web process only queues it
(document_job_start)."""

from __future__ import annotations

import logging

from django.db import OperationalError
from django_tasks import task

from skolkvalitet.organisation.job_turns import (
    enqueue_again,
    job_attempts,
    organiser_turn,
    retry_at,
    wait_at,
)
from skolkvalitet.quality.documents.actions import document_job_run
from skolkvalitet.quality.models import DocumentJob, DocumentStatus

logger = logging.getLogger(__name__)


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
            status = str(document_job_run(job, retry=retry).status)
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
