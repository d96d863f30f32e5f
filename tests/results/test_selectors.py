"""results/selectors.py: the pupils who need support at a point (with their filters, orders
and count) and one pupil's history across points, on the facts of
tests/indicators/test_materialise.py plus, here:

- Bella assessed "at risk" in EN at point 1 (HT2024) at Norrskolan (besides her F in MA);
- absence in HT2024 at Norrskolan, one period from the term's start to 30 September (so it
  counts at point 1, 15 October): David 30 of 100 minutes (5 unexcused), Elsa 15 of 100
  (exactly the threshold), Cesar 10 of 100.

At point 1 the list of Norrskolan (Alva, Bella, Cesar in 7A, David in 7B, Elsa without a
group) is therefore Bella (EN, MA), David (30 %) and Elsa (15 %); Cesar's E and 10 % keep him
off it. At point 2 (VT2025, MA: Alva B, Bella B; no absence imported) nobody is on it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from tests.indicators.test_materialise import facts  # noqa: F401

from skolkvalitet.organisation.models import Enrolment, FollowUpPoint
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.results.models import Absence, Assessment, AssessmentScale, Subject
from skolkvalitet.results.selectors import (
    PupilAtRisk,
    absence_so_far,
    filter_pupils,
    points_with_assessments,
    pupil_history,
    pupils_at_risk,
    pupils_enrolled,
    sort_pupils,
    support_list,
)

pytestmark = pytest.mark.django_db

SEPTEMBER_30 = dt.date(2024, 9, 30)


@pytest.fixture
def more(facts):  # noqa: F811
    org = facts.org
    Assessment.objects.create(
        pupil=org.pupils["Bella"],
        unit=org.unit_n1,
        follow_up_point=facts.p1,
        year_group=7,
        subject=Subject.objects.get(code="EN"),
        scale=AssessmentScale.objects.get(code="on_track"),
        value="at_risk",
        batch=facts.latest_batch,
    )
    for name, absent, unexcused in (("David", 30, 5), ("Elsa", 15, 0), ("Cesar", 10, 0)):
        Absence.objects.create(
            pupil=org.pupils[name],
            unit=org.unit_n1,
            term=facts.ht,
            starts_on=facts.ht.start_date,
            ends_on=SEPTEMBER_30,
            year_group=7,
            scheduled_minutes=100,
            absent_minutes=absent,
            unexcused_minutes=unexcused,
            batch=facts.latest_batch,
        )
    return facts


def listed(pupils: list[PupilAtRisk]) -> list[tuple]:
    return [(p.name, p.group, p.subjects, p.subject_names, p.absence) for p in pupils]


def test_the_list_at_a_point_holds_the_subjects_named_and_the_high_absence(more, users):
    org = more.org
    pupils = pupils_at_risk(scope_for(users.unit_head), org.unit_n1, more.p1)
    assert listed(pupils) == [
        ("Bella", "Norrskolan 7A", ["EN", "MA"], ["Engelska", "Matematik"], None),
        ("David", "Norrskolan 7B", [], [], 30.0),
        ("Elsa", "", [], [], 15.0),  # no group: last
    ]
    assert pupils[0].group_id == org.group_n1a.pk and pupils[2].group_id is None
    assert pupils_enrolled(scope_for(users.unit_head), org.unit_n1, more.p1) == 5
    assert pupils_at_risk(scope_for(users.unit_head), org.unit_n1, more.p2) == []


def october(at, name: str, scheduled: int, absent: int, unexcused: int = 0) -> None:
    """A period of HT2024 from 1 to 31 October: it has not ended by point 1 (15 October)."""
    Absence.objects.create(
        pupil=at.org.pupils[name],
        unit=at.org.unit_n1,
        term=at.ht,
        starts_on=dt.date(2024, 10, 1),
        ends_on=dt.date(2024, 10, 31),
        year_group=7,
        scheduled_minutes=scheduled,
        absent_minutes=absent,
        unexcused_minutes=unexcused,
        batch=at.latest_batch,
    )


def test_the_list_counts_only_the_absence_of_periods_ended_by_the_point(more, users):
    """Cesar: 10 of 100 minutes up to 30 September, then 60 of 100 in October. At point 1
    (15 October) October is still running: 10 %, not on the list. Read at a point of
    31 October he is at 70 / 200 = 35 %, and David at (30 + 0) / 200 = 15 %: still on it."""
    october(more, "Cesar", 100, 60)
    october(more, "David", 100, 0)
    scope = scope_for(users.unit_head)
    at_p1 = support_list(scope, more.org.unit_n1, more.p1)
    assert [(p.name, p.absence) for p in at_p1.pupils if p.absence] == [
        ("David", 30.0),
        ("Elsa", 15.0),
    ]
    assert at_p1.absence_known

    end_of_october = FollowUpPoint.objects.create(
        term=more.ht,
        ordinal=3,
        name="Uppföljning 31 oktober",
        assessed_on=dt.date(2024, 10, 31),
        deadline=dt.date(2024, 11, 14),
    )
    later = support_list(scope, more.org.unit_n1, end_of_october)
    assert [(p.name, p.absence) for p in later.pupils] == [
        ("Cesar", 35.0),
        ("David", 15.0),
        ("Elsa", 15.0),
    ]
    so_far, known = absence_so_far(more.org.unit_n1, end_of_october, [more.org.pupils["Cesar"].pk])
    assert so_far == {more.org.pupils["Cesar"].pk: 35.0} and known


def test_at_a_point_without_absence_the_list_says_it_is_not_known(more, users):
    """Point 2 (VT2025): no absence of VT2025 is stored, so absence cannot be judged there."""
    listed_at = support_list(scope_for(users.unit_head), more.org.unit_n1, more.p2)
    assert listed_at.pupils == [] and not listed_at.absence_known
    assert absence_so_far(more.org.unit_n1, more.p2, [more.org.pupils["David"].pk]) == ({}, False)


def test_the_history_sums_a_terms_periods(more, users):
    october(more, "David", 100, 0, 0)  # 30 of 100 up to September, 0 of 100 in October
    david = pupil_history(scope_for(users.unit_head), more.org.pupils["David"].pk)
    assert david is not None
    [absence] = david.absence
    assert (absence.term, absence.absence, absence.unexcused, absence.high) == (
        "HT2024",
        15.0,
        2.5,
        True,
    )
    assert absence.until == dt.date(2024, 10, 31)  # HT2024 ends 22 December: so far


def test_the_history_marks_a_term_whose_periods_stop_before_its_end(more, users):
    """David's only period of HT2024 ends 30 September: his HT2024 is absence so far."""
    david = pupil_history(scope_for(users.unit_head), more.org.pupils["David"].pk)
    assert david is not None and david.absence[0].until == SEPTEMBER_30


