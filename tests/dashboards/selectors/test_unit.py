"""The unit page's selector (dashboards/selectors/unit.py), on the hand-computed facts of
tests/indicators/test_materialise.py."""

from __future__ import annotations

import pytest
from tests.indicators.test_materialise import facts, materialised  # noqa: F401

from skolkvalitet.organisation.scopes import scope_for

pytestmark = pytest.mark.django_db


def test_final_grades_against_tests_are_year_9s_not_mixed_with_year_6(materialised, users):  # noqa: F811
    """Four year-9 pupils whose final grade in MA (C) is higher than their test grade (E) and
    four year-6 pupils whose term grade (E) is lower than their test (C), at Norrskolan. The
    unit page's "final grade compared with the test grade" is year 9's: 100 % higher; mixed
    with year 6 it would say 50 % higher and 50 % lower."""
    from skolkvalitet.dashboards.selectors.unit import unit_page
    from skolkvalitet.indicators.materialise import indicators_materialise
    from skolkvalitet.results.models import Grade, NationalTest, Subject

    org = materialised.org
    maths = Subject.objects.get(code="MA")
    common = {"unit": org.unit_n1, "term": materialised.vt, "subject": maths}
    common["batch"] = materialised.batch
    for i in range(4):
        nine, six = 9400 + i, 9500 + i
        Grade.objects.create(pupil_id=nine, year_group=9, value="C", grade_type="final", **common)
        NationalTest.objects.create(pupil_id=nine, year_group=9, value="E", scale="grade", **common)
        Grade.objects.create(pupil_id=six, year_group=6, value="E", grade_type="term", **common)
        NationalTest.objects.create(pupil_id=six, year_group=6, value="C", scale="grade", **common)
    indicators_materialise()
    page = unit_page(scope_for(users.organiser_admin), org.unit_n1)
    shown = {row.indicator.key: row.shown_values[0] for row in page.tests}
    assert shown["test_vs_grade_higher_MA"] == 100.0
    assert shown["test_vs_grade_lower_MA"] == 0.0
    assert {row.breakdown for row in page.tests} == {"year_group=9"}
