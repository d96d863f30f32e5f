"""The public pages (/offentlig/): nothing is public until the organiser's management
publishes it; a published kvalitetsredovisning downloads for anyone; the units' key figures,
when shown, are suppressed exactly as for the board; nobody else may publish."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.models import DocumentJob, PublishedReport
from skolkvalitet.quality.publication.actions import annual_report_publish, key_figures_show

pytestmark = pytest.mark.django_db

SUBJECTS = ("SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI")


@pytest.fixture(autouse=True)
def in_request(settings, tmp_path):
    settings.SKOLKVALITET_DOCUMENTS_IN_BACKGROUND = False
    settings.VAR_DIR = tmp_path


def grades(unit_code: str, grade: str, pupils: int) -> bytes:
    rows = ["personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"]
    for serial in range(1, pupils + 1):
        number = make_personal_number(dt.date(2009, 5, serial), 300 + serial)
        rows += [f"{number};{unit_code};2024/25;VT;9;{s};{grade};slutbetyg\n" for s in SUBJECTS]
    return "".join(rows).encode()


def annual_job(org, client_for) -> DocumentJob:
    client_for("organiser_admin").post(
        reverse("quality_documents"),
        {"organiser": org.organiser.pk, "year": org.year.pk, "format": "pdf"},
    )
    return DocumentJob.objects.get()


def test_nothing_is_public_until_published(org) -> None:
    anonymous = Client()
    assert anonymous.get(reverse("public_index")).status_code == 200
    assert anonymous.get(reverse("public_organiser", args=[org.organiser.pk])).status_code == 404
    assert anonymous.get(reverse("public_unit", args=[org.unit_n1.pk])).status_code == 404


def test_the_management_publishes_the_report_for_anyone(org, users, client_for) -> None:
    job = annual_job(org, client_for)
    admin = client_for("organiser_admin")
    response = admin.post(reverse("quality_publication"), {"intent": "publish", "job": job.pk})
    assert response.status_code == 302
    published = PublishedReport.objects.get()
    anonymous = Client()
    page = anonymous.get(reverse("public_organiser", args=[org.organiser.pk])).content.decode()
    assert "Kvalitetsredovisning 2024/25" in page
    download = anonymous.get(reverse("public_report", args=[org.organiser.pk, org.year.start_year]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Taking it down removes it from the public pages.
    admin.post(reverse("quality_publication"), {"intent": "unpublish", "published": published.pk})
    assert not PublishedReport.objects.exists()
    assert anonymous.get(reverse("public_organiser", args=[org.organiser.pk])).status_code == 404


def test_only_the_management_may_publish(org, users, client_for) -> None:
    job = annual_job(org, client_for)
    for role in ("analyst", "unit_head", "board"):
        with pytest.raises(PermissionDenied):
            annual_report_publish(job=job, scope=scope_for(getattr(users, role)), by=None)
        with pytest.raises(PermissionDenied):
            key_figures_show(
                organiser=org.organiser,
                shown=True,
                scope=scope_for(getattr(users, role)),
                by=None,
            )
    assert not PublishedReport.objects.exists()


def show_key_figures(org, users) -> None:
    key_figures_show(
        organiser=org.organiser,
        shown=True,
        scope=scope_for(users.organiser_admin),
        by=users.organiser_admin,
    )


def test_key_figures_are_shown_where_the_board_sees_them(org, users) -> None:
    facts_import_bytes("grades", grades(org.unit_n1.code, "C", 12), "n.csv")  # 12 pupils
    show_key_figures(org, users)
    page = Client().get(reverse("public_organiser", args=[org.organiser.pk])).content.decode()
    norr = page.split(f">{org.unit_n1.name}<", 1)[1].split("</tr>", 1)[0]
    assert "120,0" in norr


def test_key_figures_are_suppressed_as_for_the_board(org, users) -> None:
    # Söderskolan alone, 4 pupils: hidden at unit level, and the organiser's figure (which
    # is Söderskolan's) with it.
    facts_import_bytes("grades", grades(org.unit_s1.code, "A", 4), "s.csv")
    show_key_figures(org, users)
    anonymous = Client()
    page = anonymous.get(reverse("public_organiser", args=[org.organiser.pk])).content.decode()
    table = page.split('id="public-units"', 1)[1].split("</table>", 1)[0]
    assert "160,0" not in table and ".." in table
    unit_page = anonymous.get(reverse("public_unit", args=[org.unit_s1.pk])).content.decode()
    assert "160,0" not in unit_page and ".." in unit_page
