"""The demo generator, without the database: its size, shape and calibration."""

from __future__ import annotations

import numpy as np
import pytest

from skolkvalitet.demo import catalogue as cat
from skolkvalitet.demo.generator import generate
from skolkvalitet.indicators.final_grades import (
    eligible_vocational,
    has_any_pass,
    merit_values,
    passed_all_subjects,
)
from skolkvalitet.organisation.identity import parse_personal_number
from skolkvalitet.results.grades import GRADE_POINTS


@pytest.fixture(scope="module")
def data():
    return generate()


def final_grade_matrix(data, year_index=None):
    g = data.grades
    rows = g["grade_type"] == "final"
    if year_index is not None:
        terms = [t.index for t in data.years[year_index].terms]
        rows &= np.isin(g["term"], terms)
    subjects = sorted(set(g["subject"][rows].tolist()))
    pupils, row_of = np.unique(g["pupil"][rows], return_inverse=True)
    matrix = np.full((len(pupils), len(subjects)), "", dtype="<U1")
    matrix[row_of, np.searchsorted(subjects, g["subject"][rows])] = g["value"][rows]
    return pupils, subjects, matrix


def test_it_is_deterministic_for_a_seed():
    a, b = generate(seed=7, scale=0.2), generate(seed=7, scale=0.2)
    assert np.array_equal(a.grades["value"], b.grades["value"])
    assert np.array_equal(a.pupils["personal_number"], b.pupils["personal_number"])


def test_it_looks_like_a_municipality_of_about_8000_pupils(data):
    per_year = np.bincount(data.enrolments["year"])
    assert len(data.years) >= 5
    assert all(7_000 <= n <= 9_000 for n in per_year), per_year
    assert 23 <= len(data.units) <= 27
    kinds = {u.kind for u in data.units}
    assert kinds == {"preschool", "f6", "f9", "s79", "gy"}
    assert len({u.area for u in data.units}) == 3


def test_every_personal_number_is_valid_and_unique(data):
    numbers = data.pupils["personal_number"]
    assert len(set(numbers.tolist())) == len(numbers)
    for number, birth_year in zip(numbers[:500], data.pupils["birth_year"][:500], strict=True):
        assert parse_personal_number(number, today=cat.TODAY).birth_year == birth_year


def test_grades_every_term_for_years_6_to_9_with_final_grades_in_year_9_spring(data):
    g = data.grades
    assert set(np.unique(g["year_group"]).tolist()) == {6, 7, 8, 9}
    ended_terms = [t for t in data.terms if t.end <= cat.TODAY]
    assert set(np.unique(g["term"]).tolist()) == {t.index for t in ended_terms}
    final = g["grade_type"] == "final"
    assert set(np.unique(g["year_group"][final]).tolist()) == {9}
    assert {data.terms[t].kind for t in np.unique(g["term"][final])} == {"VT"}
    assert set(np.unique(g["value"]).tolist()) <= set(GRADE_POINTS)


def test_two_assessments_per_term_up_to_the_demo_day(data):
    points = [p for p in data.points if p.assessed_on <= cat.TODAY]
    assert set(np.unique(data.assessments["point"]).tolist()) == {p.index for p in points}
    assert len(points) == 2 * len({t.index for t in data.terms if t.start <= cat.TODAY})


def test_national_tests_in_years_3_6_and_9(data):
    t = data.national_tests
    assert set(np.unique(t["year_group"]).tolist()) == {3, 6, 9}
    assert set(np.unique(t["value"][t["year_group"] == 3]).tolist()) == {"met", "not_met"}


def test_final_grades_are_calibrated_to_the_national_figures(data):
    """Skolverket, riket 2017/18: meritvärde(17) 228.7, 75.6 % passing all subjects,
    84.4 % eligible for a vocational programme."""
    _pupils, subjects, matrix = final_grade_matrix(data)
    merit = merit_values(matrix, subjects)[has_any_pass(matrix)].mean()
    assert 225 <= merit <= 232
    assert 0.72 <= passed_all_subjects(matrix).mean() <= 0.79
    assert 0.81 <= eligible_vocational(matrix, subjects).mean() <= 0.88


def test_girls_have_higher_merit_values_than_boys_as_nationally(data):
    pupils, subjects, matrix = final_grade_matrix(data)
    merit = merit_values(matrix, subjects)
    girl = data.pupils["girl"][pupils]
    counted = has_any_pass(matrix)
    gap = merit[counted & girl].mean() - merit[counted & ~girl].mean()
    assert 10 <= gap <= 30


def test_absence_is_about_seven_percent_with_a_tail_over_fifteen(data):
    a = data.absences
    rate = a["absent"] / a["scheduled"]
    assert 0.05 <= rate.mean() <= 0.09
    assert 0.06 <= (rate >= 0.15).mean() <= 0.14


def _did(data, key: str, subject_codes: tuple[str, ...]) -> float:
    """Difference in differences of mean grade points in the intervention's subjects and
    year groups: (treated after − before) − (others after − before)."""
    iv = next(i for i in cat.INTERVENTIONS if i.key == key)
    start = next(t.index for t in data.terms if t.code == iv.start_term)
    treated_units = [i for i, u in enumerate(data.units) if u.key in iv.units]
    g = data.grades
    rows = np.isin(g["subject"], subject_codes) & np.isin(g["year_group"], iv.year_groups)
    points = np.vectorize(GRADE_POINTS.get)(g["value"][rows])
    treated = np.isin(g["unit"][rows], treated_units)
    after = g["term"][rows] >= start

    def mean(mask):
        return points[mask].mean()

    return (mean(treated & after) - mean(treated & ~after)) - (
        mean(~treated & after) - mean(~treated & ~after)
    )


def test_the_planted_reading_intervention_raises_swedish_grades(data):
    # +0.40 SD on the latent scale is about +1.7 grade points in years 1–6 (measured).
    assert _did(data, "reading", ("SV", "SVA")) > 0.8


def test_the_planted_maths_intervention_raises_maths_grades(data):
    assert _did(data, "maths", ("MA",)) > 0.8


def test_the_placebo_intervention_has_no_visible_effect(data):
    assert abs(_did(data, "digital_so", ("GE", "HI", "RE", "SH"))) < 0.6


def test_the_demo_has_the_catalogues_25_units_and_larger_organisers_more_of_them():
    from skolkvalitet.demo.generator import unit_copies, unit_size_factor

    assert [unit_copies(s) for s in (0.08, 1.0, 1.4, 2.0, 13.0)] == [1, 1, 1, 2, 13]
    assert unit_size_factor(1.0) == 1.0 and unit_size_factor(0.2) == 0.2
    # From scale 1 up a unit stays about the size of a real school.
    assert all(0.6 < unit_size_factor(s / 10) < 1.5 for s in range(10, 300))


def test_further_copies_of_the_units_have_their_own_keys_codes_and_secondary_schools():
    from skolkvalitet.demo.generator import scaled_units

    units = scaled_units(3)
    assert len(units) == 75 and units[:25] == cat.UNITS
    assert len({u.key for u in units}) == len({u.code for u in units}) == 75
    assert all(len(u.code) == 8 and u.code.isdigit() for u in units)
    keys = {u.key for u in units}
    for copy in (1, 2):
        for u in units[25 * copy : 25 * (copy + 1)]:
            assert u.key.endswith(f"-{copy + 1}") and u.name.endswith(f" {copy + 1}")
            assert not u.secondary or (u.secondary in keys and u.secondary.endswith(f"-{copy + 1}"))
