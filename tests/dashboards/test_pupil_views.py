"""The list of pupils who need support (its point, count, filters, order and audit-logged
downloads) and the pupil's history page (dashboards/views.py), on the facts of
tests/results/test_selectors.py: at point 1 Norrskolan's list is Bella (EN, MA), David (30 %)
and Elsa (15 %), of its 5 pupils; at point 2 it is empty."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from tests.indicators.test_materialise import facts  # noqa: F401
from tests.results.test_selectors import more  # noqa: F401

from skolkvalitet.organisation.models import AuditEvent

pytestmark = pytest.mark.django_db


def rows(html: str) -> list[str]:
    """The pupil ids of the list's rows, in order."""
    return re.findall(r'<tr data-pupil="(\d+)">', html)


def ids(org, *names: str) -> list[str]:
    return [str(org.pupils[n].pk) for n in names]


def test_the_list_is_read_at_the_latest_point_or_the_one_chosen(more, users, client):  # noqa: F811
    org = more.org
    client.force_login(users.unit_head)
    url = reverse("pupils_at_risk", args=[org.unit_n1.pk])
    latest = client.get(url).content.decode()
    assert f'data-point="{more.p2.pk}"' in latest and rows(latest) == []
    assert 'data-listed="0" data-enrolled="5"' in latest

    html = client.get(url, {"punkt": more.p1.pk}).content.decode()
    assert f'data-point="{more.p1.pk}"' in html
    assert f'<option value="{more.p1.pk}" selected>' in html
    assert rows(html) == ids(org, "Bella", "David", "Elsa")
    assert 'data-shown="3" data-listed="3" data-enrolled="5"' in html
    assert "Engelska, Matematik" in html  # the subjects named, not coded
    assert reverse("pupil_history", args=[org.pupils["Bella"].pk]) in html
    assert (
        client.get(url, {"punkt": 999999}).content.decode().count(f'data-point="{more.p2.pk}"')
    )  # a point without assessments here: the latest

    events = AuditEvent.objects.filter(action="view_pupils_at_risk").order_by("pk")
    assert [e.detail["follow_up_point"] for e in events] == [more.p2.pk, more.p1.pk, more.p2.pk]
    assert events[1].pupil_ids == sorted(int(i) for i in ids(org, "Bella", "David", "Elsa"))


def test_the_list_says_when_no_absence_reaches_the_point(more, users, client):  # noqa: F811
    """Point 2 (VT2025) has no absence stored: the page says the absence criterion could not
    be judged; at point 1 (absence up to 30 September) it counts the pupils as usual."""
    client.force_login(users.unit_head)
    url = reverse("pupils_at_risk", args=[more.org.unit_n1.pk])
    at_p2 = client.get(url, {"punkt": more.p2.pk}).content.decode()
    assert 'id="pupils-no-absence"' in at_p2
    assert "hittills denna termin" in at_p2 or "so far this term" in at_p2
    at_p1 = client.get(url, {"punkt": more.p1.pk}).content.decode()
    assert 'id="pupils-no-absence"' not in at_p1
    assert "2024-10-15" in at_p1  # the periods counted are those ended by the point's date


def test_the_no_absence_sentence_is_swedish(more, users, client):  # noqa: F811
    """Waits for the lead's catalogue merge (tools/translations/absence.json)."""
    client.force_login(users.unit_head)
    url = reverse("pupils_at_risk", args=[more.org.unit_n1.pk])
    html = client.get(url, {"punkt": more.p2.pk}).content.decode()
    assert "Ingen frånvaro för VT2025 fram till 2025-03-15 har importerats" in html
    assert "hittills denna termin (VT2025: perioderna som slutat senast 2025-03-15)" in html


def test_filters_and_order_choose_the_rows_and_the_audit_log_records_them(
    more,  # noqa: F811
    users,
    client,
):
    org = more.org
    client.force_login(users.unit_head)
    url = reverse("pupils_at_risk", args=[org.unit_n1.pk])
    query = {"punkt": more.p1.pk, "kriterium": "absence", "sortera": "absence"}
    html = client.get(url, query).content.decode()
    assert rows(html) == ids(org, "David", "Elsa")
    assert 'data-shown="2" data-listed="3"' in html
    event = AuditEvent.objects.get(action="view_pupils_at_risk")
    assert event.pupil_ids == sorted(int(i) for i in ids(org, "David", "Elsa"))
    assert event.detail == {
        "follow_up_point": more.p1.pk,
        "subject": "",
        "group": None,
        "criterion": "absence",
    }
    html = client.get(url, {"punkt": more.p1.pk, "amne": "MA"}).content.decode()
    assert rows(html) == ids(org, "Bella")
    html = client.get(url, {"punkt": more.p1.pk, "grupp": org.group_n1b.pk}).content.decode()
    assert rows(html) == ids(org, "David")
    html = client.get(url, {"punkt": more.p1.pk, "sortera": "name"}).content.decode()
    assert rows(html) == ids(org, "Bella", "David", "Elsa")
    html = client.get(url, {"punkt": more.p1.pk, "kriterium": "nonsense"}).content.decode()
    assert rows(html) == ids(org, "Bella", "David", "Elsa")  # an unknown reason: everyone


