"""The kvalitetsredovisning from the browser (issue 13): the förvaltning writes the organiser's
analysis on the organiser's own report, orders the kvalitetsredovisning as PDF from the
documents page, watches the job's progress until it is done (run by the worker, a process of
its own beside the live server) and downloads the file, whose text holds the analysis; the
management publishes it and anyone reads it on the public pages."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from tests.browser.axe import serious_violations
from tests.job_worker import worker_process

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "ett-långt-demolösenord"
ANALYSIS = "Skillnaderna mellan skolorna är huvudmannens viktigaste utmaning."


@pytest.fixture
def people(users):
    for user in vars(users).values():
        user.set_password(PASSWORD)
        user.save()
    return users


@pytest.fixture
def log_in(browser, live_server, settings, tmp_path):
    settings.SKOLKVALITET_DOCUMENTS_IN_BACKGROUND = True
    settings.VAR_DIR = tmp_path
    contexts = []

    def open_as(user) -> Page:
        context = browser.new_context(
            locale="sv-SE", viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Användarnamn").fill(user.username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    with worker_process():  # the worker as the demo starts it: a process of its own
        yield open_as
    for context in contexts:
        context.close()


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"documents-{name}.png"), full_page=True)


def test_the_forvaltning_writes_orders_watches_and_downloads(
    org, people, log_in, live_server
) -> None:
    year = org.year.start_year
    analyst = log_in(people.analyst)
    # The organiser's own report: started and its analysis written.
    analyst.goto(f"{live_server.url}/uppfoljning/rapporter/{year}/")
    analyst.get_by_role("link", name=org.organiser.name, exact=True).click()
    analyst.wait_for_url(f"**/rapporter/{year}/{org.organiser.pk}/huvudman/")
    analyst.locator("button[name=intent][value=start]").click()
    analyst.locator("textarea#text-analys").wait_for()
    analyst.locator("textarea#text-analys").fill(ANALYSIS)
    analyst.locator("#section-analys button[name=intent][value=save]").click()
    expect(analyst.locator("textarea#text-analys")).to_have_value(ANALYSIS)
    assert serious_violations(analyst) == []

    # The documents page: order the PDF, watch the stages, download.
    analyst.goto(f"{live_server.url}/uppfoljning/rapporter/{year}/")
    analyst.locator("#documents-link").click()
    analyst.wait_for_url("**/uppfoljning/dokument/")
    analyst.locator(f'select#year option[value="{org.year.pk}"]').wait_for(state="attached")
    analyst.locator("select#year").select_option(str(org.year.pk))
    analyst.locator("input[name=format][value=pdf]").check()
    assert serious_violations(analyst) == []
    shoot(analyst, "01-order")
    analyst.locator("form.document-form button[type=submit]").click()
    analyst.wait_for_url("**/uppfoljning/dokument/jobb/*/")
    status = analyst.locator("#document-status")
    expect(status).to_be_visible()
    download_link = analyst.locator("#document-download")
    expect(download_link).to_be_visible(timeout=60_000)  # polled by htmx until done
    shoot(analyst, "02-ready")
    with analyst.expect_download() as downloading:
        download_link.click()
    download = downloading.value
    assert download.suggested_filename == "kvalitetsredovisning-2024-25.pdf"
    body = Path(download.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert "Kvalitetsredovisning 2024/25" in text and ANALYSIS in text

    # The management publishes it; anyone reads it on the public pages.
    admin = log_in(people.organiser_admin)
    # The job is the analyst's: the admin orders their own and publishes it.
    admin.goto(f"{live_server.url}/uppfoljning/dokument/")
    admin.locator("select#year").select_option(str(org.year.pk))
    admin.locator("form.document-form button[type=submit]").click()
    expect(admin.locator("#document-download")).to_be_visible(timeout=60_000)
    admin.goto(f"{live_server.url}/uppfoljning/dokument/")
    admin.locator("form:has(input[name=intent][value=publish]) button").first.click()
    admin.wait_for_url("**/uppfoljning/dokument/")
    public = admin.context.browser.new_page()
    public.goto(f"{live_server.url}/offentlig/huvudman/{org.organiser.pk}/")
    expect(public.locator(f'a[href$="/kvalitetsredovisning/{year}/"]')).to_be_visible()
    assert serious_violations(public) == []
    shoot(public, "03-public")
    public.close()
