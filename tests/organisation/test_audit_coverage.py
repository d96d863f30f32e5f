"""What the audit log covers (docs/security.md, "Audit log"): every view and download of
pupil-level data, every import, rollback, approval, role change and use of an API token is an
event with who, when, what, the node and the client's address behind the configured proxies.
Logins, failed logins and lockouts: tests/web/test_login_lockout.py.

The pupil-level pages are found, not listed by hand: every URL whose route names pupils
(`elev`) must be in PUPIL_PAGES, so a new one without an audit test fails here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from skolkvalitet.api.actions import api_token_create
from skolkvalitet.batches.models import BatchStatus
from skolkvalitet.ingest.models import ImportJob
from skolkvalitet.organisation import actions
from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.organisation.models import AuditEvent, Role

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.9"  # the client's, as the nearest trusted proxy saw it
PROXY = "10.0.0.1"

# url name → (role that may see it, how to build its arguments from the fixtures, query,
# the event's action, the event's node name in `org`)
PUPIL_PAGES = {
    "pupils_at_risk": ("unit_head", lambda org: [org.unit_n1.pk], {}, "view_pupils_at_risk"),
    "group_pupils_at_risk": (
        "teacher",
        lambda org: [org.group_n1a.pk],
        {},
        "view_pupils_at_risk",
    ),
    "pupil_history": ("unit_head", lambda org: [org.pupils["Alva"].pk], {}, "view_pupil_history"),
}
PUPIL_EXPORTS = {
    ("pupils_at_risk", "csv"),
    ("pupils_at_risk", "xlsx"),
    ("group_pupils_at_risk", "csv"),
    ("group_pupils_at_risk", "xlsx"),
}


def routes(patterns=None, prefix: str = "") -> dict[str, str]:
    """Every named URL of the project: name → its route."""
    found: dict[str, str] = {}
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            found |= routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            found[pattern.name] = prefix + str(pattern.pattern)
    return found


def test_every_url_that_names_pupils_is_covered_here():
    named = {name for name, route in routes().items() if "elev" in route}
    assert named == set(PUPIL_PAGES)


@pytest.fixture
def behind_proxy(settings):
    settings.SKOLKVALITET_PROXY_COUNT = 1


def client_as(user) -> Client:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.66, {ADDRESS}")
    client.force_login(user)
    return client


def the_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("pk")


@pytest.mark.parametrize("name", sorted(PUPIL_PAGES))
def test_each_pupil_level_page_writes_an_event(name, org, users, behind_proxy):
    role, args, query, action = PUPIL_PAGES[name]
    user = getattr(users, role)
    response = client_as(user).get(reverse(name, args=args(org)), query)
    assert response.status_code == 200
    event = the_event(action)
    assert (event.user, event.username, event.ip_address) == (user, user.username, ADDRESS)
    assert event.node is not None and event.at is not None


@pytest.mark.parametrize(("name", "fmt"), sorted(PUPIL_EXPORTS))
def test_each_pupil_level_download_writes_an_event(name, fmt, org, users, behind_proxy):
    role, args, query, _action = PUPIL_PAGES[name]
    user = getattr(users, role)
    response = client_as(user).get(reverse(name, args=args(org)), {**query, "format": fmt})
    assert response.status_code == 200
    event = the_event("export_pupils_at_risk")
    assert (event.user, event.ip_address, event.detail["format"]) == (user, ADDRESS, fmt)


def test_a_role_granted_changed_and_revoked_is_logged_with_who_did_it(
    org, users, make_user, rf, behind_proxy
):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ADDRESS)
    someone = make_user("sigrid")
    admin = users.organiser_admin
    actions.role_grant(
        user=someone, node=org.unit_s1, role=Role.UNIT_HEAD, by=admin, request=request
    )
    granted = the_event("role_grant")
    assert (granted.user, granted.node, granted.ip_address) == (admin, org.unit_s1, ADDRESS)
    assert granted.detail["username"] == "sigrid" and granted.detail["role"] == Role.UNIT_HEAD

    count = AuditEvent.objects.filter(action="role_grant").count()
    actions.role_grant(user=someone, node=org.unit_s1, role=Role.UNIT_HEAD, by=admin)
    assert AuditEvent.objects.filter(action="role_grant").count() == count  # nothing changed
    until = dt.date(2030, 6, 30)
    actions.role_grant(
        user=someone, node=org.unit_s1, role=Role.UNIT_HEAD, valid_until=until, by=admin
    )
    assert the_event("role_grant").detail["valid_until"] == "2030-06-30"

    assert actions.role_revoke(user=someone, node=org.unit_s1, role=Role.UNIT_HEAD, by=admin)
    revoked = the_event("role_revoke")
    assert (revoked.user, revoked.node, revoked.detail["username"]) == (
        admin,
        org.unit_s1,
        "sigrid",
    )
    assert not actions.role_revoke(user=someone, node=org.unit_s1, role=Role.UNIT_HEAD, by=admin)
    assert AuditEvent.objects.filter(action="role_revoke").count() == 1


def test_an_upload_its_import_and_its_rollback_are_logged(org, users, behind_proxy, settings):
    settings.SKOLKVALITET_IMPORT_IN_BACKGROUND = False  # the import runs in the request
    pupil = make_personal_number(dt.date(2010, 4, 2), 246)
    data = (
        "personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"
        f"{pupil};10000001;2024/25;VT;9;MA;C;slutbetyg\n"
    ).encode()
    admin = users.organiser_admin
    client = client_as(admin)
    file = SimpleUploadedFile("betyg.csv", data, content_type="text/csv")
    assert client.post(reverse("import_page"), {"kind": "grades", "file": file}).status_code == 302
    job = ImportJob.objects.get()
    uploaded = the_event("import_upload")
    assert (uploaded.user, uploaded.node, uploaded.ip_address) == (admin, org.organiser, ADDRESS)
    assert uploaded.detail == {"job": job.pk, "kind": "grades"}
    imported = the_event("import")
    assert (imported.user, imported.node) == (admin, org.organiser)
    assert imported.detail == {"batch": job.batch.pk, "kind": "grades", "rows": 1}
    assert pupil not in repr([uploaded.detail, imported.detail])

    response = client.post(reverse("import_batch_rollback", args=[job.batch.pk]))
    assert response.status_code == 302
    job.batch.refresh_from_db()
    assert job.batch.status == BatchStatus.ROLLED_BACK
    rolled = the_event("import_rollback")
    assert (rolled.user, rolled.node, rolled.ip_address) == (admin, org.organiser, ADDRESS)
    assert rolled.detail["batch"] == job.batch.pk


def test_each_use_of_an_api_token_is_logged(org, users, behind_proxy):
    token, secret = api_token_create(user=users.analyst, name="rapportverktyg")
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ADDRESS)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/nodes", headers=headers).status_code == 200
    assert client.get("/api/v1/periods", headers=headers).status_code == 200
    assert client.get("/api/v1/nodes?kind=nonsense", headers=headers).status_code == 422
    assert client.get("/api/v1/nodes", headers={"Authorization": "Bearer wrong"}).status_code == 401
    events = list(AuditEvent.objects.filter(action="api.request").order_by("pk"))
    assert [(e.detail["path"], e.detail["status"]) for e in events] == [
        ("/api/v1/nodes", 200),
        ("/api/v1/periods", 200),
        ("/api/v1/nodes", 422),
    ]
    first = events[0]
    assert (first.user, first.ip_address) == (users.analyst, ADDRESS)
    assert first.detail["token"] == token.pk and first.detail["token_name"] == "rapportverktyg"
    assert first.detail["method"] == "GET"
    assert secret not in repr([e.detail for e in events])


def test_submitting_returning_and_approving_a_quality_report_are_logged(org, users):
    from skolkvalitet.organisation.scopes import scope_for
    from skolkvalitet.quality.reports.actions import (
        report_approve,
        report_return,
        report_start,
        report_submit,
    )

    head, admin = scope_for(users.unit_head), scope_for(users.organiser_admin)
    report = report_start(
        node=org.unit_n1, year=org.year, school_form="grundskola", scope=head, by=users.unit_head
    )
    report = report_submit(report=report, scope=head, by=users.unit_head)
    report = report_return(report=report, comment="Mer.", scope=admin, by=users.organiser_admin)
    report = report_submit(report=report, scope=head, by=users.unit_head)
    report_approve(report=report, scope=admin, by=users.organiser_admin)
    for action, user in (
        ("report_submit", users.unit_head),
        ("report_return", users.organiser_admin),
        ("report_approve", users.organiser_admin),
    ):
        event = the_event(action)
        assert (event.user, event.node, event.detail["report"]) == (user, org.unit_n1, report.pk)


def test_an_approval_on_the_report_page_has_the_address_of_the_request(org, users, behind_proxy):
    """The quality work's actions are not given the request; their events take the address of
    the request being answered (organisation/audit.py), and none after it."""
    from skolkvalitet.organisation.scopes import scope_for
    from skolkvalitet.quality.reports.actions import report_start, report_submit

    head = scope_for(users.unit_head)
    report = report_start(
        node=org.unit_n1, year=org.year, school_form="grundskola", scope=head, by=users.unit_head
    )
    report_submit(report=report, scope=head, by=users.unit_head)
    assert the_event("report_submit").ip_address is None  # written outside any request
    url = reverse(
        "quality_report",
        kwargs={
            "start_year": org.year.start_year,
            "unit_id": org.unit_n1.pk,
            "school_form": "grundskola",
        },
    )
    response = client_as(users.organiser_admin).post(url, {"intent": "approve"})
    assert response.status_code == 302
    approved = the_event("report_approve")
    assert (approved.user, approved.ip_address) == (users.organiser_admin, ADDRESS)
    # The request is over: an event written now has no address.
    assert audit_record(user=users.analyst, action="after").ip_address is None
