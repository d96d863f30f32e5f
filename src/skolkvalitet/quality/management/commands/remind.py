"""`skolkvalitet remind`: e-mail the writers of every quality report not yet handed in whose
deadline is SKOLKVALITET_REMINDER_DAYS days ahead (default 14 and 2). Run it once a day (a
cron job or systemd timer, docs/operations.md): each reminder is then sent once."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from skolkvalitet.quality.notify import deadline_reminders


class Command(BaseCommand):
    help = "E-mail reminders of quality-report deadlines (run daily)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to remind for, e.g. 2025-05-27 (tests)")

    def handle(self, *args, today: str | None, **options):
        try:
            day = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today {today}: write the date as 2025-05-27.") from None
        sent = deadline_reminders(today=day, days_before=settings.SKOLKVALITET_REMINDER_DAYS)
        self.stdout.write(f"{sent} reminders sent.")