def test_the_list_holds_only_the_pupils_the_user_may_see_one_by_one(more, users):
    org = more.org
    teacher = scope_for(users.teacher)  # granted on 7A
    assert [p.name for p in pupils_at_risk(teacher, org.unit_n1, more.p1)] == ["Bella"]
    assert pupils_enrolled(teacher, org.unit_n1, more.p1) == 3
    group = pupils_at_risk(teacher, org.unit_n1, more.p1, group=org.group_n1a)
    assert [p.name for p in group] == ["Bella"]
    for role in ("board", "coach"):
        assert pupils_at_risk(scope_for(getattr(users, role)), org.unit_n1, more.p1) == []


def test_filters_keep_the_pupils_of_a_subject_a_group_and_a_reason(more, users):
    org = more.org
    pupils = pupils_at_risk(scope_for(users.unit_head), org.unit_n1, more.p1)

    def names(**filters) -> list[str]:
        return [p.name for p in filter_pupils(pupils, **filters)]

    assert names() == ["Bella", "David", "Elsa"]
    assert names(subject="MA") == ["Bella"]
    assert names(subject="SV") == []
    assert names(criterion="subjects") == ["Bella"]
    assert names(criterion="absence") == ["David", "Elsa"]
    assert names(group_id=org.group_n1b.pk) == ["David"]
    assert names(group_id=org.group_n1b.pk, criterion="subjects") == []


def test_the_orders_of_the_list():
    def pupil(pk, name, group, subjects, absence):
        return PupilAtRisk(pk, name, group, 7, subjects, absence)

    pupils = [
        pupil(1, "Ödön", "7B", ["MA"], None),
        pupil(2, "adam", "7A", [], 20.0),
        pupil(3, "Berit", "", ["EN", "MA"], 16.0),
        pupil(4, "Cilla", "7A", ["SV"], 40.0),
    ]

    def order(key: str) -> list[str]:
        return [p.name for p in sort_pupils(pupils, key)]

    assert order("group") == ["adam", "Cilla", "Ödön", "Berit"]
    assert order("name") == ["adam", "Berit", "Cilla", "Ödön"]
    assert order("subjects") == ["Berit", "Cilla", "Ödön", "adam"]  # ties by name
    assert order("absence") == ["Cilla", "adam", "Berit", "Ödön"]  # no high absence last
    assert order("unknown") == order("group")


