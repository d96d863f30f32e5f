"""The plan page in chromium: the unit head records a problem area, picks a figure of the unit
as evidence, sets an indicator goal and an action, and sees the goal's computed progress; the
page passes axe-core's serious checks; the analyst reads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.browser.axe import serious_violations
from tests.quality.plans.test_actions import grades_file

from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.quality.actions import calendar_points_default
from skolkvalitet.quality.models import PlanAction, ProblemArea

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "ett-långt-demolösenord"


@pytest.fixture
def people(users):
    """The users of tests/conftest.py, with a password."""
    for user in vars(users).values():
        user.set_password(PASSWORD)
        user.save()
    return users


@pytest.fixture
def log_in(browser, live_server):
    """log_in(user) → a page of a fresh browser where `user` has logged in."""
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


def test_the_unit_head_writes_a_plan_and_sees_its_progress(org, people, log_in, live_server):
    calendar_points_default(academic_year=org.year)
    facts_import_bytes("grades", grades_file(org.unit_n1.code, ["E"] * 12), "betyg.csv")
    page = log_in(people.unit_head)
    url = f"{live_server.url}/uppfoljning/plan/{org.unit_n1.pk}/2024/"
    page.goto(url)
    assert not serious_violations(page)

    page.locator("#id_new-title").fill("Låga meritvärden")
    page.locator("#id_new-causes").fill("Undervisningen utmanar för lite.")
    page.locator("#add-area-heading ~ form button[type=submit]").click()
    area = ProblemArea.objects.get()
    article = page.locator(f"#area-{area.pk}")
    expect(article).to_contain_text("Låga meritvärden")

    article.locator("details").first.locator("summary").click()
    article.locator(f"#id_f{area.pk}-figure").select_option(f"merit_value_17|year|{org.year.pk}")
    article.locator(f"#id_f{area.pk}-figure").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    expect(page.locator(f"#area-{area.pk} .evidence")).to_contain_text("80,0")

    goal_form = page.locator(f"#id_gi{area.pk}-title").locator("xpath=ancestor::form")
    page.locator(f"#area-{area.pk} > details").nth(1).locator("summary").click()
    goal_form.locator(f"#id_gi{area.pk}-title").fill("Höj meritvärdet")
    goal_form.locator(f"#id_gi{area.pk}-indicator").select_option("merit_value_17")
    goal_form.locator(f"#id_gi{area.pk}-target_value").fill("160")
    goal_form.locator(f"#id_gi{area.pk}-target_date").fill("2025-06-13")
    goal_form.locator("button[type=submit]").click()
    goal = area.goals.get()

    facts_import_bytes("grades", grades_file(org.unit_n1.code, ["C"] * 12), "rättade.csv")
    page.goto(url)
    goal_box = page.locator(f"#goal-{goal.pk}")
    expect(goal_box.locator("progress")).to_have_attribute("value", "50.0")

    goal_box.locator("details").first.locator("summary").click()
    goal_box.locator(f"#id_a{goal.pk}-title").fill("Kollegialt lärande")
    goal_box.locator(f"#id_a{goal.pk}-owner_name").fill("Förstelärarna")
    goal_box.locator(f"#id_a{goal.pk}-starts").fill("2024-09-01")
    goal_box.locator(f"#id_a{goal.pk}-ends").fill("2024-12-20")
    goal_box.locator(f"#id_a{goal.pk}-title").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    assert PlanAction.objects.get().is_overdue
    expect(page.locator(f"#goal-{goal.pk} .overdue")).to_be_visible()
    assert not serious_violations(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plan-unit-head.png"), full_page=True)

    analyst = log_in(people.analyst)
    analyst.goto(url)
    expect(analyst.locator(f"#goal-{goal.pk} progress")).to_have_attribute("value", "50.0")
    expect(analyst.locator("#add-area-heading")).to_have_count(0)
