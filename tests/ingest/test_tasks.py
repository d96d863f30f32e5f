"""Imports as jobs of the worker: the web process only queues the job (nothing imported, no
process started, the upload kept for the worker); a worker run imports it; a rejected file is
tried once; a transient database failure leaves the job queued with its upload for another try,
and on the last try fails it and deletes the upload."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult
from tests.ingest.test_jobs import HEADER, VALID, upload, uploads
from tests.job_worker import run_worker

from skolkvalitet.ingest import jobs
from skolkvalitet.ingest.models import ImportJob
from skolkvalitet.results.models import Grade

TASK = "skolkvalitet.ingest.tasks.import_job_task"


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SKOLKVALITET_IMPORT_IN_BACKGROUND = True
    return tmp_path


@pytest.mark.django_db(transaction=True)
def test_the_web_process_only_queues_the_import_and_the_worker_runs_it(client, users, var_dir):
    client.force_login(users.organiser_admin)
    upload(client, VALID.encode())
    job = ImportJob.objects.get()
    (queued,) = DBTaskResult.objects.all()
    assert (queued.task_path, queued.status) == (TASK, "READY")
    assert queued.args_kwargs["kwargs"]["job_id"] == job.pk
    assert (job.status, job.pid) == ("queued", None)
    assert len(uploads(var_dir)) == 1 and not Grade.objects.exists()

    run_worker()
    job.refresh_from_db()
    queued.refresh_from_db()
    assert job.status == "done", job.problems
    assert (queued.status, queued.return_value) == ("SUCCESSFUL", "done")
    assert Grade.objects.get().value == "C"
    assert uploads(var_dir) == []


@pytest.mark.django_db(transaction=True)
def test_a_rejected_file_is_tried_once(client, users, var_dir):
    client.force_login(users.organiser_admin)
    upload(
        client, (HEADER + "inte ett personnummer;20000002;2024/25;VT;9;MA;C;slutbetyg\n").encode()
    )
    run_worker()
    job = ImportJob.objects.get()
    assert job.status == "rejected" and job.problems
    (ran,) = DBTaskResult.objects.all()
    assert (ran.status, ran.return_value) == ("SUCCESSFUL", "rejected")
    assert uploads(var_dir) == []


def database_unavailable(*args, **kwargs):
    raise OperationalError("database is locked")


@pytest.mark.django_db
def test_a_transient_failure_keeps_the_job_queued_with_its_upload_for_another_try(
    users, var_dir, monkeypatch
):
    file = SimpleUploadedFile("betyg.csv", VALID.encode(), content_type="text/csv")
    job = jobs.import_job_create(kind="grades", uploaded=file, user=users.organiser_admin)
    monkeypatch.setattr(jobs, "facts_import_bytes", database_unavailable)

    job = jobs.import_job_run(job, unit_paths=None, retry=True)
    job.refresh_from_db()
    assert (job.status, job.stage, job.problems) == ("queued", _("Waiting to try again"), [])
    assert len(uploads(var_dir)) == 1 and job.stored_path

    job = jobs.import_job_run(job, unit_paths=None, retry=False)  # the last try
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.problems == ["Importen misslyckades oväntat; ingenting sparades."]
    assert uploads(var_dir) == [] and not job.stored_path


@pytest.mark.django_db
def test_a_transient_failure_after_the_rows_are_in_is_not_tried_again(users, var_dir, monkeypatch):
    file = SimpleUploadedFile("betyg.csv", VALID.encode(), content_type="text/csv")
    job = jobs.import_job_create(kind="grades", uploaded=file, user=users.organiser_admin)

    def fails_while_computing_indicators(*args, progress, **kwargs):
        progress("", 1, 4)  # computing the indicators: the rows were committed
        raise OperationalError("database is locked")

    monkeypatch.setattr(jobs, "facts_import_bytes", fails_while_computing_indicators)
    job = jobs.import_job_run(job, unit_paths=None, retry=True)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.problems == [
        "Raderna importerades, men importen avbröts medan indikatorerna beräknades (den kan ha "
        "behövt mer minne än en import får använda). Driftansvarig kan beräkna dem med "
        "skolkvalitet indicators."
    ]
    assert uploads(var_dir) == []


ROLLBACK_TASK = "skolkvalitet.ingest.tasks.rollback_recompute_task"


def merit_points(unit_code: str = "20000002") -> list[tuple[str, float | None]]:
    """The unit's stored pass shares and merit values of its years: what a rollback changes."""
    from skolkvalitet.indicators.models import IndicatorValue

    return sorted(
        IndicatorValue.objects.filter(
            node__code=unit_code, period_kind="year", breakdown="", indicator="merit_value_17"
        ).values_list("indicator", "value")
    )


@pytest.mark.django_db(transaction=True)
def test_a_rollback_undoes_the_rows_at_once_and_the_worker_recomputes_the_figures(
    client, users, settings
):
    from django.urls import reverse

    from skolkvalitet.batches.models import BatchStatus, ImportBatch

    client.force_login(users.organiser_admin)
    settings.SKOLKVALITET_IMPORT_IN_BACKGROUND = False  # the import itself at once
    upload(client, VALID.encode())
    with_import = merit_points()
    assert with_import, "the import computed the unit's merit value"
    settings.SKOLKVALITET_IMPORT_IN_BACKGROUND = True

    batch = ImportBatch.objects.get()
    response = client.post(reverse("import_batch_rollback", args=[batch.pk]), follow=True)
    page = response.content.decode()
    assert "Dess resultat räknas om" in page
    batch.refresh_from_db()
    assert batch.status == BatchStatus.ROLLED_BACK and not Grade.objects.exists()
    (queued,) = DBTaskResult.objects.filter(task_path=ROLLBACK_TASK)
    assert queued.status == "READY"
    assert merit_points() == with_import  # not yet recomputed: the worker does it

    run_worker()
    queued.refresh_from_db()
    assert (queued.status, queued.return_value) == ("SUCCESSFUL", "done")
    # The one pupil's grade is gone: no merit value rests on anyone any more.
    assert all(value is None for _key, value in merit_points()) or merit_points() == []


@pytest.mark.django_db(transaction=True)
def test_a_queued_import_says_it_waits_for_its_turn(client, users):
    client.force_login(users.organiser_admin)
    upload(client, VALID.encode())
    job = ImportJob.objects.get()
    page = client.get(reverse_job(job)).content.decode()
    assert 'id="job-queued"' in page and "köad" in page


def reverse_job(job: ImportJob) -> str:
    from django.urls import reverse

    return reverse("import_job_status", args=[job.pk])
