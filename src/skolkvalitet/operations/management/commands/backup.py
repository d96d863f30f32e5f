"""`skolkvalitet backup --out FILE`: the database in one file (operations/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from skolkvalitet.operations.backup import database_backup
from skolkvalitet.operations.files import BackupError


class Command(BaseCommand):
    help = (
        "Back up the database into a new file, readable by its owner only: SQLite through its "
        "online backup API (safe while the app runs), PostgreSQL through pg_dump "
        "--format=custom. The file holds no key: back up the pseudonym key and the secret key "
        "apart from it (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", required=True, type=Path, help="The backup file to create (never replaced)."
        )

    def handle(self, *args, out: Path, **options):
        try:
            backup = database_backup(out=out)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("%(path)s: a %(kind)s backup of %(size)s bytes, readable by its owner only.")
            % {"path": backup.path, "kind": backup.kind, "size": backup.size}
        )
        self.stdout.write(
            _(
                "It holds pupil data under pseudonyms: keep it encrypted. It does not hold the "
                "pseudonym key or the secret key: back them up apart from it."
            )
        )
