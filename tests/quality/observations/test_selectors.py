"""The drafted observations of a report from stored figures (quality/observations/selectors.py):
hand-made IndicatorValue rows of Norrskolan (a unit: `..` below 10 in every year) and the
organiser (a summary level: below 5 from 2023/24), in 2023/24 and 2024/25, and the unit's
plan. Each case says which sentence the figures allow, in which section, and which they do
not."""

from __future__ import annotations

import datetime as dt

import pytest

from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.actions import calendar_points_default
from skolkvalitet.quality.common_model import default_model
from skolkvalitet.quality.observations.rules import Direction, ObservationKind
from skolkvalitet.quality.observations.selectors import observations_for_report
from skolkvalitet.quality.plans import actions as plans
from skolkvalitet.quality.reports import actions as reports
from skolkvalitet.quality.reports.export import template_of

pytestmark = pytest.mark.django_db

SCHOOL = default_model()["grundskola"]
ORGANISER = default_model()["huvudman"]
PASSED = "passed_all_subjects"
ON_TRACK = "on_track_all_subjects"


def stored(node, indicator, period, x, m, *, breakdown="", suppression="", n=None):
    """A stored share of x of m pupils in `period` (an AcademicYear or a FollowUpPoint)."""
    kind = "year" if isinstance(period, AcademicYear) else "point"
    IndicatorValue.objects.create(
        indicator=indicator,
        family=str(REGISTRY[indicator].family),
        node=node,
        period_kind=kind,
        period_id=period.pk,
        breakdown=breakdown,
        value=100 * x / m,
        n=m if n is None else n,
        numerator=x,
        denominator=m,
        suppression=suppression,
        data_version=1,
    )


@pytest.fixture
def years(org, points):
    """2023/24 with its default follow-up points, before the fixtures' 2024/25."""
    earlier = calendar_points_default(academic_year=2023)
    return AcademicYear.objects.get(code="2023/24"), org.year, earlier, points


def drafted(node, year, template=SCHOOL, **options):
    return observations_for_report(node, year, template, **options)


def test_a_significant_change_since_last_year_is_drafted_in_its_section(org, years):
    before, now, _points_before, _points = years
    stored(org.unit_n1, PASSED, before, 100, 200)  # 50 %
    stored(org.unit_n1, PASSED, now, 130, 200)  # 65 %: interval 5.3–24.3 points
    out = drafted(org.unit_n1, now)
    assert list(out) == [s.key for s in SCHOOL.sections]
    [found] = out["kunskaper"]
    assert (found.kind, found.direction, found.indicator) == (
        ObservationKind.CHANGE_LAST_YEAR,
        Direction.INCREASED,
        PASSED,
    )
    assert [(f.period_label, f.value, f.n, f.min_n) for f in found.figures] == [
        ("2023/24", 50.0, 200, 10),
        ("2024/25", 65.0, 200, 10),
    ]
    assert (round(found.change, 1), round(found.low, 1), round(found.high, 1)) == (
        15.0,
        5.3,
        24.3,
    )
    assert all(not found for key, found in out.items() if key != "kunskaper")


def test_a_change_inside_its_uncertainty_gives_none(org, years):
    before, now, _pb, _p = years
    stored(org.unit_n1, PASSED, before, 12, 20)  # 60 % of 20
    stored(org.unit_n1, PASSED, now, 14, 20)  # 70 % of 20: interval −18.4 to 36.3
    assert drafted(org.unit_n1, now)["kunskaper"] == []


@pytest.mark.parametrize(
    "small",
    [
        {"suppression": ".."},  # any stored marker: never observed
        {"suppression": "~100"},
        {"n": 9},  # below the unit-level limit, even without a marker
    ],
)
def test_a_suppressed_or_small_figure_gives_none(org, years, small):
    before, now, _pb, _p = years
    stored(org.unit_n1, PASSED, before, 100, 200, **small)
    stored(org.unit_n1, PASSED, now, 130, 200)
    assert drafted(org.unit_n1, now)["kunskaper"] == []


