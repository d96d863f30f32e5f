"""Per-pupil measures of final grades: hand-computed cases for every rule of docs/indicators.md."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.indicators.final_grades import (
    eligible_academic,
    eligible_vocational,
    has_any_pass,
    merit_values,
    passed_all_subjects,
)

SUBJECTS = [
    "SV",
    "SVA",
    "EN",
    "MA",
    "BI",
    "FY",
    "KE",
    "TK",
    "GE",
    "HI",
    "RE",
    "SH",
    "BL",
    "HKK",
    "IDH",
    "MU",
    "SL",
    "M1",
    "M2",
    "ML",
]
OTHER_13 = ["BI", "FY", "KE", "TK", "GE", "HI", "RE", "SH", "BL", "HKK", "IDH", "MU", "SL"]


def pupil(**grades: str) -> np.ndarray:
    """One pupil's row: subject code → grade; subjects not named are not graded ("")."""
    row = np.full((1, len(SUBJECTS)), "", dtype="<U1")
    for code, grade in grades.items():
        row[0, SUBJECTS.index(code)] = grade
    return row


def the_16(grade: str, swedish: str = "SV") -> dict[str, str]:
    """The 16 subjects every pupil is graded in, all with `grade`."""
    return {swedish: grade, "EN": grade, "MA": grade, **dict.fromkeys(OTHER_13, grade)}


def merit17(row):
    return merit_values(row, SUBJECTS)[0]


def merit16(row):
    return merit_values(row, SUBJECTS, include_language_choice=False)[0]


def test_sixteen_a_and_a_c_in_the_language_choice_give_335_and_320():
    row = pupil(**the_16("A"), M1="C")
    assert merit17(row) == 16 * 20 + 15 == 335
    assert merit16(row) == 320


def test_the_maximum_is_340_with_the_language_choice_and_320_without():
    row = pupil(**the_16("A"), M1="A")
    assert merit17(row) == 340
    assert merit16(row) == 320


def test_fewer_than_sixteen_grades_sum_what_there_is():
    row = pupil(SV="E", EN="E", MA="E", BI="E", FY="E", KE="E", TK="E", GE="E", HI="E", RE="E")
    assert merit17(row) == merit16(row) == 10 * 10


def test_a_dash_counts_as_zero_and_as_not_passed():
    grades = the_16("E")
    grades["MA"] = "-"
    row = pupil(**grades)
    assert merit17(row) == 15 * 10
    assert not passed_all_subjects(row)[0]
    assert not eligible_vocational(row, SUBJECTS)[0]


def test_sva_replaces_sv():
    grades = the_16("C", swedish="SVA")
    grades["SVA"] = "B"
    row = pupil(**grades)
    assert merit17(row) == 17.5 + 15 * 15 == 242.5
    assert eligible_vocational(row, SUBJECTS)[0]


def test_sv_and_sva_count_once_the_sva_grade_replacing_the_sv_grade():
    # 15 subjects with C besides Swedish, SV = A and SVA = E (a pupil who moved to SVA): the
    # 16 best are the 15 C and SVA's E, never SV's A as a 17th subject-grade among them.
    grades = {**the_16("C"), "SV": "A", "SVA": "E"}
    row = pupil(**grades, M1="D")
    assert merit17(row) == 15 * 15 + 10 + 12.5 == 247.5  # would be 257.5 with SV's A
    assert merit16(row) == 15 * 15 + 12.5 == 237.5  # SV's A would have replaced M1's D
    assert passed_all_subjects(row, SUBJECTS)[0]


def test_a_failed_sva_is_not_made_good_by_a_passed_sv():
    grades = {**the_16("E"), "SV": "B", "SVA": "F"}
    row = pupil(**grades)
    assert not eligible_vocational(row, SUBJECTS)[0]  # svenska som andraspråk is not passed
    assert not passed_all_subjects(row, SUBJECTS)[0]
    assert merit17(row) == 15 * 10 + 0


def test_sv_is_not_one_of_the_other_subjects_of_eligibility_beside_sva():
    # SVA, EN, MA and four others passed (7), SV passed too: the old count made it eight.
    row = passes(("SVA", "EN", "MA"), 4, SV="C")
    assert not eligible_vocational(row, SUBJECTS)[0]
    assert eligible_vocational(passes(("SVA", "EN", "MA"), 5, SV="C"), SUBJECTS)[0]
    twelve_with_sv = passes(("SVA", "EN", "MA"), 8, SV="C")
    assert not eligible_academic(twelve_with_sv, SUBJECTS, required=())[0]


def test_a_pupil_whose_only_pass_is_a_replaced_sv_is_not_counted_in_the_merit_mean():
    row = pupil(**{**the_16("F", swedish="SVA"), "SV": "C"})
    assert not has_any_pass(row, SUBJECTS)[0]


def test_without_a_language_choice_the_seventeenth_is_zero():
    row = pupil(**the_16("C"))
    assert merit17(row) == merit16(row) == 16 * 15


def test_pupils_choice_language_competes_among_the_16_but_is_never_the_17th():
    row = pupil(**the_16("C"), M2="A")  # no M1
    assert merit17(row) == 20 + 15 * 15 == 245
    assert merit16(row) == 245


def test_with_both_m1_and_m2_m1_is_the_17th_and_m2_competes():
    row = pupil(**the_16("C"), M1="E", M2="A")
    assert merit17(row) == 10 + 20 + 15 * 15 == 255
    assert merit16(row) == 20 + 15 * 15 == 245


