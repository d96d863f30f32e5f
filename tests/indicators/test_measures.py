"""Absence, national tests, assessments and unit-level facts, computed by hand."""

from __future__ import annotations

import polars as pl
import pytest

from skolkvalitet.indicators.engine import Facts, compute
from skolkvalitet.indicators.registry import Family

YEAR = 1


def value(values, indicator, node, breakdown="", period_kind=None, period_id=None):
    rows = values.filter(
        (pl.col("indicator") == indicator)
        & (pl.col("node_id") == node)
        & (pl.col("breakdown") == breakdown)
    )
    if period_kind:
        rows = rows.filter(
            (pl.col("period_kind") == period_kind) & (pl.col("period_id") == period_id)
        )
    assert rows.height == 1, rows
    return rows.row(0, named=True)


@pytest.fixture
def absence_values(org_frames):
    # p1: 10 % then 20 % of 1000 minutes; p2: 30 % then 0 %. Terms 1 and 2 of year 1.
    absences = pl.DataFrame(
        {
            "pupil_id": [1, 1, 2, 2],
            "unit_id": [10] * 4,
            "academic_year_id": [YEAR] * 4,
            "term_id": [1, 2, 1, 2],
            "year_group": [7] * 4,
            "scheduled": [1000] * 4,
            "absent": [100, 200, 300, 0],
            "unexcused": [0, 50, 100, 0],
        }
    )
    return compute(Facts(absences=absences), org_frames, families=(Family.ABSENCE,))


def test_mean_absence_per_term_is_the_mean_of_the_pupils_shares(absence_values):
    assert value(absence_values, "absence_mean", 10, period_kind="term", period_id=1)[
        "value"
    ] == pytest.approx(20)
    assert value(absence_values, "absence_mean", 10, period_kind="term", period_id=2)[
        "value"
    ] == pytest.approx(10)


def test_fifteen_percent_or_more_is_inclusive(absence_values):
    term1 = value(absence_values, "absence_15_percent_or_more", 10, period_kind="term", period_id=1)
    assert term1["value"] == 50  # p2 only
    # Over the year both pupils were away exactly 300 of 2000 minutes: 15 %.
    year = value(
        absence_values, "absence_15_percent_or_more_year", 10, period_kind="year", period_id=YEAR
    )
    assert year["value"] == 100


def test_unexcused_absence(absence_values):
    year = value(
        absence_values, "unexcused_absence_mean_year", 1, period_kind="year", period_id=YEAR
    )
    assert year["value"] == pytest.approx((50 / 2000 + 100 / 2000) / 2 * 100)


@pytest.fixture
def test_values(org_frames, grade_rows):
    tests = pl.DataFrame(
        {
            "pupil_id": [1, 2, 3, 4],
            "unit_id": [10, 10, 10, 11],
            "academic_year_id": [YEAR] * 4,
            "year_group": [9] * 4,
            "subject": ["MA"] * 4,
            "scale": ["grade"] * 4,
            "value": ["B", "E", "C", "F"],
        }
    )
    grades = pl.DataFrame(
        grade_rows(1, 10, {"MA": "A"})
        + grade_rows(2, 10, {"MA": "E"})
        + grade_rows(3, 10, {"MA": "D"})
        + grade_rows(4, 11, {"MA": "-"})
    )
    return compute(
        Facts(grades=grades, national_tests=tests), org_frames, families=(Family.NATIONAL_TESTS,)
    )


def test_shares_of_test_grades(test_values):
    assert value(test_values, "test_grade_B_MA", 1)["value"] == 25
    assert value(test_values, "test_grade_F_MA", 1)["value"] == 25
    assert value(test_values, "test_passed_MA", 1)["value"] == 75


def test_grade_compared_with_test_grade_leaves_out_dash_grades(test_values):
    # p1 A vs B: higher; p2 E vs E: same; p3 D vs C: lower; p4 has "-" and is left out.
    for comparison in ("same", "lower", "higher"):
        row = value(test_values, f"test_vs_grade_{comparison}_MA", 1)
        assert row["value"] == pytest.approx(100 / 3)
        assert row["n"] == 3


def test_year_3_tests_on_the_requirement_scale(org_frames):
    tests = pl.DataFrame(
        {
            "pupil_id": [1, 2],
            "unit_id": [10, 10],
            "academic_year_id": [YEAR] * 2,
            "year_group": [3, 3],
            "subject": ["SV", "SV"],
            "scale": ["requirement"] * 2,
            "value": ["met", "not_met"],
        }
    )
    values = compute(Facts(national_tests=tests), org_frames, families=(Family.NATIONAL_TESTS,))
    assert value(values, "test_requirement_met_SV", 10)["value"] == 50


