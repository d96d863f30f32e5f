"""Single sign-on in a real browser (issue 15, "Done when"): an OpenID provider runs on
localhost (oidc-provider-mock); the person clicks the login page's button, chooses who they
are on the provider's page, and comes back logged in as the user their identity maps to, or
back on the login page with the reason (web/sso/identities.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.web.sso.provider import configure, provider_running

from skolkvalitet.organisation.models import AuditEvent
from skolkvalitet.web.models import ExternalIdentity
from skolkvalitet.web.sso.actions import identity_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def provider():
    with provider_running() as running:
        yield running


@pytest.fixture
def oidc(settings, provider):
    configure(settings, provider)
    return provider


@pytest.fixture
def offline(page):
    """The provider's page asks a CDN for a stylesheet; no test reaches the internet."""
    page.route("http*://cdn.jsdelivr.net/**", lambda route: route.abort())
    return page


def log_in_at_provider(page, live_server, provider, sub: str) -> None:
    page.goto(f"{live_server.url}/")  # not logged in: the login page
    page.locator('a[data-sso="oidc"]').click()
    page.wait_for_url(f"{provider.url}/oauth2/authorize?**")
    page.locator('input[name="sub"]').fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_a_person_logs_in_through_the_provider_as_their_user(
    offline, live_server, oidc, org, users, screenshot
):
    page = offline
    admin = users.organiser_admin
    identity_link(user=admin, protocol="oidc", issuer=oidc.url, subject="forvaltning-at-idp")
    oidc.person("forvaltning-at-idp", email="someone@kommun.se", email_verified=True)
    log_in_at_provider(page, live_server, oidc, "forvaltning-at-idp")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Välkommen")
    assert page.locator("tbody th[scope=row]").count() == 4  # the organiser's units
    assert AuditEvent.objects.filter(action="login_sso", user=admin).exists()
    screenshot("sso-logged-in")


def test_a_first_login_links_the_identity_by_its_verified_email(
    offline, live_server, oidc, org, users
):
    page = offline
    head = users.unit_head
    head.email = "rektor.hamnskolan@kommun.se"
    head.save()
    oidc.person("rektor-at-idp", email="rektor.hamnskolan@kommun.se", email_verified=True)
    log_in_at_provider(page, live_server, oidc, "rektor-at-idp")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("rowheader", name="Norrskolan")).to_be_visible()
    assert ExternalIdentity.objects.get(subject="rektor-at-idp").user == head


def test_an_unknown_identity_is_refused_on_the_login_page(
    offline, live_server, oidc, org, users, screenshot
):
    page = offline
    oidc.person("okand", email="okand@example.com", email_verified=True)
    log_in_at_provider(page, live_server, oidc, "okand")
    page.wait_for_url(f"{live_server.url}/login/")
    expect(page.locator(".message.error")).to_contain_text("Testleverantören")
    expect(page.locator('a[data-sso="oidc"]')).to_be_visible()
    screenshot("sso-refused")
    page.goto(f"{live_server.url}/")
    page.wait_for_url(f"{live_server.url}/login/?next=/")  # still not logged in
    assert AuditEvent.objects.get(action="login_sso_refused").detail["reason"] == "not_linked"
    assert not ExternalIdentity.objects.exists()
