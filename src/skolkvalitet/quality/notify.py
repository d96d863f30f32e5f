"""E-mail of the quality cycle (Django's mail framework: SMTP in production, the console in
the demo; docs/operations.md): a report handed in tells its reviewers, a report returned or
approved tells its writers (for the organiser's own report: its management when it is
handed in, the förvaltning when it is returned or approved), and `skolkvalitet remind` tells
the writers of reports not yet handed in as a deadline nears. Mail is sent after the change
is committed, and a mail server that fails is logged, never undoing the change. Only names of
units and years are written: no pupil data."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.selectors import users_with_capability
from skolkvalitet.quality.models import QualityReport
from skolkvalitet.quality.reports.selectors import reviews_with, writes_with

logger = logging.getLogger(__name__)


def _send(messages: list[tuple[str, str, str, list[str]]]) -> None:
    messages = [m for m in messages if m[3]]
    if not messages:
        return
    try:
        send_mass_mail(messages, fail_silently=False)
    except OSError as error:  # the mail server is down: the change stands, say so in the log
        logger.warning("mail not sent (%d messages): %s", len(messages), error)


def _recipients(users: list[User], *, besides: User | None = None) -> list[str]:
    return sorted({u.email for u in users if u.email and (besides is None or u.pk != besides.pk)})


def _link(path: str) -> str:
    return f"\n\n{settings.SKOLKVALITET_SITE_URL}{path}" if settings.SKOLKVALITET_SITE_URL else ""


def report_path(report: QualityReport) -> str:
    return reverse(
        "quality_report",
        args=[report.academic_year.start_year, report.node_id, report.template.school_form],
    )


def report_event(report: QualityReport, event: str, *, by: User | None) -> None:
    """After the commit, tell those concerned that `report` was submitted (its reviewers),
    returned or approved (its writers), with a link to the report page. Who writes and who
    reviews is the report's node's (reports/selectors.py): a unit's report is written with
    WRITE_DIALOGUE and reviewed with REVIEW_DIALOGUE; the organiser's own report is written by
    the förvaltning (REVIEW_DIALOGUE) and approved by its management
    (APPROVE_ORGANISER_REPORT)."""
    node = report.node
    what = {
        "submitted": (_("Quality report submitted: %(unit)s %(year)s"), reviews_with(node)),
        "returned": (_("Quality report returned: %(unit)s %(year)s"), writes_with(node)),
        "approved": (_("Quality report approved: %(unit)s %(year)s"), writes_with(node)),
    }
    subject_text, capability = what[event]
    names = {"unit": report.node.name, "year": report.academic_year.code}
    to = _recipients(users_with_capability(capability=capability, node=report.node), besides=by)
    subject = subject_text % names
    body = subject + "." + _link(report_path(report))
    transaction.on_commit(
        lambda: _send([(subject, body, settings.DEFAULT_FROM_EMAIL, to)]), robust=True
    )


def deadline_reminders(*, today: dt.date, days_before: list[int]) -> int:
    """Remind the writers of every report not handed in whose deadline is one of
    `days_before` days ahead (run once a day: each reminder is then sent once). Returns the
    number of messages."""
    from skolkvalitet.quality.attention import ReportTask, report_tasks_due

    messages = []
    for days in days_before:
        due = today + dt.timedelta(days=days)
        tasks: list[ReportTask] = report_tasks_due(deadline=due)
        for task in tasks:
            to = _recipients(
                users_with_capability(
                    capability=Capability.WRITE_DIALOGUE, node=task.unit, on=today
                )
            )
            subject = _("Quality report due %(date)s: %(unit)s %(year)s") % {
                "date": due.isoformat(),
                "unit": task.unit.name,
                "year": task.year.code,
            }
            messages.append((subject, subject + ".", settings.DEFAULT_FROM_EMAIL, to))
    _send(messages)
    return len([m for m in messages if m[3]])
