"""Targets: set and removed through two actions (and a command), checked against the
registry, the indicator's unit and, from the pages, the user's scope."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from skolkvalitet.dashboards.actions import target_range, target_remove, target_set
from skolkvalitet.dashboards.models import Target
from skolkvalitet.indicators.registry import REGISTRY, Unit
from skolkvalitet.organisation.actions import role_grant
from skolkvalitet.organisation.models import Role
from skolkvalitet.organisation.scopes import scope_for

pytestmark = pytest.mark.django_db


def test_a_target_is_set_and_changed(org):
    target_set(node=org.unit_n1, indicator="on_track_MA", value=85)
    target_set(node=org.unit_n1, indicator="on_track_MA", value=90)
    assert Target.objects.get().value == 90


def test_unknown_indicators_and_impossible_shares_are_refused(org):
    with translation.override("en"):
        with pytest.raises(ValidationError, match="Unknown indicator"):
            target_set(node=org.unit_n1, indicator="nonsense", value=1)
        with pytest.raises(ValidationError, match="between 0 and 100"):
            target_set(node=org.unit_n1, indicator="on_track_MA", value=120)
    target_set(node=org.unit_n1, indicator="merit_value_17", value=240)  # points: up to 340


def test_the_command_sets_a_target_for_a_unit(org):
    out = StringIO()
    call_command("target", "--unit", "10000001", "--indicator", "on_track_MA", "--value", "80",
                 stdout=out)  # fmt: skip
    assert out.getvalue().strip() == "Norrskolan: target on_track_MA = 80"
    with pytest.raises(CommandError):
        call_command("target", "--unit", "99999999", "--indicator", "on_track_MA", "--value", "1")


def test_the_command_never_takes_the_first_of_several_organisers(org):
    from skolkvalitet.organisation.actions import node_create

    out = StringIO()
    call_command(
        "target", "--organiser", "--indicator", "on_track_MA", "--value", "70", stdout=out
    )  # fmt: skip  (one organiser: it is the one)
    assert out.getvalue().strip() == "Exempelstads kommun: target on_track_MA = 70"
    node_create(kind="organiser", name="Annan huvudman AB", code="5560000000")
    with pytest.raises(CommandError, match="holds 2 organisers"):
        call_command("target", "--organiser", "--indicator", "on_track_MA", "--value", "75")
    out = StringIO()
    call_command("target", "--organiser", "556000-0000", "--indicator", "on_track_MA",
                 "--value", "75", stdout=out)  # fmt: skip
    assert out.getvalue().strip() == "Annan huvudman AB: target on_track_MA = 75"


# -- ranges per unit, where a target may be set, scope, removal -----------------------------


def test_values_are_checked_against_the_indicators_unit(org):
    with translation.override("en"):
        for key, value, message in (
            ("on_track_MA", -1, "between 0 and 100"),
            ("merit_value_17", 340.5, "between 0 and 340"),
            ("merit_value_16", 321, "between 0 and 320"),
            ("grade_points_MA", 21, "between 0 and 20"),
            ("pupils_per_teacher_fte", -0.5, "cannot be negative"),
            ("on_track_MA", float("nan"), "must be a number"),
            ("merit_value_17", float("inf"), "must be a number"),
        ):
            with pytest.raises(ValidationError, match=message) as caught:
                target_set(node=org.unit_n1, indicator=key, value=value)
            assert set(caught.value.error_dict) == {"value"}
    assert not Target.objects.exists()
    for key, value in (("on_track_MA", 0), ("on_track_MA", 100), ("merit_value_17", 340),
                       ("merit_value_16", 320), ("grade_points_MA", 20),
                       ("pupils_per_teacher_fte", 14.5)):  # fmt: skip
        target_set(node=org.unit_n1, indicator=key, value=value)
    assert Target.objects.count() == 5


def test_every_points_indicator_has_an_upper_bound():
    for indicator in REGISTRY.values():
        low, high = target_range(indicator)
        assert low == 0
        if indicator.unit in (Unit.PERCENT, Unit.POINTS):
            assert high in (20, 100, 320, 340), indicator.key


def test_a_target_is_set_on_the_organiser_an_area_or_a_unit_never_a_group(org):
    for node in (org.organiser, org.area_north, org.unit_n1):
        target_set(node=node, indicator="on_track_MA", value=80)
    with translation.override("en"), pytest.raises(ValidationError, match="school unit"):
        target_set(node=org.group_n1a, indicator="on_track_MA", value=80)
    assert Target.objects.count() == 3


def test_a_year_target_is_kept_apart_from_the_every_year_target(org):
    target_set(node=org.unit_n1, indicator="on_track_MA", value=80)
    target_set(node=org.unit_n1, indicator="on_track_MA", value=85, academic_year=org.year)
    values = dict(Target.objects.values_list("academic_year", "value"))
    assert values == {None: 80, org.year.pk: 85}


def test_with_a_scope_only_the_managed_subtree_may_be_set(org, users, make_user):
    area_admin = make_user("arvid")
    role_grant(user=area_admin, node=org.area_north, role=Role.ORGANISER_ADMIN)
    scope = scope_for(area_admin)
    target_set(node=org.unit_n1, indicator="on_track_MA", value=80, scope=scope)
    target_set(node=org.area_north, indicator="on_track_MA", value=75, scope=scope)
    for node in (org.unit_s1, org.organiser, org.area_south):
        with pytest.raises(PermissionDenied):
            target_set(node=node, indicator="on_track_MA", value=80, scope=scope)
    for role in ("analyst", "board", "unit_head", "teacher", "coach"):
        with pytest.raises(PermissionDenied):
            target_set(
                node=org.unit_n1, indicator="on_track_MA", value=1,
                scope=scope_for(getattr(users, role)),
            )  # fmt: skip
    assert sorted(Target.objects.values_list("node__name", "value")) == [
        ("Norr", 75),
        ("Norrskolan", 80),
    ]


def test_a_target_is_removed_within_the_scope_only(org, users, make_user):
    north = target_set(node=org.unit_n1, indicator="on_track_MA", value=80)
    south = target_set(node=org.unit_s1, indicator="on_track_MA", value=80)
    area_admin = make_user("arvid")
    role_grant(user=area_admin, node=org.area_north, role=Role.ORGANISER_ADMIN)
    with pytest.raises(PermissionDenied):
        target_remove(target=south, scope=scope_for(area_admin))
    with pytest.raises(PermissionDenied):
        target_remove(target=north, scope=scope_for(users.unit_head))
    target_remove(target=north, scope=scope_for(area_admin))
    target_remove(target=north, scope=scope_for(area_admin))  # already gone: nothing happens
    assert list(Target.objects.all()) == [south]
    target_remove(target=south)  # no scope: the operator's command line
    assert not Target.objects.exists()
