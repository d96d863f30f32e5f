"""The quality report (kvalitetsrapport) of one unit in a real browser, walked through its
cycle: the unit head (rut, Norrskolan) starts the report, writes sections and submits it; the
organiser admin (agnes) returns it with a comment; the head edits and resubmits; the admin
approves. Then a grades import changes the live merit value, but the approved report still
shows the frozen one and says that newer data exist. The board (birgitta) reads the report
once handed in, never the draft.

The elements are found by their roles, ids and values, not by their words, so that the walk
holds whatever the catalogue's Swedish says. Screenshots go to /tmp/reportui-*.png.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect
from tests.browser.axe import serious_violations

from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.quality.common_model import template_checked
from skolkvalitet.quality.models import QualityReport, ReportStatus, ReportTemplate
from skolkvalitet.quality.reports.figures import figures_live

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ett-långt-demolösenord"
SUBJECTS = ("SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI")
KNOWLEDGE = "Meritvärdet i årskurs 9 är 80; alla elever har minst E i alla ämnen."
NORMS = "Eleverna upplever studiero på de flesta lektioner."
RETURN_REASON = "Vad beror det låga meritvärdet på? Skriv en orsaksanalys."
ANALYSIS = "\n\nOrsak: få elever når över E; vi inför gemensam bedömning i höst."


def grades(unit_code: str, grade: str) -> bytes:
    """12 pupils in year 9, every subject `grade` (final grades, VT 2024/25)."""
    rows = ["personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"]
    for serial in range(1, 13):
        pupil = make_personal_number(dt.date(2009, 3, serial), 100 + serial)
        rows += [f"{pupil};{unit_code};2024/25;VT;9;{s};{grade};slutbetyg\n" for s in SUBJECTS]
    return "".join(rows).encode()


@pytest.fixture
def people(users):
    for user in vars(users).values():
        user.set_password(PASSWORD)
        user.save()
    return users


@pytest.fixture
def log_in(browser, live_server):
    contexts = []

    def open_as(user) -> Page:
        context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Användarnamn").fill(user.username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def shoot(page: Page, name: str) -> None:
    page.screenshot(path=f"/tmp/reportui-{name}.png", full_page=True)
    page.screenshot(path=f"/tmp/reportui-{name}-top.png")


def merit_cell(page: Page):
    return page.locator('#section-kunskaper tr[data-indicator="merit_value_17"] td.value')


def live_merit(org) -> float | None:
    report = QualityReport.objects.get(node=org.unit_n1)
    stored = report.template
    template = template_checked(stored.school_form, stored.name, stored.sections)
    [merit] = [
        f
        for f in figures_live(node=org.unit_n1, year=org.year, template=template)
        if f.indicator == "merit_value_17"
    ]
    return merit.value


def test_the_report_cycle_of_one_unit(log_in, live_server, org, people):
    facts_import_bytes("grades", grades(org.unit_n1.code, "E"), "betyg.csv")
    report_url = re.compile(
        rf"{live_server.url}/uppfoljning/rapporter/{org.year.start_year}/{org.unit_n1.pk}/"
        r"grundskola/.*"
    )

    # -- the unit head starts and writes the report -----------------------------------------
    head = log_in(people.unit_head)
    head.goto(f"{live_server.url}/uppfoljning/")
    head.locator("a[href='/uppfoljning/rapporter/']").click()
    head.wait_for_url(re.compile(rf".*/rapporter/{org.year.start_year}/$"))
    expect(head.locator("tbody tr")).to_have_count(1)  # Norrskolan only
    expect(head.locator("tbody .status")).to_have_class(re.compile("status-not_started"))
    head.get_by_role("rowheader").get_by_role("link", name="Norrskolan").click()
    head.wait_for_url(report_url)
    expect(head.locator("textarea#text-kunskaper")).to_have_count(0)
    head.locator("button[value=start]").click()
    expect(head.locator("#report-status")).to_have_class(re.compile("status-draft"))
    expect(merit_cell(head)).to_have_text(re.compile(r"^80[,.]0$"))

    head.locator("#text-kunskaper").fill(KNOWLEDGE)
    head.locator("#section-kunskaper button[value=save]").click()
    expect(head.locator("main > .messages")).to_be_visible()
    expect(head.locator("#text-kunskaper")).to_have_value(KNOWLEDGE)
    head.locator("#text-normer").fill(NORMS)
    head.locator("#section-normer button[value=save]").click()
    expect(head.locator("#text-normer")).to_have_value(NORMS)
    shoot(head, "01-unit-head-writes")
    assert serious_violations(head) == []
    head.locator("button[value=submit]").click()
    expect(head.locator("#report-status")).to_have_class(re.compile("status-submitted"))
    expect(head.locator("#text-kunskaper")).to_have_count(0)
    expect(head.locator("#section-kunskaper .section-text")).to_contain_text(KNOWLEDGE)
    expect(head.locator("#frozen-note")).to_be_visible()

    # -- the organiser admin returns it with a comment ----------------------------------------
    admin = log_in(people.organiser_admin)
    admin.goto(f"{live_server.url}/uppfoljning/rapporter/")
    row = admin.locator("tbody tr").filter(has=admin.get_by_role("link", name="Norrskolan"))
    expect(row.locator(".status")).to_have_class(re.compile("status-submitted"))
    expect(admin.locator("tbody tr")).to_have_count(5)  # the organiser's own and every unit
    row.get_by_role("link", name="Norrskolan").click()
    admin.wait_for_url(report_url)
    admin.locator("button[value=return]").click()  # without a reason: refused
    expect(admin.locator("#review-heading ~ .review-forms .errorlist")).to_be_visible()
    admin.locator("#return-comment").fill(RETURN_REASON)
    admin.locator("button[value=return]").click()
    expect(admin.locator("#report-status")).to_have_class(re.compile("status-returned"))
    expect(admin.locator("#comments .thread li.return")).to_contain_text(RETURN_REASON)
    shoot(admin, "02-admin-returned")
    assert serious_violations(admin) == []

    # -- the head edits and resubmits ------------------------------------------------------
    head.reload()
    expect(head.locator("#report-status")).to_have_class(re.compile("status-returned"))
    expect(head.locator("#comments")).to_contain_text(RETURN_REASON)
    head.locator("#text-kunskaper").fill(KNOWLEDGE + ANALYSIS)
    head.locator("#section-kunskaper button[value=save]").click()
    expect(head.locator("#section-kunskaper a[href*='/avsnitt/kunskaper/']")).to_be_visible()
    head.locator("#section-kunskaper a[href*='/avsnitt/kunskaper/']").click()
    expect(head.locator("ol.diff li.added").last).to_contain_text("Orsak: få elever")
    shoot(head, "03-unit-head-versions")
    head.go_back()
    head.locator("button[value=submit]").click()
    expect(head.locator("#report-status")).to_have_class(re.compile("status-submitted"))

    # -- the admin approves ----------------------------------------------------------------
    admin.reload()
    admin.locator("button[value=approve]").click()
    expect(admin.locator("#report-status")).to_have_class(re.compile("status-approved"))
    assert QualityReport.objects.get(node=org.unit_n1).status == ReportStatus.APPROVED
    expect(admin.locator("#newer-data")).to_have_count(0)

    # -- a new import: the live value changes, the approved report keeps its figures ---------
    facts_import_bytes("grades", grades(org.unit_n1.code, "A"), "betyg-rattade.csv")
    assert live_merit(org) != 80.0
    admin.reload()
    expect(merit_cell(admin)).to_have_text(re.compile(r"^80[,.]0$"))
    expect(admin.locator("#newer-data")).to_be_visible()
    shoot(admin, "04-admin-approved-newer-data")

    # -- the board reads it now that it is handed in ---------------------------------------
    board = log_in(people.board)
    board.goto(f"{live_server.url}/uppfoljning/rapporter/")
    expect(board.locator("tbody tr")).to_have_count(1)
    board.get_by_role("link", name="Norrskolan").click()
    board.wait_for_url(report_url)
    expect(board.locator("#report-status")).to_have_class(re.compile("status-approved"))
    expect(board.locator("textarea")).to_have_count(0)
    expect(board.locator("button[value=approve]")).to_have_count(0)
    expect(merit_cell(board)).to_have_text(re.compile(r"^80[,.]0$"))
    expect(board.locator("#newer-data")).to_be_visible()
    shoot(board, "05-board-reads")
    assert serious_violations(board) == []


def test_the_board_never_sees_a_draft(log_in, live_server, org, people):
    head = log_in(people.unit_head)
    head.goto(
        f"{live_server.url}/uppfoljning/rapporter/{org.year.start_year}/{org.unit_n1.pk}/grundskola/"
    )
    head.locator("button[value=start]").click()
    expect(head.locator("#report-status")).to_have_class(re.compile("status-draft"))
    board = log_in(people.board)
    board.goto(f"{live_server.url}/uppfoljning/rapporter/")
    expect(board.locator("tbody tr")).to_have_count(0)
    response = board.goto(head.url)
    assert response is not None and response.status == 404
    shoot(board, "06-board-no-draft")


def test_the_organiser_admin_edits_the_common_model(log_in, live_server, org, people):
    admin = log_in(people.organiser_admin)
    admin.goto(f"{live_server.url}/uppfoljning/rapporter/")
    admin.locator("a[href='/uppfoljning/rapporter/modell/']").click()
    admin.locator("a[href='/uppfoljning/rapporter/modell/forskola/']").click()
    admin.wait_for_url(re.compile(r".*/modell/forskola/$"))
    sections = admin.locator("fieldset.model-section")
    count = sections.count()
    admin.locator("button[value=add]").click()
    expect(sections).to_have_count(count + 1)
    last = count  # the new section's index
    admin.locator(f"#s{last}-title").fill("Samverkan med vårdnadshavare")
    admin.locator(f"#s{last}-var_ar_vi").fill(
        "Hur upplever vårdnadshavarna samverkan?\nHur ofta hålls utvecklingssamtal?"
    )
    admin.locator(f"button[value=up-{last}]").click()
    expect(admin.locator(f"#s{last - 1}-title")).to_have_value("Samverkan med vårdnadshavare")
    shoot(admin, "07-admin-edits-model")
    assert serious_violations(admin) == []
    admin.locator("button[value=save]").click()
    admin.wait_for_url(re.compile(r".*/rapporter/modell/$"))
    latest = ReportTemplate.objects.filter(school_form="forskola").order_by("-version").first()
    assert latest is not None and latest.version == 2
    titles = [s["title"] for s in latest.sections]
    assert titles[-2] == "Samverkan med vårdnadshavare"
    assert latest.sections[-2]["questions"]["var_ar_vi"] == [
        "Hur upplever vårdnadshavarna samverkan?",
        "Hur ofta hålls utvecklingssamtal?",
    ]
    expect(admin.locator("#form-forskola ~ p").first).to_contain_text("2")
