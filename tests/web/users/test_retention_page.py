"""The retention page of the user administration (/administration/anvandare/gallring/,
web/users/views.py `retention`): the organiser's administrator sees its retention period
(own or the installation's default), when retention last ran and the years it erased, and
sets the period within 1–50 years through retention_period_set (audit-logged with the
client address); others get 403; another organiser's period cannot be set."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils.translation import override

from skolkvalitet.indicators.models import ErasedYear
from skolkvalitet.operations.retention.actions import retention_apply
from skolkvalitet.organisation import actions
from skolkvalitet.organisation.models import AcademicYear, AuditEvent, NodeKind
from skolkvalitet.organisation.retention_policy import retention_period_set

pytestmark = pytest.mark.django_db

URL = "/administration/anvandare/gallring/"


def test_only_the_organisers_administrator_reaches_the_page(client_for) -> None:
    assert client_for("organiser_admin").get(URL).status_code == 200
    for role in ("analyst", "board", "unit_head", "teacher"):
        assert client_for(role).get(URL).status_code == 403, role
    assert Client().get(URL).status_code == 302  # to the login


def test_the_page_shows_the_default_period_and_that_retention_never_ran(
    client_for, org, settings
) -> None:
    settings.SKOLKVALITET_RETENTION_YEARS = 5
    with override("en"):
        page = client_for("organiser_admin").get(URL).content.decode()
    assert f'data-organiser="{org.organiser.pk}"' in page
    assert 'data-years="5"' in page and "the default" in page
    assert 'data-last-run=""' in page and "Never" in page
    assert 'data-erased=""' in page
    assert (
        'id="users-retention-link"'
        in client_for("organiser_admin").get("/administration/anvandare/").content.decode()
    )


def test_setting_the_period_is_stored_and_audited_with_the_address(client_for, org, users) -> None:
    client = client_for("organiser_admin")
    response = client.post(
        URL, {"organiser": org.organiser.pk, "years": "7"}, REMOTE_ADDR="10.9.8.7"
    )
    assert response.status_code == 302
    org.organiser.refresh_from_db()
    assert org.organiser.retention_years == 7
    (event,) = AuditEvent.objects.filter(action="policy.retention")
    assert (event.user, event.node, event.ip_address) == (
        users.organiser_admin,
        org.organiser,
        "10.9.8.7",
    )
    assert event.detail == {"years": 7, "before": None}
    page = client.get(URL).content.decode()
    assert 'data-years="7"' in page and 'value="7"' in page
    # Empty: back to the installation's default.
    client.post(URL, {"organiser": org.organiser.pk, "years": ""})
    org.organiser.refresh_from_db()
    assert org.organiser.retention_years is None
    assert AuditEvent.objects.filter(action="policy.retention").count() == 2


@pytest.mark.parametrize("years", ["0", "51", "-3", "fem"])
def test_a_period_out_of_bounds_is_refused_and_nothing_changes(client_for, org, years) -> None:
    with override("en"):
        response = client_for("organiser_admin").post(
            URL, {"organiser": org.organiser.pk, "years": years}
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'aria-invalid="true"' in page and 'class="error"' in page
    if years != "fem":
        assert "The retention period is between 1 and 50 years." in page
    org.organiser.refresh_from_db()
    assert org.organiser.retention_years is None
    assert not AuditEvent.objects.filter(action="policy.retention").exists()


def test_another_organisers_period_is_not_reached(client_for, org, users) -> None:
    other = actions.node_create(kind=NodeKind.ORGANISER, name="Annanstad", code="2120000009")
    response = client_for("organiser_admin").post(URL, {"organiser": other.pk, "years": "3"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.retention_years is None
    with pytest.raises(PermissionDenied):
        retention_period_set(organiser=other, years=3, by=users.organiser_admin)


def test_the_page_shows_when_retention_last_ran_and_the_erased_years(
    client_for, org, settings
) -> None:
    settings.SKOLKVALITET_RETENTION_YEARS = 5
    old = AcademicYear.objects.create(
        code="2015/16", start_date=dt.date(2015, 8, 17), end_date=dt.date(2016, 6, 10)
    )
    retention_apply(organiser=org.organiser, today=dt.date(2026, 9, 1))
    assert ErasedYear.objects.filter(organiser=org.organiser, academic_year=old).exists()
    assert AuditEvent.objects.filter(action="retention", node=org.organiser).exists()
    page = client_for("organiser_admin").get(URL).content.decode()
    assert 'data-last-run=""' not in page and "Never" not in page
    assert 'data-erased="2015/16"' in page