def test_the_points_the_list_can_be_read_at(more):
    org = more.org
    assert points_with_assessments(org.unit_n1) == [more.p1, more.p2]
    assert points_with_assessments(org.unit_n1, group=org.group_n1a) == [more.p1, more.p2]
    assert points_with_assessments(org.unit_s1) == [more.p1]  # EN of Hanna and Ida
    assert points_with_assessments(org.unit_n2) == []


def test_a_pupils_history_point_by_point_and_term_by_term(more, users):
    org = more.org
    history = pupil_history(scope_for(users.unit_head), org.pupils["Bella"].pk)
    assert history is not None
    assert history.name == "Bella" and history.node == org.unit_n1
    assert [(e.academic_year, e.unit, e.group, e.year_group) for e in history.enrolments] == [
        ("2024/25", "Norrskolan", "Norrskolan 7A", 7)
    ]
    assert [
        (h.point, h.unit, h.year_group, h.assessed, h.not_on_track) for h in history.points
    ] == [
        (more.p1, "Norrskolan", 7, 2, [("EN", "Engelska"), ("MA", "Matematik")]),
        (more.p2, "Norrskolan", 7, 1, []),
    ]
    # Term grade MA F in HT2024; final grades SV C, EN C, MA E in VT2025.
    assert history.terms == [("HT2024", False), ("VT2025", True)]
    assert [(r.code, [(c.text, c.on_track) for c in r.cells]) for r in history.grades] == [
        ("SV", [("", None), ("C", True)]),
        ("EN", [("", None), ("C", True)]),
        ("MA", [("F", False), ("E", True)]),
    ]
    assert history.absence == []

    david = pupil_history(scope_for(users.unit_head), org.pupils["David"].pk)
    assert david is not None
    [absence] = david.absence
    assert (absence.term, absence.unit, absence.absence, absence.unexcused, absence.high) == (
        "HT2024",
        "Norrskolan",
        30.0,
        5.0,
        True,
    )


def test_a_pupils_history_only_for_who_may_see_the_pupil(more, users):
    org = more.org
    bella, david, hanna = (org.pupils[n].pk for n in ("Bella", "David", "Hanna"))
    assert pupil_history(scope_for(users.teacher), bella) is not None  # 7A is theirs
    assert pupil_history(scope_for(users.teacher), david) is None  # 7B is not
    assert pupil_history(scope_for(users.unit_head), hanna) is None  # Söderskolan
    for role in ("board", "coach"):
        assert pupil_history(scope_for(getattr(users, role)), bella) is None
    assert pupil_history(scope_for(users.organiser_admin), hanna) is not None


def test_a_pupils_history_leaves_out_what_another_unit_recorded(more, users):
    """Bella also attends Söderskolan this year (an assessment in SV there at point 2): its
    rektor's grant does not reach it from Norrskolan, the administrator's does."""
    org = more.org
    bella = org.pupils["Bella"]
    Enrolment.objects.create(
        pupil=bella, academic_year=org.year, unit=org.unit_s1, school_form="GR", year_group=7
    )
    Assessment.objects.create(
        pupil=bella,
        unit=org.unit_s1,
        follow_up_point=more.p2,
        year_group=7,
        subject=Subject.objects.get(code="SV"),
        scale=AssessmentScale.objects.get(code="forecast_af"),
        value="D",
        batch=more.latest_batch,
    )
    rektor = pupil_history(scope_for(users.unit_head), bella.pk)
    admin = pupil_history(scope_for(users.organiser_admin), bella.pk)
    assert rektor is not None and admin is not None
    assert [(h.point, h.unit) for h in rektor.points] == [
        (more.p1, "Norrskolan"),
        (more.p2, "Norrskolan"),
    ]
    assert [(h.point, h.unit, h.assessed) for h in admin.points] == [
        (more.p1, "Norrskolan", 2),
        (more.p2, "Norrskolan", 1),
        (more.p2, "Söderskolan", 1),
    ]
    assert [e.unit for e in rektor.enrolments] == ["Norrskolan"]
    assert sorted(e.unit for e in admin.enrolments) == ["Norrskolan", "Söderskolan"]
