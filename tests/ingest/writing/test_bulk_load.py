"""Large loads: a load at least as large as what its table holds is written with the table's
secondary indexes dropped and rebuilt once after it, exactly as they were; a smaller one
keeps them; statistics are refreshed after a load."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.ingest.writing import bulk_load
from skolkvalitet.ingest.writing.bulk_load import (
    indexes_deferred,
    secondary_indexes,
    table_analyze,
    table_holds_more_than,
    unique_constraints,
)
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.organisation.models import AcademicYear, Enrolment
from skolkvalitet.results.models import Grade

pytestmark = pytest.mark.django_db

HEADER = "personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp"


def grades_file(pupils: int, first: int = 0) -> bytes:
    rows = [HEADER]
    for index in range(first, first + pupils):
        number = make_personal_number(dt.date(2010, 1, 1) + dt.timedelta(index), 100 + index)
        for subject, grade in (("SV", "A"), ("EN", "C"), ("MA", "E")):
            rows.append(f"{number};20000002;2024/25;VT;9;{subject};{grade};slutbetyg")
    return ("\n".join(rows) + "\n").encode()


def test_the_grades_table_keeps_only_the_indexes_queries_use():
    indexes = {
        definition.split(" ON ")[1] for _name, definition in secondary_indexes("results_grade")
    }
    assert len(indexes) == 3, indexes  # (term, unit), the final grades' index, the batch


def test_a_large_load_into_an_empty_table_rebuilds_the_indexes_exactly(org, monkeypatch):
    monkeypatch.setattr(bulk_load, "DEFER_INDEXES_MIN_ROWS", 10)
    before = secondary_indexes("results_grade")
    constraints = unique_constraints("results_grade")
    dropped = []
    real = indexes_deferred

    def watching(table, rows):
        manager = real(table, rows)

        class Watch:
            def __enter__(self):
                deferred = manager.__enter__()
                dropped.append((table, deferred, secondary_indexes(table)))
                return deferred

            def __exit__(self, *exc):
                return manager.__exit__(*exc)

        return Watch()

    monkeypatch.setattr("skolkvalitet.ingest.writing.writer.indexes_deferred", watching)
    outcome = facts_import_bytes("grades", grades_file(20), "betyg.csv", materialise=False)
    assert outcome.rows == 60
    assert Grade.objects.count() == 60
    assert ("results_grade", True, []) in dropped  # no secondary index while loading
    assert secondary_indexes("results_grade") == before
    assert unique_constraints("results_grade") == constraints


def test_on_postgresql_a_large_load_checks_the_unique_key_once_after_it(org, monkeypatch):
    monkeypatch.setattr(bulk_load, "DEFER_INDEXES_MIN_ROWS", 10)
    constraints = unique_constraints("results_grade")
    if connection.vendor != "postgresql":
        assert constraints == []  # SQLite's UNIQUE clause stays and checks each row
        return
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        indexes_deferred("results_grade", 100) as deferred,
        connection.cursor() as cursor,
    ):
        assert deferred and unique_constraints("results_grade") == []
        cursor.execute(
            "INSERT INTO results_grade (pupil_id, term_id, subject_id, grade_type, unit_id, "
            "year_group, value, language, batch_id) VALUES "
            "(1, 1, 1, 'final', 1, 9, 'A', '', 1), (1, 1, 1, 'final', 1, 9, 'B', '', 1)"
        )
    assert unique_constraints("results_grade") == constraints


def _next_year_enrolments(org) -> list[Enrolment]:
    """Every enrolment of `org` again, a year later (a new academic year)."""
    later = AcademicYear.objects.create(
        code="2025/26", start_date=dt.date(2025, 8, 18), end_date=dt.date(2026, 6, 12)
    )
    return [
        Enrolment(
            pupil=e.pupil,
            academic_year=later,
            unit=e.unit,
            group=None,
            school_form=e.school_form,
            year_group=e.year_group,
        )
        for e in Enrolment.objects.all()
    ]


def test_a_large_load_into_a_table_with_foreign_keys_rebuilds_its_indexes(org, monkeypatch):
    # Enrolments have foreign keys, which Django has PostgreSQL check at commit: after the
    # load their checks would still be pending, and PostgreSQL refuses to alter a table with
    # pending trigger events (the demo at scale 13 failed so). The load makes them immediate.
    monkeypatch.setattr(bulk_load, "DEFER_INDEXES_MIN_ROWS", 2)
    table = "organisation_enrolment"
    before = secondary_indexes(table), unique_constraints(table)
    stored = Enrolment.objects.count()
    rows = _next_year_enrolments(org)
    with transaction.atomic(), indexes_deferred(table, len(rows)) as deferred:
        assert deferred
        Enrolment.objects.bulk_create(rows)
    assert Enrolment.objects.count() == 2 * stored
    assert (secondary_indexes(table), unique_constraints(table)) == before


def test_a_large_load_with_a_reference_to_nothing_fails_and_changes_nothing(org, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite checks foreign keys at the outermost commit; no indexes are altered")
    monkeypatch.setattr(bulk_load, "DEFER_INDEXES_MIN_ROWS", 2)
    table = "organisation_enrolment"
    before = secondary_indexes(table), unique_constraints(table)
    stored = Enrolment.objects.count()
    rows = _next_year_enrolments(org)
    rows[0].unit_id = 999_999  # no such unit
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        indexes_deferred(table, len(rows)) as deferred,
    ):
        assert deferred
        Enrolment.objects.bulk_create(rows)
    assert Enrolment.objects.count() == stored
    assert (secondary_indexes(table), unique_constraints(table)) == before


def test_a_small_load_into_a_larger_table_keeps_the_indexes(org, monkeypatch):
    monkeypatch.setattr(bulk_load, "DEFER_INDEXES_MIN_ROWS", 10)
    facts_import_bytes("grades", grades_file(20), "first.csv", materialise=False)
    before = secondary_indexes("results_grade")
    with transaction.atomic(), indexes_deferred("results_grade", 30) as deferred:
        assert not deferred  # 60 rows stored, 30 coming
        assert secondary_indexes("results_grade") == before


def test_a_failed_load_leaves_the_indexes_as_they_were(org, monkeypatch):
    monkeypatch.setattr(bulk_load, "DEFER_INDEXES_MIN_ROWS", 10)
    before = secondary_indexes("results_grade")
    with (
        pytest.raises(RuntimeError),
        transaction.atomic(),
        indexes_deferred("results_grade", 100) as deferred,
    ):
        assert deferred
        assert secondary_indexes("results_grade") == []
        raise RuntimeError("the load failed")
    assert secondary_indexes("results_grade") == before


def test_below_the_threshold_nothing_is_dropped(org):
    before = secondary_indexes("results_grade")
    with transaction.atomic(), indexes_deferred("results_grade", 100) as deferred:
        assert not deferred
        assert secondary_indexes("results_grade") == before


def test_how_many_rows_a_table_holds_is_read_no_further_than_asked(org):
    facts_import_bytes("grades", grades_file(2), "betyg.csv", materialise=False)
    assert table_holds_more_than("results_grade", 5)  # 6 rows
    assert not table_holds_more_than("results_grade", 6)


def test_statistics_are_refreshed_after_a_load_on_postgresql(org):
    facts_import_bytes("grades", grades_file(5), "betyg.csv", materialise=False)
    analysed = table_analyze("results_grade", 15)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # No sqlite_stat1: a table of its own that backups and restores would meet.
            assert not analysed
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")
            assert cursor.fetchone()[0] == 0
        else:
            assert analysed
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'results_grade'")
            assert cursor.fetchone()[0] == 15
