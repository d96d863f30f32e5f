from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """Holds the project-wide system checks (checks.py) and keeps the SQLite database's files
    for their owner (file_modes.py)."""

    name = "skolkvalitet.config"
    label = "config"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from skolkvalitet.config import checks  # noqa: F401  (registers the checks)
        from skolkvalitet.config.file_modes import sqlite_files_private

        connection_created.connect(sqlite_files_private, dispatch_uid="sqlite_files_private")
