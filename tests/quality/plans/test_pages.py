"""The plan page, the plan's actions on the resultatdialog and the report deadlines on the
calendar, as each role sees them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from skolkvalitet.dashboards.models import Target
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.models import (
    ActionStatus,
    Evidence,
    GoalEvaluation,
    PlanAction,
    ProblemArea,
    ProgressNote,
    ReportDeadline,
)
from skolkvalitet.quality.plans import actions

from .test_actions import grades_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(org):
    facts_import_bytes("grades", grades_file(org.unit_n1.code, ["E"] * 12), "betyg.csv")
    return org


def plan_url(org, node=None) -> str:
    node = node or org.unit_n1
    return reverse("quality_plan", kwargs={"node_id": node.pk, "start_year": 2024})


def test_the_unit_head_walks_the_plan_on_the_page(graded, users, client_for, points) -> None:
    client = client_for("unit_head")
    url = plan_url(graded)
    page = client.get(url)
    assert page.status_code == 200
    assert 'id="add-area-heading"' in page.content.decode()

    refused = client.post(
        url, {"intent": "area_add", "new-title": "Låga meritvärden", "new-priority": "1"}
    )
    assert refused.status_code == 400 and not ProblemArea.objects.exists()

    added = client.post(
        url,
        {
            "intent": "area_add",
            "new-title": "Låga meritvärden",
            "new-causes": "Undervisningen utmanar för lite.",
            "new-priority": "1",
        },
    )
    assert added.status_code == 302
    area = ProblemArea.objects.get()
    value = f"merit_value_17|year|{graded.year.pk}"
    assert value in client.get(url).content.decode()  # offered as evidence
    client.post(url, {"intent": "evidence_figure", "id": area.pk, f"f{area.pk}-figure": value})
    assert Evidence.objects.get().value == 80.0

    client.post(
        url,
        {
            "intent": "goal_indicator",
            "id": area.pk,
            f"gi{area.pk}-title": "Höj meritvärdet",
            f"gi{area.pk}-indicator": "merit_value_17",
            f"gi{area.pk}-target_value": "160",
            f"gi{area.pk}-target_date": "2025-06-13",
        },
    )
    goal = area.goals.get()
    assert Target.objects.get(node=graded.unit_n1).value == 160.0
    facts_import_bytes("grades", grades_file(graded.unit_n1.code, ["C"] * 12), "rättade.csv")

    client.post(
        url,
        {
            "intent": "action_add",
            "id": goal.pk,
            f"a{goal.pk}-title": "Kollegialt lärande",
            f"a{goal.pk}-owner_name": "Förstelärarna",
            f"a{goal.pk}-starts": "2024-09-01",
            f"a{goal.pk}-ends": "2024-12-20",
            f"a{goal.pk}-status": "ongoing",
        },
    )
    action = PlanAction.objects.get()
    client.post(
        url,
        {
            "intent": "action_note",
            "id": action.pk,
            f"an{action.pk}-point": points[1].pk,
            f"an{action.pk}-text": "Igång i alla arbetslag.",
        },
    )
    assert ProgressNote.objects.get().follow_up_point == points[1]
    client.post(
        url,
        {
            "intent": "evaluate",
            "id": goal.pk,
            f"e{goal.pk}-verdict": "partly",
            f"e{goal.pk}-reasons": "Halva vägen.",
        },
    )
    assert GoalEvaluation.objects.get().verdict == "partly"

    html = client.get(url).content.decode()
    assert '<progress max="100" value="50.0"' in html  # 80 → 120 of 80 → 160
    assert 'class="overdue"' in html  # ended 2024-12-20, still ongoing
    client.post(url, {"intent": "action_status", "id": action.pk, f"s{action.pk}-status": "done"})
    assert PlanAction.objects.get().status == ActionStatus.DONE
    client.post(
        url,
        {
            "intent": "action_update",
            "id": action.pk,
            f"ae{action.pk}-title": "Kollegialt lärande i matematik",
            f"ae{action.pk}-owner": users.teacher.pk,
            f"ae{action.pk}-starts": "2024-09-01",
            f"ae{action.pk}-ends": "2025-02-28",
            f"ae{action.pk}-status": "ongoing",
        },
    )
    edited = PlanAction.objects.get()
    assert (edited.title, edited.owner, edited.owner_name) == (
        "Kollegialt lärande i matematik",
        users.teacher,
        "",
    )


def test_roles_without_the_plan_are_kept_out(graded, users, client_for) -> None:
    area = actions.problem_area_create(
        node=graded.unit_n1,
        academic_year=graded.year,
        title="Trygghet",
        causes="Otydliga regler.",
        priority=1,
        scope=scope_for(users.unit_head),
        by=users.unit_head,
    )
    url = plan_url(graded)
    assert client_for("board").get(url).status_code == 403
    assert client_for("teacher").get(url).status_code == 404
    assert client_for("coach").get(url).status_code == 404
    analyst = client_for("analyst")
    assert "Trygghet" in analyst.get(url).content.decode()  # reviewers read
    response = analyst.post(url, {"intent": "area_remove", "id": area.pk})
    assert response.status_code == 403 and ProblemArea.objects.exists()
    # Another unit's object cannot be reached through this page.
    other = plan_url(graded, graded.unit_n2)
    assert client_for("unit_head").post(
        other, {"intent": "area_remove", "id": area.pk}
    ).status_code in (403, 404)
    own = client_for("unit_head").post(url, {"intent": "evidence_remove", "id": 999999})
    assert own.status_code == 404
    # The organiser's own plan is written by the organiser's reviewers.
    assert client_for("organiser_admin").get(plan_url(graded, graded.organiser)).status_code == 200
    assert client_for("unit_head").get(plan_url(graded, graded.organiser)).status_code == 404


def test_the_dialogue_shows_the_plans_actions_due(graded, users, client_for, points) -> None:
    head = scope_for(users.unit_head)
    area = actions.problem_area_create(
        node=graded.unit_n1,
        academic_year=graded.year,
        title="Trygghet",
        causes="Otydliga regler.",
        priority=1,
        scope=head,
        by=users.unit_head,
    )
    goal = actions.goal_create_qualitative(
        area=area, title="Trygg skola", criterion="Enkäten.", scope=head, by=users.unit_head
    )
    due = (
        ("Gemensamma regler", points[0].deadline),
        ("Läxhjälp", points[1].assessed_on - dt.timedelta(days=1)),
        ("Rastvakter", dt.date(2025, 5, 1)),
    )
    for title, ends in due:
        actions.plan_action_create(
            goal=goal,
            title=title,
            owner_name="Rektor",
            starts=dt.date(2024, 9, 1),
            ends=ends,
            scope=head,
            by=users.unit_head,
        )
    url = reverse(
        "quality_dialogue", kwargs={"point_id": points[0].pk, "unit_id": graded.unit_n1.pk}
    )
    html = client_for("unit_head").get(url).content.decode()
    assert "Gemensamma regler" in html and "Läxhjälp" in html  # before the next point
    assert "Rastvakter" not in html
    assert plan_url(graded) in html


def test_report_deadlines_on_the_calendar(graded, users, client_for, points) -> None:
    calendar = reverse("quality_calendar", kwargs={"start_year": 2024})
    set_url = reverse("quality_report_deadlines", kwargs={"start_year": 2024})
    admin = client_for("organiser_admin")
    response = admin.post(
        set_url, {"deadline-school_form": "grundskola", "deadline-deadline": "2025-09-30"}
    )
    assert response.status_code == 302
    deadline = ReportDeadline.objects.get()
    assert deadline.deadline == dt.date(2025, 9, 30)
    html = admin.get(calendar).content.decode()
    assert "2025-09-30" in html
    head = client_for("unit_head")
    assert head.post(set_url, {"deadline-deadline": "2025-09-30"}).status_code == 403
    remove = reverse("quality_report_deadline_remove", kwargs={"deadline_id": deadline.pk})
    assert head.post(remove).status_code == 403
    admin.post(remove)
    assert not ReportDeadline.objects.exists()


def test_a_refused_change_shows_the_page_again_with_the_errors_in_place(
    graded, users, client_for
) -> None:
    head = scope_for(users.unit_head)
    area = actions.problem_area_create(
        node=graded.unit_n1,
        academic_year=graded.year,
        title="Trygghet",
        causes="Otydliga regler.",
        priority=1,
        scope=head,
        by=users.unit_head,
    )
    goal = actions.goal_create_qualitative(
        area=area, title="Trygg skola", criterion="Enkäten.", scope=head, by=users.unit_head
    )
    response = client_for("unit_head").post(
        plan_url(graded),
        {
            "intent": "action_add",
            "id": goal.pk,
            f"a{goal.pk}-title": "Rastvakter",
            f"a{goal.pk}-starts": "2025-03-01",
            f"a{goal.pk}-ends": "2025-02-01",
            f"a{goal.pk}-status": "planned",
        },
    )
    assert response.status_code == 400 and not PlanAction.objects.exists()
    html = response.content.decode()
    # The action's own checks (no owner, end before start) are shown on the form's fields,
    # which keep what was written.
    assert f'id="id_a{goal.pk}-owner_name-errors"' in html
    assert f'id="id_a{goal.pk}-ends-errors"' in html
    assert 'value="Rastvakter"' in html


def test_an_indicator_goals_target_is_changed_on_the_page(graded, users, client_for) -> None:
    head = scope_for(users.unit_head)
    area = actions.problem_area_create(
        node=graded.unit_n1,
        academic_year=graded.year,
        title="Låga meritvärden",
        causes="Undervisningen utmanar för lite.",
        priority=1,
        scope=head,
        by=users.unit_head,
    )
    goal = actions.goal_create_indicator(
        area=area,
        title="Höj meritvärdet",
        indicator="merit_value_17",
        target_value=160.0,
        target_date=dt.date(2025, 6, 13),
        scope=head,
        by=users.unit_head,
    )
    response = client_for("unit_head").post(
        plan_url(graded),
        {
            "intent": "goal_update",
            "id": goal.pk,
            f"ge{goal.pk}-title": "Höj meritvärdet till 120",
            f"ge{goal.pk}-target_value": "120",
            f"ge{goal.pk}-target_date": "2025-06-13",
        },
    )
    assert response.status_code == 302
    assert Target.objects.get(node=graded.unit_n1).value == 120.0
    refused = client_for("unit_head").post(
        plan_url(graded),
        {
            "intent": "goal_update",
            "id": goal.pk,
            f"ge{goal.pk}-title": "Höj",
            f"ge{goal.pk}-target_value": "400",  # above the merit value's 340
            f"ge{goal.pk}-target_date": "2025-06-13",
        },
    )
    assert refused.status_code == 400
    assert f'id="id_ge{goal.pk}-target_value-errors"' in refused.content.decode()


def test_an_action_whose_owner_lost_their_role_is_saved_on_the_page(
    graded, users, client_for
) -> None:
    from django.utils import timezone

    from skolkvalitet.organisation.models import RoleAssignment

    head = scope_for(users.unit_head)
    area = actions.problem_area_create(
        node=graded.unit_n1,
        academic_year=graded.year,
        title="Trygghet",
        causes="Otydliga regler.",
        priority=1,
        scope=head,
        by=users.unit_head,
    )
    goal = actions.goal_create_qualitative(
        area=area, title="Trygg skola", criterion="Enkäten.", scope=head, by=users.unit_head
    )
    action = actions.plan_action_create(
        goal=goal,
        title="Rastvakter",
        owner=users.teacher,
        starts=dt.date(2024, 9, 1),
        ends=dt.date(2024, 10, 31),
        scope=head,
        by=users.unit_head,
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    RoleAssignment.objects.filter(user=users.teacher).update(valid_until=yesterday)
    client = client_for("unit_head")
    url = plan_url(graded)
    html = client.get(url).content.decode()
    # The edit form still offers the owner, chosen; the new action's form does not.
    assert f'<option value="{users.teacher.pk}" selected>' in html
    assert html.count(f'<option value="{users.teacher.pk}"') == 1
    status = client.post(
        url, {"intent": "action_status", "id": action.pk, f"s{action.pk}-status": "done"}
    )
    assert status.status_code == 302
    assert PlanAction.objects.get().status == ActionStatus.DONE
    edited = client.post(
        url,
        {
            "intent": "action_update",
            "id": action.pk,
            f"ae{action.pk}-title": "Rastvakter på skolgården",
            f"ae{action.pk}-owner": users.teacher.pk,
            f"ae{action.pk}-starts": "2024-09-01",
            f"ae{action.pk}-ends": "2024-11-30",
            f"ae{action.pk}-status": "ongoing",
        },
    )
    assert edited.status_code == 302
    saved = PlanAction.objects.get()
    assert (saved.title, saved.owner, saved.ends) == (
        "Rastvakter på skolgården",
        users.teacher,
        dt.date(2024, 11, 30),
    )
