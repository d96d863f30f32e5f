"""Grade values and their points (Skolverket: A=20, B=17.5, C=15, D=12.5, E=10, F=0;
"-" means the basis for a grade is missing and counts as not passed)."""

from __future__ import annotations

GRADE_POINTS: dict[str, float] = {
    "A": 20.0,
    "B": 17.5,
    "C": 15.0,
    "D": 12.5,
    "E": 10.0,
    "F": 0.0,
    "-": 0.0,
}
GRADE_VALUES: tuple[str, ...] = tuple(GRADE_POINTS)
PASSING_GRADES: frozenset[str] = frozenset("ABCDE")
