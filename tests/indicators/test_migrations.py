"""indicators/migrations/0007_materialised_period_per_organiser.py: the period records of
before, one per family and period for the whole database, become one per organiser whose
nodes hold the period's values, counted from the values table; taken back, they are one per
family and period again."""

from __future__ import annotations

import pytest
from django.db import connection
from tests.indicators.test_materialise import facts, two_organisers  # noqa: F401
from tests.migration_steps import migrate

from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.indicators.models import IndicatorValue, MaterialisedPeriod

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("indicators", "0006_erased_year_per_organiser")]
AFTER = [("indicators", "0007_materialised_period_per_organiser")]


def test_the_records_of_the_whole_database_become_one_per_organiser(two_organisers):  # noqa: F811
    ns = two_organisers
    indicators_materialise()
    expected = set(
        MaterialisedPeriod.objects.values_list(
            "organiser_id", "family", "period_kind", "period_id", "rows", "data_version"
        )
    )
    # Both organisers have values of the year: one record each for the same period.
    organisers = {organiser for organiser, *_rest in expected}
    assert organisers == {ns.org.organiser.pk, ns.other.pk}
    migrate(BEFORE)  # back: one record per family and period, as the code before kept
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT family, period_kind, period_id, rows, data_version "
                "FROM indicators_materialisedperiod"
            )
            global_records = set(cursor.fetchall())
            cursor.execute(
                "SELECT family, period_kind, period_id, COUNT(*), MAX(data_version) "
                "FROM indicators_indicatorvalue GROUP BY family, period_kind, period_id"
            )
            assert global_records == set(cursor.fetchall())
    finally:
        migrate(AFTER)
    assert IndicatorValue.objects.exists()
    migrated = set(
        MaterialisedPeriod.objects.values_list(
            "organiser_id", "family", "period_kind", "period_id", "rows", "data_version"
        )
    )
    assert migrated == expected
