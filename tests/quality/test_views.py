"""The follow-up pages through the test client: the status board, the dialogue flow
(draft → submit → return → submit → discussed), the comment thread with and without htmx,
the calendar, and the unit head's start fragment. Texts are compared in English."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from skolkvalitet.organisation import actions as org_actions
from skolkvalitet.organisation.models import FollowUpPoint, NodeKind
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality import actions
from skolkvalitet.quality.models import DialogueStatus, FollowUpDialogue
from skolkvalitet.quality.selectors import my_dialogues

from .conftest import DIALOGUE_TEXT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def dialogue_url(name: str, point, unit) -> str:
    return reverse(name, kwargs={"point_id": point.pk, "unit_id": unit.pk})


def text_of(response) -> str:
    """The page's text without tags, whitespace folded."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def rows_of(response) -> dict[str, str]:
    """Board rows: unit name → the row's text."""
    html = response.content.decode()
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", html, flags=re.S)
    out = {}
    for row in rows:
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        out[text.split(" ")[0]] = text
    return out


# -- the status board ------------------------------------------------------------------------


def test_the_board_shows_every_unit_by_area_with_status_in_words(client_for, org, users, point):
    actions.dialogue_save_draft(unit=org.unit_n1, point=point, by=users.unit_head, analysis="x")
    actions.dialogue_comment(unit=org.unit_s2, point=point, by=users.analyst, text="Hej")

    response = client_for("organiser_admin").get(reverse("quality_board"), {"punkt": point.pk})

    assert response.status_code == 200
    rows = rows_of(response)
    assert set(rows) == {"Norrskolan", "Björkskolan", "Söderskolan", "Ekskolan"}
    # The point's deadline (2024-10-15) has passed: units that have not handed in are late.
    assert rows["Norrskolan"].startswith("Norrskolan Draft Deadline passed")
    assert rows["Ekskolan"].startswith("Ekskolan Not started Deadline passed")
    page = text_of(response)
    assert "Norr" in page and "Söder" in page
    html = response.content.decode()
    assert html.index("Björkskolan") < html.index("Söder</th>") < html.index("Ekskolan")
    assert "Draft 1" in page and "Not started 3" in page and "Submitted 0" in page
    assert "4 units in all" in page and "4 units past the deadline" in page


def test_the_board_filters_by_status_and_area(client_for, org, users, point):
    actions.dialogue_submit(unit=org.unit_n1, point=point, by=users.unit_head, **DIALOGUE_TEXT)
    client = client_for("analyst")

    submitted = client.get(reverse("quality_board"), {"punkt": point.pk, "status": "submitted"})
    assert set(rows_of(submitted)) == {"Norrskolan"}
    assert "Deadline passed" not in rows_of(submitted)["Norrskolan"]
    assert "Submitted 1" in text_of(submitted)  # counts cover every unit

    south = client.get(reverse("quality_board"), {"punkt": point.pk, "omrade": org.area_south.pk})
    assert set(rows_of(south)) == {"Söderskolan", "Ekskolan"}

    nonsense = client.get(reverse("quality_board"), {"punkt": "x", "status": "y", "omrade": "z"})
    assert nonsense.status_code == 200 and len(rows_of(nonsense)) == 4


def test_the_board_still_reads_its_former_english_parameters(client_for, org, users, points):
    # ?point= and ?area= were the board's first names for ?punkt= and ?omrade=: old bookmarks
    # and links keep their choice.
    client = client_for("analyst")
    old = client.get(reverse("quality_board"), {"point": points[0].pk, "area": org.area_south.pk})
    assert old.context["point"] == points[0]
    assert set(rows_of(old)) == {"Söderskolan", "Ekskolan"}
    new = client.get(reverse("quality_board"), {"punkt": points[0].pk, "point": points[1].pk})
    assert new.context["point"] == points[0]  # the Swedish name wins


def test_the_board_defaults_to_the_latest_point_that_has_begun(client_for, org, users, points):
    # All four points of 2024/25 lie in the past: the latest is VT2025's second.
    response = client_for("organiser_admin").get(reverse("quality_board"))
    assert response.context["point"] == points[-1]


def test_the_board_is_scoped(client_for, org, users, point):
    assert set(rows_of(client_for("unit_head").get(reverse("quality_board")))) == {"Norrskolan"}
    assert set(rows_of(client_for("coach").get(reverse("quality_board")))) == {
        "Söderskolan",
        "Ekskolan",
    }


def test_board_and_coach_get_links_only_to_handed_in_dialogues(client_for, org, users, point):
    actions.dialogue_save_draft(unit=org.unit_n2, point=point, by=users.unit_head, analysis="x")
    actions.dialogue_submit(unit=org.unit_n1, point=point, by=users.unit_head, **DIALOGUE_TEXT)
    html = client_for("board").get(reverse("quality_board"), {"punkt": point.pk}).content.decode()
    assert dialogue_url("quality_dialogue", point, org.unit_n1) in html
    assert dialogue_url("quality_dialogue", point, org.unit_n2) not in html


