"""Per-pupil measures of grundskolan's grades, by Skolverket's definitions.

Pure numpy: the input is a pupil × subject matrix, either of grade codes ("A"…"F", "-", and ""
for no grade) or of grade points (float, NaN for no grade: what the engine passes, built once);
the output is one value per pupil. A grade passes when its points are at least 10 (E): F and
"-" both give 0 points and fail.

Sources (docs/indicators.md cites them in full):
- Skolverket, "17 ämnen ger nytt meritvärde": meritvärde = the 16 best grades plus the grade
  in moderna språk as språkval (M1), A=20, B=17.5, C=15, D=12.5, E=10, F=0; max 340.
  Meritvärde (16): the 16 best, M1 may be one of them; max 320.
- Skollagen 16 kap. and Skolverket's statistics: behörighet till yrkesprogram = passing
  grades (A–E) in svenska or svenska som andraspråk, engelska, matematik and at least five
  other subjects; till högskoleförberedande program: the same three and nine others.
- Svenska and svenska som andraspråk are alternatives, never both counted: "undervisning i
  svenska som andraspråk ersätter undervisning i svenska" (skolförordningen (2011:185)
  5 kap. 15 §), and Skolverket's definitions ask for "svenska eller svenska som andraspråk".
  A row with grades in both counts SVA and leaves SV out (swedish_once); measures.py first
  keeps the one given last, so a matrix reaching here holds both only when they were given
  at the same time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from skolkvalitet.results.grades import GRADE_POINTS
from skolkvalitet.results.subjects import SWEDISH, SWEDISH_SECOND_LANGUAGE

MODERN_LANGUAGE_CHOICE = "M1"  # moderna språk, språkval: the only candidate for the 17th grade
PASS_POINTS = GRADE_POINTS["E"]


def grade_points(codes: np.ndarray) -> np.ndarray:
    """Points for an array of grade codes; "" (not graded) becomes NaN."""
    points = np.full(codes.shape, np.nan)
    for code, value in GRADE_POINTS.items():
        points[codes == code] = value
    return points


def swedish_once(points: np.ndarray, subjects: Sequence[str] | None) -> np.ndarray:
    """`points` with SV left out (NaN) in the rows that have an SVA grade: svenska som
    andraspråk replaces svenska (skolförordningen 5 kap. 15 §), so the two never both count
    among the 16 best, the "other subjects" of eligibility or the subjects passed."""
    subjects = list(subjects or ())
    if SWEDISH not in subjects or SWEDISH_SECOND_LANGUAGE not in subjects:
        return points
    sv, sva = subjects.index(SWEDISH), subjects.index(SWEDISH_SECOND_LANGUAGE)
    both = ~np.isnan(points[:, sv]) & ~np.isnan(points[:, sva])
    if not both.any():
        return points
    points = points.copy()
    points[both, sv] = np.nan
    return points


def _points(grades: np.ndarray, subjects: Sequence[str] | None = None) -> np.ndarray:
    points = grades if grades.dtype.kind == "f" else grade_points(grades)
    return swedish_once(points, subjects)


def _passed(grades: np.ndarray, subjects: Sequence[str] | None = None) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return _points(grades, subjects) >= PASS_POINTS  # NaN (no grade) compares False


def _column(matrix: np.ndarray, subjects: Sequence[str], code: str) -> np.ndarray:
    subjects = list(subjects)
    if code in subjects:
        return matrix[:, subjects.index(code)]
    return np.zeros(len(matrix), dtype=matrix.dtype)


def merit_values(
    grades: np.ndarray, subjects: Sequence[str], *, include_language_choice: bool = True
) -> np.ndarray:
    """Meritvärde per pupil (row).

    With include_language_choice (meritvärde 17) the M1 grade is added to the 16 best of the
    other grades; without it (meritvärde 16) M1 competes among the 16 best. Of SV and SVA
    only SVA counts when a row has both (swedish_once).
    """
    points = np.nan_to_num(_points(grades, subjects), nan=0.0)
    subjects = list(subjects)
    if include_language_choice and MODERN_LANGUAGE_CHOICE in subjects:
        m1 = subjects.index(MODERN_LANGUAGE_CHOICE)
        language_choice = points[:, m1]
        others = np.delete(points, m1, axis=1)
    else:
        language_choice = np.zeros(points.shape[0])
        others = points
    if others.shape[1] > 16:
        # The 16 largest per row without a full sort.
        others = np.partition(others, others.shape[1] - 16, axis=1)[:, -16:]
    return others.sum(axis=1) + language_choice


def has_any_pass(grades: np.ndarray, subjects: Sequence[str] | None = None) -> np.ndarray:
    """The pupils counted in the mean merit value: at least one grade A–E (of SV and SVA
    only SVA when `subjects` names both and a row has both)."""
    return np.asarray(_passed(grades, subjects).any(axis=1))


def passed_all_subjects(grades: np.ndarray, subjects: Sequence[str] | None = None) -> np.ndarray:
    """A–E in every subject the pupil was graded in (F or "-" anywhere fails); of SV and SVA
    only SVA when `subjects` names both and a row has both."""
    points = _points(grades, subjects)
    graded = ~np.isnan(points)
    passed = _passed(points)
    return graded.any(axis=1) & (passed | ~graded).all(axis=1)


def _core(passed: np.ndarray, subjects: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(SV or SVA, EN and MA all passed; how many of them passed)."""
    swedish = _column(passed, subjects, SWEDISH) | _column(
        passed, subjects, SWEDISH_SECOND_LANGUAGE
    )
    english, maths = _column(passed, subjects, "EN"), _column(passed, subjects, "MA")
    return swedish & english & maths, swedish.astype(int) + english + maths


def eligible_vocational(grades: np.ndarray, subjects: Sequence[str]) -> np.ndarray:
    """Behörig till yrkesprogram: A–E in SV or SVA, EN, MA and five other subjects (SV and
    SVA never both: the second is not one of the five)."""
    passed = _passed(grades, subjects)
    core, core_count = _core(passed, subjects)
    return core & (passed.sum(axis=1) - core_count >= 5)


def eligible_academic(
    grades: np.ndarray, subjects: Sequence[str], *, required: Sequence[str]
) -> np.ndarray:
    """Behörig till högskoleförberedande program: A–E in SV or SVA, EN, MA and nine other
    subjects (twelve in all), the nine including every subject in `required`
    (NA/TE: BI, FY, KE; EK/HU/SA: GE, HI, RE, SH; ES: none); SV and SVA never both."""
    passed = _passed(grades, subjects)
    core, core_count = _core(passed, subjects)
    ok = core & (passed.sum(axis=1) - core_count >= 9)
    for code in required:
        ok &= _column(passed, subjects, code)
    return ok
