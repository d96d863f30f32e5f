"""Values as each role may see them: suppression by scope, nothing outside the scope."""

from __future__ import annotations

import pytest

from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.indicators.selectors import values_as_shown
from skolkvalitet.organisation.scopes import scope_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def values(org):
    def make(node, value, suppression):
        return IndicatorValue.objects.create(
            indicator="passed_all_subjects",
            family="final_grades",
            node=node,
            period_kind="year",
            period_id=org.year.pk,
            breakdown="",
            value=value,
            n=8,
            numerator=6,
            denominator=8,
            suppression=suppression,
            data_version=1,
        )

    return [
        make(org.organizer, 80.0, ""),
        make(org.unit_n1, 75.0, ".."),
        make(org.unit_s1, 96.0, "~100"),
    ]


def shown(values, user):
    return {v.value.node.name: v.shown for v in values_as_shown(values, scope=scope_for(user))}


def test_the_board_sees_markers_instead_of_small_numbers(values, users):
    assert shown(values, users.board) == {
        "Exempelstads kommun": 80.0,
        "Norrskolan": "..",
        "Söderskolan": "~100",
    }


def test_roles_with_pupil_access_see_the_real_values(values, users):
    assert shown(values, users.organizer_admin) == {
        "Exempelstads kommun": 80.0,
        "Norrskolan": 75.0,
        "Söderskolan": 96.0,
    }


def test_a_unit_head_sees_only_their_unit_and_its_real_value(values, users):
    assert shown(values, users.unit_head) == {"Norrskolan": 75.0}


def test_a_coach_sees_their_area_suppressed(values, users):
    assert shown(values, users.coach) == {"Söderskolan": "~100"}