def test_the_board_without_points_says_so(client_for, org, users):
    response = client_for("organiser_admin").get(reverse("quality_board"))
    assert "The calendar has no follow-up points yet." in text_of(response)


def test_a_closed_unit_without_a_dialogue_is_left_out(client_for, org, users, point):
    org.unit_n2.is_active = False
    org.unit_n2.save()
    response = client_for("organiser_admin").get(reverse("quality_board"), {"punkt": point.pk})
    assert "Björkskolan" not in rows_of(response)


def test_the_board_needs_the_same_queries_for_many_units(
    client_for, org, users, point, django_assert_max_num_queries
):
    client = client_for("organiser_admin")
    url = reverse("quality_board")

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"punkt": point.pk}).status_code == 200
        return len(captured.captured_queries)

    few = count_queries()
    for i in range(30):
        unit = org_actions.node_create(
            kind=NodeKind.UNIT, name=f"Skola {i:02d}", parent=org.area_north, code=f"3{i:07d}"
        )
        actions.dialogue_save_draft(unit=unit, point=point, by=users.unit_head, analysis="x")
    many = count_queries()
    assert many == few
    with django_assert_max_num_queries(10):
        client.get(url, {"punkt": point.pk})


# -- the dialogue flow -----------------------------------------------------------------------


def test_the_unit_head_sees_the_four_fields_with_help_and_the_law(client_for, org, point):
    response = client_for("unit_head").get(dialogue_url("quality_dialogue", point, org.unit_n1))
    html = response.content.decode()
    for name in ("analysis", "what_works", "actions", "support_needed"):
        assert f'name="{name}"' in html
        assert f'aria-describedby="id_{name}-help"' in html
    page = text_of(response)
    assert "Analysis of causes (orsaksanalys) (required to submit)" in page
    assert "Skollagen 2010:800, chapter 4, sections 3–4" in page
    assert 'value="draft"' in html and 'value="submit"' in html
    assert "Return to the head of unit" not in page


def test_draft_submit_return_submit_discussed_through_the_pages(client_for, org, point):
    head, admin = client_for("unit_head"), client_for("organiser_admin")
    url = dialogue_url("quality_dialogue", point, org.unit_n1)

    response = head.post(url, {**DIALOGUE_TEXT, "actions": "", "intent": "draft"})
    assert response.status_code == 302
    assert "The draft was saved." in text_of(head.get(url))
    assert FollowUpDialogue.objects.get().status == DialogueStatus.DRAFT

    refused = head.post(url, {**DIALOGUE_TEXT, "actions": "", "intent": "submit"})
    assert refused.status_code == 400
    assert "Write what will be done before you submit." in text_of(refused)
    assert 'aria-invalid="true"' in refused.content.decode()
    assert FollowUpDialogue.objects.get().status == DialogueStatus.DRAFT

    assert head.post(url, {**DIALOGUE_TEXT, "intent": "submit"}).status_code == 302
    assert FollowUpDialogue.objects.get().status == DialogueStatus.SUBMITTED
    page = text_of(head.get(url))
    assert "Save draft" not in page and DIALOGUE_TEXT["analysis"] in page

    admin_page = text_of(admin.get(url))
    assert "Mark as discussed" in admin_page and "Return to the head of unit" in admin_page
    empty = admin.post(dialogue_url("quality_dialogue_return", point, org.unit_n1), {})
    assert empty.status_code == 400
    # Said at the top of the page, with a link down to the field, not only beside the field.
    assert "The dialogue was not returned." in text_of(empty)
    assert 'href="#id_comment"' in empty.content.decode()
    assert FollowUpDialogue.objects.get().status == DialogueStatus.SUBMITTED
    response = admin.post(
        dialogue_url("quality_dialogue_return", point, org.unit_n1),
        {"comment": "Vilka är orsakerna till resultaten i årskurs 8?"},
    )
    assert response.status_code == 302
    assert FollowUpDialogue.objects.get().status == DialogueStatus.RETURNED

    page = text_of(head.get(url))
    assert "The organiser has returned the dialogue to you." in page
    assert "Vilka är orsakerna till resultaten i årskurs 8?" in page
    assert head.post(url, {**DIALOGUE_TEXT, "intent": "submit"}).status_code == 302

    response = admin.post(dialogue_url("quality_dialogue_discussed", point, org.unit_n1))
    assert response.status_code == 302
    dialogue = FollowUpDialogue.objects.get()
    assert dialogue.status == DialogueStatus.DISCUSSED
    page = text_of(admin.get(url))
    assert "Discussed" in page and "Mark as discussed" not in page
    assert "Marked as discussed" in page and "by agnes" in page


