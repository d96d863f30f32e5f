"""What needs a user's attention (quality/attention.py): reports to write near their
deadline, reports to review, plan actions overdue — each for the roles the table gives."""

from __future__ import annotations

import datetime as dt

import pytest

from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.attention import attention
from skolkvalitet.quality.plans.actions import (
    goal_create_qualitative,
    plan_action_create,
    problem_area_create,
    report_deadline_set,
)
from skolkvalitet.quality.reports.actions import report_start, report_submit

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 5, 20)


@pytest.fixture
def deadline(org, users):
    return report_deadline_set(
        academic_year=org.year,
        school_form="",
        deadline=dt.date(2025, 6, 10),
        scope=scope_for(users.organiser_admin),
        by=users.organiser_admin,
    )


def test_the_unit_head_has_the_report_of_their_unit_to_write(org, users, deadline) -> None:
    seen = attention(scope=scope_for(users.unit_head), user_id=users.unit_head.pk, today=TODAY)
    assert [(t.unit, t.status, t.deadline, t.overdue) for t in seen.reports_to_write] == [
        (org.unit_n1, "not_started", dt.date(2025, 6, 10), False)
    ]
    later = attention(
        scope=scope_for(users.unit_head), user_id=users.unit_head.pk, today=dt.date(2025, 6, 11)
    )
    assert later.reports_to_write[0].overdue


def test_a_submitted_report_moves_from_writing_to_reviewing(org, users, deadline) -> None:
    head = scope_for(users.unit_head)
    report = report_start(
        node=org.unit_n1, year=org.year, school_form="grundskola", scope=head, by=users.unit_head
    )
    report_submit(report=report, scope=head, by=users.unit_head)
    assert not attention(scope=head, user_id=users.unit_head.pk, today=TODAY).reports_to_write
    admin = attention(
        scope=scope_for(users.organiser_admin), user_id=users.organiser_admin.pk, today=TODAY
    )
    assert [(t.unit, t.status) for t in admin.reports_to_review] == [(org.unit_n1, "submitted")]
    # Reviewing is not writing: the administration writes no unit's report.
    assert not admin.reports_to_write


def test_no_deadline_near_no_report_task(org, users, deadline) -> None:
    far = attention(
        scope=scope_for(users.unit_head), user_id=users.unit_head.pk, today=dt.date(2024, 9, 1)
    )
    assert far.is_empty


def test_a_school_forms_own_deadline_wins_before_the_window_is_applied(org, users) -> None:
    admin = scope_for(users.organiser_admin)
    for school_form, deadline in (("", dt.date(2025, 6, 10)), ("grundskola", dt.date(2025, 9, 30))):
        report_deadline_set(
            academic_year=org.year,
            school_form=school_form,
            deadline=deadline,
            scope=admin,
            by=users.organiser_admin,
        )
    head = scope_for(users.unit_head)
    # 20 May: the deadline for every form (10 June) is near, but Norrskolan, a grundskola, is
    # due on 30 September, more than 60 days ahead: no task yet.
    assert attention(scope=head, user_id=users.unit_head.pk, today=TODAY).reports_to_write == []
    # 1 September: 30 September is near; 10 June, passed 83 days ago, is no longer looked at,
    # and would not apply anyway.
    september = attention(scope=head, user_id=users.unit_head.pk, today=dt.date(2025, 9, 1))
    assert [(t.unit, t.deadline, t.overdue) for t in september.reports_to_write] == [
        (org.unit_n1, dt.date(2025, 9, 30), False)
    ]
    # The reverse: the school form's deadline is near and the one for every form is far.
    report_deadline_set(
        academic_year=org.year,
        school_form="grundskola",
        deadline=dt.date(2025, 6, 1),
        scope=admin,
        by=users.organiser_admin,
    )
    report_deadline_set(
        academic_year=org.year,
        school_form="",
        deadline=dt.date(2025, 10, 31),
        scope=admin,
        by=users.organiser_admin,
    )
    may = attention(scope=head, user_id=users.unit_head.pk, today=TODAY)
    assert [(t.unit, t.deadline) for t in may.reports_to_write] == [
        (org.unit_n1, dt.date(2025, 6, 1))
    ]


