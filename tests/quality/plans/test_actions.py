"""The nulägesanalys and utvecklingsplan's writes (quality/plans/actions.py): problem areas
with causes required, evidence frozen from the unit's figures, indicator goals that set the
unit's target and freeze the baseline, actions with status and overdue, progress notes,
evaluations, report deadlines; every write audit-logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from skolkvalitet.dashboards.actions import target_set
from skolkvalitet.dashboards.models import Target
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.organisation.models import AuditEvent
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.models import (
    ActionStatus,
    Evidence,
    GoalEvaluation,
    PlanAction,
    ProblemArea,
    ReportDeadline,
    Verdict,
)
from skolkvalitet.quality.plans import actions
from skolkvalitet.quality.plans.selectors import goal_progress, plan_for

pytestmark = pytest.mark.django_db

SUBJECTS = ("SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI")
HEADER = "personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"


def grades_file(unit_code: str, grades: list[str]) -> bytes:
    from skolkvalitet.organisation.identity import make_personal_number

    rows = []
    for serial, grade in enumerate(grades, start=1):
        pupil = make_personal_number(dt.date(2009, 3, serial), 100 + serial)
        rows += [
            f"{pupil};{unit_code};2024/25;VT;9;{subject};{grade};slutbetyg\n"
            for subject in SUBJECTS
        ]
    return (HEADER + "".join(rows)).encode()


@pytest.fixture
def graded(org):
    # 12 pupils at Norrskolan, 8 subjects E each: merit value 8 × 10 = 80, n = 12.
    facts_import_bytes("grades", grades_file(org.unit_n1.code, ["E"] * 12), "betyg.csv")
    return org


@pytest.fixture
def head(users):
    return scope_for(users.unit_head)


@pytest.fixture
def area(graded, users, head):
    return actions.problem_area_create(
        node=graded.unit_n1,
        academic_year=graded.year,
        title="Låga meritvärden",
        causes="Få elever når högre betyg än E; undervisningen utmanar för lite.",
        priority=1,
        scope=head,
        by=users.unit_head,
    )


def test_a_problem_area_needs_its_causes_and_a_priority(graded, users, head) -> None:
    with pytest.raises(ValidationError) as error:
        actions.problem_area_create(
            node=graded.unit_n1,
            academic_year=graded.year,
            title="Trygghet",
            causes="   ",
            priority=0,
            scope=head,
            by=users.unit_head,
        )
    assert set(error.value.message_dict) == {"causes", "priority"}
    with pytest.raises(ValidationError) as error:
        actions.problem_area_create(
            node=graded.unit_n1,
            academic_year=graded.year,
            title="x" * 201,
            causes="Orsaker.",
            priority=1,
            scope=head,
            by=users.unit_head,
        )
    assert set(error.value.message_dict) == {"title"}
    assert not ProblemArea.objects.exists()


def test_only_writers_of_the_node_write(graded, users, area) -> None:
    for role in ("board", "teacher", "coach", "analyst"):
        with pytest.raises(PermissionDenied):
            actions.problem_area_create(
                node=graded.unit_n1,
                academic_year=graded.year,
                title="T",
                causes="C",
                priority=1,
                scope=scope_for(getattr(users, role)),
                by=getattr(users, role),
            )
    with pytest.raises(PermissionDenied):  # another unit than the unit head's
        actions.problem_area_create(
            node=graded.unit_n2,
            academic_year=graded.year,
            title="T",
            causes="C",
            priority=1,
            scope=scope_for(users.unit_head),
            by=users.unit_head,
        )
    # The organiser's own analysis: by its reviewers, on the organiser node.
    own = actions.problem_area_create(
        node=graded.organiser,
        academic_year=graded.year,
        title="Likvärdighet",
        causes="Stora skillnader mellan enheterna.",
        priority=1,
        scope=scope_for(users.organiser_admin),
        by=users.organiser_admin,
    )
    assert own.node == graded.organiser
    with pytest.raises(PermissionDenied):
        actions.problem_area_update(
            area=own, title="X", causes="Y", priority=1, scope=scope_for(users.unit_head), by=None
        )


def test_evidence_freezes_the_figure_an_import_later_changes(graded, users, head, area) -> None:
    evidence = actions.evidence_add_figure(
        area=area,
        indicator="merit_value_17",
        period_kind="year",
        period_id=graded.year.pk,
        scope=head,
        by=users.unit_head,
    )
    assert (evidence.value, evidence.n, evidence.suppression) == (80.0, 12, "")
    assert evidence.period_label == "2024/25" and evidence.data_version is not None
    facts_import_bytes("grades", grades_file(graded.unit_n1.code, ["C"] * 12), "rättade.csv")
    evidence.refresh_from_db()
    assert evidence.value == 80.0
    with pytest.raises(ValidationError):
        actions.evidence_add_figure(
            area=area,
            indicator="merit_value_17",
            period_kind="year",
            period_id=graded.year.pk + 1000,
            scope=head,
            by=users.unit_head,
        )
    with pytest.raises(ValidationError):
        actions.evidence_add_qualitative(area=area, text=" ", scope=head, by=users.unit_head)
    actions.evidence_add_qualitative(
        area=area, text="Elevenkätens fritextsvar.", scope=head, by=users.unit_head
    )
    assert Evidence.objects.filter(area=area).count() == 2


def test_an_indicator_goal_sets_the_target_freezes_the_baseline_and_computes_progress(
    graded, users, head, area
) -> None:
    goal = actions.goal_create_indicator(
        area=area,
        title="Höj meritvärdet",
        indicator="merit_value_17",
        target_value=160.0,
        target_date=dt.date(2025, 6, 13),
        scope=head,
        by=users.unit_head,
    )
    target = Target.objects.get(node=graded.unit_n1, indicator="merit_value_17")
    assert (target.value, target.academic_year) == (160.0, graded.year)
    assert goal.target == target and goal.owns_target
    assert (goal.baseline_value, goal.baseline_n, goal.baseline_period_label) == (
        80.0,
        12,
        "2024/25",
    )

    progress = goal_progress(goal, pupil_access=True)
    assert progress is not None and progress.share == 0.0

    # Every pupil now has C: merit value 8 × 15 = 120, half of the way from 80 to 160.
    facts_import_bytes("grades", grades_file(graded.unit_n1.code, ["C"] * 12), "rättade.csv")
    goal.refresh_from_db()
    progress = goal_progress(goal, pupil_access=True)
    assert progress is not None
    assert progress.latest is not None and progress.latest.shown == 120.0
    assert progress.baseline is not None and progress.baseline.shown == 80.0
    assert progress.share == pytest.approx(50.0)

    # The target moves with the goal; removing the goal removes the target it set.
    actions.goal_update(
        goal=goal,
        title="Höj meritvärdet",
        target_value=100.0,
        target_date=dt.date(2025, 6, 13),
        scope=head,
        by=users.unit_head,
    )
    assert Target.objects.get(pk=target.pk).value == 100.0
    goal.refresh_from_db()
    assert goal_progress(goal, pupil_access=True).share == 100.0
    actions.goal_remove(goal=goal, scope=head, by=users.unit_head)
    assert not Target.objects.filter(pk=target.pk).exists()


def test_a_suppressed_figure_shows_no_progress_without_pupil_access(graded, users, head, area):
    goal = actions.goal_create_indicator(
        area=area,
        title="Höj meritvärdet",
        indicator="merit_value_17",
        target_value=160.0,
        target_date=dt.date(2025, 6, 13),
        scope=head,
        by=users.unit_head,
    )
    facts_import_bytes("grades", grades_file(graded.unit_n1.code, ["C"] * 12), "rättade.csv")
    goal.refresh_from_db()
    goal.baseline_suppression = ".."  # as if the baseline had been a small group
    progress = goal_progress(goal, pupil_access=False)
    assert progress is not None and progress.hidden and progress.share is None
    assert progress.baseline is not None and progress.baseline.shown == ".."
    # n beside a shown value only, as the API: none beside the baseline's marker.
    assert progress.baseline.n is None and progress.latest.n == 12
    assert goal_progress(goal, pupil_access=True).share == pytest.approx(50.0)


def test_a_writer_without_set_targets_takes_the_organisers_target(graded, users, head, area):
    target_set(
        node=graded.unit_n1,
        indicator="merit_value_17",
        value=200.0,
        academic_year=graded.year,
        by=users.organiser_admin,
    )
    with pytest.raises(ValidationError) as error:
        actions.goal_create_indicator(
            area=area,
            title="Höj",
            indicator="merit_value_17",
            target_value=150.0,
            target_date=dt.date(2025, 6, 1),
            scope=head,
            by=users.unit_head,
        )
    assert "target_value" in error.value.message_dict
    goal = actions.goal_create_indicator(
        area=area,
        title="Höj",
        indicator="merit_value_17",
        target_value=200.0,
        target_date=dt.date(2025, 6, 1),
        scope=head,
        by=users.unit_head,
    )
    assert not goal.owns_target
    actions.goal_remove(goal=goal, scope=head, by=users.unit_head)
    assert Target.objects.filter(node=graded.unit_n1, value=200.0).exists()  # the organiser's


def test_actions_have_an_owner_dates_a_status_and_are_overdue_when_late(
    graded, users, head, area, points
) -> None:
    goal = actions.goal_create_qualitative(
        area=area,
        title="Mer utmanande undervisning",
        criterion="Lektionsbesöken visar differentierade uppgifter i alla ämnen.",
        scope=head,
        by=users.unit_head,
    )
    with pytest.raises(ValidationError) as error:
        actions.plan_action_create(
            goal=goal,
            title="Kollegialt lärande",
            starts=dt.date(2025, 1, 10),
            ends=dt.date(2025, 1, 1),
            scope=head,
            by=users.unit_head,
        )
    assert set(error.value.message_dict) == {"owner_name", "ends"}
    with pytest.raises(ValidationError) as error:  # a user without a role at the unit
        actions.plan_action_create(
            goal=goal,
            title="Kollegialt lärande",
            owner=users.coach,
            starts=dt.date(2025, 1, 10),
            ends=dt.date(2025, 3, 1),
            scope=head,
            by=users.unit_head,
        )
    assert set(error.value.message_dict) == {"owner"}
    action = actions.plan_action_create(
        goal=goal,
        title="Kollegialt lärande",
        owner=users.teacher,
        starts=dt.date(2025, 1, 10),
        ends=dt.date(2025, 3, 1),
        scope=head,
        by=users.unit_head,
    )
    assert action.is_overdue and action.is_overdue_on(dt.date(2025, 3, 2))
    assert not action.is_overdue_on(dt.date(2025, 3, 1))
    named = actions.plan_action_create(
        goal=goal,
        title="Läsfrämjande",
        owner_name="Skolbibliotekarien",
        starts=dt.date(2025, 1, 10),
        ends=dt.date(2025, 3, 1),
        status=ActionStatus.DONE,
        scope=head,
        by=users.unit_head,
    )
    assert not named.is_overdue and named.owner_label == "Skolbibliotekarien"
    actions.plan_action_update(
        action=action,
        title=action.title,
        owner=users.teacher,
        starts=action.starts,
        ends=action.ends,
        status=ActionStatus.CANCELLED,
        scope=head,
        by=users.unit_head,
    )
    assert not PlanAction.objects.get(pk=action.pk).is_overdue

    note = actions.progress_note_add(
        action=action,
        point=points[2],
        text="Igång i två arbetslag.",
        scope=head,
        by=users.unit_head,
    )
    assert note.follow_up_point == points[2]
    with pytest.raises(ValidationError):
        actions.progress_note_add(goal=goal, point=points[0], text=" ", scope=head, by=None)

    evaluation = actions.goal_evaluate(
        goal=goal,
        verdict=Verdict.PARTLY,
        reasons="Hälften av ämnena.",
        scope=head,
        by=users.unit_head,
    )
    again = actions.goal_evaluate(
        goal=goal, verdict=Verdict.MET, reasons="Alla ämnen.", scope=head, by=users.unit_head
    )
    assert again.pk == evaluation.pk and GoalEvaluation.objects.get().verdict == Verdict.MET
    with pytest.raises(ValidationError):
        actions.goal_evaluate(goal=goal, verdict="maybe", reasons="", scope=head, by=None)

    plan = plan_for(node=graded.unit_n1, year=graded.year, scope=head)
    assert plan is not None
    [area_view] = plan.areas
    assert [a.title for a in area_view.goals[0].actions] == ["Kollegialt lärande", "Läsfrämjande"]
    assert area_view.goals[0].goal.evaluation.verdict == Verdict.MET
    assert plan_for(node=graded.unit_n1, year=graded.year, scope=scope_for(users.board)) is None

    logged = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "problem_area_create",
        "goal_create",
        "plan_action_create",
        "plan_action_update",
        "progress_note_add",
        "goal_evaluate",
    } <= logged


def test_report_deadlines_are_set_by_the_calendars_managers(graded, users) -> None:
    admin = scope_for(users.organiser_admin)
    deadline = actions.report_deadline_set(
        academic_year=graded.year,
        school_form="grundskola",
        deadline=dt.date(2025, 9, 30),
        scope=admin,
        by=users.organiser_admin,
    )
    again = actions.report_deadline_set(
        academic_year=graded.year,
        school_form="grundskola",
        deadline=dt.date(2025, 10, 15),
        scope=admin,
        by=users.organiser_admin,
    )
    assert again.pk == deadline.pk and again.deadline == dt.date(2025, 10, 15)
    with pytest.raises(ValidationError):
        actions.report_deadline_set(
            academic_year=graded.year,
            school_form="universitet",
            deadline=dt.date(2030, 1, 1),
            scope=admin,
            by=users.organiser_admin,
        )
    with pytest.raises(PermissionDenied):
        actions.report_deadline_set(
            academic_year=graded.year,
            school_form="",
            deadline=dt.date(2025, 9, 30),
            scope=scope_for(users.unit_head),
            by=users.unit_head,
        )
    actions.report_deadline_remove(deadline=again, scope=admin, by=users.organiser_admin)
    assert not ReportDeadline.objects.exists()


def test_an_action_whose_owner_lost_their_role_keeps_being_updated(graded, users, head, area):
    from django.utils import timezone

    from skolkvalitet.organisation.models import RoleAssignment

    goal = actions.goal_create_qualitative(
        area=area, title="Tidigt stöd", criterion="Stöd före jul.", scope=head, by=users.unit_head
    )
    action = actions.plan_action_create(
        goal=goal,
        title="Kartläggning",
        owner=users.teacher,
        starts=dt.date(2024, 9, 1),
        ends=dt.date(2024, 10, 31),
        scope=head,
        by=users.unit_head,
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    RoleAssignment.objects.filter(user=users.teacher).update(valid_until=yesterday)
    # The owner stays as they were: the status changes.
    done = actions.plan_action_update(
        action=action,
        title=action.title,
        owner=users.teacher,
        starts=action.starts,
        ends=action.ends,
        status=ActionStatus.DONE,
        scope=head,
        by=users.unit_head,
    )
    assert (done.status, done.owner) == (ActionStatus.DONE, users.teacher)
    # Choosing someone without a role at the unit is still refused.
    with pytest.raises(ValidationError) as error:
        actions.plan_action_update(
            action=action,
            title=action.title,
            owner=users.coach,
            starts=action.starts,
            ends=action.ends,
            status=ActionStatus.DONE,
            scope=head,
            by=users.unit_head,
        )
    assert set(error.value.message_dict) == {"owner"}
    # Handed to a name, the action cannot take the former owner back.
    actions.plan_action_update(
        action=action,
        title=action.title,
        owner_name="Specialläraren",
        starts=action.starts,
        ends=action.ends,
        status=ActionStatus.DONE,
        scope=head,
        by=users.unit_head,
    )
    with pytest.raises(ValidationError):
        actions.plan_action_update(
            action=action,
            title=action.title,
            owner=users.teacher,
            starts=action.starts,
            ends=action.ends,
            status=ActionStatus.DONE,
            scope=head,
            by=users.unit_head,
        )


def shown_target(node, year) -> float | None:
    """The merit value target the result pages show for `node` (their rule)."""
    from skolkvalitet.dashboards.selectors.targets import nearest_targets

    return nearest_targets([node], ["merit_value_17"], year.pk).get((node.pk, "merit_value_17"))


def merit_goal(area, scope, by, value: float):
    return actions.goal_create_indicator(
        area=area,
        title="Höj meritvärdet",
        indicator="merit_value_17",
        target_value=value,
        target_date=dt.date(2025, 6, 13),
        scope=scope,
        by=by,
    )


def test_the_organisers_target_above_the_unit_binds_a_plan_without_set_targets(
    graded, users, head, area
) -> None:
    organisers = target_set(
        node=graded.organiser,
        indicator="merit_value_17",
        value=200.0,
        academic_year=graded.year,
        by=users.organiser_admin,
    )
    with pytest.raises(ValidationError) as error:
        merit_goal(area, head, users.unit_head, 150.0)
    [message] = error.value.message_dict["target_value"]
    assert "200" in message
    assert not Target.objects.filter(node=graded.unit_n1).exists()
    assert shown_target(graded.unit_n1, graded.year) == 200.0

    goal = merit_goal(area, head, users.unit_head, 200.0)
    assert (goal.target, goal.owns_target) == (organisers, False)
    assert not Target.objects.filter(node=graded.unit_n1).exists()  # no copy of its own
    actions.goal_remove(goal=goal, scope=head, by=users.unit_head)
    assert Target.objects.get(pk=organisers.pk).value == 200.0


def test_the_nearest_organiser_target_binds_as_the_pages_show_it(graded, users, head, area) -> None:
    # The organiser's target for the year, and Norr's for every year: the area is nearer.
    target_set(
        node=graded.organiser,
        indicator="merit_value_17",
        value=200.0,
        academic_year=graded.year,
        by=users.organiser_admin,
    )
    areas = target_set(
        node=graded.area_north, indicator="merit_value_17", value=190.0, by=users.organiser_admin
    )
    assert shown_target(graded.unit_n1, graded.year) == 190.0
    with pytest.raises(ValidationError) as error:
        merit_goal(area, head, users.unit_head, 200.0)
    assert "190" in error.value.message_dict["target_value"][0]
    assert merit_goal(area, head, users.unit_head, 190.0).target == areas


def test_a_plans_own_target_gives_way_to_the_organisers_set_later(
    graded, users, head, area
) -> None:
    goal = merit_goal(area, head, users.unit_head, 150.0)  # no target above: the plan sets one
    own = goal.target
    assert (own.node, own.value, goal.owns_target) == (graded.unit_n1, 150.0, True)
    organisers = target_set(
        node=graded.organiser,
        indicator="merit_value_17",
        value=200.0,
        academic_year=graded.year,
        by=users.organiser_admin,
    )

    def update(value: float, title: str = "Höj meritvärdet"):
        return actions.goal_update(
            goal=goal,
            title=title,
            target_value=value,
            target_date=dt.date(2025, 6, 13),
            scope=head,
            by=users.unit_head,
        )

    update(150.0, title="Höj meritvärdet i år")  # the target as it stands: still saved
    assert Target.objects.get(pk=own.pk).value == 150.0
    with pytest.raises(ValidationError):
        update(160.0)  # a new value of its own: the organiser's binds now
    assert Target.objects.get(pk=own.pk).value == 150.0
    goal = update(200.0)
    assert (goal.target, goal.owns_target) == (organisers, False)
    assert not Target.objects.filter(pk=own.pk).exists()  # the plan's own, given up
    assert shown_target(graded.unit_n1, graded.year) == 200.0


def test_a_writer_who_sets_targets_still_sets_the_nodes_own(graded, users) -> None:
    # The organiser's own plan, written by its administrator (SET_TARGETS): as before, the
    # goal's value becomes the organiser's target.
    admin = scope_for(users.organiser_admin)
    target_set(
        node=graded.organiser,
        indicator="merit_value_17",
        value=200.0,
        academic_year=graded.year,
        by=users.organiser_admin,
    )
    area = actions.problem_area_create(
        node=graded.organiser,
        academic_year=graded.year,
        title="Meritvärden",
        causes="Skillnaderna mellan skolorna.",
        priority=1,
        scope=admin,
        by=users.organiser_admin,
    )
    goal = merit_goal(area, admin, users.organiser_admin, 210.0)
    assert goal.target.node == graded.organiser and goal.target.value == 210.0
    assert shown_target(graded.unit_n1, graded.year) == 210.0
