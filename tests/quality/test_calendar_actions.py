"""The calendar (årshjul): default follow-up points, editing, adding and removing them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Term
from skolkvalitet.quality import actions
from skolkvalitet.results.models import Assessment, AssessmentScale, Subject

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    return {field: [str(m) for m in msgs] for field, msgs in error.message_dict.items()}


def test_the_default_calendar_has_two_points_per_term_on_weekdays(org):
    points = actions.calendar_points_default(academic_year=org.year)

    assert [(p.term.kind, p.ordinal, p.assessed_on, p.deadline) for p in points] == [
        ("HT", 1, dt.date(2024, 10, 1), dt.date(2024, 10, 15)),
        ("HT", 2, dt.date(2024, 11, 15), dt.date(2024, 11, 29)),
        # 15 February 2025 is a Saturday, 20 April a Sunday: both move to the Monday.
        ("VT", 1, dt.date(2025, 2, 17), dt.date(2025, 3, 3)),
        ("VT", 2, dt.date(2025, 4, 21), dt.date(2025, 5, 5)),
    ]
    assert [p.name for p in points] == [
        "Follow-up 1, HT2024",
        "Follow-up 2, HT2024",
        "Follow-up 1, VT2025",
        "Follow-up 2, VT2025",
    ]
    assert all(p.assessed_on.weekday() < 5 and p.deadline.weekday() < 5 for p in points)


def test_the_default_calendar_is_idempotent_and_keeps_edited_points(points):
    first = points[0]
    actions.follow_up_point_update(
        point=first,
        name="Höstens första",
        assessed_on=dt.date(2024, 9, 20),
        deadline=dt.date(2024, 10, 4),
    )

    again = actions.calendar_points_default(academic_year=first.term.academic_year)

    assert FollowUpPoint.objects.count() == 4
    assert [p.pk for p in again] == [p.pk for p in points]
    first.refresh_from_db()
    assert (first.name, first.assessed_on) == ("Höstens första", dt.date(2024, 9, 20))


def test_the_default_calendar_creates_a_missing_year_and_its_terms(db):
    points = actions.calendar_points_default(academic_year=2030)

    year = AcademicYear.objects.get(code="2030/31")
    assert Term.objects.filter(academic_year=year).count() == 2
    assert len(points) == 4
    assert all(p.term.academic_year_id == year.pk for p in points)


def test_a_point_is_updated(point):
    actions.follow_up_point_update(
        point=point,
        name="  Uppföljning oktober ",
        assessed_on=dt.date(2024, 10, 3),
        deadline=dt.date(2024, 10, 17),
    )
    point.refresh_from_db()
    assert (point.name, point.assessed_on, point.deadline) == (
        "Uppföljning oktober",
        dt.date(2024, 10, 3),
        dt.date(2024, 10, 17),
    )


@pytest.mark.parametrize(
    ("name", "assessed_on", "deadline", "expected"),
    [
        (
            "X",
            dt.date(2024, 10, 3),
            dt.date(2024, 10, 2),
            {"deadline": ["The deadline cannot be before the assessment date."]},
        ),
        (
            "X",
            dt.date(2024, 8, 1),
            dt.date(2024, 8, 20),
            {"assessed_on": ["The date must lie within the term (2024-08-15 – 2024-12-22)."]},
        ),
        (
            "X",
            dt.date(2024, 12, 1),
            dt.date(2025, 1, 10),
            {
                "deadline": ["The deadline must lie within the term (2024-08-15 – 2024-12-22)."],
                "assessed_on": [
                    "The date must come before that of Follow-up 2, HT2024 (2024-11-15): the "
                    "term's follow-up points keep their order."
                ],
            },
        ),
        (
            "  ",
            dt.date(2024, 10, 3),
            dt.date(2024, 10, 17),
            {"name": ["Give the follow-up point a name."]},
        ),
    ],
)
def test_an_invalid_update_is_refused_with_a_message_per_field(
    point, name, assessed_on, deadline, expected
):
    before = (point.name, point.assessed_on, point.deadline)
    with pytest.raises(ValidationError) as refused:
        actions.follow_up_point_update(
            point=point, name=name, assessed_on=assessed_on, deadline=deadline
        )
    assert messages_of(refused.value) == expected
    point.refresh_from_db()
    assert (point.name, point.assessed_on, point.deadline) == before


def test_a_point_is_added_after_the_terms_last_with_the_next_ordinal(points):
    term = points[0].term
    added = actions.follow_up_point_add(
        term=term,
        name="Uppföljning december",
        assessed_on=dt.date(2024, 12, 5),
        deadline=dt.date(2024, 12, 19),
    )
    assert (added.term_id, added.ordinal) == (term.pk, 3)


def test_an_added_point_must_come_after_the_last(points):
    with pytest.raises(ValidationError) as refused:
        actions.follow_up_point_add(
            term=points[0].term,
            name="Tidig",
            assessed_on=dt.date(2024, 9, 1),
            deadline=dt.date(2024, 9, 15),
        )
    assert "must come after that of Follow-up 2, HT2024" in refused.value.messages[0]
    assert FollowUpPoint.objects.count() == 4


def test_a_term_has_at_most_six_points(points):
    term = points[0].term
    for day in (1, 3, 5, 7):
        actions.follow_up_point_add(
            term=term,
            name=f"Dec {day}",
            assessed_on=dt.date(2024, 12, day),
            deadline=dt.date(2024, 12, 20),
        )
    with pytest.raises(ValidationError) as refused:
        actions.follow_up_point_add(
            term=term,
            name="En för mycket",
            assessed_on=dt.date(2024, 12, 9),
            deadline=dt.date(2024, 12, 20),
        )
    assert refused.value.messages == ["A term has at most 6 follow-up points."]


def test_an_unused_point_is_removed(point):
    actions.follow_up_point_remove(point=point)
    assert not FollowUpPoint.objects.filter(pk=point.pk).exists()


def test_removing_a_point_with_a_dialogue_is_refused(org, users, point):
    actions.dialogue_save_draft(unit=org.unit_n1, point=point, by=users.unit_head, analysis="x")
    with pytest.raises(ValidationError) as refused:
        actions.follow_up_point_remove(point=point)
    assert refused.value.messages == [
        "Follow-up 1, HT2024 cannot be removed: units have written dialogues for it."
    ]
    assert FollowUpPoint.objects.filter(pk=point.pk).exists()


def test_removing_a_point_with_assessments_is_refused(org, point):
    Assessment.objects.create(
        pupil=org.pupils["Alva"],
        unit=org.unit_n1,
        follow_up_point=point,
        year_group=7,
        subject=Subject.objects.get(code="MA"),
        scale=AssessmentScale.objects.get(code="forecast_af"),
        value="B",
        batch=ImportBatch.objects.create(kind="assessments", source_name="bed.csv"),
    )
    with pytest.raises(ValidationError) as refused:
        actions.follow_up_point_remove(point=point)
    assert refused.value.messages == [
        "Follow-up 1, HT2024 cannot be removed: assessments have been imported for it."
    ]
    assert FollowUpPoint.objects.filter(pk=point.pk).exists()
