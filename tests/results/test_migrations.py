"""results/migrations/0007_absence_periods.py: absence stored per term before becomes one
period per row, from its term's first to its last day, with its minutes untouched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from tests.migration_steps import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("results", "0006_batch_moved")]
AFTER = [("results", "0007_absence_periods")]


def test_each_term_row_becomes_the_period_of_its_term():
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO organisation_academicyear (code, start_date, end_date) "
                "VALUES ('2024/25', '2024-08-15', '2025-06-14')"
            )
            cursor.execute("SELECT id FROM organisation_academicyear WHERE code = '2024/25'")
            year = cursor.fetchone()[0]
            for kind, first, last in (
                ("HT", "2024-08-19", "2024-12-20"),
                ("VT", "2025-01-08", "2025-06-14"),
            ):
                cursor.execute(
                    "INSERT INTO organisation_term (academic_year_id, kind, start_date, end_date) "
                    "VALUES (%s, %s, %s, %s)",
                    [year, kind, first, last],
                )
            cursor.execute("SELECT kind, id FROM organisation_term")
            terms = dict(cursor.fetchall())
            for term, absent in ((terms["HT"], 3240), (terms["VT"], 120)):
                cursor.execute(
                    "INSERT INTO results_absence (pupil_id, unit_id, term_id, year_group, "
                    "scheduled_minutes, absent_minutes, unexcused_minutes, batch_id) "
                    "VALUES (1, 1, %s, 9, 21600, %s, 60, 1)",
                    [term, absent],
                )
        migrate(AFTER)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term_id, starts_on, ends_on, scheduled_minutes, absent_minutes, "
                "unexcused_minutes FROM results_absence ORDER BY starts_on"
            )
            rows = [
                (t, dt.date.fromisoformat(str(a)), dt.date.fromisoformat(str(b)), *m)
                for t, a, b, *m in cursor.fetchall()
            ]
        assert rows == [
            (terms["HT"], dt.date(2024, 8, 19), dt.date(2024, 12, 20), 21600, 3240, 60),
            (terms["VT"], dt.date(2025, 1, 8), dt.date(2025, 6, 14), 21600, 120, 60),
        ]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM results_absence")
        migrate_to_latest()


def test_backwards_the_periods_of_a_term_become_one_row_of_their_sums():
    """Undone (e.g. restoring an older backup's code), September and October of a pupil's
    autumn term at a unit become one term row: 600 + 1 500 of 6 000 + 6 000 minutes."""
    migrate(AFTER)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO organisation_academicyear (code, start_date, end_date) "
                "VALUES ('2024/25', '2024-08-15', '2025-06-14')"
            )
            cursor.execute("SELECT id FROM organisation_academicyear WHERE code = '2024/25'")
            year = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO organisation_term (academic_year_id, kind, start_date, end_date) "
                "VALUES (%s, 'HT', '2024-08-19', '2024-12-20')",
                [year],
            )
            cursor.execute("SELECT id FROM organisation_term")
            term = cursor.fetchone()[0]
            for first, last, absent, unexcused in (
                ("2024-09-01", "2024-09-30", 600, 0),
                ("2024-10-01", "2024-10-31", 1500, 600),
            ):
                cursor.execute(
                    "INSERT INTO results_absence (pupil_id, unit_id, term_id, year_group, "
                    "starts_on, ends_on, scheduled_minutes, absent_minutes, unexcused_minutes, "
                    "batch_id) VALUES (1, 1, %s, 9, %s, %s, 6000, %s, %s, 1)",
                    [term, first, last, absent, unexcused],
                )
        migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term_id, scheduled_minutes, absent_minutes, unexcused_minutes "
                "FROM results_absence"
            )
            assert cursor.fetchall() == [(term, 12000, 2100, 600)]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM results_absence")
        migrate_to_latest()
