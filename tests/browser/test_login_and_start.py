"""A person logs in with a real browser and sees their scope."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from skolkvalitet.organisation.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ett-långt-demolösenord"


@pytest.fixture
def with_passwords(users):
    for role in Role:
        user = getattr(users, role.value)
        user.set_password(PASSWORD)
        user.save()
    return users


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_the_organiser_admin_logs_in_and_sees_every_unit(
    page, live_server, org, with_passwords, screenshot
):
    log_in(page, live_server, with_passwords.organiser_admin.username)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Välkommen")
    assert page.locator("tbody th[scope=row]").count() == 4  # the units
    assert page.locator("tbody th[scope=rowgroup]").count() == 2  # the areas
    assert page.get_by_role("rowheader", name="Ekskolan").is_visible()
    screenshot("start-organiser-admin")


def test_a_teacher_logs_in_and_sees_one_group(page, live_server, org, with_passwords, screenshot):
    log_in(page, live_server, with_passwords.teacher.username)
    assert page.get_by_role("heading", name="Dina grupper").is_visible()
    assert page.locator("tbody tr").count() == 1
    assert "Norrskolan 7B" not in page.content()
    screenshot("start-teacher")


def test_logging_out_returns_to_the_login_page(page, live_server, org, with_passwords):
    log_in(page, live_server, with_passwords.board.username)
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(f"{live_server.url}/login/")
    assert page.get_by_role("heading", name="Logga in").is_visible()


def test_the_login_page_can_be_used_by_keyboard_alone(page, live_server, org, with_passwords):
    page.goto(f"{live_server.url}/login/")
    expect(page.get_by_label("Användarnamn")).to_be_focused()  # autofocus
    page.keyboard.type(with_passwords.unit_head.username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Lösenord")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("rowheader", name="Norrskolan").is_visible()