def test_the_limit_is_the_one_of_the_nodes_level(org, years):
    """0 of 8 → 8 of 8 (interval 54.1 to 100 points): said for the organiser (5 pupils at the
    summary level from 2023/24), not for a unit (10 pupils)."""
    before, now, _pb, _p = years
    for node in (org.organiser, org.unit_n1):
        stored(node, PASSED, before, 0, 8)
        stored(node, PASSED, now, 8, 8)
    [found] = drafted(org.organiser, now, ORGANISER)["kunskaper"]
    assert [f.min_n for f in found.figures] == [5, 5]
    assert drafted(org.unit_n1, now)["kunskaper"] == []


def test_no_change_of_a_mean_is_drafted(org, years):
    before, now, _pb, _p = years
    for year, value in ((before, 180.0), (now, 240.0)):
        IndicatorValue.objects.create(
            indicator="merit_value_17",
            family="final_grades",
            node=org.unit_n1,
            period_kind="year",
            period_id=year.pk,
            breakdown="",
            value=value,
            n=200,
            numerator=value * 200,
            denominator=200,
            suppression="",
            data_version=1,
        )
    assert drafted(org.unit_n1, now)["kunskaper"] == []


def test_the_follow_up_points_since_the_previous_point_and_last_year(org, years):
    """On track: VT2024 1 50 %; HT2024 1 50 %, HT2024 2 55 %, VT2025 1 70 % (200 pupils each).
    The latest point, VT2025 1, against HT2024 2 (the year's point before it with a figure)
    and against VT2024 1 (the same point of the year before)."""
    _before, now, points_before, points_now = years
    vt_before = next(p for p in points_before if p.term.kind == "VT" and p.ordinal == 1)
    ht1, ht2, vt1 = points_now[0], points_now[1], points_now[2]
    assert (vt1.term.kind, vt1.ordinal) == ("VT", 1)
    stored(org.unit_n1, ON_TRACK, vt_before, 100, 200)
    stored(org.unit_n1, ON_TRACK, ht1, 100, 200)
    stored(org.unit_n1, ON_TRACK, ht2, 110, 200)
    stored(org.unit_n1, ON_TRACK, vt1, 140, 200)
    found = drafted(org.unit_n1, now)["kunskaper"]
    assert [(o.kind, [f.value for f in o.figures]) for o in found] == [
        (ObservationKind.CHANGE_PREVIOUS_POINT, [55.0, 70.0]),
        (ObservationKind.CHANGE_LAST_YEAR, [50.0, 70.0]),
    ]
    assert found[0].figures[0].period_label == FollowUpPoint.objects.get(pk=ht2.pk).name


def test_a_widened_gap_between_girls_and_boys(org, years):
    """Girls 70 % and boys 65 % of 200 each in 2023/24, 80 % and 60 % in 2024/25: the gap
    went from 5 to 20 points. All pupils 67.5 % → 70 %: no change to speak of."""
    before, now, _pb, _p = years
    for year, girls, boys in ((before, 140, 130), (now, 160, 120)):
        stored(org.unit_n1, PASSED, year, girls + boys, 400)
        stored(org.unit_n1, PASSED, year, girls, 200, breakdown="gender=F")
        stored(org.unit_n1, PASSED, year, boys, 200, breakdown="gender=M")
    [found] = drafted(org.unit_n1, now)["kunskaper"]
    assert (found.kind, found.direction) == (ObservationKind.GAP, Direction.WIDENED)
    assert [(f.period_label, f.breakdown, f.value) for f in found.figures] == [
        ("2023/24", "gender=F", 70.0),
        ("2023/24", "gender=M", 65.0),
        ("2024/25", "gender=F", 80.0),
        ("2024/25", "gender=M", 60.0),
    ]
    assert round(found.change, 1) == 15.0


def test_no_gap_is_drafted_when_one_group_is_suppressed(org, years):
    before, now, _pb, _p = years
    for year, girls, boys in ((before, 140, 130), (now, 160, 120)):
        stored(org.unit_n1, PASSED, year, girls + boys, 400)
        stored(org.unit_n1, PASSED, year, girls, 200, breakdown="gender=F")
        hidden = ".." if year == now else ""  # e.g. as the complement of another figure
        stored(org.unit_n1, PASSED, year, boys, 200, breakdown="gender=M", suppression=hidden)
    assert drafted(org.unit_n1, now)["kunskaper"] == []


# -- goals ---------------------------------------------------------------------------------------


