"""`skolkvalitet indicators`: print materialised indicator values, recompute them, or write
their documentation.

This is an operator's tool on the server: it prints real values with their suppression marker
and is not bound to a user's scope.
"""

from __future__ import annotations

import csv
import io
import json

from django.core.management.base import BaseCommand, CommandError

from skolkvalitet.indicators.docs import indicators_markdown
from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.indicators.registry import BREAKDOWN_DIMENSIONS, REGISTRY
from skolkvalitet.indicators.selectors import indicator_values, period_label, periods_of_year
from skolkvalitet.indicators.turns import materialisation_turn
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.organisation.selectors import organiser_chosen
from skolkvalitet.reference.comparison import BASIS_BY_SLUG, Basis, like_for_like

FIELDS = ("indicator", "node", "period", "breakdown", "value", "n", "suppressed", "marker")
REFERENCE_FIELDS = ("nation", "municipality", "similar")


def _organiser(node: Node) -> Node | None:
    """The organiser at the top of `node`'s branch."""
    return Node.objects.filter(pk=int(node.path.strip("/").split("/")[0])).first()


def _shown(point) -> str:
    """A published value as Skolverket shows it: the number, or its marker."""
    if point.marker:
        return point.marker
    return "" if point.value is None else f"{point.value:.1f}"


