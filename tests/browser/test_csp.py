"""The Content-Security-Policy in a real browser: the pages run under it without a violation,
the charts draw (Vega with its CSP-safe expression interpreter, no eval), and what used to be
inline handlers works from web/static/web/behaviours.js: the unit page's breakdown select
submits its form, the import page's rollback asks first."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Page
from tests.browser.test_results import PASSWORD, log_in, results  # noqa: F401
from tests.indicators.test_materialise import facts  # noqa: F401
from tests.indicators.test_materialise_pipeline import seeded_subjects_and_scales  # noqa: F401

from skolkvalitet.batches.models import BatchStatus, ImportBatch
from skolkvalitet.web.middleware import SESSION_SEEN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects what the page reports: the browser's securitypolicyviolation events (the init
# script runs in the page before any of its own, and is not subject to its policy).
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


class Watched:
    """A page whose console errors and CSP violations are recorded as it goes."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(WATCH)
        page.on(
            "console",
            lambda message: (
                self.console.append(message.text) if message.type in {"error", "warning"} else None
            ),
        )

    def problems(self) -> list[str]:
        violations = self.page.evaluate("window.__violations || []")
        policy = [text for text in self.console if "Content Security Policy" in text]
        return [*violations, *policy]


def charts_drawn(page: Page) -> int:
    """Wait until every chart on the page is drawn; the number of charts."""
    charts = page.locator("[data-chart-spec]")
    count = charts.count()
    for index in range(count):
        chart = charts.nth(index)
        chart.locator("svg.marks").wait_for()
        assert chart.get_attribute("data-chart-rendered") == "true"
    return count


def test_the_main_pages_run_under_the_policy_and_draw_their_charts(
    page,
    live_server,
    results,  # noqa: F811
    users,
    screenshot,
):
    org = results.org
    watched = Watched(page)
    log_in(page, live_server, users.organiser_admin.username)
    policy = page.request.get(f"{live_server.url}/resultat/").headers["content-security-policy"]
    assert "script-src 'self'" in [part.strip() for part in policy.split(";")]

    page.goto(f"{live_server.url}/resultat/")
    assert charts_drawn(page) >= 1
    # The drawn SVG keeps its Vega expressions (axis labels formatted by the interpreter).
    assert page.locator("#overview-chart svg.marks text").count() > 0
    assert watched.problems() == []

    page.goto(f"{live_server.url}/resultat/enhet/{org.unit_n1.pk}/")
    assert charts_drawn(page) >= 1
    page.locator("#unit-groups table").wait_for()  # the htmx fragment, under the policy too
    # The export menu is there and styled from vega-embed.css: closed, its links are hidden.
    menu = page.locator("[data-chart-spec] .vega-embed details").first
    assert not menu.locator(".vega-actions a").first.is_visible()
    menu.locator("summary").click()
    assert menu.locator(".vega-actions a").first.is_visible()
    assert menu.locator(".vega-actions").evaluate("e => getComputedStyle(e).position") == "absolute"
    menu.locator("summary").click()
    screenshot("csp-unit")
    # The breakdown select submits its form from behaviours.js, not an onchange attribute.
    page.locator("#f-grupp").select_option("gender")
    page.wait_for_url(re.compile(r".*\?grupp=gender$"))
    assert page.locator("#f-grupp").input_value() == "gender"
    charts_drawn(page)
    assert watched.problems() == []

    page.goto(f"{live_server.url}/uppfoljning/rapporter/")
    page.locator("tbody").get_by_role("link", name="Norrskolan").click()
    page.wait_for_url(re.compile(r".*/uppfoljning/rapporter/\d+/\d+/.*"))
    charts_drawn(page)
    assert watched.problems() == []

    page.goto(f"{live_server.url}/import/")
    page.locator("form[data-confirm]").first.wait_for()
    screenshot("csp-import")
    assert watched.problems() == []


def test_a_rollback_is_sent_only_when_the_user_agrees(
    page,
    live_server,
    results,  # noqa: F811
    users,
):
    watched = Watched(page)
    log_in(page, live_server, users.organiser_admin.username)
    page.goto(f"{live_server.url}/import/")
    batch = results.batch
    form = page.locator(f"form[action='/import/{batch.pk}/angra/']")
    questions: list[str] = []

    def answer(accept: bool):
        def handle(dialog) -> None:
            questions.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return handle

    page.once("dialog", answer(False))
    form.get_by_role("button").click()
    page.wait_for_timeout(300)
    assert len(questions) == 1 and questions[0]
    assert ImportBatch.objects.get(pk=batch.pk).status == BatchStatus.APPLIED

    page.once("dialog", answer(True))
    with page.expect_navigation():
        form.get_by_role("button").click()
    assert len(questions) == 2
    assert ImportBatch.objects.get(pk=batch.pk).status == BatchStatus.ROLLED_BACK
    assert watched.problems() == []


def test_the_api_docs_run_under_the_policy(page, live_server, db):
    watched = Watched(page)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert watched.problems() == []


def test_the_watch_sees_what_the_policy_refuses(browser, live_server, db):
    """The page refuses an injected inline script and handler, and the watch reports both (so
    that the tests above could fail)."""
    context = browser.new_context()
    page = context.new_page()
    watched = Watched(page)
    page.goto(f"{live_server.url}/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
          const button = document.createElement("button");
          button.id = "probe";
          button.setAttribute("onclick", "window.clicked = true");
          document.body.append(button);
        }"""
    )
    page.locator("#probe").click()
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected === undefined && window.clicked === undefined")
    problems = watched.problems()
    context.close()
    assert len([problem for problem in problems if "script-src" in problem]) >= 2


def test_an_ended_session_sends_the_page_to_the_login_from_an_htmx_request(
    page,
    live_server,
    results,  # noqa: F811
    users,
):
    org = results.org
    log_in(page, live_server, users.unit_head.username)
    unit = f"/resultat/enhet/{org.unit_n1.pk}/"
    page.goto(f"{live_server.url}{unit}")
    page.locator("#unit-groups table").wait_for()
    # Half an hour passes without a request: the session's last activity is moved back.
    [cookie] = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    session = SessionStore(session_key=cookie["value"])
    session[SESSION_SEEN] = int(time.time()) - 31 * 60
    session.save()
    page.evaluate(
        "url => htmx.ajax('GET', url, {target: '#unit-groups', swap: 'outerHTML'})",
        f"/resultat/enhet/{org.unit_n1.pk}/grupper/",
    )
    page.wait_for_url(re.compile(r".*/login/\?next=.*"))
    assert page.get_by_role("status").inner_text() == "Din session har upphört. Logga in igen."
    page.get_by_label("Användarnamn").fill(users.unit_head.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server.url}{unit}")
