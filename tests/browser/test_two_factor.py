"""Two-step verification in a real browser: a rektor whose organiser requires it logs in, is
sent to set it up, reads the key off the page, types a code computed from it, keeps the
recovery codes, logs out, and logs in again with the password and a computed code."""

from __future__ import annotations

import base64

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect
from tests.browser.axe import serious_violations
from tests.web.two_factor.codes import code_now, next_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ett-långt-demolösenord"


@pytest.fixture
def rektor(org, users):
    org.organiser.two_factor_required = True
    org.organiser.save()
    users.unit_head.set_password(PASSWORD)
    users.unit_head.save()
    return users.unit_head


def password_login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()


def test_set_up_and_log_in_with_a_computed_code(page, live_server, rektor, screenshot):
    password_login(page, live_server, rektor.username)
    # The policy: the rektor has pupil access, so the first page is the set-up.
    page.wait_for_url(f"{live_server.url}/konto/tvastegsverifiering/?next=%2F")
    expect(page.locator("[data-two-factor-required]")).to_be_visible()
    expect(page.locator("svg.qr-code")).to_be_visible()
    assert serious_violations(page) == []
    screenshot("two-factor-enrol")
    # The key as typed into an app: base32 in groups of four.
    secret = page.locator("[data-two-factor-secret]").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
    page.locator("[data-two-factor-code]").fill(code_now(key))
    page.locator("[data-two-factor='enrol'] button[type=submit]").click()
    expect(page.locator("[data-recovery-code]")).to_have_count(10)
    device = TOTPDevice.objects.get(user=rektor)
    assert device.key == key and device.confirmed
    assert serious_violations(page) == []
    screenshot("two-factor-recovery-codes")
    # This session gave its code: on to the start page, which answers.
    page.locator("[data-two-factor-done]").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("[data-two-factor-code]")).to_have_count(0)

    # Log out, and in again: the password, then a code.
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_url(f"{live_server.url}/login/")
    password_login(page, live_server, rektor.username)
    page.wait_for_url(f"{live_server.url}/konto/tvastegsverifiering/kod/?next=%2F")
    assert serious_violations(page) == []
    page.locator("[data-two-factor-code]").fill(next_code(device))
    page.locator("[data-two-factor='verify'] form[action$='/kod/'] button").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("[data-two-factor-code]")).to_have_count(0)


def test_a_user_makes_copies_and_revokes_an_api_key(page, live_server, org, users):
    """The page API-nycklar: a key made is shown once, listed, and revoked after the
    confirmation (an organiser without the two-step rule: the password is enough)."""
    users.analyst.set_password(PASSWORD)
    users.analyst.save()
    password_login(page, live_server, users.analyst.username)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/konto/api-nycklar/")
    page.locator("#id_name").fill("Power BI")
    page.locator("#id_days").fill("30")
    page.locator("form[action='/konto/api-nycklar/'] button[type=submit]").click()
    token = page.locator("[data-api-token]").input_value()
    assert token.startswith("skv_")
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/konto/api-nycklar/")
    expect(page.locator("[data-api-token]")).to_have_count(0)  # shown once
    row = page.locator("tr[data-status='active']")
    expect(row).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())  # data-confirm asks first
    row.locator("button[type=submit]").click()
    expect(page.locator("tr[data-status='revoked']")).to_have_count(1)
