"""Every row of every table, to compare a database with itself before and after."""

from __future__ import annotations

from django.db import connection


def tables_snapshot() -> dict[str, list[tuple]]:
    """Each table's rows, sorted (by their text form: columns may hold NULL)."""
    snapshot = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            snapshot[table] = sorted(cursor.fetchall(), key=repr)
    return snapshot


def differences(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    """The tables whose rows differ, with how many rows each side has."""
    return [
        f"{table}: {len(before.get(table, []))} rows before, {len(after.get(table, []))} after"
        for table in sorted(set(before) | set(after))
        if before.get(table) != after.get(table)
    ]
