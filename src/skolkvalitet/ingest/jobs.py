"""Imports started from the web UI: the upload is saved (owner-only), the job is queued
(django-tasks' database backend) and a worker process runs it (`skolkvalitet db_worker`;
ingest/tasks.py), or it runs at once, in the request, when SKOLKVALITET_IMPORT_IN_BACKGROUND
is False, as in most tests. The web process never imports a file in the background.

In the worker, the import runs in a process of its own with limited memory
(organisation/job_child.py), and its progress and outcome are written to an ImportJob the page
polls. The worker watches the child: it kills it when its resident memory passes
SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB, and the child's address space is capped a little above
that (RLIMIT_AS) as a backstop. A job that fails for a
transient reason (OperationalError: the database unreachable or locked) keeps its upload and
is queued again, SKOLKVALITET_JOB_ATTEMPTS tries in all; a rejected file is never retried.

The uploaded file holds personnummer in clear, so it is deleted however the job ends: by
import_job_run when the import ends (done, rejected, failed, out of memory, transient failure
on the last try); by the worker that watches the child process when the child dies before
that (killed by the memory limit or by anyone); and, should the worker itself be gone (or
none run), by import_jobs_expire at the next use of the Import page, which ends as failed
every job whose process is gone or that has made no progress for
SKOLKVALITET_IMPORT_STALE_MINUTES, and deletes every upload no running job holds. A job that
ends that way wrote nothing unless it had reached computing the indicators: the import's rows
are written in one transaction, which a dead process never committed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import traceback
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.batches.problems import ImportProblem, ImportRejected
from skolkvalitet.batches.tabular import MAX_FILE_BYTES
from skolkvalitet.ingest.child import IMPORT_CHILD
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.ingest.models import ImportJob, JobStatus
from skolkvalitet.organisation.audit import audit_address, import_upload_address
from skolkvalitet.organisation.job_child import ChildEnd, job_child_run
from skolkvalitet.organisation.job_turns import ALL_ORGANISERS
from skolkvalitet.organisation.scopes import organiser_ids

logger = logging.getLogger(__name__)
MAX_PROBLEMS_SHOWN = 200
STALE_MINUTES = 60  # default of SKOLKVALITET_IMPORT_STALE_MINUTES
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


def upload_dir() -> Path:
    """var/uploads/, readable by the server's user only."""
    directory = Path(settings.VAR_DIR) / "uploads"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    return directory


def _stale_after() -> dt.timedelta:
    return dt.timedelta(
        minutes=int(getattr(settings, "SKOLKVALITET_IMPORT_STALE_MINUTES", STALE_MINUTES))
    )


