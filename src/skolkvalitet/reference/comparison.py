"""Which published figure an organiser's figure is compared with: like for like, said aloud.

Skolverket publishes its municipal and national figures separately for each type of organiser
(typ av huvudman): "Kommunal" (the municipality's own schools), "Enskild" (independent schools)
and "Samtliga" (all schools in the area). A municipal organiser's units are compared with the
municipal schools of the municipality, of similar municipalities and of the nation; an
independent organiser's with the independent schools; "all schools" is one choice away. The
choice is made here, by an explicit rule, never by the order in which values happen to be
sorted (sorting put "Enskild" first and so showed independent schools' figures as "the
municipality").

Pure: takes reference points, returns the one to show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Protocol, TypeVar


class Basis(StrEnum):
    """The schools a published comparison figure covers (Skolverket's typ av huvudman)."""

    MUNICIPAL = "Kommunal"
    ALL = "Samtliga"
    INDEPENDENT = "Enskild"

    @property
    def slug(self) -> str:
        """The basis in a URL (?jamfor=kommunal)."""
        return BASIS_SLUGS[self]


BASIS_SLUGS = {Basis.MUNICIPAL: "kommunal", Basis.ALL: "samtliga", Basis.INDEPENDENT: "enskild"}
BASIS_BY_SLUG = {slug: basis for basis, slug in BASIS_SLUGS.items()}

# The organiser node's type (organisation.models.OrganiserType values) → like for like.
# Regions and the state run few compulsory schools; no published series covers only them, so
# they are compared with all schools.
_LIKE_FOR_LIKE = {
    "municipal": Basis.MUNICIPAL,
    "independent": Basis.INDEPENDENT,
    "regional": Basis.ALL,
    "state": Basis.ALL,
}

# When two sources publish the same figure for the same schools and year, Skolverket's official
# statistics come before Kolada's copy of them. Within Skolverket, the export that publishes
# the figure as its own subject comes first.
SOURCE_PRIORITY = ("skolverket", "kolada")


def like_for_like(organiser_type: str, *, municipality_code: str = "") -> Basis:
    """The default comparison for an organiser: its own type of schools. An organiser whose
    type is not recorded but that has a municipality code is a municipality."""
    if organiser_type in _LIKE_FOR_LIKE:
        return _LIKE_FOR_LIKE[organiser_type]
    return Basis.MUNICIPAL if municipality_code else Basis.ALL


def basis_of(organiser_type: str) -> Basis | None:
    """The basis of a stored value's organiser type; "" (a file that gives no type) means all
    schools, as Skolverket's exports without a type column do."""
    if organiser_type == "":
        return Basis.ALL
    try:
        return Basis(organiser_type)
    except ValueError:
        return None


class _Point(Protocol):
    source: str
    organiser_type: str
    value: float | None
    marker: str


_P = TypeVar("_P", bound=_Point)


def choose(
    points: Iterable[_P],
    basis: Basis,
    *,
    dataset_priority: Callable[[_P], int] | None = None,
) -> _P | None:
    """The point of `basis` to show, or None when no source publishes one for that basis.

    Among points of the basis: the first source in SOURCE_PRIORITY; within a source, the
    lowest `dataset_priority(point)`. A figure of another basis is never returned, whatever the
    order of `points`. Should two points of the same rank still differ (two datasets that
    `dataset_priority` does not tell apart), None is returned: no figure rather than one
    picked by chance."""
    candidates = [p for p in points if basis_of(p.organiser_type) == basis]
    if not candidates:
        return None

    def rank(point: _P) -> tuple[int, int]:
        source = (
            SOURCE_PRIORITY.index(point.source)
            if point.source in SOURCE_PRIORITY
            else len(SOURCE_PRIORITY)
        )
        return (source, dataset_priority(point) if dataset_priority else 0)

    best = min(rank(p) for p in candidates)
    chosen = [p for p in candidates if rank(p) == best]
    if len({(p.value, p.marker) for p in chosen}) > 1:
        return None
    return chosen[0]
