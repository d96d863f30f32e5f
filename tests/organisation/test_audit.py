"""The audit log names users, nodes and pupil ids, never a personnummer."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_audit_record_stores_who_what_where_and_which_pupils(org, users):
    request = RequestFactory().get("/enheter/", REMOTE_ADDR="10.20.30.40")
    pupils = org.pupils
    event = audit_record(
        user=users.unit_head,
        action="pupil_list.view",
        node=org.unit_n1,
        pupil_ids=[pupils["Elsa"].pk, pupils["Alva"].pk, pupils["Elsa"].pk, pupils["Bella"].pk],
        detail={"filter": "ak7"},
        request=request,
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.user == users.unit_head
    assert stored.username == "rut"
    assert stored.action == "pupil_list.view"
    assert stored.node == org.unit_n1
    assert stored.pupil_ids == sorted({pupils["Alva"].pk, pupils["Bella"].pk, pupils["Elsa"].pk})
    assert stored.detail == {"filter": "ak7"}
    assert stored.ip_address == "10.20.30.40"
    assert stored.at is not None


def test_ipv6_address_is_kept(users):
    request = RequestFactory().get("/", REMOTE_ADDR="2001:db8::1")
    event = audit_record(user=users.analyst, action="x", request=request)
    assert AuditEvent.objects.get(pk=event.pk).ip_address == "2001:db8::1"


def test_without_request_or_address_there_is_no_ip(users):
    assert audit_record(user=users.analyst, action="a").ip_address is None
    request = RequestFactory().get("/", REMOTE_ADDR="")
    assert audit_record(user=users.analyst, action="b", request=request).ip_address is None


def test_pupil_ids_default_to_an_empty_list(users):
    event = audit_record(user=users.board, action="report.view")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.pupil_ids == []
    assert stored.node is None
    assert stored.detail == {}


@pytest.mark.parametrize("user", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_anonymous_visitor_is_recorded_without_a_user(user):
    event = audit_record(user=user, action="public.view")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.user is None
    assert stored.username == ""


def test_username_survives_the_user(users):
    event = audit_record(user=users.teacher, action="pupil.view")
    users.teacher.delete()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.user is None
    assert stored.username == "lars"


def test_log_line_names_the_event_but_no_personnummer(org, users, caplog):
    # Alva's number, as built in conftest.py: 2011-03-14, serial 242.
    alva = org.pupils["Alva"]
    with caplog.at_level(logging.INFO, logger="skolkvalitet.audit"):
        audit_record(
            user=users.unit_head,
            action="pupil.view",
            node=org.unit_n1,
            pupil_ids=[alva.pk, org.pupils["Bella"].pk],
        )
    records = [r for r in caplog.records if r.name == "skolkvalitet.audit"]
    assert len(records) == 1
    line = records[0].getMessage()
    assert "user=rut" in line
    assert "action=pupil.view" in line
    assert f"node={org.unit_n1.pk}" in line
    assert "pupils=2" in line
    for form in ("201103142426", "1103142426", "110314-2426", alva.pseudonym):
        assert form not in caplog.text


def test_an_event_written_in_another_thread_does_not_take_this_requests_address(users):
    import threading

    from skolkvalitet.organisation import audit

    audit.request_began(None, environ={"REMOTE_ADDR": "10.1.1.1"})
    try:
        assert audit_record(user=users.analyst, action="here").ip_address == "10.1.1.1"
        seen: list[str | None] = []
        thread = threading.Thread(target=lambda: seen.append(audit._client_ip(None)))
        thread.start()
        thread.join()
        assert seen == [None]
    finally:
        audit.request_ended(None)
    assert audit_record(user=users.analyst, action="after").ip_address is None
