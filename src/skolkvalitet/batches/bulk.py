"""Fast bulk insertion of fact rows: COPY on PostgreSQL, executemany on SQLite.

Used by the write functions (imports, the demo builder) inside their transaction; it does
no validation of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection


def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert `rows` (tuples in the order of `columns`) into `table`; returns the count."""
    quoted_table = connection.ops.quote_name(table)
    quoted_columns = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {quoted_table} ({quoted_columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {quoted_table} ({quoted_columns}) VALUES ({placeholders})"
            batch: list[Sequence] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= 50_000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


def bulk_insert_frame(table: str, frame) -> int:
    """Insert a Polars frame whose columns are named as the table's. On PostgreSQL the frame
    is written as CSV straight into COPY (no Python loop over rows)."""
    if connection.vendor != "postgresql":
        return bulk_insert(table, frame.columns, frame.iter_rows())
    import io

    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, null_value="\\N")
    quoted_table = connection.ops.quote_name(table)
    quoted_columns = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
    with connection.cursor() as cursor:
        sql = f"COPY {quoted_table} ({quoted_columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        with cursor.cursor.copy(sql) as copy:
            copy.write(buffer.getvalue())
    return frame.height
