"""Migrations in tests: take the test database to named migrations (back or forward), as an
upgrade applies a release's migrations to a database full of data."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets: list[tuple[str, str]]) -> None:
    """Migrate the test database to `targets` ([(app, migration name)])."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def migrate_to_latest() -> None:
    """Migrate the test database forward to every app's latest migration."""
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
