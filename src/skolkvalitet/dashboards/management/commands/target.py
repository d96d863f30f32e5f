"""`skolkvalitet target --unit CODE | --organiser [CODE] --indicator KEY --value V
[--year 2024/25]`: set a target (målvärde) that the result pages compare with."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from skolkvalitet.dashboards.actions import target_set
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.organisation.selectors import organiser_chosen


class Command(BaseCommand):
    help = "Set the target of an indicator for a school unit or the organiser."

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--unit", metavar="SKOLENHETSKOD")
        where.add_argument(
            "--organiser",
            nargs="?",
            const="",
            metavar="CODE",
            help="the organiser (its organisationsnummer or kommunkod; needed when the "
            "database holds several)",
        )
        parser.add_argument("--indicator", required=True)
        parser.add_argument("--value", type=float, required=True)
        parser.add_argument("--year", metavar="2024/25", help="only this academic year")

    def handle(self, *args, **options):
        if options["unit"]:
            node = Node.objects.filter(kind=NodeKind.UNIT, code=options["unit"]).first()
            if node is None:
                raise CommandError(f"No school unit with skolenhetskod {options['unit']!r}.")
        else:
            try:
                node = organiser_chosen(options["organiser"])
            except ValueError as error:
                raise CommandError(str(error)) from None
        year = None
        if options["year"]:
            year = AcademicYear.objects.filter(code=options["year"]).first()
            if year is None:
                raise CommandError(f"No academic year {options['year']!r}.")
        try:
            target = target_set(
                node=node,
                indicator=options["indicator"],
                value=options["value"],
                academic_year=year,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{node.name}: target {target.indicator} = {target.value:g}")
