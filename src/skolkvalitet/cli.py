"""The `skolkvalitet` command: Django's management commands under one name.

`skolkvalitet demo`, `skolkvalitet migrate`, `skolkvalitet runserver`,
`skolkvalitet check --deploy` and every other management command.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skolkvalitet.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["skolkvalitet", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
