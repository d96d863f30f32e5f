"""Which indicators a page is about: the registry's school forms and year groups of each
indicator against those a unit runs, or the overview's school-form filter. A section of a
page whose indicators none apply is not shown (no year-9 heading on a gymnasium, no support
list on a förskola). Pure: plain values in, plain values out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from skolkvalitet.indicators.registry import REGISTRY, Family, Indicator

# What the list of pupils who need support is read from: the assessments at the point (a
# subject not on track) and the absence of its term.
SUPPORT_LIST_FAMILIES = (Family.ASSESSMENTS, Family.ABSENCE)


def applies(
    indicator: Indicator, forms: Iterable[str] = (), year_groups: Iterable[int] = ()
) -> bool:
    """Whether `indicator` is about a unit running `forms` and `year_groups`. What is not
    recorded (no forms, no year groups) rules nothing out; an indicator without year groups
    (surveys, staff) is about every year group of its forms."""
    forms = set(forms)
    year_groups = set(year_groups)
    if forms and not forms & set(indicator.school_forms):
        return False
    return (
        not year_groups
        or not indicator.year_groups
        or bool(year_groups & set(indicator.year_groups))
    )


def applicable_keys(
    keys: Sequence[str], forms: Iterable[str] = (), year_groups: Iterable[int] = ()
) -> tuple[str, ...]:
    """The keys among `keys` (in their order) whose indicators apply."""
    forms, year_groups = tuple(forms), tuple(year_groups)
    return tuple(k for k in keys if applies(REGISTRY[k], forms, year_groups))


def for_school_form(keys: Sequence[str], school_form: str | None) -> tuple[str, ...]:
    """The overview's columns for its school-form filter: the indicators registered for that
    form (all of them without a filter)."""
    if not school_form:
        return tuple(keys)
    return tuple(k for k in keys if school_form in REGISTRY[k].school_forms)


def year_group_applies(year_group: int, year_groups: Iterable[int]) -> bool:
    """Whether a unit of `year_groups` has pupils in `year_group` (unknown: it may)."""
    year_groups = set(year_groups)
    return not year_groups or year_group in year_groups


def support_list_applies(forms: Iterable[str], year_groups: Iterable[int]) -> bool:
    """Whether a unit of `forms` and `year_groups` has a list of pupils who need support:
    whether an indicator it is read from applies to the unit."""
    forms, year_groups = tuple(forms), tuple(year_groups)
    return any(
        applies(i, forms, year_groups)
        for i in REGISTRY.values()
        if i.family in SUPPORT_LIST_FAMILIES
    )


def by_school_forms(keys: Sequence[str]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """`keys` grouped by the school forms they are registered for, in order of first
    appearance: [(("GR", "GY"), (pupil survey keys...)), (("FS",), (...))]."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for key in keys:
        groups.setdefault(REGISTRY[key].school_forms, []).append(key)
    return [(forms, tuple(members)) for forms, members in groups.items()]
