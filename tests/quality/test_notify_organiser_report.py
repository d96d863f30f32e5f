"""The organiser's own report (the "huvudman" template) mails as a unit's report does, to the
people its own workflow names: handed in by the förvaltning (REVIEW_DIALOGUE on the
organiser), it tells the management who approve it (APPROVE_ORGANISER_REPORT); returned or
approved, it tells the förvaltning who wrote it. Never the one who acted."""

from __future__ import annotations

import pytest

from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.organisation.selectors import users_with_capability
from skolkvalitet.quality.common_model import ORGANISER_FORM
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
def organiser_report(org, mailed):
    # The analyst of the förvaltning writes the organiser's analysis and priorities.
    return report_start(
        node=org.organiser,
        year=org.year,
        school_form=ORGANISER_FORM,
        scope=scope_for(mailed.analyst),
        by=mailed.analyst,
    )


def test_the_organisers_writers_and_approvers_are_the_capability_tables(org, mailed) -> None:
    writers = users_with_capability(capability=Capability.REVIEW_DIALOGUE, node=org.organiser)
    approvers = users_with_capability(
        capability=Capability.APPROVE_ORGANISER_REPORT, node=org.organiser
    )
    assert {u.username for u in writers} == {"agnes", "anders"}  # admin, analyst
    assert [u.username for u in approvers] == ["agnes"]  # the administrator only


def test_submitting_tells_the_approvers_returning_and_approving_tell_the_writers(
    organiser_report, org, mailed, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    analyst, admin = scope_for(mailed.analyst), scope_for(mailed.organiser_admin)
    with django_capture_on_commit_callbacks(execute=True):
        report_submit(report=organiser_report, scope=analyst, by=mailed.analyst)
    [submitted] = mailoutbox
    assert submitted.to == ["agnes@exempelstad.se"]
    assert submitted.subject == f"Kvalitetsrapport inlämnad: {org.organiser.name} 2024/25"
    assert submitted.body.startswith(submitted.subject + ".")

    with django_capture_on_commit_callbacks(execute=True):
        report_return(
            report=organiser_report,
            comment="Prioriteringarna saknar mål.",
            scope=admin,
            by=mailed.organiser_admin,
        )
    returned = mailoutbox[-1]
    assert len(mailoutbox) == 2
    # The förvaltning's writers besides the administrator who returned it: the analyst. (A
    # unit head, who writes a unit's report, has nothing to do with the organiser's.)
    assert returned.to == ["anders@exempelstad.se"]
    assert returned.subject == f"Kvalitetsrapport returnerad: {org.organiser.name} 2024/25"

    with django_capture_on_commit_callbacks(execute=True):
        report_submit(report=organiser_report, scope=analyst, by=mailed.analyst)
        report_approve(report=organiser_report, scope=admin, by=mailed.organiser_admin)
    assert len(mailoutbox) == 4
    assert mailoutbox[-2].to == ["agnes@exempelstad.se"]
    approved = mailoutbox[-1]
    assert approved.to == ["anders@exempelstad.se"]
    assert approved.subject == f"Kvalitetsrapport godkänd: {org.organiser.name} 2024/25"


def test_a_unit_head_is_never_told_of_the_organisers_report(
    organiser_report, mailed, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    analyst, admin = scope_for(mailed.analyst), scope_for(mailed.organiser_admin)
    with django_capture_on_commit_callbacks(execute=True):
        report_submit(report=organiser_report, scope=analyst, by=mailed.analyst)
        report_return(
            report=organiser_report, comment="Mer.", scope=admin, by=mailed.organiser_admin
        )
        report_submit(report=organiser_report, scope=analyst, by=mailed.analyst)
        report_approve(report=organiser_report, scope=admin, by=mailed.organiser_admin)
    recipients = {address for message in mailoutbox for address in message.to}
    assert recipients == {"agnes@exempelstad.se", "anders@exempelstad.se"}
    assert "rut@exempelstad.se" not in recipients
