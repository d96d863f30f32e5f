"""`skolkvalitet keys create`: the embedded default's two key files (config/keys.py).
`skolkvalitet keys rotate-pseudonym`: every stored pseudonym under a new pseudonym key
(operations/rotation/actions.py; docs/security.md, "Rotating the pseudonym key")."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from skolkvalitet.config.keys import PSEUDONYM_KEY, Created, keys_create
from skolkvalitet.operations.rotation.actions import (
    RotationOutcome,
    RotationRefused,
    pseudonyms_rotate,
)
from skolkvalitet.operations.rotation.numbers import numbers_read

SAID = {
    Created.CREATED: "{path}: created (readable by its owner only).",
    Created.KEPT: "{path}: there already, kept (a key is never replaced).",
    Created.ENVIRONMENT: "{variable} is set in the environment: no file written.",
}


def new_key_read_or_create(path: Path) -> str:
    """The key in `path`; a new random one (48 bytes, URL-safe) written there, 0600, if the
    file does not exist."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w") as file:
        file.write(key)
    return key


def key_file_replace(path: Path, key: str) -> None:
    """Write `key` to `path` in one step (a 0600 file beside it, renamed over it)."""
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.new")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(key)
    os.replace(partial, path)


class Command(BaseCommand):
    help = (
        "create: the secret key and the pseudonym key under the var directory "
        "(SKOLKVALITET_VAR_DIR, ./var), each unless the environment sets it or its file is "
        "there; run once, never replaced. rotate-pseudonym: re-key every stored pseudonym "
        "with a new pseudonym key, given the personnummer of the people stored "
        "(docs/security.md); stop the app and imports first."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "rotate-pseudonym"])
        parser.add_argument(
            "--numbers",
            type=Path,
            help="rotate-pseudonym: a file of the personnummer of the people stored (one a "
            "line, or a column headed personnummer).",
        )
        parser.add_argument(
            "--new-key-file",
            type=Path,
            help="rotate-pseudonym: the file holding the new key; created with a random key "
            "(readable by its owner only) if it does not exist.",
        )
        parser.add_argument(
            "--unlink-unmatched",
            action="store_true",
            help="rotate-pseudonym: unlink the people whose number the file lacks (their "
            "history stays; the next import does not find them).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="rotate-pseudonym: count; change nothing."
        )

    def handle(self, *args, action: str, **options):
        if action == "create":
            self.create()
        else:
            self.rotate(**options)

    def create(self) -> None:
        var_dir = Path(settings.VAR_DIR)
        for key, outcome in keys_create(var_dir).items():
            self.stdout.write(
                SAID[outcome].format(path=var_dir / key.file_name, variable=key.environment)
            )

    def rotate(
        self,
        *,
        numbers: Path | None,
        new_key_file: Path | None,
        unlink_unmatched: bool,
        dry_run: bool,
        **options,
    ) -> None:
        if numbers is None or new_key_file is None:
            raise CommandError(_("rotate-pseudonym needs --numbers FILE and --new-key-file FILE."))
        if not settings.PSEUDONYM_KEY:
            raise CommandError(_("There is no pseudonym key to rotate."))
        valid, bad = numbers_read(numbers)
        if bad:
            raise CommandError(
                _("%(file)s: no valid personnummer on line %(lines)s.")
                % {"file": numbers, "lines": ", ".join(map(str, bad[:20]))}
            )
        new_key = new_key_read_or_create(new_key_file)
        try:
            outcome = pseudonyms_rotate(
                numbers=valid,
                old_key=settings.PSEUDONYM_KEY,
                new_key=new_key,
                unlink_unmatched=unlink_unmatched,
                dry_run=dry_run,
            )
        except RotationRefused as refused:
            self.report(refused.outcome)
            raise CommandError(str(refused)) from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.report(outcome)
        if dry_run:
            return
        if settings.PSEUDONYM_KEY_FROM_FILE:
            key_file = Path(settings.VAR_DIR) / PSEUDONYM_KEY.file_name
            key_file_replace(key_file, new_key)
            self.stdout.write(
                _("%(path)s now holds the new key; keep a copy of it in the secret store.")
                % {"path": key_file}
            )
        else:
            self.stdout.write(
                _(
                    "Set %(variable)s to the new key (in %(path)s) before the app or an import "
                    "runs again: under the old key an import would not find anyone."
                )
                % {"variable": PSEUDONYM_KEY.environment, "path": new_key_file}
            )
        self.stdout.write(_("Destroy every copy of the old key."))

    def report(self, outcome: RotationOutcome) -> None:
        for table, rows in outcome.rekeyed.items():
            self.stdout.write(
                _("%(table)s: %(rekeyed)s re-keyed, %(unmatched)s without a number given.")
                % {"table": table, "rekeyed": rows, "unmatched": outcome.unmatched[table]}
            )
