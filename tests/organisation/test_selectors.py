"""Counts over the tree in conftest.py, read through each user's scope.

Enrolled in 2024/25 (F = girl, M = boy):

    unit_n1  Norr   Alva F, Bella F, Cesar M (7A), David M (7B), Elsa F (no group)  5: 3F 2M
    unit_n2  Norr   Frida F, Gustav M (8A)                                          2: 1F 1M
    unit_s1  Söder  Hanna F, Ida F (7A)                                             2: 2F 0M
    unit_s2  Söder  Josef M (9B)                                                    1: 0F 1M
"""

from __future__ import annotations

import datetime as dt

import pytest

from skolkvalitet.organisation import actions
from skolkvalitet.organisation.models import AcademicYear, Enrolment, NodeKind, SchoolForm
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.organisation.selectors import (
    academic_year_current,
    groups_with_pupil_counts,
    pupil_count_in_scope,
    units_with_pupil_counts,
)

pytestmark = pytest.mark.django_db


def rows(scope, year):
    return [
        (r.unit.name, r.area_name, r.pupils, r.girls, r.boys)
        for r in units_with_pupil_counts(scope=scope, academic_year=year)
    ]


@pytest.fixture
def previous_year(org):
    """2023/24, in which Alva and Frida were at Ekskolan (unit_s2): counted in that year only."""
    year = AcademicYear.objects.create(
        code="2023/24", start_date=dt.date(2023, 8, 21), end_date=dt.date(2024, 6, 14)
    )
    for name in ("Alva", "Frida"):
        Enrolment.objects.create(
            pupil=org.pupils[name],
            academic_year=year,
            unit=org.unit_s2,
            school_form=SchoolForm.GR,
            year_group=6,
        )
    return year


def test_admin_sees_every_unit_with_its_counts_by_area_then_name(org, users, previous_year):
    admin = scope_for(users.organiser_admin)
    assert rows(admin, org.year) == [
        ("Björkskolan", "Norr", 2, 1, 1),
        ("Norrskolan", "Norr", 5, 3, 2),
        ("Ekskolan", "Söder", 1, 0, 1),
        ("Söderskolan", "Söder", 2, 2, 0),
    ]
    assert pupil_count_in_scope(scope=admin, academic_year=org.year) == 10


def test_previous_year_is_counted_on_its_own(org, users, previous_year):
    scope = scope_for(users.organiser_admin)
    assert rows(scope, previous_year) == [
        ("Björkskolan", "Norr", 0, 0, 0),
        ("Norrskolan", "Norr", 0, 0, 0),
        ("Ekskolan", "Söder", 2, 2, 0),
        ("Söderskolan", "Söder", 0, 0, 0),
    ]
    assert pupil_count_in_scope(scope=scope, academic_year=previous_year) == 2


def test_unit_head_sees_only_the_own_unit(org, users, previous_year):
    scope = scope_for(users.unit_head)
    assert rows(scope, org.year) == [("Norrskolan", "Norr", 5, 3, 2)]
    assert pupil_count_in_scope(scope=scope, academic_year=org.year) == 5
    assert pupil_count_in_scope(scope=scope, academic_year=previous_year) == 0


def test_teacher_has_no_unit_and_counts_only_the_own_group(org, users, previous_year):
    scope = scope_for(users.teacher)
    assert rows(scope, org.year) == []
    assert pupil_count_in_scope(scope=scope, academic_year=org.year) == 3
    assert pupil_count_in_scope(scope=scope, academic_year=previous_year) == 0


def test_board_and_coach_count_in_aggregate(org, users):
    assert pupil_count_in_scope(scope=scope_for(users.board), academic_year=org.year) == 10
    coach = scope_for(users.coach)
    assert rows(coach, org.year) == [
        ("Ekskolan", "Söder", 1, 0, 1),
        ("Söderskolan", "Söder", 2, 2, 0),
    ]
    assert pupil_count_in_scope(scope=coach, academic_year=org.year) == 3


def test_unit_directly_under_the_organiser_has_no_area_name(org, users):
    actions.node_create(kind=NodeKind.UNIT, name="Centralskolan", parent=org.organiser, code="3")
    assert ("Centralskolan", "", 0, 0, 0) in rows(scope_for(users.analyst), org.year)


def test_pupil_in_two_units_is_counted_once(org, users):
    Enrolment.objects.create(
        pupil=org.pupils["Josef"],
        academic_year=org.year,
        unit=org.unit_n2,
        school_form=SchoolForm.GR,
        year_group=9,
    )
    admin = scope_for(users.organiser_admin)
    assert pupil_count_in_scope(scope=admin, academic_year=org.year) == 10
    assert rows(admin, org.year)[0] == ("Björkskolan", "Norr", 3, 1, 2)


def test_groups_with_pupil_counts(org, users):
    def counts(user):
        groups = groups_with_pupil_counts(scope=scope_for(user), academic_year=org.year)
        return {g.name: g.n_pupils for g in groups}

    assert counts(users.teacher) == {"Norrskolan 7A": 3}
    assert counts(users.unit_head) == {"Norrskolan 7A": 3, "Norrskolan 7B": 1}
    assert counts(users.coach) == {
        "Söderskolan 7A": 2,
        "Söderskolan 7B": 0,
        "Ekskolan 9A": 0,
        "Ekskolan 9B": 1,
    }


# -- academic_year_current -----------------------------------------------------------------


@pytest.fixture
def years(db):
    return {
        code: AcademicYear.objects.create(code=code, start_date=start, end_date=end)
        for code, start, end in [
            ("2023/24", dt.date(2023, 8, 21), dt.date(2024, 6, 14)),
            ("2024/25", dt.date(2024, 8, 19), dt.date(2025, 6, 13)),
            ("2025/26", dt.date(2025, 8, 18), dt.date(2026, 6, 12)),
        ]
    }


@pytest.mark.parametrize(
    ("on", "code"),
    [
        (dt.date(2024, 10, 1), "2024/25"),  # running
        (dt.date(2024, 8, 19), "2024/25"),  # first day
        (dt.date(2025, 6, 13), "2024/25"),  # last day
        (dt.date(2024, 6, 14), "2023/24"),
        (dt.date(2024, 7, 1), "2023/24"),  # summer: the latest that has started
        (dt.date(2025, 8, 17), "2024/25"),
        (dt.date(2025, 8, 18), "2025/26"),
        (dt.date(2030, 1, 1), "2025/26"),  # after them all: the latest
        (dt.date(2020, 1, 1), "2023/24"),  # before them all: the earliest
    ],
)
def test_academic_year_current_by_date(years, on, code):
    assert academic_year_current(on=on) == years[code]


def test_academic_year_current_without_years_is_none(db):
    assert academic_year_current(on=dt.date(2025, 1, 1)) is None
