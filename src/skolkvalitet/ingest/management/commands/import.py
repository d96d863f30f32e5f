"""`skolkvalitet import KIND FILE`: import a file; `import list` and `import rollback ID`.

Kinds: the pupil-data files of ingest/files/kinds.py (pupils, grades, assessments, ...),
`units` (Skolenhetsregistret), `skolverket` and `kolada` (reference data). A rejected file
prints every problem as file:line:column: message and exits with status 1; nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.batches.problems import ImportOutcome, ImportRejected
from skolkvalitet.batches.progress import terminal_progress
from skolkvalitet.ingest.files.kinds import FILE_KINDS

OTHER_KINDS = ("units", "skolverket", "kolada")
# Imports that journal what they replaced and created, so that they can be undone as a whole.
ROLLBACK_KINDS = (*FILE_KINDS, "ss12000")


def _date(text: str | None):
    import datetime as dt

    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--snapshot {text}: write the date as 2020-06-01.") from None


class Command(BaseCommand):
    help = "Import a file (KIND FILE), list imports (list) or roll one back (rollback ID)."

    def add_arguments(self, parser):
        kinds = [*FILE_KINDS, *OTHER_KINDS, "list", "rollback", "template", "formats"]
        parser.add_argument("kind", choices=kinds)
        parser.add_argument("file", nargs="?", help="the file to import, or the import's id")
        parser.add_argument("--municipality", help="units: the municipality code, e.g. 0115")
        parser.add_argument("--organiser", help="units: an organiser's organisationsnummer")
        parser.add_argument(
            "--snapshot", help="units: the register's date (2020-06-01) if the file name lacks it"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--xlsx", action="store_true", help="template: XLSX, not CSV")
        parser.add_argument("--output", "-o", help="template: write to this file")

    def handle(self, *args, kind: str, file: str | None, **options):
        if kind == "list":
            return self._list()
        if kind == "formats":
            from skolkvalitet.ingest.files.templates import formats_markdown

            self.stdout.write(formats_markdown(), ending="")
            return
        if kind == "template":
            return self._template(file, options)
        if not file:
            raise CommandError("Name the file to import (or the import's id to roll back).")
        if kind == "rollback":
            return self._rollback(file, options)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            outcome = self._import(kind, path, options)
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{path.name}: not imported ({len(rejected.problems)} problems); "
                "the database is unchanged."
            ) from None
        self._report(path, outcome)

    def _import(self, kind: str, path: Path, options) -> ImportOutcome:
        if kind == "units":
            from skolkvalitet.ingest.register import units_import

            return units_import(
                path,
                municipality=options["municipality"],
                organiser=options["organiser"],
                snapshot=_date(options["snapshot"]),
            )
        if kind == "skolverket":
            from skolkvalitet.reference.imports import skolverket_import

            return skolverket_import(path)
        if kind == "kolada":
            from skolkvalitet.reference.imports import kolada_import

            return kolada_import(path)
        from skolkvalitet.ingest.files.importer import facts_import

        with terminal_progress(self.stderr._out, enabled=not options["no_progress"]) as progress:
            return facts_import(kind, path, progress=progress)

    def _report(self, path: Path, outcome: ImportOutcome) -> None:
        batch = outcome.batch
        assert batch is not None, "a file import has its batch, or the earlier one's"
        if outcome.unchanged:
            self.stdout.write(
                f"{path.name}: already imported {batch.created_at:%Y-%m-%d %H:%M} "
                f"(import {batch.pk}); nothing changed."
            )
            return
        self.stdout.write(f"{path.name}: imported {outcome.rows} rows as import {batch.pk}.")
        for note in outcome.notes:
            self.stdout.write(f"  {note}")

    def _template(self, kind: str | None, options) -> None:
        from skolkvalitet.ingest.files.templates import template_csv, template_xlsx

        if kind not in FILE_KINDS:
            raise CommandError(f"Name a kind of file: {', '.join(FILE_KINDS)}.")
        data = template_xlsx(kind) if options["xlsx"] else template_csv(kind)
        if options["output"]:
            Path(options["output"]).write_bytes(data)
        elif options["xlsx"]:
            raise CommandError("An XLSX template needs --output FILE.")
        else:
            self.stdout.write(data.decode("utf-8-sig"), ending="")

    def _list(self) -> None:
        for batch in ImportBatch.objects.order_by("-created_at")[:50]:
            self.stdout.write(
                f"{batch.pk:>6}  {batch.created_at:%Y-%m-%d %H:%M}  {batch.kind:<14} "
                f"{batch.status:<12} {batch.rows:>9}  {batch.source_name}"
            )

    def _rollback(self, ident: str, options) -> None:
        from skolkvalitet.ingest.writing.rollback import import_rollback

        try:
            batch = ImportBatch.objects.get(pk=int(ident))
        except (ValueError, ImportBatch.DoesNotExist):
            raise CommandError(f"No import with id {ident}.") from None
        if batch.kind not in ROLLBACK_KINDS:
            raise CommandError(
                f"Import {batch.pk} is {batch.kind} data: import a corrected file instead; "
                "only pupil-data imports and SS 12000 syncs are rolled back."
            )
        try:
            with terminal_progress(
                self.stderr._out, enabled=not options["no_progress"]
            ) as progress:
                import_rollback(batch, progress=progress)
        except ImportRejected as rejected:
            raise CommandError(str(rejected)) from None
        self.stdout.write(f"Import {batch.pk} ({batch.source_name}) rolled back.")
