"""The list of pupils who need support and a pupil's history in a real browser, on the facts
of tests/results/test_selectors.py (at point 1 Norrskolan's list is Bella for EN and MA,
David with 30 % and Elsa with 15 % absence; at point 2 nobody): the rektor chooses the point,
filters by reason, downloads the list and opens a pupil's history; axe-core finds no serious
or critical violation."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.browser.axe import serious_violations
from tests.browser.test_results import PASSWORD, log_in
from tests.indicators.test_materialise import facts  # noqa: F401
from tests.indicators.test_materialise_pipeline import seeded_subjects_and_scales  # noqa: F401
from tests.results.test_selectors import more  # noqa: F401

from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.organisation.models import AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pupils(seeded_subjects_and_scales, more, users):  # noqa: F811
    indicators_materialise()
    users.unit_head.set_password(PASSWORD)
    users.unit_head.save()
    return more


def listed(page) -> list[str]:
    return page.locator("#table-pupils tbody th[scope=row]").all_inner_texts()


def test_the_rektor_reads_the_list_at_a_point_filters_downloads_and_opens_a_history(
    page, live_server, pupils, users, screenshot
):
    org = pupils.org
    log_in(page, live_server, users.unit_head.username)
    page.goto(f"{live_server.url}/resultat/enhet/{org.unit_n1.pk}/elever-i-behov/")
    assert page.locator("#pupils-read-at").get_attribute("data-point") == str(pupils.p2.pk)
    assert listed(page) == []

    page.get_by_label("Uppföljningstillfälle").select_option(str(pupils.p1.pk))
    page.wait_for_url(f"**punkt={pupils.p1.pk}**")
    page.locator(f'#pupils-read-at[data-point="{pupils.p1.pk}"]').wait_for()
    assert listed(page) == ["Bella", "David", "Elsa"]
    assert page.locator("#table-pupils").get_by_text("Engelska, Matematik").is_visible()
    assert serious_violations(page) == []
    screenshot("pupils-at-risk-unit-head")

    page.locator("#f-kriterium").select_option("absence")
    page.wait_for_url("**kriterium=absence**")
    page.locator('#pupils-count[data-shown="2"]').wait_for()
    assert listed(page) == ["David", "Elsa"]

    with page.expect_download() as download:
        page.locator("#pupils .downloads a").first.click()
    body = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert [line.split(";")[0] for line in body.splitlines()[1:]] == ["David", "Elsa"]
    event = AuditEvent.objects.get(action="export_pupils_at_risk")
    assert event.pupil_ids == sorted(org.pupils[n].pk for n in ("David", "Elsa"))

    page.get_by_role("link", name="David").click()
    page.wait_for_url(f"{live_server.url}/resultat/elev/{org.pupils['David'].pk}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("David")
    assert page.locator("#history-absence tbody tr").all_inner_texts()[0].startswith("HT2024")
    assert serious_violations(page) == []
    screenshot("pupil-history-unit-head")
    assert AuditEvent.objects.filter(action="view_pupil_history").count() == 1
