"""The user administration in a real browser: the förvaltning (organiser_admin) follows the
header's link to the users, opens a teacher, is refused a coach's role without an end date
(in Swedish), grants a role on another unit, ends it after confirming, and every page passes
axe-core under the Content-Security-Policy. The unit head has no link and gets 403."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.browser.axe import serious_violations

from skolkvalitet.organisation.models import AuditEvent, Role, RoleAssignment
from skolkvalitet.organisation.scopes import scope_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ett-långt-demolösenord"
USERS = "/administration/anvandare/"


@pytest.fixture
def with_passwords(users):
    for role in (Role.ORGANISER_ADMIN, Role.UNIT_HEAD):
        user = getattr(users, role.value)
        user.set_password(PASSWORD)
        user.save()
    return users


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_the_forvaltning_grants_and_ends_a_role(page, live_server, org, with_passwords, screenshot):
    teacher = with_passwords.teacher
    log_in(page, live_server, with_passwords.organiser_admin.username)
    page.locator(f"header a[href='{USERS}']").click()
    page.wait_for_url(f"{live_server.url}{USERS}")
    assert page.locator("#users-table tbody tr").count() == 6
    assert serious_violations(page) == []
    screenshot("users-list-organiser-admin")

    page.locator(f"#users-table tr[data-user-id='{teacher.pk}'] a").click()
    page.wait_for_url(f"{live_server.url}{USERS}{teacher.pk}/")
    assert serious_violations(page) == []

    # A coach's role without an end date: refused, with role_grant's Swedish message.
    page.locator("#id_grant-role").select_option(Role.COACH.value)
    page.locator("#id_grant-node").select_option(str(org.area_south.pk))
    with page.expect_navigation():
        page.locator("#grant-form button[type=submit]").click()
    assert "Rollen måste ha ett slutdatum." in page.locator("#grant-form").inner_text()
    assert serious_violations(page) == []
    assert not RoleAssignment.objects.filter(user=teacher, role=Role.COACH).exists()

    # Teacher of Björkskolan too, from today until the end of next month.
    until = dt.date.today() + dt.timedelta(days=45)
    page.locator("#id_grant-role").select_option(Role.TEACHER.value)
    page.locator("#id_grant-node").select_option(str(org.unit_n2.pk))
    page.locator("#id_grant-valid_until").fill(until.isoformat())
    with page.expect_navigation():
        page.locator("#grant-form button[type=submit]").click()
    assert page.get_by_role("status").is_visible()
    grant = RoleAssignment.objects.get(user=teacher, node=org.unit_n2)
    assert (grant.role, grant.valid_until) == (Role.TEACHER, until)
    assert scope_for(teacher).can_see(org.unit_n2)
    row = page.locator(f"#grants-table tr[data-grant-id='{grant.pk}']")
    assert row.get_attribute("data-state") == "valid"
    screenshot("users-detail-organiser-admin")

    # Ended after the confirmation the page asks for (behaviours.js, data-confirm).
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        row.get_by_role("button").click()
    assert (
        page.locator(f"#grants-table tr[data-grant-id='{grant.pk}']").get_attribute("data-state")
        == "ended"
    )
    assert not scope_for(teacher).can_see(org.unit_n2)
    assert list(
        AuditEvent.objects.filter(
            action__in=["role_grant", "role.grant", "role.end"], node=org.unit_n2
        )
        .order_by("pk")
        .values_list("action", "node")
    ) == [("role_grant", org.unit_n2.pk), ("role.end", org.unit_n2.pk)]


def test_the_pages_fit_a_phone(page, live_server, org, with_passwords, screenshot):
    """At 390 px nothing is wider than the screen: the tables scroll in their wrapper."""
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, with_passwords.organiser_admin.username)
    teacher = with_passwords.teacher
    for name, path in (
        ("list", USERS),
        ("create", f"{USERS}ny/"),
        ("detail", f"{USERS}{teacher.pk}/"),
        ("reset", "/login/glomt-losenord/"),
    ):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (name, width)
        screenshot(f"users-{name}-390")


def test_the_unit_head_has_no_user_administration(page, live_server, org, with_passwords):
    log_in(page, live_server, with_passwords.unit_head.username)
    assert page.locator(f"a[href='{USERS}']").count() == 0
    assert page.goto(f"{live_server.url}{USERS}").status == 403
