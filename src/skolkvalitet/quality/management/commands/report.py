"""`skolkvalitet report unit --unit SKOLENHETSKOD --year 2024/25 --format json`: a unit's
quality report as structured data (quality/reports/export.py). PDF and Word documents of the
reports come with the kvalitetsredovisning (issue 13)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from skolkvalitet.organisation.actions import academic_year_parse
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.quality.common_model import SCHOOL_FORMS
from skolkvalitet.quality.reports.export import report_data, school_form_of


class Command(BaseCommand):
    help = "Print a unit's quality report for an academic year (report unit ...)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["unit"])
        parser.add_argument("--unit", required=True, help="the unit's skolenhetskod")
        parser.add_argument("--year", required=True, help="the academic year, e.g. 2024/25")
        parser.add_argument("--format", default="json", choices=["json"])
        parser.add_argument(
            "--school-form",
            choices=sorted(SCHOOL_FORMS),
            help="the template's school form (default: the unit's)",
        )

    def handle(self, *args, what: str, unit: str, year: str, **options):
        node = Node.objects.filter(kind=NodeKind.UNIT, code=unit).first()
        if node is None:
            raise CommandError(f"No school unit with the code {unit}.")
        start = academic_year_parse(year)
        academic_year = (
            AcademicYear.objects.filter(code=f"{start}/{(start + 1) % 100:02d}").first()
            if start is not None
            else None
        )
        if academic_year is None:
            raise CommandError(f"No academic year {year} (write it as 2024/25).")
        school_form = options["school_form"] or school_form_of(node)
        if school_form is None:
            raise CommandError(f"{node.name} has no school form a report template covers.")
        data = report_data(node=node, year=academic_year, school_form=school_form)
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
