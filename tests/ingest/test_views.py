"""The Import page: organiser admins upload files, follow them, download templates and roll
imports back; nobody else reaches it, and nobody imports outside the units they manage."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from skolkvalitet.batches.models import BatchStatus, ImportBatch
from skolkvalitet.ingest.models import ImportJob
from skolkvalitet.organisation import actions
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.organisation.models import Role
from skolkvalitet.results.models import Grade

pytestmark = pytest.mark.django_db

NEW_PUPIL = make_personal_number(dt.date(2010, 4, 2), 246)
HEADER = "personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"


@pytest.fixture(autouse=True)
def imports_run_at_once(settings, tmp_path):
    settings.SKOLKVALITET_IMPORT_IN_BACKGROUND = False
    settings.VAR_DIR = tmp_path


def upload(client, text: str, name: str = "betyg.csv", kind: str = "grades"):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("import_page"), {"kind": kind, "file": file})


def test_only_organiser_admins_reach_the_import_page(client, users):
    for user in (users.analyst, users.board, users.unit_head, users.teacher, users.coach):
        client.force_login(user)
        assert client.get(reverse("import_page")).status_code == 403
    client.force_login(users.organiser_admin)
    page = client.get(reverse("import_page"))
    assert page.status_code == 200
    assert "Importera en fil" in page.content.decode()


def test_a_valid_upload_is_imported_and_its_outcome_shown(client, users):
    client.force_login(users.organiser_admin)
    response = upload(client, HEADER + f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg\n")

    job = ImportJob.objects.get()
    assert response.url == reverse("import_job", args=[job.pk])
    assert job.status == "done" and job.batch.created_by == users.organiser_admin
    assert Grade.objects.get().value == "C"
    page = client.get(response.url).content.decode()
    assert "Filen importerades." in page
    assert "hx-get" not in page  # finished: no more polling
    assert ImportJob.objects.get().stored_path == ""  # the upload is deleted


def test_a_bad_upload_lists_each_problem_in_swedish_and_saves_nothing(client, users):
    client.force_login(users.organiser_admin)
    response = upload(client, HEADER + f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;G;slutbetyg\n")
    page = client.get(response.url).content.decode()
    assert "Filen importerades inte. Ingenting sparades." in page
    assert "betyg.csv:2:betyg: Ett betyg är A, B, C, D, E, F eller -" in page
    assert Grade.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_an_admin_of_one_area_cannot_import_for_a_unit_of_another(client, org, make_user):
    north_admin = make_user("nora")
    actions.role_grant(user=north_admin, node=org.area_north, role=Role.ORGANISER_ADMIN)
    client.force_login(north_admin)
    response = upload(client, HEADER + f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg\n")
    job = ImportJob.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    assert job.status == "rejected"
    assert "Du får inte importera uppgifter för den här skolenheten." in job.problems[0]
    assert Grade.objects.count() == 0


def test_templates_download_as_csv_and_xlsx(client, users):
    client.force_login(users.organiser_admin)
    csv = client.get(reverse("import_template", args=["grades", "csv"]))
    assert csv["Content-Disposition"] == 'attachment; filename="mall-grades.csv"'
    header = HEADER.strip() + ";språk"
    assert csv.content.decode("utf-8-sig").splitlines()[0] == header
    xlsx = client.get(reverse("import_template", args=["grades", "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[1]] == header.split(";")
    assert client.get(reverse("import_template", args=["nonsense", "csv"])).status_code == 404


def test_an_organiser_admin_rolls_an_import_back(client, users):
    client.force_login(users.organiser_admin)
    upload(client, HEADER + f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg\n")
    batch = ImportBatch.objects.get()
    response = client.post(reverse("import_batch_rollback", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.ROLLED_BACK and batch.rolled_back_by == users.organiser_admin
    assert Grade.objects.count() == 0


def test_the_header_links_to_import_only_for_those_who_may(client, users):
    client.force_login(users.organiser_admin)
    assert reverse("import_page") in client.get(reverse("start")).content.decode()
    client.force_login(users.unit_head)
    assert reverse("import_page") not in client.get(reverse("start")).content.decode()


def test_an_unexpected_failure_is_logged_without_the_cells_text(client, users, monkeypatch, caplog):
    from skolkvalitet.ingest import jobs

    def broken(*args, **kwargs):
        raise ValueError(f"cannot handle {NEW_PUPIL}")

    monkeypatch.setattr(jobs, "facts_import_bytes", broken)
    client.force_login(users.organiser_admin)
    upload(client, HEADER + f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg\n")
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert "ValueError" in caplog.text
    assert NEW_PUPIL not in caplog.text and NEW_PUPIL not in str(job.problems)
