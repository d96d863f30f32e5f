"""The surveys, the staff and the filters in a real browser (issue 14 items 4 and 6): the
förvaltning reads the overview's survey and staff tables and filters on a school form; a
rektor reads the unit page's survey and staff sections; both at a desktop's width and a
phone's (390 px), where nothing runs past the screen, and axe-core finds no serious or
critical violation. Screenshots in test-artifacts/ (and /tmp/shots-pages/ when it exists)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.browser.axe import serious_violations
from tests.indicators.test_materialise import facts  # noqa: F401
from tests.indicators.test_materialise_pipeline import seeded_subjects_and_scales  # noqa: F401

from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.organisation.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ett-långt-demolösenord"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SHOTS = Path("/tmp/shots-pages")
PHONE = 390
# Elements wider than the viewport outside a scrolling wrapper.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === 'auto' || x === 'scroll' || x === 'hidden') return true;
    }
    return false;
  };
  return [...document.querySelectorAll('body *')]
    .filter((el) => { const b = el.getBoundingClientRect();
                      return b.width > 0 && b.right > width + 1 && !scrolls(el); })
    .map((el) => el.tagName + '.' + el.className).slice(0, 5);
}"""


@pytest.fixture
def sections(seeded_subjects_and_scales, facts, users):  # noqa: F811
    indicators_materialise()
    org = facts.org
    n1, n2 = org.unit_n1.code, org.unit_n2.code
    survey = (
        "skolenhetskod;läsår;enkät;index;respondentgrupp;inbjudna;svarande;instämmer\n"
        f"{n1};2024/25;pupil;safety;åk 7;30;25;20\n"
        f"{n1};2024/25;pupil;study_calm;åk 7;30;25;15\n"
        f"{n2};2024/25;pupil;safety;åk 8;24;20;18\n"
    )
    facts_import_bytes("surveys", survey.encode(), "enkat.csv")
    staff = (
        "skolenhetskod;läsår;lärare;lärare heltidstjänster;legitimerade lärare heltidstjänster;"
        f"elever\n{n1};2024/25;20;18,0;15,0;216\n"
    )
    facts_import_bytes("staff", staff.encode(), "personal.csv")
    for role in (Role.ORGANISER_ADMIN, Role.UNIT_HEAD):
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


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_forvaltning_reads_surveys_and_staff_and_filters_on_a_school_form(
    page, live_server, sections, users
) -> None:
    log_in(page, live_server, users.organiser_admin.username)
    for width in (1280, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/resultat/")
        facts_section = page.locator("#overview-facts")
        surveys = facts_section.locator("table[data-section='surveys']")
        assert surveys.get_by_role("rowheader", name="Norrskolan").is_visible()
        norrskolan = surveys.locator("tr", has=page.get_by_role("rowheader", name="Norrskolan"))
        safety = norrskolan.locator("td[data-indicator='survey_pupil_safety']")
        assert "80,0" in safety.inner_text() and "n=25" in safety.inner_text()
        staff = facts_section.locator("table[data-section='staff']")
        assert staff.get_by_role("rowheader", name="Norrskolan").is_visible()
        assert page.evaluate(OVERFLOW) == []
        assert serious_violations(page) == []
        shoot(page, f"sections-overview-forvaltning-{width}")

    # Filtered on gymnasium: none of year 9's columns, the reference line named by the form.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/resultat/?lasar={sections.year.pk}&skolform=GY")
    assert page.locator("th", has_text="meritvärde").count() == 0
    page.goto(f"{live_server.url}/resultat/?lasar={sections.year.pk}&skolform=GR")
    foot = page.locator("#overview-table table.overview tfoot").first
    assert "grundskola" in foot.inner_text()
    assert serious_violations(page) == []
    shoot(page, "sections-overview-grundskola")


def test_a_rektor_reads_the_units_survey_and_staff_sections(
    page, live_server, sections, users
) -> None:
    org = sections.org
    log_in(page, live_server, users.unit_head.username)
    for width in (1280, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/resultat/enhet/{org.unit_n1.pk}/")
        surveys = page.locator("section[data-section='surveys']")
        row = surveys.locator("tr[data-indicator='survey_pupil_safety']")
        text = row.inner_text()
        assert "80,0" in text and "n=25" in text and "30" in text  # 25 of the 30 invited
        staff = page.locator("section[data-section='staff']")
        assert "83,3" in staff.locator("tr[data-indicator='certified_teachers_share']").inner_text()
        # No year 6 comparison at a 7–9 school.
        assert page.locator("section[data-section='tests_6']").count() == 0
        assert page.evaluate(OVERFLOW) == []
        assert serious_violations(page) == []
        shoot(page, f"sections-unit-rektor-{width}")