def test_an_overdue_action_reaches_its_units_head_and_its_owner(org, users) -> None:
    head = scope_for(users.unit_head)
    area = problem_area_create(
        node=org.unit_n1,
        academic_year=org.year,
        title="Matematik",
        causes="Stödet sätts in för sent.",
        priority=1,
        scope=head,
        by=users.unit_head,
    )
    goal = goal_create_qualitative(
        area=area,
        title="Tidigt stöd",
        criterion="Alla får stöd före jul.",
        scope=head,
        by=users.unit_head,
    )
    action = plan_action_create(
        goal=goal,
        title="Kartläggning i åk 7",
        starts=dt.date(2024, 9, 1),
        ends=dt.date(2024, 10, 31),
        owner=users.teacher,
        scope=head,
        by=users.unit_head,
    )
    seen = attention(scope=head, user_id=users.unit_head.pk, today=TODAY)
    assert seen.actions_overdue == [action]
    owner = attention(scope=scope_for(users.teacher), user_id=users.teacher.pk, today=TODAY)
    assert owner.actions_overdue == [action]
    board = attention(scope=scope_for(users.board), user_id=users.board.pk, today=TODAY)
    assert board.actions_overdue == [] and board.is_empty


@pytest.fixture
def teachers_action(org, users):
    """An overdue action of Norrskolan's plan, owned by Lars, a teacher of its group 7A."""
    head = scope_for(users.unit_head)
    area = problem_area_create(
        node=org.unit_n1,
        academic_year=org.year,
        title="Matematik",
        causes="Stödet sätts in för sent.",
        priority=1,
        scope=head,
        by=users.unit_head,
    )
    goal = goal_create_qualitative(
        area=area, title="Tidigt stöd", criterion="Stöd före jul.", scope=head, by=users.unit_head
    )
    return plan_action_create(
        goal=goal,
        title="Kartläggning i åk 7",
        starts=dt.date(2024, 9, 1),
        ends=dt.date(2024, 10, 31),
        owner=users.teacher,
        scope=head,
        by=users.unit_head,
    )


def owner_sees(users) -> list:
    return attention(
        scope=scope_for(users.teacher), user_id=users.teacher.pk, today=TODAY
    ).actions_overdue


def test_an_owner_who_lost_their_role_at_the_unit_no_longer_sees_the_action(
    org, users, teachers_action
) -> None:
    from django.utils import timezone

    from skolkvalitet.organisation.actions import role_grant
    from skolkvalitet.organisation.models import RoleAssignment
    from skolkvalitet.quality.plans.selectors import plan_people

    assert owner_sees(users) == [teachers_action]
    assert users.teacher in plan_people(org.unit_n1)
    # Lars's grant on 7A ended yesterday; he now teaches at Söderskolan, another unit.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    RoleAssignment.objects.filter(user=users.teacher).update(valid_until=yesterday)
    role_grant(user=users.teacher, node=org.group_s1a, role="teacher")
    assert owner_sees(users) == []
    assert users.teacher not in plan_people(org.unit_n1)  # nor offered as an owner there
    # The unit's plan writer still sees it.
    head = attention(scope=scope_for(users.unit_head), user_id=users.unit_head.pk, today=TODAY)
    assert head.actions_overdue == [teachers_action]


def test_a_grant_on_a_closed_node_neither_shows_the_action_nor_offers_the_owner(
    org, users, teachers_action
) -> None:
    from skolkvalitet.organisation.models import Node
    from skolkvalitet.quality.plans.selectors import plan_people

    Node.objects.filter(pk=org.group_n1a.pk).update(is_active=False)  # 7A is closed
    assert owner_sees(users) == []
    assert users.teacher not in plan_people(org.unit_n1)


def test_an_owner_without_the_plan_sees_the_action_without_a_link_to_it(
    org, users, teachers_action, client_for, monkeypatch
) -> None:
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    plan = f"/uppfoljning/plan/{org.unit_n1.pk}/2024/"
    teacher_page = client_for("teacher").get("/").content.decode()
    assert f'<span data-action="{teachers_action.pk}">Kartläggning i åk 7</span>' in teacher_page
    assert plan not in teacher_page  # the teacher may not open the plan (403)
    head_page = client_for("unit_head").get("/").content.decode()
    assert f'<a href="{plan}" data-action="{teachers_action.pk}">' in head_page


def test_the_start_page_lists_what_needs_attention(
    org, users, deadline, client_for, monkeypatch
) -> None:
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    page = client_for("unit_head").get("/").content.decode()
    assert 'id="attention-heading"' in page
    assert f"/uppfoljning/rapporter/2024/{org.unit_n1.pk}/grundskola/" in page
    board_page = client_for("board").get("/").content.decode()
    assert "rapporter/2024" not in board_page
