"""Result follow-up in a real browser: each role walks the pages it may see, the pages it may
not see are refused, and axe-core finds no serious or critical accessibility violation."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.browser.axe import serious_violations
from tests.indicators.test_materialise import facts  # noqa: F401
from tests.indicators.test_materialise_pipeline import seeded_subjects_and_scales  # noqa: F401

from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.organisation.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ett-långt-demolösenord"


@pytest.fixture
def results(seeded_subjects_and_scales, facts, users):  # noqa: F811
    indicators_materialise()
    for role in Role:
        user = getattr(users, role.value)
        user.set_password(PASSWORD)
        user.save()
    return facts


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_the_organiser_admin_walks_overview_unit_and_pupils(
    page, live_server, results, users, screenshot
):
    org = results.org
    log_in(page, live_server, users.organiser_admin.username)
    page.get_by_role("link", name="Resultat", exact=True).click()
    page.wait_for_url(f"{live_server.url}/resultat/")
    assert page.get_by_role("heading", level=1).inner_text() == "Resultatuppföljning"
    table = page.locator("table.overview")
    assert table.get_by_role("rowheader", name="Norrskolan").is_visible()
    # The comparison chart of the units, drawn, with its figures as a text alternative.
    page.locator("#overview-chart svg.marks").wait_for()
    assert page.locator("#overview-chart .chart-data").get_by_text("Norrskolan").count() == 1
    assert serious_violations(page) == []
    screenshot("results-overview-organiser-admin")

    page.get_by_role("link", name="Norrskolan").click()
    page.wait_for_url(f"{live_server.url}/resultat/enhet/{org.unit_n1.pk}/")
    assert page.get_by_role("heading", name="Uppföljningstillfällen: bedömningar").is_visible()
    # htmx brings the groups in after the page is shown, each linking to its group page.
    groups = page.locator("#unit-groups table")
    groups.wait_for()
    assert groups.get_by_role("link", name=org.group_n1a.name).is_visible()
    assert serious_violations(page) == []
    screenshot("results-unit-organiser-admin")

    page.get_by_role("link", name="Elever i behov av stöd (senaste uppföljningen)").click()
    page.wait_for_url(f"{live_server.url}/resultat/enhet/{org.unit_n1.pk}/elever-i-behov/**")
    page.get_by_role("heading", name="Elever i behov av stöd").wait_for()
    assert serious_violations(page) == []

    page.get_by_role("link", name="Resultatdialoger").click()
    page.wait_for_url(f"{live_server.url}/uppfoljning/")
    assert page.get_by_role("link", name="Norrskolan").is_visible()
    assert serious_violations(page) == []
    screenshot("followup-board-organiser-admin")


def test_the_board_sees_protected_figures_and_no_pupils(
    page, live_server, results, users, screenshot
):
    org = results.org
    log_in(page, live_server, users.board.username)
    page.goto(f"{live_server.url}/resultat/")
    assert page.locator("abbr.marker", has_text="..").count() > 0
    screenshot("results-overview-board")
    page.goto(f"{live_server.url}/resultat/enhet/{org.unit_n1.pk}/")
    assert page.get_by_text("Du ser skyddade värden").is_visible()
    assert (
        page.get_by_role("link", name="Elever i behov av stöd (senaste uppföljningen)").count() == 0
    )
    response = page.goto(f"{live_server.url}/resultat/enhet/{org.unit_n1.pk}/elever-i-behov/")
    assert response.status == 404


def test_the_unit_head_sees_only_the_own_unit(page, live_server, results, users, screenshot):
    org = results.org
    log_in(page, live_server, users.unit_head.username)
    page.goto(f"{live_server.url}/resultat/")
    rows = page.locator("table.overview tbody th[scope=row]")
    assert rows.all_inner_texts() == ["Norrskolan"]
    assert serious_violations(page) == []
    screenshot("results-overview-unit-head")
    response = page.goto(f"{live_server.url}/resultat/enhet/{org.unit_s1.pk}/")
    assert response.status == 404


def test_the_teacher_walks_from_the_own_group_to_its_pupils(
    page, live_server, results, users, screenshot
):
    org = results.org
    log_in(page, live_server, users.teacher.username)
    page.get_by_role("link", name="Resultat", exact=True).click()
    page.wait_for_url(f"{live_server.url}/resultat/")
    assert page.get_by_role("heading", name="Dina grupper").is_visible()
    assert page.get_by_role("link", name="7B").count() == 0  # another teacher's group
    page.get_by_role("link", name="7A").click()
    page.wait_for_url(f"{live_server.url}/resultat/grupp/{org.group_n1a.pk}/")
    assert page.get_by_role("heading", name="Uppföljningstillfällen: bedömningar").is_visible()
    page.locator("#chart-points svg.marks").wait_for()
    assert serious_violations(page) == []
    screenshot("results-group-teacher")

    page.get_by_role("link", name="Elever i behov av stöd (senaste uppföljningen)").click()
    page.wait_for_url(f"{live_server.url}/resultat/grupp/{org.group_n1a.pk}/elever-i-behov/**")
    page.get_by_role("heading", name="Elever i behov av stöd").wait_for()
    assert serious_violations(page) == []
    screenshot("results-group-pupils-teacher")

    for url in (
        f"/resultat/enhet/{org.unit_n1.pk}/",
        f"/resultat/grupp/{org.group_n1b.pk}/",
        f"/resultat/grupp/{org.group_n1b.pk}/elever-i-behov/",
    ):
        assert page.goto(f"{live_server.url}{url}").status == 404


def test_the_unit_head_reads_the_grade_distribution_and_downloads_it(
    page, live_server, results, users, screenshot
):
    org = results.org
    log_in(page, live_server, users.unit_head.username)
    page.goto(f"{live_server.url}/resultat/enhet/{org.unit_n1.pk}/")
    section = page.locator("section[aria-labelledby=s-distribution]")
    assert section.get_by_role("heading", name="Betygsfördelning").is_visible()
    section.locator("#chart-distribution svg.marks").wait_for()
    assert section.get_by_role("rowheader", name="Svenska").is_visible()
    assert serious_violations(page) == []
    section.scroll_into_view_if_needed()
    screenshot("results-unit-distribution-unit-head")
    with page.expect_download() as download:
        section.get_by_role("link", name="Ladda ned CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Ämne;Elever med betyg;A;B;C;D;E;F")


def test_the_browser_reads_the_compressed_pages(page, live_server, results, users):
    """Chromium asks for gzip: the overview and the htmx groups fragment come spliced from
    their compressed cached bodies (dashboards/gzip_splice.py), twice (the second from the
    cache), and the browser shows what they hold."""
    org = results.org
    log_in(page, live_server, users.organiser_admin.username)
    for _ in range(2):
        with page.expect_response(f"{live_server.url}/resultat/") as overview:
            page.goto(f"{live_server.url}/resultat/")
        assert overview.value.headers.get("content-encoding") == "gzip"
        table = page.locator("table.overview")
        assert table.get_by_role("rowheader", name="Norrskolan").is_visible()
        groups_url = f"{live_server.url}/resultat/enhet/{org.unit_n1.pk}/grupper/"
        with page.expect_response(groups_url) as fragment:
            page.goto(f"{live_server.url}/resultat/enhet/{org.unit_n1.pk}/")
        assert fragment.value.headers.get("content-encoding") == "gzip"
        page.locator("#unit-groups table").wait_for()
