"""The demo's quality cycle reckons with the demo's own `today`, never the clock
(demo/cycle.py): built on a machine whose clock is months away from it, last year's goals
are still evaluated and this year's actions are overdue as of the demo's day."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from skolkvalitet.demo import cycle
from skolkvalitet.organisation.actions import academic_year_ensure
from skolkvalitet.organisation.models import RoleAssignment
from skolkvalitet.quality.models import GoalEvaluation, PlanAction

pytestmark = pytest.mark.django_db

DEMO_TODAY = dt.date(2025, 11, 23)  # in the second of the two years, 2025/26


@pytest.mark.parametrize("clock", [dt.date(2025, 1, 15), dt.date(2031, 3, 1)])
def test_the_plans_follow_the_demos_day_whatever_the_clock(org, users, monkeypatch, clock):
    running, _terms = academic_year_ensure(2025)
    # The head's role runs to the end of June 2026, past the demo's day.
    RoleAssignment.objects.filter(user=users.unit_head).update(valid_until=dt.date(2026, 6, 30))
    # The clock: before 2024/25's goals may be evaluated (from 14 May 2025, a month before
    # the year ends, having no follow-up points), or years after the head's role ended.
    monkeypatch.setattr(timezone, "localdate", lambda *args: clock)
    cycle._plans(
        org.unit_n1, org.year, running, users.unit_head, DEMO_TODAY, np.random.default_rng(1)
    )
    [evaluation] = GoalEvaluation.objects.all()
    assert evaluation.goal.area.academic_year == org.year
    overdue = [
        a.title
        for a in PlanAction.objects.filter(goal__area__academic_year=running)
        if a.is_overdue_on(DEMO_TODAY)
    ]
    assert overdue == ["Kartläggning av frånvaron per klass"]  # ended 9 November
