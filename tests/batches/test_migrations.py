"""batches/migrations/0002_batch_organiser.py: the imports stored before batches had an
organiser are given the organiser whose units they wrote to; published reference figures
belong to none."""

from __future__ import annotations

import pytest
from django.db import connection
from tests.migration_steps import migrate, migrate_to_latest

from skolkvalitet.organisation import actions
from skolkvalitet.organisation.models import NodeKind, Term
from skolkvalitet.results.models import Subject

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("batches", "0001_initial")]


def batch_insert(cursor, kind: str) -> int:
    cursor.execute(
        "INSERT INTO ingest_importbatch (kind, source_name, file_sha256, rows, created_at, "
        "status) VALUES (%s, %s, '', 0, CURRENT_TIMESTAMP, 'applied')",
        [kind, f"{kind}.csv"],
    )
    cursor.execute("SELECT MAX(id) FROM ingest_importbatch")
    return cursor.fetchone()[0]


def test_stored_batches_get_the_organiser_of_what_they_wrote(org):
    other = actions.node_create(kind=NodeKind.ORGANISER, name="Grannby kommun", code="2120000002")
    other_unit = actions.node_create(
        kind=NodeKind.UNIT, name="Grannskolan", parent=other, code="30000001"
    )
    term = Term.objects.create(
        academic_year=org.year,
        kind="VT",
        start_date=org.year.start_date,
        end_date=org.year.end_date,
    )
    subject = Subject.objects.first()
    assert subject is not None
    pupil = org.pupils["Ida"]
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            grades_b = batch_insert(cursor, "grades")
            cursor.execute(
                "INSERT INTO results_grade (pupil_id, term_id, subject_id, grade_type, unit_id, "
                "year_group, value, language, batch_id) "
                "VALUES (%s, %s, %s, 'final', %s, 9, 'C', '', %s)",
                [pupil.pk, term.pk, subject.pk, other_unit.pk, grades_b],
            )
            register_a = batch_insert(cursor, "units")  # created a unit of organiser A
            cursor.execute(
                'INSERT INTO ingest_importjournal (batch_id, "table", action, columns, rows) '
                "VALUES (%s, 'organisation_node', 'created', '[\"id\"]', %s)",
                [register_a, f"[[{org.unit_s1.pk}]]"],
            )
            published = batch_insert(cursor, "nation")
            empty = batch_insert(cursor, "grades")  # wrote nothing: two organisers, no guess
        migrate([("batches", "0002_batch_organiser")])
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, organiser_id FROM ingest_importbatch")
            organisers = dict(cursor.fetchall())
        assert organisers == {
            grades_b: other.pk,
            register_a: org.organiser.pk,
            published: None,
            empty: None,
        }
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM results_grade")
            cursor.execute("DELETE FROM ingest_importjournal")
            cursor.execute("DELETE FROM ingest_importbatch")
        migrate_to_latest()
