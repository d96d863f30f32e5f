"""`skolkvalitet keys create`: the embedded default's two key files (config/keys.py)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from skolkvalitet.config.keys import Created, keys_create

SAID = {
    Created.CREATED: "{path}: created (readable by its owner only).",
    Created.KEPT: "{path}: there already, kept (a key is never replaced).",
    Created.ENVIRONMENT: "{variable} is set in the environment: no file written.",
}


class Command(BaseCommand):
    help = (
        "Create the secret key and the pseudonym key under the var directory "
        "(SKOLKVALITET_VAR_DIR, ./var), each unless the environment sets it or its file is "
        "there. Run once per installation that keeps its keys in files; never replaced."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create"])

    def handle(self, *args, action: str, **options):
        var_dir = Path(settings.VAR_DIR)
        for key, outcome in keys_create(var_dir).items():
            self.stdout.write(
                SAID[outcome].format(path=var_dir / key.file_name, variable=key.environment)
            )
