"""The resultatdialog's figures in a real browser: the unit head (rut, Norrskolan) opens the
dialogue of HT2024 2 and, before writing, sees the unit's figures there (the value with n, the
change since HT2024 1, the target), steps to the previous point's dialogue in one click and
from there to the unit's result page. axe-core finds no serious or critical violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.browser.axe import serious_violations

from skolkvalitet.dashboards.actions import target_set
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.quality import actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ett-långt-demolösenord"


def assessed(node, point, value: float, n: int) -> None:
    IndicatorValue.objects.create(
        indicator="on_track_all_subjects",
        family="assessments",
        node=node,
        period_kind="point",
        period_id=point.pk,
        breakdown="",
        value=value,
        n=n,
        numerator=value * n / 100,
        denominator=n,
        data_version=1,
    )


@pytest.fixture
def log_in(browser, live_server):
    contexts = []

    def open_as(user) -> Page:
        user.set_password(PASSWORD)
        user.save()
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


def test_the_unit_head_reads_the_figures_before_writing(org, users, log_in, live_server):
    points = actions.calendar_points_default(academic_year=org.year)
    assessed(org.unit_n1, points[0], 80.0, 20)
    assessed(org.unit_n1, points[1], 85.0, 20)
    target_set(
        node=org.unit_n1, indicator="on_track_all_subjects", value=90.0, academic_year=org.year
    )
    page = log_in(users.unit_head)
    page.goto(f"{live_server.url}/uppfoljning/{points[1].pk}/{org.unit_n1.pk}/")
    figures = page.locator("section#figures")
    row = figures.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Bedöms uppfylla betygskriterierna i alla ämnen")
    )
    expect(row).to_contain_text("85,0")
    expect(row).to_contain_text("n=20")
    expect(row).to_contain_text("5,0")  # up since HT2024 1
    expect(row).to_contain_text("90,0")  # the target
    assert serious_violations(page) == []

    figures.locator("a[rel=prev]").click()
    page.wait_for_url(f"{live_server.url}/uppfoljning/{points[0].pk}/{org.unit_n1.pk}/")
    expect(page.locator("section#figures table").first).to_contain_text("80,0")

    page.locator("section#figures").locator(f'a[href^="/resultat/enhet/{org.unit_n1.pk}/"]').click()
    page.wait_for_url(f"{live_server.url}/resultat/enhet/{org.unit_n1.pk}/#s-points")
    expect(page.get_by_role("heading", level=1)).to_contain_text(org.unit_n1.name)
