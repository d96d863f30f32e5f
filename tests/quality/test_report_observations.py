"""The drafted observations on the report page: the unit head sees them in each section while
the report is editable, takes one into the text (then it is the writer's, saved as any save)
or discards it; neither is offered again; nobody else sees them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.quality.observations.test_selectors import PASSED, stored, years  # noqa: F401

from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.models import ReportSection, ReportSectionRevision
from skolkvalitet.quality.reports.actions import report_start, report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(org, users, years):  # noqa: F811
    before, now, _pb, _p = years
    stored(org.unit_n1, PASSED, before, 100, 200)  # 50 %
    stored(org.unit_n1, PASSED, now, 130, 200)  # 65 %: a significant increase
    return report_start(
        node=org.unit_n1,
        year=now,
        school_form="grundskola",
        scope=scope_for(users.unit_head),
        by=users.unit_head,
    )


def url(org) -> str:
    return reverse("quality_report", args=[org.year.start_year, org.unit_n1.pk, "grundskola"])


def observation_key(html: str) -> str:
    return html.split('data-observation="', 1)[1].split('"', 1)[0]


def test_the_unit_head_takes_an_observation_into_the_text(org, report, client_for) -> None:
    head = client_for("unit_head")
    html = head.get(url(org)).content.decode()
    section = html.split('id="section-kunskaper"', 1)[1].split("</section>", 1)[0]
    assert "data-observation" in section and "5,3" in section  # the interval's low end
    key = observation_key(section)
    response = head.post(
        url(org),
        {
            "intent": "observation_take",
            "section": "kunskaper",
            "observation": key,
            "version": "0",
        },
    )
    assert response.status_code == 302
    saved = ReportSection.objects.get(report=report, key="kunskaper")
    assert "50,0" in saved.text and "65,0" in saved.text and saved.version == 1
    assert ReportSectionRevision.objects.filter(section=saved).count() == 1
    assert key in saved.observations_handled
    after = head.get(url(org)).content.decode()
    assert f'data-observation="{key}"' not in after


def test_a_discarded_observation_is_not_offered_again(org, report, client_for) -> None:
    head = client_for("unit_head")
    key = observation_key(head.get(url(org)).content.decode())
    head.post(
        url(org),
        {"intent": "observation_discard", "section": "kunskaper", "observation": key},
    )
    saved = ReportSection.objects.get(report=report, key="kunskaper")
    assert saved.text == "" and key in saved.observations_handled
    assert "data-observation" not in head.get(url(org)).content.decode()


def test_a_forged_observation_key_changes_nothing(org, report, client_for) -> None:
    head = client_for("unit_head")
    head.post(
        url(org),
        {
            "intent": "observation_take",
            "section": "kunskaper",
            "observation": "made-up",
            "version": "0",
        },
    )
    assert ReportSection.objects.get(report=report, key="kunskaper").text == ""


def test_reviewers_and_a_handed_in_report_show_none(org, report, users, client_for) -> None:
    assert "data-observation" not in client_for("analyst").get(url(org)).content.decode()
    report_submit(report=report, scope=scope_for(users.unit_head), by=users.unit_head)
    assert "data-observation" not in client_for("unit_head").get(url(org)).content.decode()
