"""The import's audit event carries the client address of the request that uploaded the file
(issue 15: every event says from which client address), though the import runs in a process
of its own, outside any request: ingest/jobs.py takes it from the upload's `import_upload`
event (organisation/audit.py `import_upload_address`, `audit_address`)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.ingest.test_jobs import VALID, wait_for

from skolkvalitet.ingest.models import ImportJob
from skolkvalitet.organisation.audit import audit_address, audit_record, import_upload_address
from skolkvalitet.organisation.models import AuditEvent


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def upload(client, address: str):
    file = SimpleUploadedFile("betyg.csv", VALID.encode(), content_type="text/csv")
    return client.post(
        reverse("import_page"), {"kind": "grades", "file": file}, REMOTE_ADDR=address
    )


@pytest.mark.django_db(transaction=True)
def test_an_import_in_a_process_of_its_own_is_logged_with_the_uploaders_address(
    client, users, settings
):
    settings.SKOLKVALITET_IMPORT_IN_BACKGROUND = True
    client.force_login(users.organiser_admin)
    upload(client, "10.4.5.6")
    job = wait_for(ImportJob.objects.get())
    assert job.status == "done", job.problems
    (uploaded,) = AuditEvent.objects.filter(action="import_upload")
    (imported,) = AuditEvent.objects.filter(action="import")
    assert uploaded.ip_address == "10.4.5.6"
    assert (imported.user, imported.ip_address) == (users.organiser_admin, "10.4.5.6")
    assert imported.detail["batch"] == job.batch_id


@pytest.mark.django_db
def test_an_import_in_the_request_is_logged_with_its_address(client, users, settings):
    settings.SKOLKVALITET_IMPORT_IN_BACKGROUND = False
    client.force_login(users.organiser_admin)
    upload(client, "10.7.7.7")
    assert AuditEvent.objects.get(action="import").ip_address == "10.7.7.7"


@pytest.mark.django_db
def test_the_address_applies_inside_only_and_none_changes_nothing(users) -> None:
    assert import_upload_address(12345) is None
    with audit_address("10.1.1.1"):
        inside = audit_record(user=None, action="probe")
        with audit_address(None):
            nested = audit_record(user=None, action="probe")
    outside = audit_record(user=None, action="probe")
    assert (inside.ip_address, nested.ip_address, outside.ip_address) == (
        "10.1.1.1",
        "10.1.1.1",
        None,
    )
