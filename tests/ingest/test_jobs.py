"""Imports from the web UI: the upload is deleted on every path (imported, rejected, failed,
killed), the worker runs the import in a process of its own whose memory is limited, a job
whose process is gone or that has stalled ends failed at the next use of the page, and a
hostile workbook is refused quickly with nothing imported."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from tests.job_worker import run_worker, worker_thread

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.ingest import jobs, views
from skolkvalitet.ingest.models import ImportJob
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.results.models import Grade

NEW_PUPIL = make_personal_number(dt.date(2010, 4, 2), 246)
HEADER = "personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"
VALID = HEADER + f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg\n"
OUT_OF_MEMORY = (
    "Importen behövde mer minne än en import får använda; ingenting sparades. Importera "
    "filen i delar, eller be driftansvarig höja gränsen."
)
STOPPED = (
    "Importen avbröts innan den var klar: den behövde mer minne än en import får använda, "
    "eller så avslutades dess process. Ingenting sparades."
)


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def uploads(var_dir: Path) -> list[Path]:
    directory = var_dir / "uploads"
    return sorted(directory.iterdir()) if directory.exists() else []


def upload(client, data: bytes, name: str = "betyg.csv"):
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(reverse("import_page"), {"kind": "grades", "file": file})


def wait_for(job: ImportJob, seconds: float = 120) -> ImportJob:
    """Run the queued jobs in a worker and wait for `job` to finish."""
    worker = worker_thread()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            worker.join(timeout=60)  # the worker's watch of the child ends the job's task
            job.refresh_from_db()
            return job
        time.sleep(0.2)
    raise AssertionError(f"the job did not finish in {seconds} s: {job.status} {job.stage}")


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


# --- In the request (SKOLKVALITET_IMPORT_IN_BACKGROUND off): every outcome deletes the upload


@pytest.fixture
def in_request(settings):
    settings.SKOLKVALITET_IMPORT_IN_BACKGROUND = False


@pytest.mark.django_db
def test_the_upload_is_saved_for_its_owner_only(client, users, var_dir, monkeypatch):
    seen: list[tuple[int, int]] = []

    def look(job, *, unit_paths):  # instead of starting: look at the saved file
        path = Path(job.stored_path)
        seen.append((path.stat().st_mode & 0o777, path.parent.stat().st_mode & 0o777))

    monkeypatch.setattr(views, "import_job_start", look)
    client.force_login(users.organiser_admin)
    upload(client, VALID.encode())
    assert seen == [(0o600, 0o700)]


@pytest.mark.django_db
def test_an_imported_file_is_deleted(client, users, var_dir, in_request):
    client.force_login(users.organiser_admin)
    upload(client, VALID.encode())
    job = ImportJob.objects.get()
    assert job.status == "done" and job.stored_path == "" and uploads(var_dir) == []


@pytest.mark.django_db
def test_a_rejected_file_is_deleted(client, users, var_dir, in_request):
    client.force_login(users.organiser_admin)
    upload(client, (HEADER + f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;Q;slutbetyg\n").encode())
    job = ImportJob.objects.get()
    assert job.status == "rejected" and job.stored_path == "" and uploads(var_dir) == []


@pytest.mark.django_db
def test_a_file_whose_import_fails_is_deleted(client, users, var_dir, in_request, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "facts_import_bytes", broken)
    client.force_login(users.organiser_admin)
    upload(client, VALID.encode())
    job = ImportJob.objects.get()
    assert job.status == "failed" and uploads(var_dir) == []


@pytest.mark.django_db
def test_an_import_out_of_memory_fails_with_a_clear_message(
    client, users, var_dir, in_request, monkeypatch
):
    def hungry(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(jobs, "facts_import_bytes", hungry)
    client.force_login(users.organiser_admin)
    upload(client, VALID.encode())
    job = ImportJob.objects.get()
    assert job.status == "failed" and uploads(var_dir) == []
    assert job.problems == [OUT_OF_MEMORY]


@pytest.mark.django_db
def test_a_file_not_saved_whole_is_deleted(users, var_dir, monkeypatch):
    class Broken(SimpleUploadedFile):
        def chunks(self, chunk_size=None):
            yield b"personnummer;"
            raise OSError("connection reset")

    with pytest.raises(OSError):
        jobs.import_job_create(
            kind="grades", uploaded=Broken("b.csv", b"x" * 10), user=users.organiser_admin
        )
    assert uploads(var_dir) == [] and not ImportJob.objects.exists()


# --- Stale jobs end failed at the next use, and their uploads go with them


def a_job(var_dir: Path, **fields) -> ImportJob:
    directory = var_dir / "uploads"
    directory.mkdir(exist_ok=True)
    path = directory / f"{len(list(directory.iterdir()))}.upload"
    path.write_text(VALID)
    return ImportJob.objects.create(
        kind="grades", file_name="betyg.csv", stored_path=str(path), **fields
    )


@pytest.mark.django_db
def test_a_running_job_whose_process_is_gone_fails_when_its_page_is_next_read(
    client, users, var_dir
):
    job = a_job(
        var_dir,
        status="running",
        pid=dead_pid(),
        host=socket.gethostname(),
        heartbeat_at=timezone.now(),
        created_by=users.organiser_admin,
    )
    client.force_login(users.organiser_admin)
    page = client.get(reverse("import_job_status", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert job.problems == ["Importen avbröts; ingenting sparades."]
    assert "hx-get" not in page  # no more polling
    assert uploads(var_dir) == []


@pytest.mark.django_db
def test_a_job_without_progress_for_the_stale_time_fails_and_a_live_one_is_left(
    client, users, var_dir, settings
):
    settings.SKOLKVALITET_IMPORT_STALE_MINUTES = 30
    now = timezone.now()
    here = {"host": socket.gethostname(), "pid": os.getpid()}
    quiet = a_job(var_dir, status="running", heartbeat_at=now - dt.timedelta(minutes=31))
    elsewhere = a_job(  # another server's process: judged by its progress only
        var_dir, status="running", pid=dead_pid(), host="other", heartbeat_at=now
    )
    live = a_job(var_dir, status="running", heartbeat_at=now - dt.timedelta(minutes=29), **here)
    queued = a_job(var_dir, status="queued", heartbeat_at=now - dt.timedelta(minutes=40))
    client.force_login(users.organiser_admin)
    client.get(reverse("import_page"))
    status = {job.pk: job.status for job in ImportJob.objects.all()}
    assert status == {
        quiet.pk: "failed",
        elsewhere.pk: "running",
        live.pk: "running",
        queued.pk: "failed",
    }
    assert uploads(var_dir) == sorted([Path(elsewhere.stored_path), Path(live.stored_path)])


@pytest.mark.django_db
def test_a_stalled_job_that_had_written_its_rows_says_so(var_dir, settings):
    job = a_job(
        var_dir,
        status="running",
        total=40,
        done=3,
        heartbeat_at=timezone.now() - dt.timedelta(hours=2),
    )
    assert jobs.import_jobs_expire() == 1
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.problems == [
        "Raderna importerades, men importen avbröts medan indikatorerna beräknades (den kan "
        "ha behövt mer minne än en import får använda). Driftansvarig kan beräkna dem med "
        "skolkvalitet indicators."
    ]


@pytest.mark.django_db
def test_an_old_upload_no_job_holds_is_deleted_a_recent_one_kept(var_dir, settings):
    settings.SKOLKVALITET_IMPORT_STALE_MINUTES = 30
    directory = var_dir / "uploads"
    directory.mkdir()
    old, recent = directory / "old.upload", directory / "recent.upload"
    old.write_text(VALID)
    recent.write_text(VALID)  # being saved by a request whose job is not committed yet
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    assert jobs.import_jobs_expire() == 0
    assert uploads(var_dir) == [recent]


# --- In a process of its own, with limited memory


@pytest.fixture
def in_background(settings):
    settings.SKOLKVALITET_IMPORT_IN_BACKGROUND = True


@pytest.mark.django_db(transaction=True)
def test_an_upload_is_imported_in_a_process_of_its_own(client, users, var_dir, in_background):
    client.force_login(users.organiser_admin)
    response = upload(client, VALID.encode())
    job = wait_for(ImportJob.objects.get())
    assert response.url == reverse("import_job", args=[job.pk])
    assert job.status == "done", job.problems
    assert job.pid not in (None, os.getpid()) and job.host == socket.gethostname()
    assert Grade.objects.get().value == "C"
    assert uploads(var_dir) == []


def big_grades_file(rows: int) -> bytes:
    """A valid grades file of `rows` pupils, each with a personnummer of their own."""
    start = dt.date(2009, 1, 1)
    lines = [HEADER]
    for n in range(rows):
        number = make_personal_number(start + dt.timedelta(days=n % 3000), n // 3000 % 1000)
        lines.append(f"{number};20000002;2024/25;VT;9;MA;C;slutbetyg\n")
    return "".join(lines).encode()


@pytest.mark.django_db(transaction=True)
def test_an_import_over_the_memory_limit_is_killed_fails_clearly_and_its_upload_is_deleted(
    client, users, var_dir, in_background, settings
):
    # Importing 300 000 pupils takes more than 300 MB (measured by hand: the process peaks
    # at about 1.2 GB); the watcher kills the process when it passes the limit.
    settings.SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB = 300
    client.force_login(users.organiser_admin)
    upload(client, big_grades_file(300_000))
    job = wait_for(ImportJob.objects.get())
    assert job.status == "failed"
    assert job.problems == [OUT_OF_MEMORY]
    assert uploads(var_dir) == [] and not Grade.objects.exists()
    assert not ImportBatch.objects.exists()
    page = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert OUT_OF_MEMORY in page


@pytest.mark.django_db(transaction=True)
def test_an_import_process_killed_by_anyone_fails_the_job_and_deletes_its_upload(
    client, users, var_dir, in_background, settings
):
    settings.SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB = 0  # no limit: killed by hand below
    client.force_login(users.organiser_admin)
    upload(client, big_grades_file(300_000))
    job = ImportJob.objects.get()
    worker = worker_thread()
    deadline = time.monotonic() + 60
    while job.status != "running" and time.monotonic() < deadline:
        time.sleep(0.05)
        job.refresh_from_db()
    assert job.status == "running" and job.pid
    os.kill(job.pid, signal.SIGKILL)
    job = wait_for(job)
    # The worker records its task's end before the test's database is emptied.
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert job.status == "failed"
    assert job.problems == [STOPPED]
    assert uploads(var_dir) == [] and not Grade.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_process_that_cannot_start_fails_the_job_and_deletes_its_upload(
    client, users, var_dir, in_background, settings
):
    settings.SKOLKVALITET_UNPICKLABLE = lambda: None  # the child's settings cannot be sent
    client.force_login(users.organiser_admin)
    upload(client, VALID.encode())
    job = ImportJob.objects.get()
    assert job.status == "queued"
    run_worker()
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.problems == ["Importen misslyckades oväntat; ingenting sparades."]
    assert uploads(var_dir) == []


def test_the_import_process_address_space_is_limited():
    script = (
        "from skolkvalitet.ingest.child import memory_limit_set\n"
        "memory_limit_set(200 * 2**20)\n"
        "try:\n"
        "    bytearray(400 * 2**20)\n"
        "except MemoryError:\n"
        "    print('refused')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "refused"


# --- A hostile workbook through the page


def hostile_workbook() -> bytes:
    """A 480-sheet workbook whose every sheet is small, with one small part packed like a
    zip bomb: the file the probe found took 207 s and 5 GB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for n in range(1, 481):
            rows = "".join(
                f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{NEW_PUPIL}</t></is></c></row>'
                for r in range(1, 200)
            )
            archive.writestr(
                f"xl/worksheets/sheet{n}.xml",
                f"<worksheet><sheetData>{rows}</sheetData></worksheet>",
            )
        archive.writestr("xl/media/image1.bin", b"\0" * 2**20)
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_hostile_workbook_is_refused_quickly_and_nothing_is_imported(
    client, users, var_dir, in_request
):
    data = hostile_workbook()
    assert len(data) < 2 * 2**20
    client.force_login(users.organiser_admin)
    started = time.perf_counter()
    upload(client, data, "betyg.xlsx")
    assert time.perf_counter() - started < 10
    job = ImportJob.objects.get()
    assert job.status == "rejected"
    assert job.problems == ["betyg.xlsx: XLSX-filen är misstänkt hårt packad (en zipbomb?)."]
    assert not ImportBatch.objects.exists() and not Grade.objects.exists()
    assert uploads(var_dir) == []
