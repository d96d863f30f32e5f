"""`skolkvalitet reference --unit SKOLENHETSKOD | --municipality KOD | --nation [--year 2024/25]
[--format json|table]`: print the stored reference values (Skolverket, Kolada) of a school unit,
a municipality or the nation. `--load-nation` stores the nation's published values that ship
with Skolkvalitet (reference/data/). Reference values are public statistics; no user scope
applies.
"""

from __future__ import annotations

import json
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from skolkvalitet.organisation.unit_codes import UNIT_CODE
from skolkvalitet.reference.models import ReferenceValue
from skolkvalitet.reference.selectors import reference_values

PERIOD = re.compile(r"\d{4}(/\d{2})?")


def value_row(value: ReferenceValue) -> dict:
    """One stored value as the command prints it."""
    return {
        "source": value.source,
        "measure": value.measure,
        "area": {"kind": value.area_kind, "code": value.area_code, "name": value.area_name},
        "period": value.period,
        "value": value.value,
        "n": value.n,
        "marker": value.marker,
        "indicator": value.indicator_key,
        "kpi": value.kpi,
        "breakdown": value.breakdown,
        "organiser_type": value.organiser_type,
        "subject": value.subject,
        "dataset": value.dataset,
        "unit": value.unit,
        "note": value.note,
    }


class Command(BaseCommand):
    help = "Print the stored reference values of a school unit or a municipality."

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--unit", metavar="SKOLENHETSKOD")
        where.add_argument("--municipality", metavar="KOD", help="kommunkod, e.g. 0115")
        where.add_argument("--nation", action="store_true", help="the nation (riket)")
        where.add_argument(
            "--load-nation",
            action="store_true",
            help="store the nation's published values that ship with Skolkvalitet",
        )
        parser.add_argument("--year", metavar="2024/25", help="academic (or calendar) year")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, unit, municipality, nation, load_nation, year, format, **options):
        if load_nation:
            from skolkvalitet.reference.imports import nation_import

            outcome = nation_import()
            for note in outcome.notes:
                self.stdout.write(note)
            if outcome.unchanged:
                self.stdout.write(_("The nation's values were already stored; nothing changed."))
            return
        if year and not PERIOD.fullmatch(year):
            raise CommandError(_("Write the year as 2024/25 (or 2024)."))
        if unit and not UNIT_CODE.fullmatch(unit):
            raise CommandError(_("A skolenhetskod has 8 digits."))
        if municipality and not re.fullmatch(r"\d{4}", municipality):
            raise CommandError(_("A kommunkod has 4 digits, e.g. 0115."))
        rows = [
            value_row(value)
            for value in reference_values(
                unit_code=unit, municipality_code=municipality, nation=nation, period=year
            )
        ]
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
        else:
            self._table(rows)
            if nation and not rows:
                self.stdout.write(
                    _(
                        "The nation's published values that ship with Skolkvalitet are stored "
                        "with: skolkvalitet reference --load-nation"
                    )
                )

    def _table(self, rows: list[dict]) -> None:
        if not rows:
            self.stdout.write(_("No reference values stored for that."))
            return
        notes: dict[str, int] = {}
        self.stdout.write(
            f"{'source':<10} {'period':<8} {'organiser':<10} {'breakdown':<9} "
            f"{'value':>12} {'n':>6}  measure"
        )
        for row in rows:
            shown = row["marker"] or ("" if row["value"] is None else f"{row['value']:g}")
            if row["unit"] and shown and not row["marker"]:
                shown = f"{shown} {row['unit']}"
            measure = row["measure"] + (f" [{row['subject']}]" if row["subject"] else "")
            if row["note"]:
                measure += f" [{notes.setdefault(row['note'], len(notes) + 1)}]"
            self.stdout.write(
                f"{row['source']:<10} {row['period']:<8} {row['organiser_type'] or '-':<10} "
                f"{row['breakdown'] or '-':<9} {shown:>12} {row['n'] or '':>6}  {measure}"
            )
        for note, number in notes.items():
            self.stdout.write(f"[{number}] {note}")
