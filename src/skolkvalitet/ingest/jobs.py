"""Imports started from the web UI: the upload is saved, the import runs in a background
thread of the web process (or at once when SKOLKVALITET_IMPORT_IN_BACKGROUND is False, as in
the tests), and its progress and outcome are written to an ImportJob the page polls.

A thread is enough for one organiser's server: imports are rare, each is one transaction,
and a job interrupted by a restart is marked failed on the next start of a job (nothing was
half-written, since the import's transaction never committed).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import traceback
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.batches.problems import ImportProblem, ImportRejected
from skolkvalitet.batches.tabular import MAX_FILE_BYTES
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.ingest.models import ImportJob, JobStatus

logger = logging.getLogger(__name__)
MAX_PROBLEMS_SHOWN = 200


def upload_dir() -> Path:
    directory = Path(settings.VAR_DIR) / "uploads"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@transaction.atomic
def import_job_create(*, kind: str, uploaded: UploadedFile, user: User | None) -> ImportJob:
    """Save an uploaded file and record the job that imports it."""
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
    with path.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return ImportJob.objects.create(
        kind=kind,
        file_name=Path(name).name[:255],
        stored_path=str(path),
        created_by=user,
    )


def import_job_start(job: ImportJob, *, unit_paths: list[str] | None) -> None:
    """Run the job: in a background thread, or now if imports are not run in background."""
    _mark_interrupted_jobs(exclude=job.pk)
    if getattr(settings, "SKOLKVALITET_IMPORT_IN_BACKGROUND", True):
        thread = threading.Thread(
            target=_run_in_thread, args=(job.pk, unit_paths), name=f"import-{job.pk}", daemon=True
        )
        thread.start()
    else:
        import_job_run(job, unit_paths=unit_paths)


def _run_in_thread(job_id: int, unit_paths: list[str] | None) -> None:
    close_old_connections()
    try:
        import_job_run(ImportJob.objects.get(pk=job_id), unit_paths=unit_paths)
    finally:
        connection.close()


def import_job_run(job: ImportJob, *, unit_paths: list[str] | None) -> ImportJob:
    """Import the job's file, recording progress as it goes and the outcome at the end."""
    path = Path(job.stored_path)

    def progress(stage: str, done: int, total: int) -> None:
        job.stage = stage if total == 0 else _("Computing indicators")
        job.done, job.total = done, total
        ImportJob.objects.filter(pk=job.pk).update(stage=job.stage, done=done, total=total)

    job.status = JobStatus.RUNNING
    job.save(update_fields=["status"])
    try:
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
        path.unlink(missing_ok=True)
    job.stage = ""
    job.finished_at = timezone.now()
    job.stored_path = ""
    job.save()
    return job


def _mark_interrupted_jobs(*, exclude: int) -> None:
    """Jobs left running by a stopped process: their transaction never committed."""
    stale = timezone.now() - dt.timedelta(hours=6)
    ImportJob.objects.filter(
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING], created_at__lt=stale
    ).exclude(pk=exclude).update(
        status=JobStatus.FAILED,
        problems=[_("The import was interrupted; nothing was written.")],
        finished_at=timezone.now(),
    )
