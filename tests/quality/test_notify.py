"""The quality cycle's e-mail (quality/notify.py): a submitted report tells its reviewers, a
returned or approved one its writers, reminders go out as a deadline nears — to the people
the capability table names, after the commit, and without pupil data. In Swedish, as the
product speaks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.organisation.selectors import users_with_capability
from skolkvalitet.quality.plans.actions import report_deadline_set
from skolkvalitet.quality.reports.actions import (
    report_approve,
    report_return,
    report_start,
    report_submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailed(users):
    for user in vars(users).values():
        user.email = f"{user.username}@exempelstad.se"
        user.save(update_fields=["email"])
    return users


@pytest.fixture
def report(org, mailed):
    return report_start(
        node=org.unit_n1,
        year=org.year,
        school_form="grundskola",
        scope=scope_for(mailed.unit_head),
        by=mailed.unit_head,
    )


def test_who_is_told_follows_the_capability_table(org, mailed) -> None:
    reviewers = users_with_capability(capability=Capability.REVIEW_DIALOGUE, node=org.unit_n1)
    writers = users_with_capability(capability=Capability.WRITE_DIALOGUE, node=org.unit_n1)
    assert {u.username for u in reviewers} == {"agnes", "anders"}  # admin, analyst
    assert [u.username for u in writers] == ["rut"]
    # A grant elsewhere reaches no one: the unit head of Norrskolan is not told of Ekskolan.
    assert not users_with_capability(capability=Capability.WRITE_DIALOGUE, node=org.unit_s2)


def test_a_grant_on_an_inactive_node_tells_no_one(org, mailed, make_user) -> None:
    from skolkvalitet.organisation.actions import role_grant
    from skolkvalitet.organisation.models import Node, Role

    # An administrator of Norr, an area since closed: the grant gives nothing (as scope_for).
    area_admin = make_user("nils")
    role_grant(user=area_admin, node=org.area_north, role=Role.ORGANISER_ADMIN)
    reviewers = users_with_capability(capability=Capability.REVIEW_DIALOGUE, node=org.unit_n1)
    assert {u.username for u in reviewers} == {"agnes", "anders", "nils"}
    Node.objects.filter(pk=org.area_north.pk).update(is_active=False)
    reviewers = users_with_capability(capability=Capability.REVIEW_DIALOGUE, node=org.unit_n1)
    assert {u.username for u in reviewers} == {"agnes", "anders"}
    assert scope_for(area_admin).is_empty


def test_the_workflow_mails_reviewers_then_writers(
    report, mailed, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    head, admin = scope_for(mailed.unit_head), scope_for(mailed.organiser_admin)
    with django_capture_on_commit_callbacks(execute=True):
        report_submit(report=report, scope=head, by=mailed.unit_head)
    [submitted] = mailoutbox
    assert sorted(submitted.to) == ["agnes@exempelstad.se", "anders@exempelstad.se"]
    assert submitted.subject == "Kvalitetsrapport inlämnad: Norrskolan 2024/25"
    with django_capture_on_commit_callbacks(execute=True):
        report_return(report=report, comment="Mer analys.", scope=admin, by=mailed.organiser_admin)
    assert mailoutbox[-1].to == ["rut@exempelstad.se"]
    with django_capture_on_commit_callbacks(execute=True):
        report_submit(report=report, scope=head, by=mailed.unit_head)
        report_approve(report=report, scope=admin, by=mailed.organiser_admin)
    assert mailoutbox[-1].subject == "Kvalitetsrapport godkänd: Norrskolan 2024/25"
    assert mailoutbox[-1].to == ["rut@exempelstad.se"]


def test_a_reminder_goes_to_writers_of_reports_not_handed_in(org, mailed, mailoutbox) -> None:
    report_deadline_set(
        academic_year=org.year,
        school_form="",
        deadline=dt.date(2025, 6, 10),
        scope=scope_for(mailed.organiser_admin),
        by=mailed.organiser_admin,
    )
    call_command("remind", "--today", "2025-05-27")  # 14 days before
    subjects = sorted(m.subject for m in mailoutbox)
    # The four units of the organiser; only Norrskolan has a head with an address to tell.
    assert subjects == ["Kvalitetsrapporten ska lämnas in 2025-06-10: Norrskolan 2024/25"]
    assert mailoutbox[0].to == ["rut@exempelstad.se"]
    call_command("remind", "--today", "2025-05-28")  # 13 days before: nothing
    assert len(mailoutbox) == 1


def test_a_reminder_follows_the_school_forms_own_deadline(org, mailed, mailoutbox) -> None:
    admin = scope_for(mailed.organiser_admin)
    for school_form, deadline in (("", dt.date(2025, 6, 10)), ("grundskola", dt.date(2025, 9, 30))):
        report_deadline_set(
            academic_year=org.year,
            school_form=school_form,
            deadline=deadline,
            scope=admin,
            by=mailed.organiser_admin,
        )
    call_command("remind", "--today", "2025-05-27")  # 14 days before the deadline for all forms
    assert mailoutbox == []  # every unit is a grundskola, due on 30 September
    call_command("remind", "--today", "2025-09-16")  # 14 days before grundskola's
    assert [m.subject for m in mailoutbox] == [
        "Kvalitetsrapporten ska lämnas in 2025-09-30: Norrskolan 2024/25"
    ]