def test_mother_tongue_competes_among_the_16():
    row = pupil(**the_16("C"), M1="B", ML="A")
    assert merit17(row) == 17.5 + 20 + 15 * 15 == 262.5


def test_a_pupil_with_only_f_is_not_counted_in_the_mean():
    only_f = pupil(**the_16("F"))
    one_e = pupil(**{**the_16("F"), "BL": "E"})
    assert not has_any_pass(only_f)[0]
    assert has_any_pass(one_e)[0]


def test_passed_all_subjects_looks_only_at_graded_subjects():
    assert passed_all_subjects(pupil(SV="E", EN="A"))[0]
    assert not passed_all_subjects(pupil(SV="E", EN="F"))[0]
    assert not passed_all_subjects(pupil())[0]  # no grades at all


def passes(core: tuple[str, ...], others: int, **extra: str) -> np.ndarray:
    """Passing grades (E) in `core` and in the first `others` of OTHER_13, F elsewhere."""
    grades = {**the_16("F"), **dict.fromkeys(core, "E")}
    for code in OTHER_13[:others]:
        grades[code] = "E"
    return pupil(**{**grades, **extra})


def test_vocational_eligibility_needs_exactly_eight_passes_with_sv_en_ma():
    assert eligible_vocational(passes(("SV", "EN", "MA"), 5), SUBJECTS)[0]
    assert not eligible_vocational(passes(("SV", "EN", "MA"), 4), SUBJECTS)[0]
    assert not eligible_vocational(passes(("SV", "EN"), 6), SUBJECTS)[0]  # no maths


def test_academic_eligibility_needs_twelve_passes():
    twelve = passes(("SV", "EN", "MA"), 9)  # BI FY KE TK GE HI RE SH BL
    eleven = passes(("SV", "EN", "MA"), 8)
    assert eligible_academic(twelve, SUBJECTS, required=())[0]
    assert not eligible_academic(eleven, SUBJECTS, required=())[0]


def test_natural_science_needs_biology_physics_and_chemistry_among_the_nine():
    nine_with_science = passes(("SV", "EN", "MA"), 9)
    nine_without_physics = passes(("SV", "EN", "MA"), 10, FY="F")
    required = ("BI", "FY", "KE")
    assert eligible_academic(nine_with_science, SUBJECTS, required=required)[0]
    assert not eligible_academic(nine_without_physics, SUBJECTS, required=required)[0]


def test_economics_needs_the_four_social_subjects_among_the_nine():
    required = ("GE", "HI", "RE", "SH")
    nine_with_social = passes(("SV", "EN", "MA"), 9)  # includes GE HI RE SH
    nine_without_sh = passes(("SV", "EN", "MA"), 10, SH="F")
    assert eligible_academic(nine_with_social, SUBJECTS, required=required)[0]
    assert not eligible_academic(nine_without_sh, SUBJECTS, required=required)[0]
    # The arts programme takes any nine.
    assert eligible_academic(nine_without_sh, SUBJECTS, required=())[0]


grade_values = st.sampled_from(["", "A", "B", "C", "D", "E", "F", "-"])
rows = st.lists(grade_values, min_size=len(SUBJECTS), max_size=len(SUBJECTS)).map(
    lambda grades: np.array([grades], dtype="<U1")
)


@given(rows)
def test_sv_and_sva_never_both_count(row):
    """Whatever SV holds beside an SVA grade, the measures are those of the row without SV."""
    if row[0, SUBJECTS.index("SVA")] == "":
        return
    without_sv = row.copy()
    without_sv[0, SUBJECTS.index("SV")] = ""
    assert merit17(row) == merit17(without_sv)
    assert merit16(row) == merit16(without_sv)
    assert passed_all_subjects(row, SUBJECTS)[0] == passed_all_subjects(without_sv, SUBJECTS)[0]
    assert eligible_vocational(row, SUBJECTS)[0] == eligible_vocational(without_sv, SUBJECTS)[0]
    assert has_any_pass(row, SUBJECTS)[0] == has_any_pass(without_sv, SUBJECTS)[0]


@given(rows)
def test_merit_values_stay_within_0_and_340(row):
    assert 0 <= merit17(row) <= 340
    assert 0 <= merit16(row) <= 320
    assert merit16(row) <= merit17(row)


@given(rows, st.integers(0, len(SUBJECTS) - 1), st.sampled_from(["A", "B", "C", "D", "E"]))
def test_adding_a_passing_grade_never_lowers_merit_or_eligibility(row, column, grade):
    if row[0, column] in ("A", "B", "C", "D", "E") and row[0, column] <= grade:
        return  # replacing a pass with a lower pass is not "adding a passing grade"
    if SUBJECTS[column] == "SVA":
        row = row.copy()
        row[0, SUBJECTS.index("SV")] = ""  # an SVA grade replaces SV: see the tests above
    better = row.copy()
    better[0, column] = grade
    assert merit17(better) >= merit17(row)
    assert merit16(better) >= merit16(row)
    assert eligible_vocational(better, SUBJECTS)[0] >= eligible_vocational(row, SUBJECTS)[0]
    for required in ((), ("BI", "FY", "KE"), ("GE", "HI", "RE", "SH")):
        assert (
            eligible_academic(better, SUBJECTS, required=required)[0]
            >= eligible_academic(row, SUBJECTS, required=required)[0]
        )
