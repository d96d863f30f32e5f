"""Grade distributions (betygsfördelning): the share of each grade A–F and "-" (no basis)
among the pupils graded in a subject, suppressed as Skolverket publishes. Pure: counts in,
shares out; the unit page loads the counts (dashboards/selectors/distribution.py).

A share rests on the subject's graded pupils, so a subject graded for fewer than `min_n`
pupils is hidden as a whole for roles without pupil access: every grade's share becomes `..`,
since the shares of a 100 % whole would give a hidden one away. So is a subject whose share
passed (A–E) is hidden by the suppression of the materialised indicators (`..` as the
complement of another figure): the distribution's A–E and F would show what it hides.

The distribution is a unit-level figure of the final grades, so `min_n` is their rule's limit
at unit level (registry.SmallNumbers: 10 in every year): distribution_min_n().
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from skolkvalitet.indicators.registry import REGISTRY, Level
from skolkvalitet.indicators.suppression import HIDDEN

GRADE_ORDER = ("A", "B", "C", "D", "E", "F", "-")


def distribution_min_n(year: int | None) -> int:
    """The fewest graded pupils a unit's distribution may rest on in the academic year
    starting in `year`: the final grades' rule (that of `passed_<subject>`) at unit level."""
    return REGISTRY["passed_MA"].min_n_at(Level.UNIT, year)


MIN_N = distribution_min_n(None)


@dataclass(frozen=True)
class Distribution:
    subject: str
    n: int  # pupils graded in the subject
    shares: dict[str, float | str]  # grade → percent of n, or the marker ".." for every grade

    @property
    def suppressed(self) -> bool:
        return any(isinstance(v, str) for v in self.shares.values())

    @property
    def passed(self) -> float | str:
        """The share with A–E (the marker when suppressed)."""
        if self.suppressed:
            return HIDDEN
        return sum(float(self.shares[g]) for g in GRADE_ORDER[:5])


def grade_distributions(
    counts: Iterable[tuple[str, str, int]],
    *,
    suppress: bool,
    subjects: Iterable[str] = (),
    hidden: Collection[str] = (),
    min_n: int = MIN_N,
) -> list[Distribution]:
    """One Distribution per subject from (subject, grade, count) rows. `subjects` gives the
    order (subjects not in it follow, alphabetically); grades outside A–F and "-" are an
    error, not silently dropped. With `suppress` (a role without pupil access), a subject
    with fewer than `min_n` graded pupils, or one of the `hidden` subjects (whose share
    passed is suppressed), shows `..` for every grade."""
    by_subject: dict[str, dict[str, int]] = {}
    for subject, grade, count in counts:
        if grade not in GRADE_ORDER:
            raise ValueError(f"unknown grade {grade!r} in {subject}")
        if count < 0:
            raise ValueError(f"negative count for {subject} {grade}")
        grades = by_subject.setdefault(subject, dict.fromkeys(GRADE_ORDER, 0))
        grades[grade] += count
    order = [s for s in subjects if s in by_subject]
    order += sorted(set(by_subject) - set(order))
    out = []
    for subject in order:
        grades = by_subject[subject]
        n = sum(grades.values())
        if n == 0:
            continue
        shares: dict[str, float | str]
        if suppress and (n < min_n or subject in hidden):
            shares = dict.fromkeys(GRADE_ORDER, HIDDEN)
        else:
            shares = {g: 100.0 * grades[g] / n for g in GRADE_ORDER}
        out.append(Distribution(subject, n, shares))
    return out
