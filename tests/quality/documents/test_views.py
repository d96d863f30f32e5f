"""The board documents in the browser's back end: the förvaltning orders the
kvalitetsredovisning, the job runs (here within the request), its page shows the outcome and
the file downloads for the user who ordered it only; a unit's report is produced for whoever
may read it; a document that breaks the publication rules is refused with its problems."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.models import DocumentJob, DocumentStatus
from skolkvalitet.quality.reports.actions import report_section_save, report_start, report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_request(settings, tmp_path):
    settings.SKOLKVALITET_DOCUMENTS_IN_BACKGROUND = False
    settings.VAR_DIR = tmp_path


def order_annual(client, org, fmt="pdf"):
    return client.post(
        reverse("quality_documents"),
        {"organiser": org.organiser.pk, "year": org.year.pk, "format": fmt},
    )


def test_the_forvaltning_orders_the_annual_report_and_downloads_it(org, client_for) -> None:
    admin = client_for("organiser_admin")
    page = admin.get(reverse("quality_documents")).content.decode()
    assert 'name="organiser"' in page
    response = order_annual(admin, org)
    job = DocumentJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/jobb/{job.pk}/")
    assert job.status == DocumentStatus.DONE and job.file_name == "kvalitetsredovisning-2024-25.pdf"
    assert stat.S_IMODE(Path(job.stored_path).stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(job.stored_path).parent.stat().st_mode) == 0o700
    status = admin.get(reverse("quality_document_job", args=[job.pk])).content.decode()
    assert 'id="document-download"' in status
    download = admin.get(reverse("quality_document_download", args=[job.pk]))
    body = b"".join(download.streaming_content)
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert "Kvalitetsredovisning 2024/25" in text and org.organiser.name in text


def test_only_the_user_who_ordered_a_document_sees_it(org, client_for) -> None:
    order_annual(client_for("organiser_admin"), org)
    job = DocumentJob.objects.get()
    analyst = client_for("analyst")
    assert analyst.get(reverse("quality_document_job", args=[job.pk])).status_code == 404
    assert analyst.get(reverse("quality_document_download", args=[job.pk])).status_code == 404


def test_the_board_and_a_teacher_may_not_order_the_annual_report(org, client_for) -> None:
    for role in ("board", "teacher", "unit_head"):
        client = client_for(role)
        assert 'name="organiser"' not in client.get(reverse("quality_documents")).content.decode()
        assert order_annual(client, org).status_code == 403
    assert not DocumentJob.objects.exists()


def unit_url(org) -> str:
    return reverse(
        "quality_unit_document",
        args=[org.year.start_year, org.unit_n1.pk, "grundskola"],
    )


def test_a_units_report_as_word_for_those_who_may_read_it(org, users, client_for) -> None:
    head = scope_for(users.unit_head)
    report = report_start(
        node=org.unit_n1, year=org.year, school_form="grundskola", scope=head, by=users.unit_head
    )
    board = client_for("board")
    assert board.post(unit_url(org), {"format": "docx"}).status_code == 404  # a draft
    report_submit(report=report, scope=head, by=users.unit_head)
    assert board.post(unit_url(org), {"format": "docx"}).status_code == 302
    job = DocumentJob.objects.get()
    assert job.kind == "unit" and job.status == DocumentStatus.DONE
    assert job.file_name.endswith("-2024-25.docx")


def test_a_report_naming_a_pupil_is_refused_with_its_problem(org, users, client_for) -> None:
    from skolkvalitet.organisation.models import Pupil

    # A pupil of the register, with a full name (the fixture's pupils have given names only).
    first = Pupil.objects.order_by("pk").first()
    assert first is not None
    Pupil.objects.filter(pk=first.pk).update(given_name="Ida", family_name="Karlsson")
    pupil = Pupil.objects.get(pk=first.pk)
    head = scope_for(users.unit_head)
    report = report_start(
        node=org.unit_n1, year=org.year, school_form="grundskola", scope=head, by=users.unit_head
    )
    report_section_save(
        report=report,
        key="analys",
        text=f"Vi följer {pupil.given_name} {pupil.family_name} noga.",
        version=0,
        scope=head,
        by=users.unit_head,
    )
    response = client_for("unit_head").post(unit_url(org), {"format": "pdf"})
    job = DocumentJob.objects.get()
    assert job.status == DocumentStatus.REFUSED and not job.stored_path
    page = client_for("unit_head").get(response["Location"]).content.decode()
    assert 'class="problems"' in page
