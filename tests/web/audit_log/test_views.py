"""The audit log page (`/administration/logg/`, web/audit_log/): only holders of see_audit_log
(organiser_admin on the organiser) reach it; an organiser's administrator reads the events of
its own organiser only (web/audit_log/selectors.py: on its nodes, or on no node by its own
users), newest first, filtered and paginated; the CSV and XLSX downloads hold the filtered
rows and are themselves audit events."""

from __future__ import annotations

import csv
import datetime as dt
import io
from types import SimpleNamespace
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from skolkvalitet.organisation import actions
from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.models import AuditEvent, NodeKind, Role

pytestmark = pytest.mark.django_db

URL = "/administration/logg/"


@pytest.fixture
def other(db, make_user) -> SimpleNamespace:
    """A second organiser with its own administrator (bertil) and a teacher (bo)."""
    ns = SimpleNamespace()
    ns.organiser = actions.node_create(kind=NodeKind.ORGANISER, name="Annanstads kommun")
    ns.unit = actions.node_create(kind=NodeKind.UNIT, name="Annanskolan", parent=ns.organiser)
    ns.admin = make_user("bertil")
    actions.role_grant(user=ns.admin, node=ns.organiser, role=Role.ORGANISER_ADMIN)
    ns.teacher = make_user("bo")
    actions.role_grant(user=ns.teacher, node=ns.unit, role=Role.TEACHER)
    return ns


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown_ids(response) -> list[int]:
    return [row[0].pk for row in response.context["rows"]]


def at(when: dt.datetime):
    """Events written inside this block are stamped `when` (auto_now_add reads the clock)."""
    return mock.patch("django.db.models.fields.timezone.now", return_value=when)


@pytest.mark.parametrize("role", ["analyst", "unit_head", "teacher", "board", "coach"])
def test_only_the_organiser_admin_reaches_the_page(client_for, role):
    assert client_for(role).get(URL).status_code == 403
    assert URL not in client_for(role).get("/").content.decode()


def test_the_organiser_admin_reaches_it_and_sees_the_link(client_for):
    client = client_for("organiser_admin")
    assert client.get(URL).status_code == 200
    assert f'href="{URL}"' in client.get("/").content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_administrator_reads_only_its_own_organisers_events(org, users, other, make_user):
    both = make_user("tvåsidig")
    actions.role_grant(user=both, node=org.unit_n1, role=Role.TEACHER)
    actions.role_grant(user=both, node=other.unit, role=Role.TEACHER)
    ours = {
        audit_record(user=users.unit_head, action="view_pupils_at_risk", node=org.unit_n1).pk,
        audit_record(user=users.teacher, action="login").pk,  # no node: the user is ours
        audit_record(user=None, action="login_failed", detail={"username": "rut"}).pk,
        # another organiser's user acting on one of our nodes is ours to read
        audit_record(user=other.teacher, action="view_pupil_history", node=org.unit_s1).pk,
    }
    theirs = {
        audit_record(user=other.teacher, action="view_pupils_at_risk", node=other.unit).pk,
        audit_record(user=other.teacher, action="login").pk,
        audit_record(user=None, action="login_failed", detail={"username": "bo"}).pk,
    }
    nobodys = {
        audit_record(user=both, action="login").pk,  # a user of two organisers
        audit_record(user=None, action="login_failed", detail={"username": None}).pk,
        audit_record(user=None, action="retention").pk,  # an operator's command
    }
    seen_by_us = set(shown_ids(client_of(users.organiser_admin).get(URL, {"anvandare": ""})))
    seen_by_them = set(shown_ids(client_of(other.admin).get(URL)))
    assert ours <= seen_by_us and not (theirs | nobodys) & seen_by_us
    assert theirs <= seen_by_them and not (ours | nobodys) & seen_by_them
    # the filter offers our nodes only
    choices = dict(client_of(users.organiser_admin).get(URL).context["form"].fields["nod"].choices)
    assert str(org.unit_n1.pk) in choices and str(other.unit.pk) not in choices
    # a node of the other organiser is no valid choice (the filter is dropped, nothing leaks)
    answer = client_of(users.organiser_admin).get(URL, {"nod": other.unit.pk})
    assert not set(shown_ids(answer)) & theirs


def test_newest_first_and_paginated(org, users):
    start = timezone.now() - dt.timedelta(hours=2)
    made = []
    for minute in range(55):
        with at(start + dt.timedelta(minutes=minute)):
            made.append(audit_record(user=users.analyst, action="api.request").pk)
    client = client_of(users.organiser_admin)
    first = client.get(URL, {"handelse": "api.request"})
    assert shown_ids(first) == made[::-1][:50]
    second = client.get(URL, {"handelse": "api.request", "sida": 2})
    assert shown_ids(second) == made[::-1][50:]
    page = first.content.decode()
    assert "handelse=api.request&amp;sida=2" in page