def test_assessments_on_track_per_subject_and_in_all(org_frames):
    assessments = pl.DataFrame(
        {
            "pupil_id": [1, 1, 2, 2, 5],
            "unit_id": [10, 10, 10, 10, 11],
            "academic_year_id": [YEAR] * 5,
            "point_id": [7] * 5,
            "year_group": [8, 8, 8, 8, 4],
            "subject": ["MA", "EN", "MA", "EN", "MA"],
            "value": ["C", "F", "E", "D", "at_risk"],
            "on_track": [True, False, True, True, False],
            "points": [15.0, 0.0, 10.0, 12.5, None],
        }
    )
    values = compute(Facts(assessments=assessments), org_frames, families=(Family.ASSESSMENTS,))
    assert value(values, "on_track_MA", 1)["value"] == pytest.approx(200 / 3)
    assert value(values, "on_track_all_subjects", 10)["value"] == 50  # p2 only
    assert value(values, "forecast_points_MA", 1)["value"] == 12.5  # the "at_risk" has none
    assert value(values, "on_track_MA", 1, "year_group=4")["value"] == 0
    assert set(values["period_kind"].to_list()) == {"point"}


def test_unit_level_facts_are_summed_before_dividing(org_frames):
    staff = pl.DataFrame(
        {
            "unit_id": [10, 11],
            "academic_year_id": [YEAR] * 2,
            "teachers": [10, 5],
            "teacher_fte": [8.0, 4.0],
            "certified_fte": [6.0, 1.0],
            "pupils": [100, 60],
        }
    )
    surveys = pl.DataFrame(
        {
            "unit_id": [10, 10, 11],
            "academic_year_id": [YEAR] * 3,
            "survey": ["pupil"] * 3,
            "index": ["safety"] * 3,
            "respondents": [20, 30, 5],
            "agreeing": [18, 21, 3],
        }
    )
    preschool = pl.DataFrame(
        {
            "unit_id": [10, 10],
            "group_id": [100, 100],
            "academic_year_id": [YEAR] * 2,
            "children": [15, 17],
            "staff_fte": [3.0, 3.5],
            "preschool_teacher_fte": [1.0, 2.0],
        }
    )
    values = compute(
        Facts(staff=staff, surveys=surveys, preschool=preschool),
        org_frames,
        families=(Family.STAFF, Family.SURVEYS, Family.PRESCHOOL),
    )
    assert value(values, "certified_teachers_share", 1)["value"] == pytest.approx(700 / 12)
    assert value(values, "pupils_per_teacher_fte", 1)["value"] == pytest.approx(160 / 12)
    assert value(values, "survey_pupil_safety", 10)["value"] == pytest.approx(39 / 50 * 100)
    assert value(values, "survey_pupil_safety", 1)["value"] == pytest.approx(42 / 55 * 100)
    assert value(values, "children_per_group", 10)["value"] == 16
    assert value(values, "children_per_staff_fte", 100)["value"] == pytest.approx(32 / 6.5)
    assert value(values, "preschool_teacher_share", 10)["value"] == pytest.approx(300 / 6.5)
    # Staff figures are not about pupils: never suppressed.
    assert value(values, "certified_teachers_share", 11)["suppression"] == ""
    # Five survey respondents are too few.
    assert value(values, "survey_pupil_safety", 11)["suppression"] == ".."


# --- Leaving certificates: SV and SVA once, subjects ended before year 9 -----------------

OTHER_13 = ["BI", "FY", "KE", "TK", "GE", "HI", "RE", "SH", "BL", "HKK", "IDH", "MU", "SL"]
EARLIER_YEAR, EARLIER_SPRING = 99, 99  # an academic year two years before YEAR, its VT


def final_rows(pupil, unit, grades, *, year_group=9, year=YEAR, term=2, earlier=False):
    return [
        {
            "pupil_id": pupil,
            "unit_id": unit,
            "academic_year_id": year,
            "term_id": term,
            "term_kind": "VT",
            "year_group": year_group,
            "subject": subject,
            "value": grade,
            "grade_type": "final",
            "earlier": earlier,
        }
        for subject, grade in grades.items()
    ]


