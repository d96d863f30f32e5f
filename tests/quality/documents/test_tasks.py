"""Board documents as jobs of the worker: the web process only queues the job; a worker run
renders it, in a process of its own; a refusal by the publication rules is tried once; a
transient database failure is tried again, SKOLKVALITET_JOB_ATTEMPTS tries in all, then fails;
a job whose process passes the memory limit, or is ended by anyone, fails clearly and leaves
no file; and a job whose organiser's turn is taken waits in the queue while another
organiser's job runs."""

from __future__ import annotations

import datetime as dt
import os
import signal
from pathlib import Path

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult
from tests.job_worker import run_worker, worker_thread

from skolkvalitet.organisation.job_child import job_child_run
from skolkvalitet.organisation.job_turns import organiser_turn
from skolkvalitet.quality.documents import actions, tasks
from skolkvalitet.quality.documents.actions import document_job_create
from skolkvalitet.quality.documents.tasks import document_job_task
from skolkvalitet.quality.models import DocumentJob

TASK = "skolkvalitet.quality.documents.tasks.document_job_task"
HERE = "tests.quality.documents.test_tasks"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def in_background(settings, tmp_path):
    settings.SKOLKVALITET_DOCUMENTS_IN_BACKGROUND = True
    settings.VAR_DIR = tmp_path
    settings.SKOLKVALITET_JOB_RETRY_SECONDS = 0


@pytest.fixture(autouse=True)
def targets_importable(monkeypatch):
    """The job's process imports a test's target below by name: the repository on its path
    (a spawned process takes the worker's sys.path)."""
    monkeypatch.syspath_prepend(str(ROOT))


def in_the_jobs_process(monkeypatch, target: str) -> None:
    """Have the job's process run `target` (below) instead of the job as it is: a test's
    monkeypatch does not reach a process of its own."""
    monkeypatch.setattr(tasks, "DOCUMENT_CHILD", f"{HERE}.{target}")


def documents(var_dir: Path) -> list[Path]:
    directory = var_dir / "documents"
    return sorted(directory.iterdir()) if directory.exists() else []


# --- What the job's process runs in some tests (imported by name there)


def build_fails_transiently(**arguments) -> None:
    actions._build = database_unavailable
    tasks.document_job_child(**arguments)


def build_refused(**arguments) -> None:
    from skolkvalitet.publishing.documents.check import PublicationRefused

    def refused(job):
        raise PublicationRefused([])

    actions._build = refused
    tasks.document_job_child(**arguments)


def writes_part_then_dies(job_id: int, retry: bool, path: str) -> None:
    """Begin the file as the job does, then be killed, as by anyone."""
    DocumentJob.objects.filter(pk=job_id).update(status="running")
    Path(path).write_bytes(b"%PDF-1.7 half a document")
    os.kill(os.getpid(), signal.SIGKILL)


def annual_report_run(org) -> DocumentJob:
    """The organiser's kvalitetsredovisning ordered as a PDF and run by the worker."""
    job = document_job_create(
        kind="annual", fmt="pdf", node=org.organiser, year=org.year, user=None
    )
    actions.document_job_start(job)
    run_worker()
    job.refresh_from_db()
    return job


@pytest.mark.django_db(transaction=True)
def test_the_web_process_only_queues_the_document_and_the_worker_renders_it(org, client_for):
    admin = client_for("organiser_admin")
    admin.post(
        reverse("quality_documents"),
        {"organiser": org.organiser.pk, "year": org.year.pk, "format": "pdf"},
    )
    job = DocumentJob.objects.get()
    (queued,) = DBTaskResult.objects.all()
    assert (queued.task_path, queued.status) == (TASK, "READY")
    assert queued.args_kwargs["kwargs"] == {"job_id": job.pk, "organiser_id": org.organiser.pk}
    assert (job.status, job.stored_path) == ("queued", "")

    run_worker()
    job.refresh_from_db()
    assert job.status == "done", job.problems
    assert Path(job.stored_path).read_bytes()[:5] == b"%PDF-"
    queued.refresh_from_db()
    assert (queued.status, queued.return_value) == ("SUCCESSFUL", "done")


def ran_in_the_worker(job, **kwargs):
    raise AssertionError("the worker's own process produced the document")


