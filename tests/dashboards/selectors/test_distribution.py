"""The unit page's grade distribution (dashboards/selectors/distribution.py), on the
hand-computed facts of tests/indicators/test_materialise.py.

Final grades at unit_n1 (Norrskolan), year 9, VT2025:
    SV: Alva A, Bella C, Cesar E, David F, Elsa B  → A, B, C, E, F 20 % each
    MA: Alva C, Bella E, Cesar F, David F, Elsa B  → B 20 %, C 20 %, E 20 %, F 40 %
"""

from __future__ import annotations

import pytest
from tests.indicators.test_materialise import facts, materialised  # noqa: F401

from skolkvalitet.dashboards.selectors.distribution import grade_distribution
from skolkvalitet.organisation.scopes import scope_for

pytestmark = pytest.mark.django_db


def test_the_grade_distribution_counts_the_units_final_grades(materialised, users):  # noqa: F811
    org = materialised.org
    scope = scope_for(users.unit_head)
    found = {d.subject: d for d in grade_distribution(scope, org.unit_n1, org.year)}
    assert list(found) == ["SV", "EN", "MA", "M1"]  # the registry's subject order
    assert found["SV"].n == 5
    assert found["SV"].shares == {
        "A": 20.0, "B": 20.0, "C": 20.0, "D": 0.0, "E": 20.0, "F": 20.0, "-": 0.0
    }  # fmt: skip
    assert found["MA"].shares["F"] == 40.0 and found["MA"].passed == 60.0
    assert found["M1"].n == 1  # Alva's språkval


def test_the_distribution_counts_the_leaving_certificate_as_the_indicators_do(
    materialised,  # noqa: F811
    users,
):
    """Two pupils more, graded at unit_n1 in year 9: one with SV E and SVA C in the same
    term (SVA counts: skolförordningen 5 kap. 15 §), one who ended hem- och
    konsumentkunskap with A in year 8 the year before. SV keeps its five pupils, SVA gets one,
    HKK one: the distribution counts the pupils the share passed of each subject counts."""
    import datetime as dt

    from skolkvalitet.organisation.models import AcademicYear, Term
    from skolkvalitet.results.models import Grade, Subject

    org = materialised.org
    subject = {s.code: s for s in Subject.objects.filter(code__in=["SV", "SVA", "HKK", "MA"])}
    earlier = AcademicYear.objects.create(
        code="2023/24", start_date=dt.date(2023, 7, 1), end_date=dt.date(2024, 6, 30)
    )
    last_spring = Term.objects.create(
        academic_year=earlier, kind="VT", start_date=dt.date(2024, 1, 8),
        end_date=dt.date(2024, 6, 14),
    )  # fmt: skip

    def final(pupil, code, value, *, term=materialised.vt, year_group=9):
        return Grade(pupil_id=pupil, unit=org.unit_n1, term=term, year_group=year_group,
                     subject=subject[code], value=value, grade_type="final",
                     batch=materialised.batch)  # fmt: skip

    Grade.objects.bulk_create(
        [
            final(9101, "SV", "E"),
            final(9101, "SVA", "C"),
            final(9102, "MA", "B"),
            final(9102, "HKK", "A", term=last_spring, year_group=8),
        ]
    )
    found = {
        d.subject: d for d in grade_distribution(scope_for(users.unit_head), org.unit_n1, org.year)
    }
    assert found["SV"].n == 5  # not six: pupil 9101's SV gave way to SVA
    assert (found["SVA"].n, found["SVA"].shares["C"]) == (1, 100.0)
    assert (found["HKK"].n, found["HKK"].shares["A"]) == (1, 100.0)
    assert found["MA"].n == 6


def test_the_board_sees_a_small_units_distribution_hidden(materialised, users):  # noqa: F811
    org = materialised.org
    hidden = grade_distribution(scope_for(users.board), org.unit_n1, org.year)
    assert all(d.shares == dict.fromkeys("ABCDEF-", "..") for d in hidden)