@pytest.fixture
def certificates(org_frames):
    """Unit 10:
    p1  SV A and SVA C (both final in year 9), EN, MA and the 13 others B, M1 A.
        SVA counts, SV not: 17 = 15 + 15 × 17.5 + 20 = 297.5; 16 = 20 + 15 × 17.5 = 282.5.
    p2  15 subjects E in year 9; HKK ended in year 8 (same academic year) with A.
        17 = 16 = 15 × 10 + 20 = 170; eligible everywhere (SV EN MA + 13 others).
    p3  SVA F and SV E in year 9, the other 15 E: SVA counts and fails.
        17 = 16 = 15 × 10 = 150; not eligible, not passed all.
    Unit 11:
    p4  15 subjects C in year 9; MU ended in year 7, two academic years earlier, with A.
        17 = 16 = 15 × 15 + 20 = 245.
    """
    rows = []
    rows += final_rows(1, 10, {"SV": "A", "SVA": "C", "EN": "B", "MA": "B"})
    rows += final_rows(1, 10, {**dict.fromkeys(OTHER_13, "B"), "M1": "A"})
    without_hkk = [s for s in OTHER_13 if s != "HKK"]
    rows += final_rows(2, 10, {"SV": "E", "EN": "E", "MA": "E", **dict.fromkeys(without_hkk, "E")})
    rows += final_rows(2, 10, {"HKK": "A"}, year_group=8)
    rows += final_rows(3, 10, {"SVA": "F", "SV": "E", "EN": "E", "MA": "E"})
    rows += final_rows(3, 10, dict.fromkeys(OTHER_13, "E"))
    without_mu = [s for s in OTHER_13 if s != "MU"]
    rows += final_rows(4, 11, {"SV": "C", "EN": "C", "MA": "C", **dict.fromkeys(without_mu, "C")})
    rows += final_rows(
        4, 11, {"MU": "A"}, year_group=7, year=EARLIER_YEAR, term=EARLIER_SPRING, earlier=True
    )
    grades = pl.DataFrame(rows)
    return compute(
        Facts(grades=grades), org_frames, families=(Family.FINAL_GRADES, Family.TERM_GRADES)
    )


def test_merit_values_of_leaving_certificates_by_hand(certificates):
    merit17 = value(certificates, "merit_value_17", 10)
    assert merit17["value"] == pytest.approx((297.5 + 170 + 150) / 3)  # 205.83
    assert (merit17["n"], merit17["numerator"]) == (3, 617.5)
    assert value(certificates, "merit_value_16", 10)["value"] == pytest.approx(
        (282.5 + 170 + 150) / 3  # 200.83
    )
    assert value(certificates, "merit_value_17", 11)["value"] == 245
    organiser = value(certificates, "merit_value_17", 1)
    assert organiser["value"] == pytest.approx((297.5 + 170 + 150 + 245) / 4)  # 215.625
    assert organiser["n"] == 4


def test_eligibility_and_all_subjects_shares_by_hand(certificates):
    for key in (
        "eligible_vocational",
        "eligible_academic_natural_science",
        "eligible_academic_economics",
        "eligible_academic_arts",
        "passed_all_subjects",
    ):
        unit = value(certificates, key, 10)
        assert (unit["numerator"], unit["denominator"]) == (2, 3), key  # p1, p2 of p1–p3
        assert unit["value"] == pytest.approx(200 / 3), key
        assert value(certificates, key, 1)["numerator"] == 3, key  # and p4


def test_subject_shares_count_the_swedish_that_counts_and_the_ended_subjects(certificates):
    sv = value(certificates, "passed_SV", 10)
    assert (sv["numerator"], sv["denominator"]) == (1, 1)  # p2 only: p1's and p3's SV left out
    sva = value(certificates, "passed_SVA", 10)
    assert (sva["numerator"], sva["denominator"]) == (1, 2)  # p1 C, p3 F
    hkk = value(certificates, "passed_HKK", 10)
    assert hkk["denominator"] == 3  # p2's year-8 grade counts with year 9
    assert value(certificates, "grade_points_HKK", 10)["value"] == pytest.approx(
        (17.5 + 20 + 10) / 3
    )
    mu = value(certificates, "grade_points_MU", 11)
    assert (mu["value"], mu["n"]) == (20, 1)  # p4's year-7 grade, two years earlier


def test_grades_loaded_only_to_complete_certificates_make_no_term_figures(certificates):
    earlier = certificates.filter(
        (pl.col("period_kind") == "term") & (pl.col("period_id") == EARLIER_SPRING)
    )
    assert earlier.is_empty()
