"""The shared practices' pages, role by role: the list and search (/uppfoljning/arbetssatt/),
one practice, the form a unit head shares a practice with (also from the plan's action), the
withdrawal by the organiser, and 404 for what the user may not read."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.models import PracticeStatus, SharedPractice
from skolkvalitet.quality.practices import actions

from .conftest import COMPLETE

pytestmark = pytest.mark.django_db

LIST = "/uppfoljning/arbetssatt/"
ROLES = ("organiser_admin", "analyst", "unit_head", "teacher", "board", "coach")


def detail(practice) -> str:
    return reverse("quality_practice", kwargs={"pk": practice.pk})


def new_url(node, start_year: int = 2024) -> str:
    return reverse("quality_practice_new", kwargs={"node_id": node.pk, "start_year": start_year})


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_role_reads_the_list_and_a_user_without_a_role_is_refused(
    org, users, client_for, share, make_user
) -> None:
    assert reverse("quality_practices") == LIST
    published = share("Matteverkstad", area="Matematik")
    draft = share("Utkast", publish=False)
    for role in ROLES:
        page = client_for(role).get(LIST)
        assert page.status_code == 200, role
        html = page.content.decode()
        assert f'<li data-practice="{published.pk}">' in html, role
        assert f'href="{LIST}"' in html, role  # the header's link
        # The draft is listed only among the unit head's own practices.
        assert (f'<tr data-practice="{draft.pk}">' in html) == (role == "unit_head"), role
    assert logged_in(make_user("nobody")).get(LIST).status_code == 403
    assert Client().get(LIST).status_code == 302  # to the login page


def test_the_list_searches_by_its_query(org, users, client_for, share) -> None:
    matte = share("Matteverkstad", area="Matematik", indicators=["merit_value_17"])
    franvaro = share("Tidig kontakt", what="Mentorn ringer hem.", area="Närvaro")
    client = client_for("teacher")

    def found(query: str) -> set[int]:
        html = client.get(LIST + query).content.decode()
        return {p.pk for p in (matte, franvaro) if f'<li data-practice="{p.pk}">' in html}

    assert found("") == {matte.pk, franvaro.pk}
    assert found("?sok=mentorn") == {franvaro.pk}
    assert found("?omrade=matematik") == {matte.pk}
    assert found("?indikator=merit_value_17") == {matte.pk}
    assert found("?skolform=GR&lasar=2024") == {matte.pk, franvaro.pk}
    assert found("?skolform=FS") == set()
    # Unknown values are ignored rather than refused (there is no 2023/24 here).
    assert found("?skolform=XX&indikator=nonsense&lasar=2023") == {matte.pk, franvaro.pk}


def test_a_published_practice_is_read_across_the_organiser_and_nowhere_else(
    org, users, client_for, share, neighbour, plan_action
) -> None:
    practice = share("Matteverkstad", plan_actions=[plan_action], area="Matematik")
    for role in ROLES:  # the coach's grant is on Söder, the practice is Norr's: shared anyway
        page = client_for(role).get(detail(practice))
        assert page.status_code == 200, role
        html = page.content.decode()
        assert 'data-verdict="partly"' in html, role  # the linked goal's evaluation
        assert "Stödet kom tidigare" in html, role
        # The plan is linked for those who read it only.
        plan_link = reverse("quality_plan", args=[org.unit_n1.pk, 2024])
        assert (plan_link in html) == (role in ("unit_head", "organiser_admin", "analyst")), role
    assert logged_in(neighbour.head).get(detail(practice)).status_code == 404
    assert client_for("board").get(detail(practice) + "andra/").status_code == 403


def test_a_draft_is_read_by_its_writers_and_reviewers_only(
    org, users, client_for, share, head_s1
) -> None:
    draft = share("Utkast", publish=False)
    for role in ("unit_head", "analyst", "organiser_admin"):
        assert client_for(role).get(detail(draft)).status_code == 200, role
    for role in ("teacher", "board", "coach"):
        assert client_for(role).get(detail(draft)).status_code == 404, role
    assert logged_in(head_s1).get(detail(draft)).status_code == 404
    missing = reverse("quality_practice", kwargs={"pk": draft.pk + 1000})
    assert client_for("unit_head").get(missing).status_code == 404


def test_the_unit_head_shares_an_action_of_the_plan(org, users, client_for, plan_action) -> None:
    client = client_for("unit_head")
    plan = client.get(reverse("quality_plan", args=[org.unit_n1.pk, 2024])).content.decode()
    link = f"{new_url(org.unit_n1)}?insats={plan_action.pk}"
    assert f'href="{link}"' in plan
    # The form starts from the action: its title, its problem area as the area, the action
    # ticked and the unit's one school form chosen.
    form = client.get(link).content.decode()
    assert 'name="title" value="Tvålärarsystem i matematik"' in form
    assert 'name="area" value="Matematik"' in form
    assert f'name="plan_actions" value="{plan_action.pk}" id="id_plan_actions_0" checked' in form
    assert '<option value="GR" selected>' in form

    fields = {
        "title": "Tvålärarsystem i matematik",
        "area": "Matematik",
        "plan_actions": [str(plan_action.pk)],
        "indicators": ["passed_all_subjects"],
        "school_form": "GR",
    }
    refused = client.post(new_url(org.unit_n1), {**fields, "intent": "publish"})
    assert refused.status_code == 400 and not SharedPractice.objects.exists()
    assert 'aria-invalid="true"' in refused.content.decode()

    published = client.post(new_url(org.unit_n1), {**fields, **COMPLETE, "intent": "publish"})
    practice = SharedPractice.objects.get()
    assert published.status_code == 302 and published.url == detail(practice)
    assert practice.status == PracticeStatus.PUBLISHED
    assert list(practice.plan_actions.all()) == [plan_action]
    assert practice.indicators == ["passed_all_subjects"]


def test_a_draft_is_saved_then_published_from_its_page(org, users, client_for) -> None:
    client = client_for("unit_head")
    saved = client.post(new_url(org.unit_n1), {"title": "Läsfadder", "intent": "save"})
    practice = SharedPractice.objects.get()
    assert saved.status_code == 302 and practice.status == PracticeStatus.DRAFT
    # Published while incomplete: the form again, with what is missing marked.
    publish = reverse("quality_practice_publish", kwargs={"pk": practice.pk})
    refused = client.post(publish)
    assert refused.status_code == 400
    assert refused.content.decode().count('aria-invalid="true"') == 4
    assert SharedPractice.objects.get().status == PracticeStatus.DRAFT

    edit = reverse("quality_practice_edit", kwargs={"pk": practice.pk})
    saved = client.post(edit, {"title": "Läsfadder", **COMPLETE, "intent": "save"})
    assert saved.status_code == 302
    assert client.post(publish).status_code == 302
    assert SharedPractice.objects.get().status == PracticeStatus.PUBLISHED


def test_only_the_units_writers_open_the_form(
    org, users, client_for, share, head_s1, neighbour
) -> None:
    for role in ("board", "analyst", "organiser_admin"):
        assert client_for(role).get(new_url(org.unit_n1)).status_code == 403, role
    # Outside their scope: the teacher's is a group of the unit, the coach's the other area.
    for role in ("teacher", "coach"):
        assert client_for(role).get(new_url(org.unit_n1)).status_code == 404, role
    assert client_for("unit_head").get(new_url(org.unit_s1)).status_code == 404  # not in scope
    assert client_for("unit_head").get(new_url(neighbour.unit)).status_code == 404
    assert client_for("unit_head").get(new_url(org.group_n1a)).status_code == 404
    assert client_for("unit_head").get(new_url(org.unit_n1, 1999)).status_code == 404
    # The förvaltning shares the organiser's own.
    assert client_for("analyst").get(new_url(org.organiser)).status_code == 200
    practice = share("Matteverkstad")
    for user in (head_s1, users.analyst):
        edit = reverse("quality_practice_edit", kwargs={"pk": practice.pk})
        assert logged_in(user).post(edit, {"title": "Annat", "intent": "save"}).status_code == 403
    assert SharedPractice.objects.get().title == "Matteverkstad"


def test_the_analyst_withdraws_a_practice_with_a_reason(org, users, client_for, share) -> None:
    practice = share("Matteverkstad")
    url = reverse("quality_practice_withdraw", kwargs={"pk": practice.pk})
    for role, offered in (("analyst", True), ("organiser_admin", True), ("board", False)):
        html = client_for(role).get(detail(practice)).content.decode()
        assert ('id="practice-withdraw"' in html) == offered, role
    assert client_for("board").post(url, {"reason": "Nej."}).status_code == 403
    refused = client_for("analyst").post(url, {"reason": ""})
    assert refused.status_code == 400
    assert SharedPractice.objects.get().status == PracticeStatus.PUBLISHED

    done = client_for("analyst").post(url, {"reason": "Kontakten ska vara en anställd."})
    assert done.status_code == 302
    assert SharedPractice.objects.get().status == PracticeStatus.WITHDRAWN
    # Gone from the organiser's list; the unit head sees why.
    assert client_for("board").get(detail(practice)).status_code == 404
    html = client_for("unit_head").get(detail(practice)).content.decode()
    assert 'id="withdrawal"' in html and "Kontakten ska vara en anställd." in html
    assert 'data-status="withdrawn"' in html


def test_a_draft_is_removed_but_a_published_practice_is_not(org, users, client_for, share) -> None:
    draft = share("Utkast", publish=False)
    published = share("Matteverkstad")
    client = client_for("unit_head")
    assert 'id="practice-remove"' not in client.get(detail(published)).content.decode()
    gone = client.post(reverse("quality_practice_remove", kwargs={"pk": draft.pk}))
    assert gone.status_code == 302 and gone.url == LIST
    kept = client.post(reverse("quality_practice_remove", kwargs={"pk": published.pk}))
    assert kept.status_code == 302
    assert list(SharedPractice.objects.values_list("title", flat=True)) == ["Matteverkstad"]
    refused = client_for("analyst").post(
        reverse("quality_practice_remove", kwargs={"pk": published.pk})
    )
    assert refused.status_code == 403


def test_texts_are_escaped_and_links_in_the_material_are_links(org, users, client_for) -> None:
    head = scope_for(users.unit_head)
    practice = actions.practice_save(
        node=org.unit_n1,
        academic_year=org.year,
        title="<script>alert(1)</script>",
        **{**COMPLETE, "material": "Guiden: https://example.org/guide <b>fet</b>"},
        scope=head,
        by=users.unit_head,
    )
    actions.practice_publish(practice=practice, scope=head, by=users.unit_head)
    html = client_for("teacher").get(detail(practice)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://example.org/guide" rel="nofollow">' in html
    assert "&lt;b&gt;fet&lt;/b&gt;" in html
    assert 'href="mailto:karin.lund@exempelstad.se"' in html  # the contact's e-mail


def test_a_text_over_its_limit_is_refused_with_its_length_not_cut(org, users, client_for) -> None:
    client = client_for("unit_head")
    form = client.get(new_url(org.unit_n1)).content.decode()
    assert "maxlength" not in form  # a browser would cut pasted text short without a word
    # Line breaks count once, as the action counts them: 2 000 characters with CR LF pass.
    for_whom = "x\r\n" * 999 + "xx"  # 2 999 characters as sent
    assert len(for_whom.replace("\r\n", "\n")) == 2_000
    saved = client.post(
        new_url(org.unit_n1),
        {"title": "Läsfadder", "for_whom": for_whom, "contact": "y" * 301, "intent": "save"},
    )
    assert saved.status_code == 400 and not SharedPractice.objects.exists()
    html = saved.content.decode()
    assert 'id="id_contact-errors"' in html and "301" in html
    assert 'id="id_for_whom-errors"' not in html