def test_the_download_holds_names_and_pupil_ids_only_and_is_audit_logged(
    more,  # noqa: F811
    users,
    client,
):
    org = more.org
    client.force_login(users.unit_head)
    url = reverse("pupils_at_risk", args=[org.unit_n1.pk])
    response = client.get(url, {"punkt": more.p1.pk, "format": "csv", "sortera": "absence"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8-sig")
    bella, david, elsa = ids(org, "Bella", "David", "Elsa")
    assert body.split("\r\n")[1:] == [
        f"David;{david};Norrskolan 7B;7;;30,0",
        f"Elsa;{elsa};;7;;15,0",
        f"Bella;{bella};Norrskolan 7A;7;Engelska, Matematik;",
        "",
    ]
    for pupil in org.pupils.values():
        assert pupil.pseudonym not in body
    event = AuditEvent.objects.get(action="export_pupils_at_risk")
    assert event.user == users.unit_head and event.node == org.unit_n1
    assert event.pupil_ids == sorted(int(i) for i in (bella, david, elsa))
    assert event.detail["format"] == "csv" and event.detail["follow_up_point"] == more.p1.pk
    assert not AuditEvent.objects.filter(action="view_pupils_at_risk").exists()

    response = client.get(url, {"punkt": more.p1.pk, "format": "xlsx", "amne": "MA"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[4]] == [
        "Bella",
        bella,
        "Norrskolan 7A",
        7,
        "Engelska, Matematik",
        None,
    ]
    assert sheet.max_row >= 4 and sheet.cell(row=5, column=1).value is None  # one pupil
    assert AuditEvent.objects.filter(action="export_pupils_at_risk").count() == 2


def test_the_list_and_its_download_are_closed_to_roles_without_pupil_access(
    more,  # noqa: F811
    users,
    client,
):
    org = more.org
    url = reverse("pupils_at_risk", args=[org.unit_n1.pk])
    for user in (users.board, users.coach, users.teacher):
        client.force_login(user)
        assert client.get(url, {"punkt": more.p1.pk}).status_code == 404
        assert client.get(url, {"punkt": more.p1.pk, "format": "csv"}).status_code == 404
    # Their logins (and the fixture's role grants) are in the audit log; no view or export
    # of pupils is.
    assert not AuditEvent.objects.exclude(action__in=["login", "role_grant"]).exists()


def test_a_groups_list_for_its_teacher(more, users, client):  # noqa: F811
    org = more.org
    client.force_login(users.teacher)
    url = reverse("group_pupils_at_risk", args=[org.group_n1a.pk])
    html = client.get(url, {"punkt": more.p1.pk}).content.decode()
    assert rows(html) == ids(org, "Bella")
    assert 'data-listed="1" data-enrolled="3"' in html
    assert 'name="grupp"' not in html  # no group filter inside a group
    response = client.get(url, {"punkt": more.p1.pk, "format": "csv"})
    assert response.content.decode("utf-8-sig").split("\r\n")[1].startswith("Bella;")
    assert AuditEvent.objects.get(action="export_pupils_at_risk").node == org.group_n1a


def test_the_pupils_history_page_is_audit_logged_and_only_for_who_may_see_the_pupil(
    more,  # noqa: F811
    users,
    client,
):
    org = more.org
    bella = org.pupils["Bella"]
    url = reverse("pupil_history", args=[bella.pk])
    client.force_login(users.unit_head)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<tr data-point="{more.p1.pk}">' in html and 'data-subjects="EN MA"' in html
    assert 'data-subject="MA"' in html  # the grades' rows
    assert reverse("pupils_at_risk", args=[org.unit_n1.pk]) in html
    assert bella.pseudonym not in html
    event = AuditEvent.objects.get(action="view_pupil_history")
    assert (event.user, event.node, event.pupil_ids) == (users.unit_head, org.unit_n1, [bella.pk])
    assert event.detail == {"follow_up_points": [more.p1.pk, more.p2.pk]}

    client.force_login(users.teacher)  # 7A: Bella's group
    assert client.get(url).status_code == 200
    assert client.get(reverse("pupil_history", args=[org.pupils["David"].pk])).status_code == 404
    for user in (users.board, users.coach):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(users.unit_head)
    assert client.get(reverse("pupil_history", args=[org.pupils["Hanna"].pk])).status_code == 404
    assert client.get(reverse("pupil_history", args=[999999])).status_code == 404
    assert AuditEvent.objects.filter(action="view_pupil_history").count() == 2


def test_the_list_makes_the_same_queries_for_any_number_of_pupils(
    more,  # noqa: F811
    users,
    client,
    django_assert_max_num_queries,
):
    """Three pupils here, 238 on a demo unit's list: the list is read in one query per fact
    table, never one per pupil."""
    client.force_login(users.unit_head)
    url = reverse("pupils_at_risk", args=[more.org.unit_n1.pk])
    with django_assert_max_num_queries(12):
        assert rows(client.get(url, {"punkt": more.p1.pk}).content.decode()) != []
    with django_assert_max_num_queries(10):
        client.get(reverse("pupil_history", args=[more.org.pupils["Bella"].pk]))
