"""Per-pupil measures of grundskolan's final grades (slutbetyg), by Skolverket's definitions.

Pure numpy: the input is a pupil × subject matrix of grade codes, the output one value per
pupil. The indicator engine aggregates these per node, period and breakdown.

Sources (docs/indicators.md cites them in full):
- Skolverket, "17 ämnen ger nytt meritvärde": meritvärde = the 16 best grades plus the grade
  in moderna språk as språkval (M1), A=20, B=17.5, C=15, D=12.5, E=10, F=0; max 340.
  Meritvärde (16): the 16 best, M1 may be one of them; max 320.
- Skollagen 15:29–30 and Skolverket's statistics: behörighet till yrkesprogram = passing
  grades (A–E) in svenska or svenska som andraspråk, engelska, matematik and at least five
  other subjects.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from skolkvalitet.results.grades import GRADE_POINTS, PASSING_GRADES

MODERN_LANGUAGE_CHOICE = "M1"  # moderna språk, språkval: the only candidate for the 17th grade
SWEDISH = ("SV", "SVA")


def grade_points(codes: np.ndarray) -> np.ndarray:
    """Points for an array of grade codes; "" (not graded) becomes NaN."""
    points = np.full(codes.shape, np.nan)
    for code, value in GRADE_POINTS.items():
        points[codes == code] = value
    return points


def merit_values(
    codes: np.ndarray, subjects: Sequence[str], *, include_language_choice: bool = True
) -> np.ndarray:
    """Meritvärde per pupil (row) of a pupil × subject matrix of grade codes ("" = no grade).

    With include_language_choice (meritvärde 17) the M1 grade is added to the 16 best of the
    other grades; without it (meritvärde 16) M1 competes among the 16 best.
    """
    points = grade_points(codes)
    subjects = list(subjects)
    if include_language_choice and MODERN_LANGUAGE_CHOICE in subjects:
        m1 = subjects.index(MODERN_LANGUAGE_CHOICE)
        language_choice = np.nan_to_num(points[:, m1])
        others = np.delete(points, m1, axis=1)
    else:
        language_choice = np.zeros(points.shape[0])
        others = points
    best = -np.sort(-np.nan_to_num(others, nan=0.0), axis=1)[:, :16]
    return best.sum(axis=1) + language_choice


def passed_counts(codes: np.ndarray) -> np.ndarray:
    return np.isin(codes, list(PASSING_GRADES)).sum(axis=1)


def has_any_pass(codes: np.ndarray) -> np.ndarray:
    """The pupils counted in the mean merit value: at least one grade A–E."""
    return passed_counts(codes) > 0


def passed_all_subjects(codes: np.ndarray) -> np.ndarray:
    """A–E in every subject the pupil was graded in (F or "-" anywhere fails)."""
    graded = codes != ""
    passed = np.isin(codes, list(PASSING_GRADES))
    return graded.any(axis=1) & (passed | ~graded).all(axis=1)


def eligible_vocational(codes: np.ndarray, subjects: Sequence[str]) -> np.ndarray:
    """Behörig till yrkesprogram: A–E in SV or SVA, EN, MA and five other subjects."""
    subjects = list(subjects)
    passed = np.isin(codes, list(PASSING_GRADES))

    def col(code: str) -> np.ndarray:
        return passed[:, subjects.index(code)] if code in subjects else np.zeros(len(codes), bool)

    swedish = col("SV") | col("SVA")
    core = swedish & col("EN") & col("MA")
    core_count = swedish.astype(int) + col("EN") + col("MA")
    return core & (passed.sum(axis=1) - core_count >= 5)


def eligible_academic(
    codes: np.ndarray, subjects: Sequence[str], *, required: Sequence[str]
) -> np.ndarray:
    """Behörig till högskoleförberedande program: A–E in SV or SVA, EN, MA and nine other
    subjects (twelve in all), the nine including every subject in `required`
    (NA/TE: BI, FY, KE; EK/HU/SA: GE, HI, RE, SH; ES: none)."""
    subjects = list(subjects)
    passed = np.isin(codes, list(PASSING_GRADES))

    def col(code: str) -> np.ndarray:
        return passed[:, subjects.index(code)] if code in subjects else np.zeros(len(codes), bool)

    swedish = col("SV") | col("SVA")
    core = swedish & col("EN") & col("MA")
    core_count = swedish.astype(int) + col("EN") + col("MA")
    ok = core & (passed.sum(axis=1) - core_count >= 9)
    for code in required:
        ok &= col(code)
    return ok
