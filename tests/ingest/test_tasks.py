"""Imports as jobs of the worker: the web process only queues the job (nothing imported, no
process started, the upload kept for the worker); a worker run imports it; a rejected file is
tried once; a transient database failure leaves the job queued with its upload for another try,
and on the last try fails it and deletes the upload. The recomputation after a rollback runs in
a process of its own, with the figures an in-process run gives, while the worker holds the
organiser's turn and the recomputations'; past the memory limit it fails and changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult
from tests.ingest.test_jobs import HEADER, VALID, upload, uploads
from tests.job_worker import run_worker

from skolkvalitet.ingest import jobs
from skolkvalitet.ingest.models import ImportJob
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.organisation.job_child import job_child_run
from skolkvalitet.results.models import Grade

TASK = "skolkvalitet.ingest.tasks.import_job_task"
ROOT = Path(__file__).resolve().parents[2]


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


def batch_year(batch) -> int:
    """The id of the academic year 2024/25, the one year of the files of these tests."""
    from skolkvalitet.organisation.models import AcademicYear

    return AcademicYear.objects.get(code="2024/25").pk


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
    # Until then the Import page says the figures still include the rolled-back rows.
    assert batch.recompute_pending == {
        "years": [batch_year(batch)],
        "points": [],
        "organisers": [batch.organiser_id],
    }
    assert f'id="recompute-pending-{batch.pk}"' in page

    run_worker()
    queued.refresh_from_db()
    assert (queued.status, queued.return_value) == ("SUCCESSFUL", "done")
    batch.refresh_from_db()
    assert batch.recompute_pending is None
    page = client.get(reverse("import_page")).content.decode()
    assert "recompute-pending" not in page
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


# --- The recomputation after a rollback runs in a process of its own


@pytest.fixture
def targets_importable(monkeypatch):
    """The recomputation's process imports a test's target below by name: the repository
    on its path (a spawned process takes the worker's sys.path)."""
    monkeypatch.syspath_prepend(str(ROOT))


def stored_figures() -> list[tuple]:
    """Every stored figure but its data version (a stamp of when it was computed)."""
    from skolkvalitet.indicators.materialise import COLUMNS
    from skolkvalitet.indicators.models import IndicatorValue

    columns = [c for c in COLUMNS if c != "data_version"]
    return sorted(IndicatorValue.objects.values_list(*columns), key=repr)


def rollback_queued(client, users, settings, *files: str):
    """Import `files` at once, one after another, and roll the last back from the Import page:
    its recomputation is queued for the worker. Returns the figures of before the last."""
    from skolkvalitet.batches.models import ImportBatch

    client.force_login(users.organiser_admin)
    settings.SKOLKVALITET_IMPORT_IN_BACKGROUND = False  # the imports themselves at once
    before = []
    for file in files:
        before = stored_figures()
        upload(client, file.encode())
    settings.SKOLKVALITET_IMPORT_IN_BACKGROUND = True
    batch = ImportBatch.objects.order_by("pk").last()
    client.post(reverse("import_batch_rollback", args=[batch.pk]))
    assert DBTaskResult.objects.get(task_path=ROLLBACK_TASK).status == "READY"
    return before


ANOTHER_PUPIL = make_personal_number(dt.date(2010, 5, 3), 357)
ANOTHER = HEADER + f"{ANOTHER_PUPIL};20000002;2024/25;VT;9;MA;A;slutbetyg\n"


@pytest.mark.django_db(transaction=True)
def test_the_recomputation_after_a_rollback_runs_in_a_process_of_its_own_with_the_same_figures(
    client, users, settings, monkeypatch
):
    from skolkvalitet.ingest import tasks

    before = rollback_queued(client, users, settings, VALID, ANOTHER)
    assert before and stored_figures() != before  # the second import changed the figures
    ends = []

    def watched(*args, **kwargs):
        ends.append(job_child_run(*args, **kwargs))
        return ends[-1]

    monkeypatch.setattr(tasks, "job_child_run", watched)
    run_worker()
    (end,) = ends
    assert end.completed and end.pid != os.getpid()
    assert DBTaskResult.objects.get(task_path=ROLLBACK_TASK).return_value == "done"
    # The figures computed in the request after the first import, to the last bit.
    assert stored_figures() == before


def turns_seen(organisers: list[int] | None, **_periods) -> None:
    """In the recomputation's process: record whether the organiser's turn and the
    recomputations' turn are free to take, as for another worker."""
    import fcntl
    import json

    from django.conf import settings
    from django.db import connection

    from skolkvalitet.indicators.turns import MATERIALISE_LOCK, turn_lock_path
    from skolkvalitet.organisation.job_turns import organiser_turn

    assert organisers is not None and len(organisers) == 1  # the import's own organiser
    with organiser_turn(organisers[0]) as organiser_free:
        pass
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [MATERIALISE_LOCK])
            materialise_free = bool(cursor.fetchone()[0])
    else:
        with open(turn_lock_path(), "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                materialise_free = True
            except BlockingIOError:
                materialise_free = False
    (Path(settings.VAR_DIR) / "turns.json").write_text(
        json.dumps({"organiser": organiser_free, "materialise": materialise_free})
    )


@pytest.mark.django_db(transaction=True)
def test_the_worker_holds_both_turns_while_the_recomputations_process_runs(
    client, users, settings, monkeypatch, var_dir, targets_importable
):
    from skolkvalitet.ingest import tasks

    rollback_queued(client, users, settings, VALID)
    monkeypatch.setattr(tasks, "ROLLBACK_CHILD", "tests.ingest.test_tasks.turns_seen")
    run_worker()
    assert DBTaskResult.objects.get(task_path=ROLLBACK_TASK).return_value == "done"
    seen = json.loads((var_dir / "turns.json").read_text())
    assert seen == {"organiser": False, "materialise": False}


@pytest.mark.django_db(transaction=True)
def test_a_recomputation_over_the_memory_limit_fails_and_leaves_the_figures_as_they_were(
    client, users, settings, caplog
):
    rollback_queued(client, users, settings, VALID)
    with_import = stored_figures()
    settings.SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB = 1  # less than any process: killed at once
    run_worker()
    assert DBTaskResult.objects.get(task_path=ROLLBACK_TASK).status == "FAILED"
    assert stored_figures() == with_import
    assert "its process ended with code -9 (killed: over the memory limit)" in caplog.text
    assert "skolkvalitet indicators --materialise" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_lost_recomputation_shows_on_the_import_page_and_can_be_started_again(
    client, users, settings
):
    from skolkvalitet.batches.models import ImportBatch

    before = rollback_queued(client, users, settings, VALID, ANOTHER)
    batch = ImportBatch.objects.order_by("pk").last()
    with_import = stored_figures()
    settings.SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB = 1  # the job's process is killed at once
    run_worker()
    assert DBTaskResult.objects.get(task_path=ROLLBACK_TASK).status == "FAILED"
    assert stored_figures() == with_import  # still with the rolled-back rows
    page = client.get(reverse("import_page")).content.decode()
    assert f'id="recompute-pending-{batch.pk}"' in page
    assert "resultatsidorna visar fortfarande dess rader" in page
    again = reverse("import_batch_recompute", args=[batch.pk])
    assert f'action="{again}"' in page

    settings.SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB = 2048
    client.post(again)
    assert DBTaskResult.objects.filter(task_path=ROLLBACK_TASK).count() == 2
    run_worker()
    assert stored_figures() == before
    batch.refresh_from_db()
    assert batch.recompute_pending is None
    page = client.get(reverse("import_page")).content.decode()
    assert "recompute-pending" not in page and f'action="{again}"' not in page


@pytest.mark.django_db(transaction=True)
def test_an_import_whose_process_the_database_failed_before_it_began_is_tried_again(
    users, var_dir, monkeypatch, targets_importable
):
    """The job's process exits with EX_TEMPFAIL (75) when the database fails it outside the
    import's own handling (here: at once): nothing was written, so the job stays queued with
    its upload while tries remain, and fails on the last."""
    file = SimpleUploadedFile("betyg.csv", VALID.encode(), content_type="text/csv")
    job = jobs.import_job_create(kind="grades", uploaded=file, user=users.organiser_admin)
    monkeypatch.setattr(jobs, "IMPORT_CHILD", "tests.ingest.test_tasks.database_unavailable")

    assert jobs.import_job_process(job.pk, None, retry=True) == "queued"
    job.refresh_from_db()
    assert (job.status, job.pid, job.problems) == ("queued", None, [])
    assert len(uploads(var_dir)) == 1

    assert jobs.import_job_process(job.pk, None, retry=False) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and uploads(var_dir) == []


@pytest.mark.django_db(transaction=True)
def test_a_recomputation_waiting_in_the_queue_is_not_queued_twice(client, users, settings):
    from django.utils import timezone

    from skolkvalitet.batches.models import ImportBatch
    from skolkvalitet.ingest.tasks import rollback_recompute_queued, rollback_recompute_start

    rollback_queued(client, users, settings, VALID)
    batch = ImportBatch.objects.get()
    page = client.get(reverse("import_page")).content.decode()
    # Queued: the page says it is being recomputed and offers no button to start it again.
    assert "Dess resultat räknas om: tills det är klart" in page
    assert reverse("import_batch_recompute", args=[batch.pk]) not in page
    assert rollback_recompute_start(batch) is True
    response = client.post(reverse("import_batch_recompute", args=[batch.pk]), follow=True)
    assert "Resultaten räknas redan om." in response.content.decode()
    assert DBTaskResult.objects.filter(task_path=ROLLBACK_TASK).count() == 1

    # A job that has been running for longer than a job may stall is taken for lost (its
    # worker died): the page offers the button again.
    started = timezone.now() - dt.timedelta(minutes=settings.SKOLKVALITET_IMPORT_STALE_MINUTES + 1)
    DBTaskResult.objects.filter(task_path=ROLLBACK_TASK).update(
        status="RUNNING", started_at=started
    )
    assert rollback_recompute_queued([batch.pk]) == set()
    page = client.get(reverse("import_page")).content.decode()
    assert reverse("import_batch_recompute", args=[batch.pk]) in page


@pytest.mark.django_db
def test_a_transient_failure_before_the_first_figure_is_computed_is_not_tried_again(
    users, var_dir, monkeypatch
):
    """Once the rows are committed, a failure while the figures are computed (even before the
    first chunk reports) is final: the same file again would change nothing, so a retry would
    end 'done' with the figures never computed."""
    from skolkvalitet.ingest.files import importer

    file = SimpleUploadedFile("betyg.csv", VALID.encode(), content_type="text/csv")
    job = jobs.import_job_create(kind="grades", uploaded=file, user=users.organiser_admin)
    monkeypatch.setattr(importer, "indicators_refresh", database_unavailable)
    job = jobs.import_job_run(job, unit_paths=None, retry=True)
    job.refresh_from_db()
    assert job.status == "failed" and Grade.objects.exists()
    assert "Driftansvarig kan beräkna dem med skolkvalitet indicators." in job.problems[0]
