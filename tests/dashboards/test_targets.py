"""Targets: set through one action (and its command), checked against the registry."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from skolkvalitet.dashboards.actions import target_set
from skolkvalitet.dashboards.models import Target

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
    target_set(node=org.unit_n1, indicator="merit_value_17", value=240)  # points: no cap


def test_the_command_sets_a_target_for_a_unit(org):
    out = StringIO()
    call_command("target", "--unit", "10000001", "--indicator", "on_track_MA", "--value", "80",
                 stdout=out)  # fmt: skip
    assert out.getvalue().strip() == "Norrskolan: target on_track_MA = 80"
    with pytest.raises(CommandError):
        call_command("target", "--unit", "99999999", "--indicator", "on_track_MA", "--value", "1")