@transaction.atomic
def import_job_create(*, kind: str, uploaded: UploadedFile, user: User | None) -> ImportJob:
    """Save an uploaded file (owner-only) and record the job that imports it; a file not
    saved whole is deleted."""
    size, name = uploaded.size, uploaded.name
    assert size is not None and name is not None, "an upload has a size and a name"
    limit = int(getattr(settings, "SKOLKVALITET_IMPORT_MAX_BYTES", MAX_FILE_BYTES))
    if size > limit:
        raise ImportRejected(
            [
                ImportProblem(
                    name,
                    None,
                    None,
                    _("The file is %(size)d MB; the limit is %(limit)d MB.")
                    % {"size": size // 2**20, "limit": limit // 2**20},
                )
            ]
        )
    path = upload_dir() / f"{uuid.uuid4().hex}.upload"
    try:
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
        return ImportJob.objects.create(
            kind=kind,
            file_name=Path(name).name[:255],
            stored_path=str(path),
            created_by=user,
            heartbeat_at=timezone.now(),
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def import_job_start(job: ImportJob, *, unit_paths: list[str] | None) -> None:
    """Queue the job for the worker, or run it now if imports are not run in background."""
    import_jobs_expire()
    if not getattr(settings, "SKOLKVALITET_IMPORT_IN_BACKGROUND", True):
        import_job_run(job, unit_paths=unit_paths)
        return
    from skolkvalitet.ingest.tasks import import_job_task

    organisers = organiser_ids(unit_paths) if unit_paths is not None else set()
    try:
        import_job_task.enqueue(
            job_id=job.pk,
            unit_paths=unit_paths,
            organiser_id=organisers.pop() if len(organisers) == 1 else ALL_ORGANISERS,
        )
    except Exception as error:  # the queue's table unreachable, ...
        logger.error("import job %s: not queued: %s", job.pk, type(error).__name__)
        _job_fail(job, _("The import failed unexpectedly; nothing was written."))


def import_job_waiting(job_id: int) -> None:
    """Record that a queued job waits for its organiser's turn: it is alive, not stalled."""
    ImportJob.objects.filter(pk=job_id, status__in=UNFINISHED).update(heartbeat_at=timezone.now())


def import_job_process(job_id: int, unit_paths: list[str] | None, *, retry: bool) -> str:
    """Run the job in a process of its own with limited memory and wait for it, killing it
    should it pass the memory limit (the worker's side of a job; organisation/job_child.py).
    Returns the job's status at the end: "queued" when it failed transiently and may be
    tried again (`retry`)."""
    job = ImportJob.objects.filter(pk=job_id, status__in=UNFINISHED).first()
    if job is None:
        return "gone"  # ended meanwhile (expired as stalled): its upload is deleted

    def started(pid: int) -> None:
        ImportJob.objects.filter(pk=job_id, status__in=UNFINISHED).update(
            pid=pid, host=socket.gethostname(), heartbeat_at=timezone.now()
        )

    end = job_child_run(
        IMPORT_CHILD,
        {"job_id": job.pk, "unit_paths": unit_paths, "retry": retry},
        name=f"skolkvalitet-import-{job.pk}",
        started=started,
    )
    if not end.started:
        logger.error("import job %s: its process did not start: %s", job.pk, end.error)
        _job_fail(job, _("The import failed unexpectedly; nothing was written."))
        return JobStatus.FAILED
    return _child_ended(end, job.pk, retry=retry)


def _child_ended(end: ChildEnd, job_id: int, *, retry: bool = False) -> str:
    """After the child: if it ended without finishing its job (killed for its memory, or by
    anyone), end the job as failed and delete its upload; if the database failed it before
    the import began (`end.transient`: nothing written) and it may be tried again (`retry`),
    leave it queued for another try. Returns the job's status."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "gone"
    if job.status == JobStatus.QUEUED and end.completed:  # to be tried again
        ImportJob.objects.filter(pk=job_id).update(pid=None, heartbeat_at=timezone.now())
        return JobStatus.QUEUED
    if end.transient and retry and not job.is_finished and not job.total:
        logger.warning("import job %s: its process %s; to be tried again", job_id, end.describe())
        ImportJob.objects.filter(pk=job_id).update(
            status=JobStatus.QUEUED, pid=None, heartbeat_at=timezone.now()
        )
        return JobStatus.QUEUED
    if not job.is_finished:
        logger.error("import job %s: its process %s", job_id, end.describe())
        _job_fail(job, _memory_message(job) if end.out_of_memory else _stopped_message(job))
        job.refresh_from_db()
    return str(job.status)


def _memory_message(job: ImportJob) -> str:
    if job.total:
        return _stopped_message(job)
    return _(
        "The import needed more memory than an import may use; nothing was written. "
        "Import the file in parts, or ask the operator to raise the limit."
    )


def _stopped_message(job: ImportJob) -> str:
    if job.total:  # computing the indicators: the rows had been written
        return _(
            "The rows were imported, but the import stopped while computing the indicators "
            "(it may have needed more memory than an import may use). The operator can "
            "compute them with skolkvalitet indicators."
        )
    return _(
        "The import stopped before it finished: it needed more memory than an import may use, "
        "or its process was ended. Nothing was written."
    )


def _job_fail(job: ImportJob, message: str) -> None:
    """End an unfinished job as failed and delete its upload."""
    if job.stored_path:
        Path(job.stored_path).unlink(missing_ok=True)
    ImportJob.objects.filter(pk=job.pk, status__in=UNFINISHED).update(
        status=JobStatus.FAILED,
        problems=[message],
        stage="",
        stored_path="",
        finished_at=timezone.now(),
    )


def import_job_run(
    job: ImportJob, *, unit_paths: list[str] | None, retry: bool = False
) -> ImportJob:
    """Import the job's file, recording progress as it goes and the outcome at the end; the
    upload is deleted whatever the outcome, but for a transient failure (OperationalError)
    when the job may be tried again (`retry`): the job is then left queued, its upload kept."""
    path = Path(job.stored_path)
    keep = False

    def progress(stage: str, done: int, total: int) -> None:
        job.stage = stage if total == 0 else _("Computing indicators")
        job.done, job.total = done, total
        ImportJob.objects.filter(pk=job.pk).update(
            stage=job.stage, done=done, total=total, heartbeat_at=timezone.now()
        )

    job.status = JobStatus.RUNNING
    job.pid, job.host, job.heartbeat_at = os.getpid(), socket.gethostname(), timezone.now()
    job.save(update_fields=["status", "pid", "host", "heartbeat_at"])
    try:
        # The import's audit event carries the address of the request that uploaded the file.
        with audit_address(import_upload_address(job.pk)):
            outcome = facts_import_bytes(
                job.kind,
                path.read_bytes(),
                job.file_name,
                created_by=job.created_by,
                progress=progress,
                unit_paths=unit_paths,
            )
    except ImportRejected as rejected:
        job.status = JobStatus.REJECTED
        job.problems = [str(p) for p in rejected.problems[:MAX_PROBLEMS_SHOWN]]
    except OperationalError as error:
        logger.error("import job %s: database unavailable: %s", job.pk, type(error).__name__)
        # Tried again only if nothing was written: once the indicators are being computed,
        # the rows are in, and the same file again would change nothing.
        keep = retry and not job.total
        job.status = JobStatus.QUEUED if keep else JobStatus.FAILED
        job.problems = (
            []
            if keep
            else [
                _stopped_message(job)
                if job.total
                else _("The import failed unexpectedly; nothing was written.")
            ]
        )
    except MemoryError:
        logger.error("import job %s: out of memory", job.pk)
        job.status = JobStatus.FAILED
        job.problems = [_memory_message(job)]
    except Exception as error:
        # The message of an unexpected error may quote a cell (a personnummer): log where it
        # happened and its type, never its text.
        logger.error(
            "import job %s failed: %s\n%s",
            job.pk,
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        job.status = JobStatus.FAILED
        job.problems = [_("The import failed unexpectedly; nothing was written.")]
    else:
        job.status = JobStatus.DONE
        job.batch = outcome.batch
        job.notes = (
            [_("This file had already been imported; nothing changed.")]
            if outcome.unchanged
            else [_("%(rows)d rows imported.") % {"rows": outcome.rows}, *outcome.notes]
        )
    finally:
        if not keep:
            path.unlink(missing_ok=True)
    if keep:
        job.stage = _("Waiting to try again")
        job.done = job.total = 0
        job.save()
        return job
    job.stage = ""
    job.finished_at = timezone.now()
    job.stored_path = ""
    job.save()
    return job


def _import_process_kill(job: ImportJob) -> None:
    """Kill a stalled job's import process (on this host, and only a process multiprocessing
    spawned: a pid that has since gone to another program is left alone)."""
    if not job.pid or job.host != socket.gethostname() or job.pid == os.getpid():
        return
    try:
        command = Path(f"/proc/{job.pid}/cmdline").read_bytes()
    except OSError:
        return
    if b"spawn_main" in command:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(job.pid, signal.SIGKILL)


def _process_gone(job: ImportJob) -> bool:
    """Whether the job's process has ended: known only on the host it ran on."""
    if not job.pid or job.host != socket.gethostname():
        return False
    try:
        os.kill(job.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # a process of another user has the pid now: not ours, but alive
    return False


def import_jobs_expire() -> int:
    """End as failed every unfinished job whose process is gone or that has made no progress
    for SKOLKVALITET_IMPORT_STALE_MINUTES, deleting its upload; delete every upload older
    than that which no unfinished job holds. Returns the number of jobs ended."""
    stale = timezone.now() - _stale_after()
    ended = 0
    for job in ImportJob.objects.filter(status__in=UNFINISHED):
        quiet = (job.heartbeat_at or job.created_at) < stale
        if quiet or _process_gone(job):
            logger.warning("import job %s: interrupted (no process or no progress)", job.pk)
            if quiet:
                _import_process_kill(job)
            _job_fail(job, _interrupted_message(job))
            ended += 1
    held = set(
        ImportJob.objects.filter(status__in=UNFINISHED).values_list("stored_path", flat=True)
    )
    directory = Path(settings.VAR_DIR) / "uploads"
    for path in directory.glob("*.upload"):  # none if the directory does not exist
        try:
            old = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC) < stale
        except FileNotFoundError:
            continue
        if old and str(path) not in held:
            path.unlink(missing_ok=True)
    return ended


def _interrupted_message(job: ImportJob) -> str:
    if job.total:
        return _stopped_message(job)
    return _("The import was interrupted; nothing was written.")
