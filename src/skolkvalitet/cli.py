"""The `skolkvalitet` command: Django's management commands under one name.

`skolkvalitet demo`, `skolkvalitet migrate`, `skolkvalitet runserver`,
`skolkvalitet check --deploy` and every other management command.
"""

from __future__ import annotations

import os
import sys

from skolkvalitet import PRIVATE_UMASK


def main(argv: list[str] | None = None) -> None:
    os.umask(PRIVATE_UMASK)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skolkvalitet.config.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    if not os.environ.get("DATABASE_URL"):
        # The embedded default keeps its SQLite database in the var directory: the command
        # creates it (owner only), so that `skolkvalitet migrate` works on a fresh checkout.
        # Importing the settings writes nothing.
        settings.VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)

    execute_from_command_line(["skolkvalitet", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
