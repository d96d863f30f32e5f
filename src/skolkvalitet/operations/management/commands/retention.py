"""`skolkvalitet retention [--dry-run] [--organiser CODE] [--years N]`: gallring of pupil-level
data, each organiser with its own period (operations/retention/actions.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.operations.retention.actions import retention_apply, retention_apply_all
from skolkvalitet.organisation.models import Node, NodeKind


class Command(BaseCommand):
    help = (
        "Remove each organiser's pupil-level data (grades, assessments, national tests, "
        "absence, enrolments, pupils left without any) of the academic years that ended more "
        "than the organiser's retention period ago, keeping their published figures and the "
        "quality reports. Audit-logged per organiser. --dry-run counts without removing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; change nothing."
        )
        parser.add_argument(
            "--organiser",
            default=None,
            metavar="CODE",
            help="Run for the organiser with this code only (default: every organiser).",
        )
        parser.add_argument(
            "--years",
            type=int,
            default=None,
            help=(
                "Override the retention period in years, for --organiser only (default: the "
                "organiser's period, else SKOLKVALITET_RETENTION_YEARS, now "
                f"{settings.SKOLKVALITET_RETENTION_YEARS})."
            ),
        )

    def handle(self, *args, dry_run: bool, organiser: str | None, years: int | None, **options):
        today = timezone.localdate()
        try:
            if years is not None:
                if organiser is None:
                    raise ValueError(_("--years needs --organiser: each organiser has its period."))
                node = Node.objects.filter(kind=NodeKind.ORGANISER, code=organiser).first()
                if node is None:
                    raise ValueError(_("No organiser has the code %(code)s.") % {"code": organiser})
                outcomes = [
                    retention_apply(organiser=node, today=today, years_kept=years, dry_run=dry_run)
                ]
            else:
                outcomes = retention_apply_all(
                    today=today, dry_run=dry_run, organiser_code=organiser
                )
        except ValueError as error:
            raise CommandError(str(error)) from None
        for outcome in outcomes:
            name = outcome.organiser.name
            if not outcome.years:
                self.stdout.write(
                    _("%(organiser)s: no academic year ended before %(cutoff)s: nothing to remove.")
                    % {"organiser": name, "cutoff": outcome.cutoff}
                )
                continue
            self.stdout.write(
                (
                    _(
                        "%(organiser)s: would remove the pupil-level data of %(years)s "
                        "(ended before %(cutoff)s):"
                    )
                    if dry_run
                    else _(
                        "%(organiser)s: removed the pupil-level data of %(years)s "
                        "(ended before %(cutoff)s):"
                    )
                )
                % {"organiser": name, "years": ", ".join(outcome.years), "cutoff": outcome.cutoff}
            )
            for table, rows in outcome.removed.items():
                self.stdout.write(f"  {table}: {rows}")
