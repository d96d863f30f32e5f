"""`skolkvalitet retention [--dry-run] [--years N]`: gallring of pupil-level data
(operations/retention/actions.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.operations.retention.actions import retention_apply


class Command(BaseCommand):
    help = (
        "Remove the pupil-level data (grades, assessments, national tests, absence, "
        "enrolments, pupils left without any) of the academic years that ended more than the "
        "retention period ago, keeping their published figures and the quality reports. "
        "Audit-logged. --dry-run counts without removing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; change nothing."
        )
        parser.add_argument(
            "--years",
            type=int,
            default=None,
            help=(
                "The retention period in years (default: SKOLKVALITET_RETENTION_YEARS, "
                f"now {settings.SKOLKVALITET_RETENTION_YEARS})."
            ),
        )

    def handle(self, *args, dry_run: bool, years: int | None, **options):
        kept = settings.SKOLKVALITET_RETENTION_YEARS if years is None else years
        try:
            outcome = retention_apply(years_kept=kept, today=timezone.localdate(), dry_run=dry_run)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if not outcome.years:
            self.stdout.write(
                _("No academic year ended before %(cutoff)s: nothing to remove.")
                % {"cutoff": outcome.cutoff}
            )
            return
        self.stdout.write(
            (
                _("Would remove the pupil-level data of %(years)s (ended before %(cutoff)s):")
                if dry_run
                else _("Removed the pupil-level data of %(years)s (ended before %(cutoff)s):")
            )
            % {"years": ", ".join(outcome.years), "cutoff": outcome.cutoff}
        )
        for table, rows in outcome.removed.items():
            self.stdout.write(f"  {table}: {rows}")
