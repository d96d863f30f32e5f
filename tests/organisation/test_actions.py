"""Writes to the organisation: nodes with their paths, pupils behind a pseudonym."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from skolkvalitet.organisation import actions
from skolkvalitet.organisation.identity import (
    make_personal_number,
    parse_personal_number,
    pseudonym_for,
)
from skolkvalitet.organisation.models import Node, NodeKind, Pupil

pytestmark = pytest.mark.django_db


# -- node_create ---------------------------------------------------------------------------


def test_node_path_is_parent_path_plus_own_id():
    organiser = actions.node_create(kind=NodeKind.ORGANISER, name="Huvudman")
    area = actions.node_create(kind=NodeKind.AREA, name="Norr", parent=organiser)
    unit = actions.node_create(kind=NodeKind.UNIT, name="Skolan", parent=area, code="12345678")
    group = actions.node_create(kind=NodeKind.GROUP, name="7A", parent=unit)

    assert organiser.path == f"/{organiser.pk}/"
    assert area.path == f"/{organiser.pk}/{area.pk}/"
    assert unit.path == f"/{organiser.pk}/{area.pk}/{unit.pk}/"
    assert group.path == f"/{organiser.pk}/{area.pk}/{unit.pk}/{group.pk}/"
    # Stored, not only set on the instance.
    assert Node.objects.get(pk=group.pk).path == group.path
    assert [organiser.depth, area.depth, unit.depth, group.depth] == [1, 2, 3, 4]
    assert group.ancestor_ids() == [organiser.pk, area.pk, unit.pk, group.pk]
    assert group.is_within(area) and not area.is_within(group)


def test_fixture_tree_paths_follow_the_parents(org):
    for node in org.nodes.values():
        expected = f"{node.parent.path}{node.pk}/" if node.parent else f"/{node.pk}/"
        assert node.path == expected
    assert org.unit_n1.parent == org.area_north
    assert org.group_s2b.parent == org.unit_s2
    assert org.unit_s1.code == "20000001"
    assert org.group_n1a.academic_year == org.year


def test_the_tree_holds_each_kind_of_node(org):
    assert list(Node.objects.filter(kind=NodeKind.ORGANISER)) == [org.organiser]
    assert set(Node.objects.filter(kind=NodeKind.AREA)) == {org.area_north, org.area_south}
    assert Node.objects.filter(kind=NodeKind.UNIT).count() == 4
    assert Node.objects.filter(kind=NodeKind.GROUP).count() == 8


def test_unit_may_hang_directly_under_the_organiser():
    organiser = actions.node_create(kind=NodeKind.ORGANISER, name="Friskola AB")
    unit = actions.node_create(kind=NodeKind.UNIT, name="Skolan", parent=organiser, code="1")
    assert unit.parent == organiser


def test_area_may_hang_under_another_area():
    organiser = actions.node_create(kind=NodeKind.ORGANISER, name="Stor kommun")
    area = actions.node_create(kind=NodeKind.AREA, name="Norr", parent=organiser)
    inner = actions.node_create(kind=NodeKind.AREA, name="Norr 1", parent=area)
    assert inner.path.startswith(area.path)


@pytest.mark.parametrize(
    ("kind", "parent_name"),
    [
        (NodeKind.UNIT, "group_n1a"),  # a unit under a group
        (NodeKind.UNIT, "unit_n1"),  # a unit under a unit
        (NodeKind.GROUP, "area_north"),  # a group under an area
        (NodeKind.GROUP, "organiser"),  # a group under the organiser
        (NodeKind.GROUP, "group_n1a"),  # a group under a group
        (NodeKind.AREA, "unit_n1"),  # an area under a unit
        (NodeKind.ORGANISER, "organiser"),  # an organiser under anything
    ],
)
def test_node_in_the_wrong_place_is_rejected(org, kind, parent_name):
    before = Node.objects.count()
    with pytest.raises(ValidationError):
        actions.node_create(kind=kind, name="Fel", parent=org.nodes[parent_name], code="99999999")
    assert Node.objects.count() == before


@pytest.mark.parametrize("kind", [NodeKind.AREA, NodeKind.UNIT, NodeKind.GROUP])
def test_only_an_organiser_may_be_a_root(kind):
    with pytest.raises(ValidationError):
        actions.node_create(kind=kind, name="Föräldralös")
    assert not Node.objects.exists()


# -- pupil_get_or_create -------------------------------------------------------------------


def test_hand_computed_number_is_valid():
    # 110314-242? : 1*2=2, 1, 0*2=0, 3, 1*2=2, 4, 2*2=4, 4, 2*2=4 → 24 → check 6
    assert make_personal_number(dt.date(2011, 3, 14), 242) == "201103142426"


def test_pupil_gets_birth_year_and_gender_from_the_number():
    number = parse_personal_number("20110314-2426")
    pupil, created = actions.pupil_get_or_create(number=number, given_name="Alva")
    assert created is True
    pupil.refresh_from_db()
    assert pupil.birth_year == 2011
    assert pupil.legal_gender == "F"  # 2 is even
    assert pupil.given_name == "Alva"
    assert pupil.pseudonym == pseudonym_for(number)


def test_boy_is_recorded_as_male():
    number = parse_personal_number("811218-9876")
    pupil, _created = actions.pupil_get_or_create(number=number)
    assert (pupil.birth_year, pupil.legal_gender) == (1981, "M")


def test_no_column_of_the_pupil_row_holds_the_number(settings):
    settings.PSEUDONYM_KEY = "fast-nyckel-för-testet"
    number = parse_personal_number("20110314-2426")
    pupil, _created = actions.pupil_get_or_create(
        number=number, given_name="Alva", family_name="Ek", arrival_date=dt.date(2020, 1, 15)
    )
    table = connection.ops.quote_name(Pupil._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pupil.pk])
        row = cursor.fetchone()
    stored = " ".join(str(value) for value in row)
    for form in ("201103142426", "1103142426", "110314-2426", "110314", "2426"):
        assert form not in stored, form


def test_a_pupil_known_by_a_samordningsnummer_is_marked_so():
    # Not folkbokförd: "okänd bakgrund" in Skolverket's statistics (organisation/background.py).
    coordination = parse_personal_number(
        make_personal_number(dt.date(2011, 3, 14), 242, coordination=True)
    )
    ordinary = parse_personal_number("20110314-2426")
    assert actions.pupil_get_or_create(number=coordination)[0].coordination_number is True
    assert actions.pupil_get_or_create(number=ordinary)[0].coordination_number is False


def test_second_call_returns_the_same_pupil():
    first, created_first = actions.pupil_get_or_create(
        number=parse_personal_number("20110314-2426"), given_name="Alva"
    )
    second, created_second = actions.pupil_get_or_create(
        number=parse_personal_number("1103142426"), given_name="Annan"
    )
    assert (created_first, created_second) == (True, False)
    assert second.pk == first.pk
    assert second.given_name == "Alva"  # attributes only fill a new pupil
    assert Pupil.objects.count() == 1


def test_two_numbers_give_two_pupils():
    a, _ = actions.pupil_get_or_create(number=parse_personal_number("20110314-2426"))
    b, _ = actions.pupil_get_or_create(number=parse_personal_number("811218-9876"))
    assert a.pk != b.pk
    assert a.pseudonym != b.pseudonym