def test_filters_by_user_event_dates_node_and_pupil(org, users):
    alva, bella = org.pupils["Alva"].pk, org.pupils["Bella"].pk
    with at(timezone.make_aware(dt.datetime(2025, 3, 10, 23, 30))):
        early = audit_record(
            user=users.unit_head, action="view_pupils_at_risk", node=org.group_n1a, pupil_ids=[alva]
        ).pk
    with at(timezone.make_aware(dt.datetime(2025, 3, 11, 8, 0))):
        middle = audit_record(
            user=users.teacher, action="view_pupil_history", node=org.unit_n1, pupil_ids=[bella]
        ).pk
    with at(timezone.make_aware(dt.datetime(2025, 3, 12, 0, 0))):
        late = audit_record(
            user=users.unit_head, action="view_pupils_at_risk", node=org.unit_s1, pupil_ids=[alva]
        ).pk
    client = client_of(users.organiser_admin)

    def ids(**query) -> set[int]:
        return set(shown_ids(client.get(URL, query))) & {early, middle, late}

    assert ids() == {early, middle, late}
    assert ids(anvandare="RUT") == {early, late}
    assert ids(handelse="view_pupil_history") == {middle}
    assert ids(fran="2025-03-11") == {middle, late}
    assert ids(till="2025-03-11") == {early, middle}
    assert ids(fran="2025-03-11", till="2025-03-11") == {middle}
    assert ids(nod=org.area_north.pk) == {early, middle}  # the node and everything below it
    assert ids(nod=org.group_n1a.pk) == {early}
    assert ids(elev=alva) == {early, late}
    assert ids(elev=bella, anvandare="lars") == {middle}


def test_the_event_filter_offers_the_actions_present_by_name(org, users):
    audit_record(user=users.unit_head, action="view_pupils_at_risk", node=org.unit_n1)
    audit_record(user=users.unit_head, action="some_new_action", node=org.unit_n1)
    choices = client_of(users.organiser_admin).get(URL).context["form"].fields["handelse"].choices
    codes = [code for code, _label in choices]
    assert "view_pupils_at_risk" in codes and "some_new_action" in codes
    assert dict(choices)["view_pupils_at_risk"] != "view_pupils_at_risk"  # a label, not a code


def read_csv(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_download_holds_the_filtered_rows_and_is_logged(org, users, other, fmt):
    alva = org.pupils["Alva"].pk
    mine = audit_record(
        user=users.unit_head, action="export_pupils_at_risk", node=org.unit_n1, pupil_ids=[alva]
    )
    audit_record(user=users.unit_head, action="view_pupil_history", node=org.unit_n1)
    audit_record(user=other.teacher, action="export_pupils_at_risk", node=other.unit)
    audit_record(user=users.teacher, action='=HYPERLINK("http://x")', node=org.unit_n1)
    client = client_of(users.organiser_admin)
    response = client.get(URL, {"handelse": "export_pupils_at_risk", "format": fmt})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        rows = [list(row.values()) for row in read_csv(response)]
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        cells = [[str(c) for c in r if c is not None] for r in sheet.iter_rows(values_only=True)]
        rows = [r for r in cells if "export_pupils_at_risk" in r]  # below a title and header
    assert len(rows) == 1
    [row] = rows
    assert "rut" in row and "export_pupils_at_risk" in row and org.unit_n1.name in row
    assert str(alva) in row
    logged = AuditEvent.objects.get(action="audit_log.export")
    assert logged.user == users.organiser_admin and logged.node == org.organiser
    assert logged.detail["format"] == fmt and logged.detail["rows"] == 1
    assert logged.detail["action"] == "export_pupils_at_risk"
    assert mine.pk != logged.pk

    everything = client.get(URL, {"format": fmt})
    if fmt == "csv":
        cells = [cell for row in read_csv(everything) for cell in row.values()]
    else:
        sheet = load_workbook(io.BytesIO(everything.content)).active
        cells = [str(c) for r in sheet.iter_rows(values_only=True) for c in r if c is not None]
    assert not any(cell.startswith("=") for cell in cells)  # no formula from a stored text
    assert other.unit.name not in cells


def test_each_row_shows_who_what_where_the_address_and_the_details(org, users, rf):
    request = rf.get("/", REMOTE_ADDR="192.0.2.44")
    audit_record(
        user=users.analyst,
        action="api.request",
        detail={"method": "GET", "path": "/api/v1/periods", "status": 200, "token": 7},
        request=request,
    )
    audit_record(user=None, action="login_failed", detail={"username": "rut"}, request=request)
    page = client_of(users.organiser_admin).get(URL)
    rows = {row[0].action: row for row in page.context["rows"]}
    event, _label, who, details = rows["api.request"]
    assert who == "anders" and event.ip_address == "192.0.2.44"
    assert details == "method: GET, path: /api/v1/periods, status: 200, token: 7"
    assert rows["login_failed"][2] == "rut"  # the existing user a failed login named
    html = page.content.decode()
    assert "path: /api/v1/periods" in html and "192.0.2.44" in html
