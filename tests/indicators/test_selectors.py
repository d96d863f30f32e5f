"""Values as each role may see them: suppression by scope, nothing outside the scope."""

from __future__ import annotations

import pytest

from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.indicators.selectors import values_as_shown
from skolkvalitet.organisation.scopes import scope_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def values(org):
    def make(node, value, suppression):
        return IndicatorValue.objects.create(
            indicator="passed_all_subjects",
            family="final_grades",
            node=node,
            period_kind="year",
            period_id=org.year.pk,
            breakdown="",
            value=value,
            n=8,
            numerator=6,
            denominator=8,
            suppression=suppression,
            data_version=1,
        )

    return [
        make(org.organiser, 80.0, ""),
        make(org.unit_n1, 75.0, ".."),
        make(org.unit_s1, 96.0, "~100"),
    ]


def shown(values, user):
    return {v.value.node.name: v.shown for v in values_as_shown(values, scope=scope_for(user))}


def test_the_board_sees_markers_instead_of_small_numbers(values, users):
    assert shown(values, users.board) == {
        "Exempelstads kommun": 80.0,
        "Norrskolan": "..",
        "Söderskolan": "~100",
    }


def test_roles_with_pupil_access_see_the_real_values(values, users):
    assert shown(values, users.organiser_admin) == {
        "Exempelstads kommun": 80.0,
        "Norrskolan": 75.0,
        "Söderskolan": 96.0,
    }


def test_a_unit_head_sees_only_their_unit_and_its_real_value(values, users):
    assert shown(values, users.unit_head) == {"Norrskolan": 75.0}


def test_a_coach_sees_their_area_suppressed(values, users):
    assert shown(values, users.coach) == {"Söderskolan": "~100"}


# --- What the board sees of materialised grades (issue 10, defects 5 and 6) -----------------

SIXTEEN = ["SV", "EN", "MA", "BI", "FY", "KE", "TK", "GE", "HI", "RE", "SH", "BL", "HKK"]
SIXTEEN += ["IDH", "MU", "SL"]


@pytest.fixture
def final_grades(org):
    """Year 9 final grades, VT2025: twelve pupils at Norrskolan (E in 16 subjects, two of
    them F in MA: not passed all, not eligible), seven at Söderskolan and twelve at Ekskolan
    (all E in 16 subjects)."""
    import datetime as dt

    from skolkvalitet.batches.models import ImportBatch
    from skolkvalitet.indicators.materialise import indicators_materialise
    from skolkvalitet.organisation.models import Term
    from skolkvalitet.results.models import Grade, Subject

    spring = Term.objects.create(
        academic_year=org.year,
        kind="VT",
        start_date=dt.date(2025, 1, 13),
        end_date=dt.date(2025, 6, 13),
    )
    batch = ImportBatch.objects.create(kind="grades", source_name="betyg.csv")
    subjects = {s.code: s for s in Subject.objects.all()}
    pupils = [(9100 + i, org.unit_n1, "F" if i < 2 else "E") for i in range(12)]
    pupils += [(9200 + i, org.unit_s1, "E") for i in range(7)]
    pupils += [(9300 + i, org.unit_s2, "E") for i in range(12)]
    Grade.objects.bulk_create(
        Grade(pupil_id=pupil, unit=unit, term=spring, year_group=9, subject=subjects[code],
              value=ma if code == "MA" else "E", grade_type="final", batch=batch)
        for pupil, unit, ma in pupils
        for code in SIXTEEN
    )  # fmt: skip
    indicators_materialise()
    return org


def board_sees(org, users, indicator) -> dict[str, float | str | None]:
    values = IndicatorValue.objects.filter(indicator=indicator, breakdown="", period_kind="year")
    return {
        v.value.node.name: v.shown
        for v in values_as_shown(list(values.select_related("node")), scope=scope_for(users.board))
    }


def test_the_board_sees_year_9_all_subjects_with_two_missing_as_a_number(final_grades, users):
    shown_ = board_sees(final_grades, users, "passed_all_subjects")
    assert shown_["Norrskolan"] == pytest.approx(100 * 10 / 12)  # 83.3, not ~100
    assert board_sees(final_grades, users, "passed_MA")["Norrskolan"] == pytest.approx(
        100 * 10 / 12
    )


def test_the_board_sees_eligibility_with_two_missing_as_near_full(final_grades, users):
    assert board_sees(final_grades, users, "eligible_vocational")["Norrskolan"] == "~100"


def test_the_board_sees_a_unit_of_seven_hidden_its_neighbour_as_complement_their_area(
    final_grades, users
):
    # Söderskolan's 7 pupils: below 10 at unit level. Ekskolan (12) would give them away
    # (Söder − Ekskolan): hidden as the complement. The area Söder (19) is shown.
    merit = board_sees(final_grades, users, "merit_value_17")
    assert merit["Söderskolan"] == merit["Ekskolan"] == ".."
    assert merit["Söder"] == pytest.approx(160.0)
    assert merit["Norrskolan"] == pytest.approx((10 * 160 + 2 * 150) / 12)
    assert merit["Exempelstads kommun"] == pytest.approx((29 * 160 + 2 * 150) / 31)


def test_the_headline_year_is_the_latest_by_date_not_by_import_order(org):
    """2024/25 was stored first; 2022/23 imported later gets the higher id. The headline is
    still 2024/25's."""
    import datetime as dt

    from skolkvalitet.indicators.selectors import headline_figures
    from skolkvalitet.organisation.models import AcademicYear

    older = AcademicYear.objects.create(
        code="2022/23", start_date=dt.date(2022, 8, 15), end_date=dt.date(2023, 6, 15)
    )
    assert older.pk > org.year.pk
    for year, value in ((org.year, 230.0), (older, 210.0)):
        IndicatorValue.objects.create(
            indicator="merit_value_17", family="final_grades", node=org.organiser,
            period_kind="year", period_id=year.pk, breakdown="", value=value, n=40,
            numerator=value * 40, denominator=40, data_version=1,
        )  # fmt: skip
    year, values = headline_figures(node=org.organiser)
    assert (year.code, [v.value for v in values]) == ("2024/25", [230.0])
