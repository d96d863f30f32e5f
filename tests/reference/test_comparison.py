"""Which published figure stands beside the organiser's: like for like by type of organiser,
named, and never chosen by the order the values happen to come in (issue: Haninge 2024/25
showed the independent schools' merit value 223.6 as "the municipality", where its municipal
schools had 206.6 and all its schools 210.8)."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.reference.comparison import (
    BASIS_BY_SLUG,
    Basis,
    basis_of,
    choose,
    like_for_like,
)
from skolkvalitet.reference.mapping import (
    BETYG_OVER_TIME_9,
    SLUTBETYG_9,
    dataset_rank,
)


@dataclass(frozen=True)
class Point:
    source: str
    organiser_type: str
    value: float | None
    marker: str = ""
    dataset: str = BETYG_OVER_TIME_9


HANINGE_2024_25 = [  # merit value (17), Haninge 0136, as published per type of organiser
    Point("skolverket", "Enskild", 223.6),
    Point("skolverket", "Kommunal", 206.6),
    Point("skolverket", "Samtliga", 210.8),
]


def test_a_municipality_is_compared_with_municipal_schools():
    assert like_for_like("municipal") == Basis.MUNICIPAL
    assert choose(HANINGE_2024_25, Basis.MUNICIPAL).value == 206.6


def test_all_schools_and_independent_schools_are_one_choice_away():
    assert choose(HANINGE_2024_25, Basis.ALL).value == 210.8
    assert choose(HANINGE_2024_25, Basis.INDEPENDENT).value == 223.6
    assert BASIS_BY_SLUG == {
        "kommunal": Basis.MUNICIPAL,
        "samtliga": Basis.ALL,
        "enskild": Basis.INDEPENDENT,
    }


def test_each_type_of_organiser_has_its_like_for_like_basis():
    assert like_for_like("independent") == Basis.INDEPENDENT
    assert like_for_like("regional") == Basis.ALL
    assert like_for_like("state") == Basis.ALL
    # Not recorded: a municipality code says it is a municipality; otherwise all schools.
    assert like_for_like("", municipality_code="0136") == Basis.MUNICIPAL
    assert like_for_like("") == Basis.ALL


def test_no_figure_of_another_type_stands_in_for_a_missing_one():
    only_independent = [Point("skolverket", "Enskild", 223.6)]
    assert choose(only_independent, Basis.MUNICIPAL) is None
    assert choose([], Basis.MUNICIPAL) is None


def test_a_value_without_a_type_is_all_schools():
    assert basis_of("") == Basis.ALL
    assert basis_of("Kommunalförbund") is None
    assert choose([Point("skolverket", "", 75.0)], Basis.ALL).value == 75.0
    assert choose([Point("skolverket", "", 75.0)], Basis.MUNICIPAL) is None


def test_skolverket_comes_before_kolada_for_the_same_schools():
    points = [
        Point("kolada", "Kommunal", 223.4, dataset="N15505"),
        Point("skolverket", "Kommunal", 223.3),
    ]
    assert choose(points, Basis.MUNICIPAL, dataset_priority=dataset_rank).source == "skolverket"
    assert choose(points[:1], Basis.MUNICIPAL).source == "kolada"  # when only Kolada has it


def test_the_years_own_export_comes_before_the_comparison_over_time():
    points = [
        Point("skolverket", "Kommunal", 206.5, dataset=BETYG_OVER_TIME_9),
        Point("skolverket", "Kommunal", 206.6, dataset=SLUTBETYG_9),
    ]
    assert choose(points, Basis.MUNICIPAL, dataset_priority=dataset_rank).value == 206.6


def test_two_equal_ranked_figures_that_differ_show_nothing_rather_than_one_by_chance():
    points = [
        Point("skolverket", "Kommunal", 206.5, dataset="A"),
        Point("skolverket", "Kommunal", 206.6, dataset="B"),
    ]
    assert choose(points, Basis.MUNICIPAL, dataset_priority=dataset_rank) is None
    same = [Point("skolverket", "Kommunal", 206.6, dataset=d) for d in ("A", "B")]
    assert choose(same, Basis.MUNICIPAL, dataset_priority=dataset_rank).value == 206.6


@given(st.permutations(HANINGE_2024_25), st.sampled_from(list(Basis)))
def test_the_choice_does_not_depend_on_the_order_of_the_values(points, basis):
    chosen = choose(points, basis, dataset_priority=dataset_rank)
    assert chosen == choose(HANINGE_2024_25, basis, dataset_priority=dataset_rank)
    assert basis_of(chosen.organiser_type) == basis


@given(
    st.lists(
        st.builds(
            Point,
            source=st.sampled_from(["skolverket", "kolada"]),
            organiser_type=st.sampled_from(["Kommunal", "Samtliga", "Enskild", ""]),
            value=st.floats(0, 340, allow_nan=False),
            dataset=st.sampled_from([SLUTBETYG_9, BETYG_OVER_TIME_9, "N15505"]),
        ),
        max_size=8,
    ),
    st.sampled_from(list(Basis)),
)
def test_whatever_is_stored_the_chosen_figure_is_of_the_basis_asked_for(points, basis):
    chosen = choose(points, basis, dataset_priority=dataset_rank)
    if chosen is not None:
        assert basis_of(chosen.organiser_type) == basis
    elif any(basis_of(p.organiser_type) == basis for p in points):
        # nothing shown only when the best-ranked figures of the basis disagree
        ranked = [p for p in points if basis_of(p.organiser_type) == basis]
        assert len({p.value for p in ranked}) > 1
