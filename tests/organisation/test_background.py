"""Nyinvandrad as Skolverket defines it: immigrated in one of the last four calendar years,
born abroad, both parents born abroad (organisation/background.py, Pupil.is_newly_arrived_on).

The reference year of the spring's leaving grades of 2024/25 is 2025: immigration in 2022,
2023, 2024 or 2025 counts, 2021 does not, however few days it lies before 1 January 2022.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.organisation.background import NEWLY_ARRIVED_CALENDAR_YEARS, newly_arrived
from skolkvalitet.organisation.models import Pupil

LEAVING_DAY_2025 = dt.date(2025, 6, 14)  # the end of 2024/25: its spring's leaving grades


def pupil(arrival, born_abroad=True, parents_born_abroad=True, coordination=False) -> Pupil:
    return Pupil(
        birth_year=2009,
        legal_gender="F",
        arrival_date=arrival,
        born_abroad=born_abroad,
        parents_born_abroad=parents_born_abroad,
        coordination_number=coordination,
    )


@pytest.mark.parametrize(
    ("arrival", "expected"),
    [
        (dt.date(2021, 12, 31), False),  # 2021: five calendar years back
        (dt.date(2022, 1, 1), True),  # the first day of the first counted year
        (dt.date(2023, 7, 1), True),
        (dt.date(2024, 12, 31), True),
        (dt.date(2025, 1, 1), True),
        (dt.date(2025, 6, 14), True),
    ],
)
def test_spring_2025_counts_immigration_in_2022_to_2025(arrival, expected):
    assert pupil(arrival).is_newly_arrived_on(LEAVING_DAY_2025) is expected


def test_it_is_calendar_years_not_four_years_before_the_day():
    # The old rule, "came less than four years before the day", said yes to both of these.
    # 10 October 2021 is less than four years before 1 July 2025, but 2021 is not one of
    # the calendar years 2022–2025.
    assert pupil(dt.date(2021, 10, 10)).is_newly_arrived_on(dt.date(2025, 7, 1)) is False
    # And a pupil who came on 2 January 2022 is still newly arrived on 31 December 2025,
    # almost four years later, but not the next day.
    assert pupil(dt.date(2022, 1, 2)).is_newly_arrived_on(dt.date(2025, 12, 31)) is True
    assert pupil(dt.date(2022, 1, 2)).is_newly_arrived_on(dt.date(2026, 1, 1)) is False


def test_an_autumn_follow_up_point_counts_back_from_its_own_calendar_year():
    came_in_2021 = pupil(dt.date(2021, 3, 1))
    assert came_in_2021.is_newly_arrived_on(dt.date(2024, 11, 15)) is True  # 2021–2024
    assert came_in_2021.is_newly_arrived_on(dt.date(2025, 3, 15)) is False  # 2022–2025


def test_born_in_sweden_is_never_newly_arrived_even_after_living_abroad():
    returner = pupil(dt.date(2024, 8, 1), born_abroad=False, parents_born_abroad=True)
    assert returner.is_newly_arrived_on(LEAVING_DAY_2025) is False


def test_a_parent_born_in_sweden_means_not_newly_arrived():
    assert (
        pupil(dt.date(2024, 8, 1), parents_born_abroad=False).is_newly_arrived_on(LEAVING_DAY_2025)
        is False
    )


def test_no_immigration_date_is_not_newly_arrived_whatever_else_is_known():
    assert pupil(None).is_newly_arrived_on(LEAVING_DAY_2025) is False
    assert pupil(None, None, None).is_newly_arrived_on(LEAVING_DAY_2025) is False


@pytest.mark.parametrize(
    ("born_abroad", "parents_born_abroad"), [(None, True), (True, None), (None, None)]
)
def test_a_recent_immigration_with_the_birth_countries_unknown_cannot_be_told(
    born_abroad, parents_born_abroad
):
    # Skolverket's "okänd bakgrund" / "uppgift saknas": neither newly arrived nor not.
    recent = pupil(dt.date(2024, 8, 1), born_abroad, parents_born_abroad)
    assert recent.is_newly_arrived_on(LEAVING_DAY_2025) is None


def test_what_is_known_to_rule_it_out_rules_it_out_even_when_the_rest_is_unknown():
    assert pupil(dt.date(2024, 8, 1), False, None).is_newly_arrived_on(LEAVING_DAY_2025) is False
    assert pupil(dt.date(2024, 8, 1), None, False).is_newly_arrived_on(LEAVING_DAY_2025) is False
    assert pupil(dt.date(2019, 8, 1), None, None).is_newly_arrived_on(LEAVING_DAY_2025) is False


def test_a_pupil_known_by_a_samordningsnummer_is_okand_bakgrund_whatever_else_is_known():
    # Skolverket: "I kategorin nyinvandrade ingår endast folkbokförda elever" – the others
    # are "okänd bakgrund". A samordningsnummer is given to people not registered here.
    for arrival in (dt.date(2024, 8, 1), dt.date(2015, 8, 1), None):
        assert pupil(arrival, coordination=True).is_newly_arrived_on(LEAVING_DAY_2025) is None


knowns = st.sampled_from([True, False, None])


@given(st.integers(1990, 2040), st.integers(1990, 2040), knowns, knowns, st.booleans())
def test_newly_arrived_only_with_all_four_facts(
    immigration, reference, born, parents, coordination
):
    answer = newly_arrived(
        immigration_year=immigration,
        born_abroad=born,
        parents_born_abroad=parents,
        coordination_number=coordination,
        reference_year=reference,
    )
    recent = reference - NEWLY_ARRIVED_CALENDAR_YEARS < immigration <= reference
    assert (answer is True) == (not coordination and recent and born is True and parents is True)
    unknown_background = recent and None in (born, parents) and False not in (born, parents)
    assert (answer is None) == (coordination or unknown_background)