def test_a_board_member_reads_a_submitted_dialogue_without_forms(client_for, org, users, point):
    actions.dialogue_submit(unit=org.unit_n1, point=point, by=users.unit_head, **DIALOGUE_TEXT)
    response = client_for("board").get(dialogue_url("quality_dialogue", point, org.unit_n1))
    html = response.content.decode()
    assert DIALOGUE_TEXT["actions"] in html
    assert "<form" not in html.split('<main id="main"')[1]


def test_a_comment_with_htmx_returns_the_thread_fragment(client_for, org, users, point):
    client = client_for("analyst")
    url = dialogue_url("quality_dialogue_comment", point, org.unit_n1)

    response = client.post(url, {"text": "Bra början!"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="comments"')
    assert "<html" not in html
    assert "Bra början!" in html and "Your comment was added." in html
    empty = client.post(url, {"text": ""}, headers={"HX-Request": "true"})
    assert "This field is required." in empty.content.decode()


def test_after_an_htmx_comment_focus_and_outcome_stay_where_the_user_is(client_for, org, point):
    """htmx swaps the whole thread. The button keeps its id so that htmx gives it the focus
    back (the focus was lost to <body> before), and the outcome goes out of band into the
    page's live region #comment-status, which is never replaced and so is announced."""
    client = client_for("analyst")
    page = client.get(dialogue_url("quality_dialogue", point, org.unit_n1)).content.decode()
    assert '<button type="submit" id="comment-submit">' in page
    assert '<div id="comment-status" role="status"></div>' in page
    assert page.index('id="comment-status"') > page.index("</section>", page.index('id="comments"'))

    url = dialogue_url("quality_dialogue_comment", point, org.unit_n1)
    added = client.post(url, {"text": "Bra början!"}, headers={"HX-Request": "true"})
    html = added.content.decode()
    assert '<button type="submit" id="comment-submit">' in html
    status = html[html.index('<div id="comment-status"') :]
    assert 'role="status" hx-swap-oob="innerHTML"' in status
    assert "Your comment was added." in status

    blank = client.post(url, {"text": "   "}, headers={"HX-Request": "true"}).content.decode()
    status = blank[blank.index('<div id="comment-status"') :]
    assert "This field is required." in status and "Your comment was added." not in status


def test_a_comment_without_javascript_redirects_back_to_the_thread(client_for, org, point):
    client = client_for("unit_head")
    url = dialogue_url("quality_dialogue_comment", point, org.unit_n1)
    response = client.post(url, {"text": "En fråga om stödet."})
    assert response.status_code == 302
    assert response["Location"].endswith("#comments")
    assert "En fråga om stödet." in text_of(client.get(response["Location"]))
    assert client.post(url, {"text": ""}).status_code == 400


def test_the_comment_form_works_with_and_without_htmx(client_for, org, point):
    html = client_for("analyst").get(dialogue_url("quality_dialogue", point, org.unit_n1))
    html = html.content.decode()
    action = dialogue_url("quality_dialogue_comment", point, org.unit_n1)
    assert f'action="{action}"' in html and f'hx-post="{action}"' in html
    assert 'hx-target="#comments"' in html


# -- the calendar ---------------------------------------------------------------------------


def test_the_calendar_lists_the_years_points_per_term(client_for, org, users, points):
    actions.dialogue_save_draft(unit=org.unit_n1, point=points[0], by=users.unit_head, analysis="x")
    response = client_for("organiser_admin").get(reverse("quality_calendar", args=[2024]))
    page = text_of(response)
    assert "Calendar of follow-up points, 2024/25" in page
    assert "Autumn term 2024" in page and "Spring term 2025" in page
    assert "Follow-up 1, HT2024 2024-10-01 2024-10-15" in page
    assert page.count("in use, cannot be removed") == 1
    html = response.content.decode()
    assert reverse("quality_point_remove", args=[points[0].pk]) not in html
    assert reverse("quality_point_remove", args=[points[1].pk]) in html


def test_an_empty_year_gets_its_default_points_from_the_page(client_for, org, users):
    client = client_for("organiser_admin")
    assert "has no follow-up points yet" in text_of(
        client.get(reverse("quality_calendar", args=[2025]))
    )
    response = client.post(reverse("quality_calendar_defaults", args=[2025]))
    assert response.status_code == 302
    assert FollowUpPoint.objects.filter(term__academic_year__code="2025/26").count() == 4
    client.post(reverse("quality_calendar_defaults", args=[2025]))
    assert FollowUpPoint.objects.filter(term__academic_year__code="2025/26").count() == 4


def test_a_point_is_edited_and_errors_are_shown_by_the_field(client_for, points):
    client = client_for("organiser_admin")
    url = reverse("quality_point_edit", args=[points[0].pk])
    bad = client.post(
        url, {"name": "Oktober", "assessed_on": "2024-10-03", "deadline": "2024-10-01"}
    )
    assert bad.status_code == 400
    assert "The deadline cannot be before the assessment date." in text_of(bad)
    assert 'aria-describedby="id_deadline-errors"' in bad.content.decode()

    good = client.post(
        url, {"name": "Oktober", "assessed_on": "2024-10-03", "deadline": "2024-10-17"}
    )
    assert good.status_code == 302 and good["Location"] == reverse("quality_calendar", args=[2024])
    points[0].refresh_from_db()
    assert (points[0].name, points[0].deadline) == ("Oktober", dt.date(2024, 10, 17))


def test_a_point_is_added_and_removed_from_the_calendar(client_for, points):
    client = client_for("organiser_admin")
    url = reverse("quality_calendar", args=[2024])
    bad = client.post(
        url, {"term": "VT", "name": "Maj", "assessed_on": "2025-08-01", "deadline": "2025-08-02"}
    )
    assert bad.status_code == 400 and "The date must lie within the term" in text_of(bad)
    response = client.post(
        url, {"term": "VT", "name": "Maj", "assessed_on": "2025-05-20", "deadline": "2025-06-03"}
    )
    assert response.status_code == 302
    added = FollowUpPoint.objects.get(name="Maj")
    assert added.ordinal == 3 and added.term.kind == "VT"

    client.post(reverse("quality_point_remove", args=[added.pk]))
    assert not FollowUpPoint.objects.filter(pk=added.pk).exists()


def test_removing_a_point_in_use_is_refused_with_a_message(client_for, org, users, point):
    actions.dialogue_save_draft(unit=org.unit_n1, point=point, by=users.unit_head, analysis="x")
    client = client_for("organiser_admin")
    response = client.post(reverse("quality_point_remove", args=[point.pk]), follow=True)
    assert "cannot be removed: units have written dialogues for it." in text_of(response)
    assert FollowUpPoint.objects.filter(pk=point.pk).exists()


# -- the unit head's start fragment ---------------------------------------------------------


def test_my_dialogues_lists_the_unit_heads_units_at_the_current_point(org, users, points):
    today = timezone.localdate()
    request = RequestFactory().get("/")
    request.user = users.unit_head
    html = Template("{% load quality_tags %}{% my_dialogues %}").render(
        Context({"request": request})
    )
    assert "Your follow-up dialogues" in html
    assert dialogue_url("quality_dialogue", points[-1], org.unit_n1) in html
    assert "Norrskolan" in html and "Not started" in html
    assert today > points[-1].deadline and "Deadline passed" in html

    request.user = users.analyst
    request._skolkvalitet_scope = None
    html = Template("{% load quality_tags %}{% my_dialogues %}").render(
        Context({"request": request})
    )
    assert html.strip() == ""


def test_my_dialogues_on_a_day_before_the_deadline(org, users, points):
    actions.dialogue_save_draft(unit=org.unit_n1, point=points[1], by=users.unit_head, analysis="x")
    rows = my_dialogues(scope=scope_for(users.unit_head), on=dt.date(2024, 11, 20))
    assert [(r.unit.name, r.point, r.status, r.overdue) for r in rows] == [
        ("Norrskolan", points[1], DialogueStatus.DRAFT, False)
    ]
    late = my_dialogues(scope=scope_for(users.unit_head), on=dt.date(2024, 12, 1))
    assert late[0].overdue
    assert my_dialogues(scope=scope_for(users.board), on=dt.date(2024, 11, 20)) == []


def test_posting_to_a_handed_in_dialogue_says_why_nothing_changed(client_for, org, users, point):
    actions.dialogue_submit(unit=org.unit_n1, point=point, by=users.unit_head, **DIALOGUE_TEXT)
    client = client_for("unit_head")
    url = dialogue_url("quality_dialogue", point, org.unit_n1)
    response = client.post(url, {**DIALOGUE_TEXT, "analysis": "Ny", "intent": "draft"}, follow=True)
    assert "can no longer be changed" in text_of(response)
    assert FollowUpDialogue.objects.get().analysis == DIALOGUE_TEXT["analysis"]


def test_returning_twice_says_why_the_second_is_refused(client_for, org, users, point):
    actions.dialogue_submit(unit=org.unit_n1, point=point, by=users.unit_head, **DIALOGUE_TEXT)
    client = client_for("organiser_admin")
    url = dialogue_url("quality_dialogue_return", point, org.unit_n1)
    assert client.post(url, {"comment": "Mer analys."}).status_code == 302
    response = client.post(url, {"comment": "Igen."}, follow=True)
    assert "Only a submitted dialogue can be returned." in text_of(response)
    assert FollowUpDialogue.objects.get().comments.count() == 1