def test_the_board_sees_no_distribution_whose_share_passed_is_suppressed(materialised, users):  # noqa: F811
    """Ten more pupils with E in engelska: 15 graded, so large enough on its own. But where
    the materialised share passed in engelska is hidden (`..` as the complement of another
    figure), A–E and F of the distribution would give it away, so the whole subject is
    hidden."""
    from skolkvalitet.indicators.models import IndicatorValue
    from skolkvalitet.results.models import Grade, Subject

    org = materialised.org
    english = Subject.objects.get(code="EN")
    Grade.objects.bulk_create(
        Grade(pupil_id=9000 + i, unit=org.unit_n1, term=materialised.vt, year_group=9,
              subject=english, value="E", grade_type="final", batch=materialised.batch)
        for i in range(10)
    )  # fmt: skip
    board = scope_for(users.board)
    passed_en = IndicatorValue.objects.filter(
        node=org.unit_n1, indicator="passed_EN", period_kind="year", breakdown=""
    )
    assert passed_en.update(suppression="") == 1  # as if shown
    [en] = [d for d in grade_distribution(board, org.unit_n1, org.year) if d.subject == "EN"]
    assert en.n == 15 and not en.suppressed
    passed_en.update(suppression="..")
    [en] = [d for d in grade_distribution(board, org.unit_n1, org.year) if d.subject == "EN"]
    assert en.shares == dict.fromkeys("ABCDEF-", "..") and en.passed == ".."
    [en] = [
        d
        for d in grade_distribution(scope_for(users.unit_head), org.unit_n1, org.year)
        if d.subject == "EN"
    ]
    assert en.shares["E"] == pytest.approx(100 * 11 / 15)  # Cesar and the ten: shown


def test_the_board_sees_a_subject_that_one_to_four_pupils_fail_as_skolverket_shows_it(
    materialised,  # noqa: F811
    users,
):
    """Ten more pupils with E in engelska at each unit: unit_n1 has 15 graded, David's F the
    only fail (no unit is small, so nothing is hidden as a complement). Skolverket publishes
    subject pass shares as numbers (no `~100`), so the materialised passed_EN (14 of 15) is
    shown to the board, and so is the distribution (the unit-level limit of 10 is met)."""
    from skolkvalitet.indicators.materialise import indicators_materialise
    from skolkvalitet.indicators.models import IndicatorValue
    from skolkvalitet.results.models import Grade, Subject

    org = materialised.org
    english = Subject.objects.get(code="EN")
    units = (org.unit_n1, org.unit_n2, org.unit_s1, org.unit_s2)
    Grade.objects.bulk_create(
        Grade(pupil_id=9000 + 10 * u + i, unit=unit, term=materialised.vt, year_group=9,
              subject=english, value="E", grade_type="final", batch=materialised.batch)
        for u, unit in enumerate(units)
        for i in range(10)
    )  # fmt: skip
    indicators_materialise()
    passed_en = IndicatorValue.objects.get(
        node=org.unit_n1, indicator="passed_EN", period_kind="year", breakdown=""
    )
    assert (passed_en.n, passed_en.numerator, passed_en.suppression) == (15, 14, "")
    board = scope_for(users.board)
    [en] = [d for d in grade_distribution(board, org.unit_n1, org.year) if d.subject == "EN"]
    assert en.n == 15 and en.shares["F"] == pytest.approx(100 / 15)
    assert en.passed == pytest.approx(100 * 14 / 15)


def test_the_distribution_counts_grundskolas_pupils_only(materialised, users):  # noqa: F811
    """Two pupils more at Norrskolan with MA A in year 9, enrolled in anpassad grundskola
    (GRS): grundskola's distribution leaves them out, as the final-grade indicators do."""
    from skolkvalitet.organisation.models import Enrolment, Pupil
    from skolkvalitet.results.models import Grade, Subject

    org = materialised.org
    maths = Subject.objects.get(code="MA")
    for i in range(2):
        pupil = Pupil.objects.create(pseudonym=f"grs-{i}", birth_year=2010, legal_gender="F")
        Enrolment.objects.create(pupil=pupil, academic_year=org.year, unit=org.unit_n1,
                                 school_form="GRS", year_group=9)  # fmt: skip
        Grade.objects.create(pupil_id=pupil.pk, unit=org.unit_n1, term=materialised.vt,
                             year_group=9, subject=maths, value="A", grade_type="final",
                             batch=materialised.batch)  # fmt: skip
    found = {
        d.subject: d for d in grade_distribution(scope_for(users.unit_head), org.unit_n1, org.year)
    }
    assert found["MA"].n == 5  # not 7
    assert found["MA"].shares["F"] == 40.0  # 2 of 5, as before
