"""The import job as the worker runs it (`skolkvalitet db_worker`; django-tasks' database
backend): in its organiser's turn (organisation/job_turns.py), in a process of its own with
limited memory (ingest/jobs.py import_job_process), queued again after a transient failure
(OperationalError) while tries remain. The web process only queues it (import_job_start).

Likewise the recomputation after a rollback on the Import page (`rollback_recompute_start`):
the web process undoes the batch in its transaction and queues the indicators' recomputation
of the periods it touched for the worker (`rollback_recompute_task`), which runs it in a
process of its own with limited memory, as it runs an import."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import OperationalError
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from skolkvalitet.batches.actions import batch_pending_organisers, batches_recomputed
from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.indicators.turns import materialisation_turn
from skolkvalitet.ingest.child import ROLLBACK_CHILD
from skolkvalitet.ingest.jobs import import_job_process, import_job_waiting
from skolkvalitet.ingest.models import JobStatus
from skolkvalitet.organisation.job_child import job_child_run
from skolkvalitet.organisation.job_turns import (
    ALL_ORGANISERS,
    enqueue_again,
    job_attempts,
    organiser_turn,
    retry_at,
    wait_at,
)

logger = logging.getLogger(__name__)

# The recomputation's task as django-tasks records it (DBTaskResult.task_path).
ROLLBACK_TASK_PATH = f"{__name__}.rollback_recompute_task"


@task()
def import_job_task(
    job_id: int, unit_paths: list[str] | None, organiser_id: int, attempt: int = 1
) -> str:
    """Run import job `job_id` (try number `attempt`); returns what became of it: "done",
    "rejected", "failed", "gone" (ended meanwhile), "waiting" (the organiser's turn was taken:
    queued again) or "retry" (failed transiently: queued again)."""
    again = {"job_id": job_id, "unit_paths": unit_paths, "organiser_id": organiser_id}
    retry = attempt < job_attempts()
    try:
        with organiser_turn(organiser_id) as taken:
            if not taken:
                import_job_waiting(job_id)
                enqueue_again(import_job_task, at=wait_at(), attempt=attempt, **again)
                return "waiting"
            status = import_job_process(job_id, unit_paths, retry=retry)
    except OperationalError:
        if not retry:
            raise  # the job stays unfinished; import_jobs_expire ends it and its upload
        status = JobStatus.QUEUED
    if status == JobStatus.QUEUED:
        logger.warning("import job %s: try %d failed transiently", job_id, attempt)
        enqueue_again(import_job_task, at=retry_at(), attempt=attempt + 1, **again)
        return "retry"
    return status


def rollback_recompute_start(batch: ImportBatch) -> bool:
    """After a rollback on the Import page (or again from it, when the figures still wait):
    queue the recomputation of the indicators of the periods `batch`'s rollback left waiting
    (ImportBatch.recompute_pending), of the batch's organiser (every organiser for none), for
    the worker (True), or run it now when imports do not run in the background (False; most
    tests). The batch stops waiting when the recomputation has finished."""
    pending = batch.recompute_pending
    if not pending:
        return False
    years, points = pending["years"], pending["points"]
    organisers = batch_pending_organisers(batch)
    if not getattr(settings, "SKOLKVALITET_IMPORT_IN_BACKGROUND", True):
        from skolkvalitet.indicators.materialise import indicators_materialise

        with materialisation_turn():
            indicators_materialise(years=years, points=points, organisers=organisers)
        batches_recomputed(batch_ids=[batch.pk])
        return False
    if rollback_recompute_queued([batch.pk]):
        return True  # already waiting or running: not twice
    rollback_recompute_task.enqueue(
        years=years,
        points=points,
        organiser_id=batch.organiser_id or ALL_ORGANISERS,
        batch_id=batch.pk,
        organisers=organisers,
    )
    return True


def rollback_recompute_queued(batch_ids: Iterable[int]) -> set[int]:
    """Those of `batch_ids` whose recomputation after a rollback waits in the queue or runs
    now (a job running for longer than SKOLKVALITET_IMPORT_STALE_MINUTES counts as lost: its
    worker died)."""
    wanted = set(batch_ids)
    if not wanted:
        return set()
    started_since = timezone.now() - dt.timedelta(
        minutes=settings.SKOLKVALITET_IMPORT_STALE_MINUTES
    )
    jobs = DBTaskResult.objects.filter(task_path=ROLLBACK_TASK_PATH).filter(
        Q(status=TaskResultStatus.READY)
        | Q(status=TaskResultStatus.RUNNING, started_at__gte=started_since)
    )
    found = {
        (job.get("kwargs") or {}).get("batch_id")
        for job in jobs.values_list("args_kwargs", flat=True)
    }
    return wanted & found


class RecomputeStopped(RuntimeError):
    """The recomputation's process ended without finishing (killed for its memory, or by
    anyone): the stored figures stay as they were."""


@task()
def rollback_recompute_task(
    years: list[int],
    points: list[int],
    organiser_id: int,
    attempt: int = 1,
    batch_id: int | None = None,
    organisers: list[int] | None = None,
) -> str:
    """Recompute the indicators of `years` and `points` after a rollback (of `organisers`:
    the batch's organiser `organiser_id` and any whose pupils' backgrounds it had changed;
    an old job without them: `organiser_id`'s, or every organiser's), in the organiser's
    turn and the recomputations' (indicators/turns.py), both held here, in the worker,
    while a process of its own with limited memory does the work (organisation/job_child.py);
    returns "done", "waiting" (the organiser's turn was taken: queued again) or "retry"
    (failed transiently: queued again). Raises RecomputeStopped when the process ended
    without finishing: the figures stay as they were, and batch `batch_id` waiting for them
    (the Import page offers to start the recomputation again)."""
    again = {
        "years": years,
        "points": points,
        "organiser_id": organiser_id,
        "batch_id": batch_id,
        "organisers": organisers,
    }
    if organisers is None and organiser_id != ALL_ORGANISERS:
        organisers = [organiser_id]
    try:
        with organiser_turn(organiser_id) as taken:
            if not taken:
                enqueue_again(rollback_recompute_task, at=wait_at(), attempt=attempt, **again)
                return "waiting"
            with materialisation_turn():
                end = job_child_run(
                    ROLLBACK_CHILD,
                    {"years": years, "points": points, "organisers": organisers},
                    name=f"skolkvalitet-recompute-{organiser_id}",
                )
            if end.transient:
                raise OperationalError("the recomputation's database was unavailable")
    except OperationalError:
        if attempt >= job_attempts():
            raise
        logger.warning("rollback recomputation: try %d failed transiently", attempt)
        enqueue_again(rollback_recompute_task, at=retry_at(), attempt=attempt + 1, **again)
        return "retry"
    if not end.completed:
        logger.error(
            "rollback recomputation of organiser %s: its process %s; the figures are as "
            "before, until it is started again from the Import page or by skolkvalitet "
            "indicators --materialise",
            organiser_id,
            end.describe(),
        )
        raise RecomputeStopped(f"the recomputation's process {end.describe()}")
    if batch_id is not None:
        batches_recomputed(batch_ids=[batch_id])
    return "done"
