"""Targets in a real browser: the organiser admin sets a unit's target on the targets page,
the overview then colours the unit's cell against it, and the page passes axe-core."""

from __future__ import annotations

import pytest
from tests.browser.axe import serious_violations
from tests.browser.test_results import log_in, results  # noqa: F401
from tests.indicators.test_materialise import facts  # noqa: F401
from tests.indicators.test_materialise_pipeline import seeded_subjects_and_scales  # noqa: F401

from skolkvalitet.dashboards.models import Target

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_organiser_admin_sets_a_target_and_the_overview_shows_it(
    page,
    live_server,
    results,  # noqa: F811
    users,
    screenshot,
):
    org = results.org
    log_in(page, live_server, users.organiser_admin.username)
    page.goto(f"{live_server.url}/resultat/")
    page.get_by_role("link", name="Sätt målvärden").click()
    page.wait_for_url(f"{live_server.url}/resultat/malvarden/")
    assert serious_violations(page) == []

    page.get_by_label("Gäller").select_option(str(org.unit_n1.pk))
    page.get_by_label("Indikator").select_option("on_track_MA")
    page.get_by_role("textbox", name="Målvärde").fill("90,5")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara målvärdet").click()
    screenshot("targets-organiser-admin")
    assert page.get_by_role("status").inner_text().startswith("Målvärdet för")
    assert serious_violations(page) == []
    target = Target.objects.get()
    assert (target.node, target.indicator, target.value) == (org.unit_n1, "on_track_MA", 90.5)

    page.goto(f"{live_server.url}/resultat/")
    cell = page.locator("table.overview tbody tr", has_text="Norrskolan").locator("td.target-met")
    assert "mål 90,5" in cell.inner_text()  # 100 % on track at the latest point: met

    page.goto(f"{live_server.url}/resultat/malvarden/")
    remove = page.get_by_role("button", name="Ta bort")
    # A link-styled button in the page body is drawn in the link colour, not the header's white.
    assert remove.evaluate("e => getComputedStyle(e).color") == "rgb(11, 92, 173)"
    with page.expect_navigation():
        remove.click()
    assert not Target.objects.exists()


def test_the_unit_head_has_no_targets_page(page, live_server, results, users):  # noqa: F811
    log_in(page, live_server, users.unit_head.username)
    page.goto(f"{live_server.url}/resultat/")
    assert page.get_by_role("link", name="Sätt målvärden").count() == 0
    assert page.goto(f"{live_server.url}/resultat/malvarden/").status == 403
