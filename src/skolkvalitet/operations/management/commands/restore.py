"""`skolkvalitet restore FILE`: the database from a backup (operations/restore.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from skolkvalitet.operations.files import BackupError
from skolkvalitet.operations.restore import database_restore
from skolkvalitet.organisation.page_versions import pages_changed


class Command(BaseCommand):
    help = (
        "Restore the database from a file made by `skolkvalitet backup`, then migrate it "
        "forward if the backup is older than the code. Stop the app first. A database that "
        "holds data is replaced only with --force."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup file.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that holds data (everything in it is lost).",
        )

    def handle(self, *args, file: Path, force: bool, **options):
        try:
            restored = database_restore(path=file, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        pages_changed()  # the page cache holds pages of the data before (page_versions.py)
        self.stdout.write(_("Restored from %(path)s.") % {"path": file})
        if restored.migrated:
            self.stdout.write(
                _("The backup was older than the code; migrated forward: %(migrations)s.")
                % {"migrations": ", ".join(restored.migrated)}
            )
