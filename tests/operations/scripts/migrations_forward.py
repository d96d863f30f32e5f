"""Run by tests/operations/test_migrations_forward.py in a process of its own, on the SQLite
database of DATABASE_URL: `build` migrates and builds a small demo there; `check` takes each
app's latest migration back and applies every migration forward again, checks that the models
need no new migration, recomputes the indicators and prints, as JSON, what it did and the
figures before and after."""

from __future__ import annotations

import io
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skolkvalitet.config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.loader import MigrationLoader  # noqa: E402

# Each app's latest migration is taken back and applied again. Not results: its 0007 turned
# each term's absence row into periods, and the demo stores several periods (months) a term,
# which cannot go back into one row per term (its unique constraint fails): forward only.
APPS = ("organisation", "batches", "ingest", "indicators", "reference", "quality")


def figures() -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indicator, i.node_id, i.period_kind, i.period_id, i.breakdown, i.value, "
            "i.n, i.suppression FROM indicators_indicatorvalue i"
        )
        return sorted(cursor.fetchall(), key=repr)


def counts() -> dict[str, int]:
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            result[table] = cursor.fetchone()[0]
    return result


def build(scale: float) -> None:
    from skolkvalitet.demo.builder import demo_build

    call_command("migrate", verbosity=0)
    demo_build(scale=scale)


def check() -> dict:
    from skolkvalitet.indicators.materialise import indicators_materialise

    before = {"figures": figures(), "counts": counts()}
    loader = MigrationLoader(connection)
    stepped = []
    for app in APPS:
        (leaf,) = [node for node in loader.graph.leaf_nodes() if node[0] == app]
        parents = [p.key for p in loader.graph.node_map[leaf].parents if p.key[0] == app]
        migration = loader.disk_migrations[leaf]
        # Only a leaf no other app's migration depends on: taking it back takes nothing else.
        dependents = loader.graph.node_map[leaf].children
        if parents and not dependents and all(op.reversible for op in migration.operations):
            call_command("migrate", app, parents[0][1], verbosity=0)
            stepped.append(f"{app}.{leaf[1]}")
    call_command("migrate", verbosity=0)
    moved = {"figures": figures(), "counts": counts()}
    output = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=output)
        models_match = True
    except SystemExit:
        models_match = False
    indicators_materialise()
    return {
        "stepped": stepped,
        "models_match": models_match,
        "before": before,
        "after_migrations": moved,
        "recomputed": figures(),
    }


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(float(sys.argv[2]))
    else:
        json.dump(check(), sys.stdout, default=str)