@pytest.fixture
def goal_of(org, users):
    head = scope_for(users.unit_head)
    area = plans.problem_area_create(
        node=org.unit_n1,
        academic_year=org.year,
        title="Kunskapsresultat",
        causes="Se analysen.",
        priority=1,
        scope=head,
        by=users.unit_head,
    )

    def make(indicator, target, date=dt.date(2025, 6, 13)):
        return plans.goal_create_indicator(
            area=area,
            title="Fler elever når målen",
            indicator=indicator,
            target_value=target,
            target_date=date,
            scope=head,
            by=users.unit_head,
        )

    return make


def test_a_goal_behind_its_time_is_drafted_in_the_section_of_its_indicator(org, years, goal_of):
    """Baseline 70 % (2023/24), target 80 %, latest 72 % (2024/25): 20 % of the way. On
    2025-06-01, 286 of the 298 days to 2025-06-13 have passed (96 %): behind."""
    before, now, _pb, _p = years
    stored(org.unit_n1, PASSED, before, 70, 100)
    goal = goal_of(PASSED, 80.0)
    stored(org.unit_n1, PASSED, now, 72, 100)
    out = drafted(org.unit_n1, now, today=dt.date(2025, 6, 1))
    [found] = out["kunskaper"]  # 70 % → 72 % of 100 is no change to speak of
    assert (found.kind, found.goal_id, found.direction) == (
        ObservationKind.GOAL_OFF_TRACK,
        goal.pk,
        Direction.BEHIND,
    )
    assert (found.progress, found.target) == (pytest.approx(20.0), 80.0)
    assert found.time_share == pytest.approx(100 * 286 / 298)
    # In the autumn (2024-09-01: 13 of 298 days) the same progress is not behind.
    assert drafted(org.unit_n1, now, today=dt.date(2024, 9, 1))["kunskaper"] == []


def test_a_goal_whose_indicator_no_section_shows_goes_to_the_priorities(org, years, goal_of):
    before, now, _pb, _p = years
    arts = "eligible_academic_arts"
    stored(org.unit_n1, arts, before, 70, 100)
    goal_of(arts, 80.0)
    stored(org.unit_n1, arts, now, 65, 100)  # further from the target than the baseline
    out = drafted(org.unit_n1, now, today=dt.date(2024, 9, 1))
    [found] = out["prioriteringar"]
    assert (found.indicator, found.direction) == (arts, Direction.MOVED_AWAY)
    assert sum(len(v) for v in out.values()) == 1


def test_no_goal_is_drafted_from_a_suppressed_figure_or_without_a_new_one(org, years, goal_of):
    before, now, _pb, _p = years
    stored(org.unit_n1, PASSED, before, 70, 100)
    goal_of(PASSED, 80.0)
    late = dt.date(2025, 6, 1)
    # Only the baseline's own figure so far: nothing new to judge the goal by.
    assert drafted(org.unit_n1, now, today=late)["kunskaper"] == []
    stored(org.unit_n1, PASSED, now, 72, 100, suppression="..")
    assert drafted(org.unit_n1, now, today=late)["kunskaper"] == []


# -- a handed-in report --------------------------------------------------------------------------


def test_a_handed_in_report_drafts_only_from_the_figures_it_froze(org, years, users):
    before, now, _pb, _p = years
    stored(org.unit_n1, PASSED, before, 100, 200)
    stored(org.unit_n1, PASSED, now, 130, 200)
    head = scope_for(users.unit_head)
    report = reports.report_start(
        node=org.unit_n1, year=now, school_form="grundskola", scope=head, by=users.unit_head
    )
    report = reports.report_submit(report=report, scope=head, by=users.unit_head)
    template = template_of(report.template)
    assert [o.kind for o in drafted(report, now, template)["kunskaper"]] == [
        ObservationKind.CHANGE_LAST_YEAR
    ]
    # A later import changes this year's figure: the report still shows 65 %, so nothing is
    # drafted for it, while the unit's live figures would give a sentence.
    IndicatorValue.objects.filter(node=org.unit_n1, indicator=PASSED, period_id=now.pk).update(
        value=70.0, numerator=140
    )
    assert drafted(report, now, template)["kunskaper"] == []
    assert len(drafted(org.unit_n1, now, template)["kunskaper"]) == 1