@pytest.mark.django_db(transaction=True)
def test_the_worker_produces_the_document_in_a_process_of_its_own(org, monkeypatch):
    ends = []

    def watched(*args, **kwargs):
        ends.append(job_child_run(*args, **kwargs))
        return ends[-1]

    monkeypatch.setattr(tasks, "job_child_run", watched)
    monkeypatch.setattr(tasks, "document_job_run", ran_in_the_worker)
    job = annual_report_run(org)
    assert job.status == "done", job.problems
    assert Path(job.stored_path).read_bytes()[:5] == b"%PDF-"
    (end,) = ends
    assert end.completed and end.pid != os.getpid()


@pytest.mark.django_db(transaction=True)
def test_a_document_over_the_memory_limit_fails_clearly_and_leaves_no_file(org, settings, tmp_path):
    settings.SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB = 1  # less than any process: killed at once
    job = annual_report_run(org)
    assert job.status == "failed"
    assert job.problems == [
        _(
            "The document needed more memory than a job may use. Ask the operator to raise "
            "the limit."
        )
    ]
    assert (job.stored_path, documents(tmp_path)) == ("", [])
    (ran,) = DBTaskResult.objects.all()
    assert ran.return_value == "failed"


@pytest.mark.django_db(transaction=True)
def test_a_document_whose_process_is_killed_fails_clearly_and_its_part_file_is_deleted(
    org, monkeypatch, tmp_path
):
    in_the_jobs_process(monkeypatch, "writes_part_then_dies")
    job = annual_report_run(org)
    assert job.status == "failed" and job.finished_at
    assert job.problems == [
        _(
            "The document could not be produced: its process was ended before it finished. "
            "Try again, or ask the operator."
        )
    ]
    assert (job.stored_path, documents(tmp_path)) == ("", [])


def database_unavailable(job):
    raise OperationalError("database is locked")


@pytest.mark.django_db(transaction=True)
def test_a_transient_failure_is_tried_three_times_in_all_then_fails(org, monkeypatch):
    in_the_jobs_process(monkeypatch, "build_fails_transiently")
    job = annual_report_run(org)
    assert job.status == "failed"
    tries = DBTaskResult.objects.order_by("enqueued_at")
    assert [t.args_kwargs["kwargs"].get("attempt", 1) for t in tries] == [1, 2, 3]
    assert [t.return_value for t in tries] == ["retry", "retry", "failed"]


@pytest.mark.django_db(transaction=True)
def test_a_refused_document_is_tried_once(org, monkeypatch):
    in_the_jobs_process(monkeypatch, "build_refused")
    job = annual_report_run(org)
    assert job.status == "refused"
    (ran,) = DBTaskResult.objects.all()
    assert ran.return_value == "refused"


@pytest.mark.django_db(transaction=True)
def test_an_organisers_job_waits_for_its_turn_while_another_organisers_runs(org, settings):
    # A unit's report for a unit without one: the job fails at once ("failed"), which shows
    # that it ran without drawing a document.
    settings.SKOLKVALITET_JOB_WAIT_SECONDS = 60
    mine = document_job_create(kind="unit", fmt="pdf", node=org.unit_n1, year=org.year, user=None)
    theirs = document_job_create(kind="unit", fmt="pdf", node=org.unit_s1, year=org.year, user=None)
    other_organiser = org.organiser.pk + 1000  # another organiser's turn
    with organiser_turn(org.organiser.pk) as taken:  # a job of the organiser is running
        assert taken
        document_job_task.enqueue(job_id=mine.pk, organiser_id=org.organiser.pk)
        document_job_task.enqueue(job_id=theirs.pk, organiser_id=other_organiser)
        worker_thread("w1").join(timeout=60)  # a worker with a connection of its own
        mine.refresh_from_db()
        theirs.refresh_from_db()
        assert (mine.status, theirs.status) == ("queued", "failed")
        waiting = DBTaskResult.objects.get(status="READY")
        assert waiting.args_kwargs["kwargs"]["job_id"] == mine.pk
        assert waiting.run_after > timezone.now() + dt.timedelta(seconds=50)

    DBTaskResult.objects.filter(pk=waiting.pk).update(run_after=timezone.now())
    worker_thread("w2").join(timeout=60)
    mine.refresh_from_db()
    assert mine.status == "failed"
