"""Who may do what, per role (tests/conftest.py's users): the unit head writes, the
organiser side reviews, board and coach read what was handed in, teachers get nothing, and a
unit outside the scope is 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from skolkvalitet.organisation import actions as org_actions
from skolkvalitet.organisation.models import Role
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality import actions, permissions
from skolkvalitet.quality.models import DialogueStatus, FollowUpDialogue

from .conftest import DIALOGUE_TEXT

pytestmark = pytest.mark.django_db

ALL_ROLES = ("organiser_admin", "analyst", "board", "unit_head", "teacher", "coach")


def dialogue_url(name: str, point, unit) -> str:
    return reverse(name, kwargs={"point_id": point.pk, "unit_id": unit.pk})


def submit_n1(org, users, point) -> None:
    actions.dialogue_submit(unit=org.unit_n1, point=point, by=users.unit_head, **DIALOGUE_TEXT)


def test_the_permission_table_per_role_on_unit_n1(org, users):
    expected = {  # role: (write, review, read draft, read submitted, board)
        "organiser_admin": (False, True, True, True, True),
        "analyst": (False, True, True, True, True),
        "board": (False, False, False, True, True),
        "unit_head": (True, False, True, True, True),
        "teacher": (False, False, False, False, False),
        "coach": (False, False, False, False, True),  # area_south: unit_n1 is outside
    }
    for role, row in expected.items():
        scope = scope_for(getattr(users, role))
        got = (
            permissions.may_write(scope, org.unit_n1),
            permissions.may_review(scope, org.unit_n1),
            permissions.may_read(scope, org.unit_n1, DialogueStatus.DRAFT),
            permissions.may_read(scope, org.unit_n1, DialogueStatus.SUBMITTED),
            permissions.may_see_board(scope),
        )
        assert got == row, role


@pytest.mark.parametrize(
    ("role", "draft_status", "submitted_status"),
    [
        ("organiser_admin", 200, 200),
        ("analyst", 200, 200),
        ("unit_head", 200, 200),
        ("board", 403, 200),
        ("teacher", 404, 404),  # a group grant does not reach the unit
        ("coach", 404, 404),  # area_south does not reach unit_n1
    ],
)
def test_who_reads_the_dialogue_of_unit_n1(
    client_for, org, users, point, role, draft_status, submitted_status
):
    client = client_for(role)
    url = dialogue_url("quality_dialogue", point, org.unit_n1)
    actions.dialogue_save_draft(unit=org.unit_n1, point=point, by=users.unit_head, analysis="x")
    assert client.get(url).status_code == draft_status
    submit_n1(org, users, point)
    assert client.get(url).status_code == submitted_status


def test_a_coach_reads_handed_in_dialogues_of_their_area_only(client_for, org, users, point):
    head_s1 = users.unit_head.__class__.objects.create_user("sara")
    org_actions.role_grant(user=head_s1, node=org.unit_s1, role=Role.UNIT_HEAD)
    client = client_for("coach")
    url = dialogue_url("quality_dialogue", point, org.unit_s1)
    assert client.get(url).status_code == 403  # not started
    actions.dialogue_submit(unit=org.unit_s1, point=point, by=head_s1, **DIALOGUE_TEXT)
    assert client.get(url).status_code == 200
    assert client.post(url, {**DIALOGUE_TEXT, "intent": "draft"}).status_code == 403


def test_only_the_unit_head_writes(client_for, org, point):
    url = dialogue_url("quality_dialogue", point, org.unit_n1)
    for role in ("organiser_admin", "analyst", "board"):
        response = client_for(role).post(url, {**DIALOGUE_TEXT, "intent": "submit"})
        assert response.status_code == 403, role
    assert not FollowUpDialogue.objects.exists()
    response = client_for("unit_head").post(url, {**DIALOGUE_TEXT, "intent": "submit"})
    assert response.status_code == 302
    assert FollowUpDialogue.objects.get().status == DialogueStatus.SUBMITTED


def test_only_the_organiser_side_returns_and_marks_discussed(client_for, org, users, point):
    submit_n1(org, users, point)
    back = dialogue_url("quality_dialogue_return", point, org.unit_n1)
    done = dialogue_url("quality_dialogue_discussed", point, org.unit_n1)
    for role in ("unit_head", "board"):
        client = client_for(role)
        assert client.post(back, {"comment": "Nej"}).status_code == 403, role
        assert client.post(done).status_code == 403, role
    for role in ("teacher", "coach"):
        client = client_for(role)
        assert client.post(back, {"comment": "Nej"}).status_code == 404, role
        assert client.post(done).status_code == 404, role
    assert FollowUpDialogue.objects.get().status == DialogueStatus.SUBMITTED
    assert client_for("analyst").post(done).status_code == 302
    assert FollowUpDialogue.objects.get().status == DialogueStatus.DISCUSSED


def test_who_comments(client_for, org, point):
    url = dialogue_url("quality_dialogue_comment", point, org.unit_n1)
    assert client_for("board").post(url, {"text": "Hej"}).status_code == 403
    assert client_for("teacher").post(url, {"text": "Hej"}).status_code == 404
    for role in ("organiser_admin", "analyst", "unit_head"):
        assert client_for(role).post(url, {"text": f"Från {role}"}).status_code == 302


def test_a_unit_head_cannot_reach_another_units_dialogue(client_for, org, point):
    client = client_for("unit_head")
    for name in ("quality_dialogue", "quality_dialogue_comment"):
        url = dialogue_url(name, point, org.unit_n2)
        assert client.get(url).status_code in (404, 405)
        assert (
            client.post(url, {**DIALOGUE_TEXT, "intent": "draft", "text": "x"}).status_code == 404
        )
    assert not FollowUpDialogue.objects.exists()


def test_a_node_that_is_not_a_unit_is_404(client_for, org, point):
    url = dialogue_url("quality_dialogue", point, org.area_north)
    assert client_for("organiser_admin").get(url).status_code == 404


@pytest.mark.parametrize("role", ALL_ROLES)
def test_who_sees_the_status_board(client_for, points, role):
    status = client_for(role).get(reverse("quality_board")).status_code
    assert status == (403 if role == "teacher" else 200)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_organiser_admins_edit_the_calendar(client_for, points, role):
    client = client_for(role)
    expected = 200 if role == "organiser_admin" else 403
    assert client.get(reverse("quality_calendar", args=[2024])).status_code == expected
    assert client.get(reverse("quality_point_edit", args=[points[0].pk])).status_code == expected
    removed = client.post(reverse("quality_point_remove", args=[points[0].pk])).status_code
    assert removed == (302 if role == "organiser_admin" else 403)


def test_an_area_admin_does_not_edit_the_organisers_calendar(client, org, make_user, points):
    nora = make_user("nora")
    org_actions.role_grant(user=nora, node=org.area_north, role=Role.ORGANISER_ADMIN)
    client.force_login(nora)
    assert client.get(reverse("quality_calendar", args=[2024])).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, points, org):
    for url in (
        reverse("quality_board"),
        reverse("quality_calendar", args=[2024]),
        dialogue_url("quality_dialogue", points[0], org.unit_n1),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
