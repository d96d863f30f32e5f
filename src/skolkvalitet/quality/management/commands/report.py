"""The quality reports from the command line:

- `skolkvalitet report unit --unit SKOLENHETSKOD --year 2024/25 --format json`: a unit's
  quality report as structured data (quality/reports/export.py);
- `... --format pdf|docx --out FILE`: the unit's kvalitetsrapport as a document for the board
  (quality/documents/unit_report.py);
- `skolkvalitet report annual --year 2024/25 --format pdf|docx --out FILE [--organiser CODE]`:
  the organiser's kvalitetsredovisning (quality/documents/annual_report.py).

A document passes the publication check before it is written; a refusal names every problem
and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from skolkvalitet.organisation.actions import academic_year_parse
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.publishing.documents.check import PublicationRefused
from skolkvalitet.quality.common_model import SCHOOL_FORMS
from skolkvalitet.quality.documents.produce import Format, document_bytes
from skolkvalitet.quality.reports.export import report_data, report_find, school_form_of


class Command(BaseCommand):
    help = "A unit's quality report (report unit ...) or the annual report (report annual ...)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["unit", "annual"])
        parser.add_argument("--unit", help="the unit's skolenhetskod (report unit)")
        parser.add_argument("--organiser", help="the organiser's code, when there are several")
        parser.add_argument("--year", required=True, help="the academic year, e.g. 2024/25")
        parser.add_argument("--format", default="json", choices=["json", "pdf", "docx"])
        parser.add_argument("--out", help="the file to write (pdf and docx)")
        parser.add_argument(
            "--school-form",
            choices=sorted(SCHOOL_FORMS),
            help="the template's school form (default: the unit's)",
        )

    def handle(self, *args, what: str, year: str, **options):
        academic_year = _year(year)
        fmt = options["format"]
        if fmt != "json" and not options["out"]:
            raise CommandError(f"--out FILE is needed for --format {fmt}.")
        if what == "annual":
            if fmt == "json":
                raise CommandError("The annual report is a document: use --format pdf or docx.")
            from skolkvalitet.quality.documents.annual_report import annual_report_document

            document = annual_report_document(_organiser(options["organiser"]), academic_year)
        else:
            if not options["unit"]:
                raise CommandError("report unit needs --unit SKOLENHETSKOD.")
            node = Node.objects.filter(kind=NodeKind.UNIT, code=options["unit"]).first()
            if node is None:
                raise CommandError(f"No school unit with the code {options['unit']}.")
            school_form = options["school_form"] or school_form_of(node)
            if school_form is None:
                raise CommandError(f"{node.name} has no school form a report template covers.")
            if fmt == "json":
                as_data = report_data(node=node, year=academic_year, school_form=school_form)
                self.stdout.write(json.dumps(as_data, ensure_ascii=False, indent=2))
                return
            report = report_find(node=node, year=academic_year, school_form=school_form)
            if report is None:
                raise CommandError(
                    f"{node.name} has not started its quality report for {academic_year.code}."
                )
            from skolkvalitet.quality.documents.unit_report import unit_report_document

            document = unit_report_document(report)
        try:
            data = document_bytes(document, Format(fmt))
        except PublicationRefused as refused:
            problems = "\n".join(f"  {p}" for p in refused.problems)
            raise CommandError(f"The document breaks the publication rules:\n{problems}") from None
        out = Path(options["out"])
        out.write_bytes(data)
        self.stdout.write(f"{out} ({len(data) // 1024} KiB)")


def _year(text: str) -> AcademicYear:
    start = academic_year_parse(text)
    found = (
        AcademicYear.objects.filter(code=f"{start}/{(start + 1) % 100:02d}").first()
        if start is not None
        else None
    )
    if found is None:
        raise CommandError(f"No academic year {text} (write it as 2024/25).")
    return found


def _organiser(code: str | None) -> Node:
    organisers = Node.objects.filter(kind=NodeKind.ORGANISER, parent__isnull=True)
    if code:
        found = organisers.filter(code=code).first()
        if found is None:
            raise CommandError(f"No organiser with the code {code}.")
        return found
    choices = list(organisers[:2])
    if len(choices) != 1:
        raise CommandError("Name the organiser with --organiser CODE.")
    return choices[0]
