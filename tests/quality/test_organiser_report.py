"""The organiser's own report (the "huvudman" template): the förvaltning writes its analysis
and priorities like a unit's report, its management approves or returns it, the board reads
it once handed in, a unit head never; the kvalitetsredovisning carries its text."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.publishing.documents.model import Heading, Paragraph
from skolkvalitet.quality.documents.annual_report import annual_report_document
from skolkvalitet.quality.models import QualityReport, ReportStatus
from skolkvalitet.quality.reports.actions import (
    report_approve,
    report_section_save,
    report_start,
    report_submit,
)

pytestmark = pytest.mark.django_db


def url(org) -> str:
    return reverse("quality_report", args=[org.year.start_year, org.organiser.pk, "huvudman"])


def test_the_forvaltning_writes_and_its_management_approves(org, users, client_for) -> None:
    analyst = client_for("analyst")
    assert analyst.post(url(org), {"intent": "start"}).status_code == 302
    report = QualityReport.objects.get(node=org.organiser)
    assert report.template.school_form == "huvudman"
    section = report.sections.get(key="prioriteringar")
    response = analyst.post(
        url(org),
        {"intent": "save", "section": section.key, "version": "0", "text": "Läsning i F–3."},
    )
    assert response.status_code == 302
    assert analyst.post(url(org), {"intent": "submit"}).status_code == 302
    # The analyst wrote it; approving is the management's (APPROVE_ORGANISER_REPORT).
    assert analyst.post(url(org), {"intent": "approve"}).status_code == 403
    assert client_for("organiser_admin").post(url(org), {"intent": "approve"}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert "Läsning i F–3." in client_for("board").get(url(org)).content.decode()
    assert client_for("unit_head").get(url(org)).status_code == 404


def test_the_actions_check_the_organiser_roles(org, users) -> None:
    with pytest.raises(PermissionDenied):
        report_start(
            node=org.organiser,
            year=org.year,
            school_form="huvudman",
            scope=scope_for(users.unit_head),
            by=users.unit_head,
        )
    with pytest.raises(ValidationError):  # a unit does not write on the organiser's template
        report_start(
            node=org.unit_n1,
            year=org.year,
            school_form="huvudman",
            scope=scope_for(users.unit_head),
            by=users.unit_head,
        )


def test_the_board_sees_no_draft_and_the_list_shows_the_organiser_first(
    org, users, client_for
) -> None:
    report_start(
        node=org.organiser,
        year=org.year,
        school_form="huvudman",
        scope=scope_for(users.analyst),
        by=users.analyst,
    )
    assert client_for("board").get(url(org)).status_code == 404
    listing = (
        client_for("analyst")
        .get(reverse("quality_reports", args=[org.year.start_year]))
        .content.decode()
    )
    assert listing.index(org.organiser.name) < listing.index(org.unit_n1.name)


def test_the_kvalitetsredovisning_carries_the_organisers_analysis(org, users) -> None:
    writer = scope_for(users.analyst)
    report = report_start(
        node=org.organiser, year=org.year, school_form="huvudman", scope=writer, by=users.analyst
    )
    report_section_save(
        report=report,
        key="analys",
        text="Skillnaderna mellan skolorna har ökat.",
        version=0,
        scope=writer,
        by=users.analyst,
    )
    report_submit(report=report, scope=writer, by=users.analyst)
    report_approve(report=report, scope=scope_for(users.organiser_admin), by=users.organiser_admin)
    document = annual_report_document(org.organiser, org.year)
    headings = [b.text for b in document.blocks if isinstance(b, Heading)]
    assert "Analys" in headings
    assert any(
        isinstance(b, Paragraph) and b.text == "Skillnaderna mellan skolorna har ökat."
        for b in document.blocks
    )