class Command(BaseCommand):
    help = "Print indicator values for a unit or the organiser; --materialise recomputes them."

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--unit", metavar="SKOLENHETSKOD")
        where.add_argument(
            "--organiser",
            nargs="?",
            const="",
            metavar="CODE",
            help="the organiser (its code: organisationsnummer or kommunkod; needed when the "
            "database holds several)",
        )
        parser.add_argument("--year", metavar="2024/25")
        parser.add_argument("--term", choices=["HT", "VT"])
        parser.add_argument(
            "--by",
            choices=BREAKDOWN_DIMENSIONS,
            metavar="DIMENSION",
            help=f"one of {', '.join(BREAKDOWN_DIMENSIONS)}",
        )
        parser.add_argument("--indicator", nargs="+", metavar="KEY")
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")
        parser.add_argument(
            "--reference",
            action="store_true",
            help="beside each academic-year figure: the nation's, the municipality's and "
            "similar municipalities' published value (imported reference data), of the same "
            "type of organiser's schools unless --compare-with says otherwise",
        )
        parser.add_argument(
            "--compare-with",
            choices=sorted(BASIS_BY_SLUG),
            help="whose schools the published figures are of (default: like for like with the "
            "organiser: kommunal for a municipality, enskild for an independent organiser)",
        )
        parser.add_argument(
            "--materialise",
            action="store_true",
            help="recompute (the given --year, else every year) first; with --organiser "
            "CODE only that organiser's values (the others' stay as they are)",
        )
        parser.add_argument(
            "--doc",
            action="store_true",
            help="print docs/indicators.md generated from the registry",
        )

    def handle(self, *args, **options):
        if options["doc"]:
            self.stdout.write(indicators_markdown(), ending="")
            return
        year = self._year(options["year"])
        if options["materialise"]:
            # With --organiser (and no --unit): that organiser's values only.
            organiser = None
            if options["organiser"] is not None and not options["unit"]:
                organiser = self._node(None, options["organiser"])
            # In turn with the recomputations after imports and rollbacks (turns.py).
            with materialisation_turn():
                result = indicators_materialise(
                    years=[year.pk] if year else None, organiser=organiser
                )
            self.stderr.write(f"{result.rows} values in {result.seconds:.1f} s")
            if not options["unit"] and (options["organiser"] is None or year is None):
                return
        if not options["unit"] and options["organiser"] is None:
            raise CommandError("Give --unit SKOLENHETSKOD or --organiser.")
        if year is None:
            raise CommandError("Give --year, e.g. --year 2024/25.")
        for key in options["indicator"] or ():
            if key not in REGISTRY:
                raise CommandError(f"Unknown indicator {key!r}.")
        node = self._node(options["unit"], options["organiser"])
        values = indicator_values(
            nodes=[node],
            periods=periods_of_year(year, term=options["term"]),
            indicators=options["indicator"],
            breakdown_dimension=options["by"],
        )
        labels: dict[tuple[str, int], str] = {}
        rows = []
        for v in values:
            key = (v.period_kind, v.period_id)
            if key not in labels:
                labels[key] = period_label(*key)
            rows.append(
                {
                    "indicator": v.indicator,
                    "node": v.node.code or v.node.name,
                    "period": labels[key],
                    "breakdown": v.breakdown,
                    "value": None if v.value is None else round(v.value, 2),
                    "n": v.n,
                    "suppressed": bool(v.suppression),
                    "marker": v.suppression,
                }
            )
        basis = None
        if options["reference"]:
            organiser = _organiser(node)
            basis = self._basis(organiser, options["compare_with"])
            self._add_reference(rows, node, organiser, year, basis)
        self._write(rows, options["format"], basis)

    def _basis(self, organiser: Node | None, chosen: str | None) -> Basis:
        if chosen:
            return BASIS_BY_SLUG[chosen]
        return like_for_like(
            organiser.organiser_type if organiser else "",
            municipality_code=organiser.municipality_code if organiser else "",
        )

    def _add_reference(
        self,
        rows: list[dict],
        node: Node,
        organiser: Node | None,
        year: AcademicYear,
        basis: Basis,
    ) -> None:
        """Reference values of schools of `basis` beside the academic year's figures: those
        published for the row's breakdown, or the breakdown the published figure is comparable
        to (e.g. year_group=9). The source of each is named."""
        from skolkvalitet.reference.selectors import comparisons_for_indicator

        municipality = node.municipality_code or (organiser.municipality_code if organiser else "")
        cache: dict[str, dict] = {}
        for row in rows:
            if row["period"] != year.code:
                continue
            key = row["indicator"]
            if key not in cache:
                cache[key] = comparisons_for_indicator(
                    indicator_key=key,
                    municipality_code=municipality,
                    period=year.code,
                    basis=basis,
                )
            comparison = cache[key].get(row["breakdown"])
            row["reference_basis"] = str(basis)
            for area in REFERENCE_FIELDS:
                point = comparison.point(area) if comparison else None
                row[area] = _shown(point) if point else None
                row[f"{area}_source"] = point.source if point else None

    def _year(self, code: str | None) -> AcademicYear | None:
        if code is None:
            return None
        try:
            return AcademicYear.objects.get(code=code)
        except AcademicYear.DoesNotExist:
            raise CommandError(f"No academic year {code!r} (write it as 2024/25).") from None

    def _node(self, unit_code: str | None, organiser_code: str | None) -> Node:
        if unit_code:
            node = Node.objects.filter(kind=NodeKind.UNIT, code=unit_code).first()
            if node is None:
                raise CommandError(f"No school unit with skolenhetskod {unit_code!r}.")
            return node
        try:
            return organiser_chosen(organiser_code or "")
        except ValueError as error:
            raise CommandError(str(error)) from None

    def _write(self, rows: list[dict], fmt: str, basis: Basis | None) -> None:
        if fmt == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
        elif fmt == "csv":
            buffer = io.StringIO()
            reference = [
                field
                for area in REFERENCE_FIELDS
                for field in (area, f"{area}_source")
                if any(area in r for r in rows)
            ]
            if reference:
                reference.insert(0, "reference_basis")
            writer = csv.DictWriter(
                buffer, fieldnames=[*FIELDS, *reference], restval="", lineterminator="\n"
            )
            writer.writeheader()
            writer.writerows(rows)
            self.stdout.write(buffer.getvalue(), ending="")
        else:
            with_reference = any("nation" in r for r in rows)
            extra = f" {'nation':>8} {'municip.':>8} {'similar':>8}" if with_reference else ""
            if with_reference and basis is not None:
                self.stdout.write(
                    f"Published figures: schools of type {basis} ({basis.slug}); source per "
                    "value in --format json or csv."
                )
            self.stdout.write(
                f"{'indicator':<36} {'period':<22} {'breakdown':<24} {'value':>9} {'n':>6}" + extra
            )
            for r in rows:
                shown = "" if r["value"] is None else f"{r['value']:.1f}"
                if r["marker"]:
                    shown = f"{shown} {r['marker']}"
                line = (
                    f"{r['indicator']:<36} {r['period']:<22} {r['breakdown'] or '-':<24} "
                    f"{shown:>9} {r['n']:>6}"
                )
                if with_reference:
                    line += "".join(f" {r.get(area) or '':>8}" for area in REFERENCE_FIELDS)
                self.stdout.write(line)
