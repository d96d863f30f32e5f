"""Grade distributions: shares of A–F and "-" per subject, hidden as a whole below 10 pupils
for roles without pupil access."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.indicators.distribution import (
    GRADE_ORDER,
    MIN_N,
    distribution_min_n,
    grade_distributions,
)
from skolkvalitet.indicators.registry import REGISTRY


def test_shares_are_percent_of_the_pupils_graded_in_the_subject():
    # Matematik, 20 pupils: 2 A, 4 C, 10 E, 3 F, 1 "-".
    counts = [("MA", "A", 2), ("MA", "C", 4), ("MA", "E", 10), ("MA", "F", 3), ("MA", "-", 1)]
    [ma] = grade_distributions(counts, suppress=True)
    assert ma.subject == "MA"
    assert ma.n == 20
    assert ma.shares == {"A": 10.0, "B": 0.0, "C": 20.0, "D": 0.0, "E": 50.0, "F": 15.0, "-": 5.0}
    assert ma.passed == pytest.approx(80.0)  # 16 of 20 with A–E
    assert not ma.suppressed


def test_a_subject_graded_for_fewer_than_ten_pupils_is_hidden_whole_without_pupil_access():
    counts = [("EN", "A", 5), ("EN", "F", 4), ("SV", "B", 10)]
    en, sv = grade_distributions(counts, suppress=True, subjects=("EN", "SV"))
    assert en.n == 9
    assert en.shares == dict.fromkeys(GRADE_ORDER, "..")
    assert en.passed == ".."
    assert sv.shares["B"] == 100.0


def test_roles_with_pupil_access_see_small_subjects():
    [en] = grade_distributions([("EN", "A", 5), ("EN", "F", 4)], suppress=False)
    assert en.shares["A"] == pytest.approx(500 / 9)
    assert en.shares["F"] == pytest.approx(400 / 9)


def test_subjects_come_in_the_given_order_then_alphabetically():
    counts = [("TK", "E", 1), ("BI", "E", 1), ("SV", "E", 1), ("MA", "E", 1)]
    found = grade_distributions(counts, suppress=False, subjects=("SV", "MA", "EN"))
    assert [d.subject for d in found] == ["SV", "MA", "BI", "TK"]


def test_rows_for_the_same_grade_add_up():
    [sv] = grade_distributions([("SV", "A", 3), ("SV", "A", 7)], suppress=True)
    assert sv.n == 10
    assert sv.shares["A"] == 100.0


def test_an_unknown_grade_is_an_error_not_dropped():
    with pytest.raises(ValueError, match="unknown grade 'G'"):
        grade_distributions([("SV", "G", 3)], suppress=False)


@given(
    st.dictionaries(
        st.sampled_from(["SV", "EN", "MA", "BI"]),
        st.dictionaries(st.sampled_from(GRADE_ORDER), st.integers(0, 60), min_size=1),
        min_size=1,
    ),
    st.booleans(),
)
def test_shown_shares_sum_to_100_and_hidden_ones_are_all_markers(table, suppress):
    counts = [(s, g, c) for s, grades in table.items() for g, c in grades.items()]
    for d in grade_distributions(counts, suppress=suppress):
        assert d.n == sum(table[d.subject].values()) > 0
        if d.suppressed:
            assert suppress and d.n < 10
            assert set(d.shares.values()) == {".."}
        else:
            assert sum(d.shares.values()) == pytest.approx(100.0)
            assert not suppress or d.n >= 10


def test_a_subject_whose_share_passed_is_suppressed_is_hidden_whole_without_pupil_access():
    counts = [("MA", "E", 28), ("MA", "F", 2)]  # passed_MA hidden, e.g. as a complement
    [hidden] = grade_distributions(counts, suppress=True, hidden={"MA"})
    assert hidden.shares == dict.fromkeys(GRADE_ORDER, "..") and hidden.n == 30
    [shown] = grade_distributions(counts, suppress=False, hidden={"MA"})
    assert shown.shares["F"] == pytest.approx(100 * 2 / 30)


def test_the_limit_is_the_final_grades_rule_at_unit_level_in_both_regimes():
    # Skolverket: fewer than 10 at school-unit level, before and from 2023/24.
    rule = REGISTRY["passed_MA"].small_numbers
    assert distribution_min_n(2022) == distribution_min_n(2024) == rule.unit == 10
    assert MIN_N == 10
    counts = [("MA", "E", 5), ("MA", "F", 4)]  # 9 graded pupils
    [hidden] = grade_distributions(counts, suppress=True, min_n=distribution_min_n(2024))
    assert hidden.suppressed
