"""Shared practices in chromium: the unit head shares an action of the plan as a practice and
publishes it; a teacher finds it by searching and reads its goal's evaluation; every page
passes axe-core's serious checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.browser.axe import serious_violations

from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.models import PracticeStatus, SharedPractice
from skolkvalitet.quality.plans import actions as plans

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "ett-långt-demolösenord"


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


@pytest.fixture
def action(org, people):
    head = scope_for(people.unit_head)
    area = plans.problem_area_create(
        node=org.unit_n1,
        academic_year=org.year,
        title="Matematik",
        causes="Få elever får stöd i tid under lektionerna.",
        priority=1,
        scope=head,
        by=people.unit_head,
    )
    goal = plans.goal_create_qualitative(
        area=area,
        title="Fler elever når E i matematik",
        criterion="Färre elever behöver extra anpassningar.",
        scope=head,
        by=people.unit_head,
    )
    found = plans.plan_action_create(
        goal=goal,
        title="Tvålärarsystem i matematik",
        owner_name="Matematiklärarna",
        starts=dt.date(2024, 9, 1),
        ends=dt.date(2025, 6, 1),
        status="done",
        scope=head,
        by=people.unit_head,
    )
    plans.goal_evaluate(
        goal=goal,
        verdict="met",
        reasons="Alla grupper nådde målet.",
        scope=head,
        by=people.unit_head,
    )
    return found


def test_a_unit_head_shares_an_action_and_a_teacher_finds_it(
    org, people, log_in, live_server, action
) -> None:
    head = log_in(people.unit_head)
    head.goto(f"{live_server.url}/uppfoljning/plan/{org.unit_n1.pk}/2024/")
    head.locator(f"[data-share-action='{action.pk}']").click()
    expect(head.locator("#id_title")).to_have_value("Tvålärarsystem i matematik")
    expect(head.locator(f"#id_plan_actions input[value='{action.pk}']")).to_be_checked()
    assert not serious_violations(head)

    head.locator("#id_what").fill("Två lärare i varje mattelektion i årskurs 7.")
    head.locator("#id_for_whom").fill("Eleverna i årskurs 7.")
    head.locator("#id_contact").fill("Förstelärare i matematik, via rektor")
    head.locator("#id_indicators input[value='passed_all_subjects']").check()
    ARTIFACTS.mkdir(exist_ok=True)
    head.screenshot(path=str(ARTIFACTS / "practice-form.png"), full_page=True)
    head.locator("#practice-form button[value='publish']").click()
    practice = SharedPractice.objects.get()
    head.wait_for_url(f"{live_server.url}/uppfoljning/arbetssatt/{practice.pk}/")
    assert practice.status == PracticeStatus.PUBLISHED
    expect(head.locator("[data-status]")).to_have_attribute("data-status", "published")
    assert not serious_violations(head)

    teacher = log_in(people.teacher)
    teacher.locator("header a[href='/uppfoljning/arbetssatt/']").click()
    teacher.locator("#practice-text").fill("mattelektion")
    teacher.locator("#practice-indicator").select_option("passed_all_subjects")
    teacher.locator("form[role=search] button[type=submit]").click()
    result = teacher.locator(f"#practice-results [data-practice='{practice.pk}']")
    expect(result).to_contain_text("Tvålärarsystem i matematik")
    assert not serious_violations(teacher)
    teacher.screenshot(path=str(ARTIFACTS / "practices-search.png"), full_page=True)
    result.locator("a").click()
    expect(teacher.locator("[data-verdict]")).to_have_attribute("data-verdict", "met")
    expect(teacher.locator("#practice-edit")).to_have_count(0)
    assert not serious_violations(teacher)
    teacher.screenshot(path=str(ARTIFACTS / "practice-teacher.png"), full_page=True)
