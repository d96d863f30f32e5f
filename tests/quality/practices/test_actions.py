"""The shared practices' writes (quality/practices/actions.py): a unit head writes a draft and
publishes it once it says what, for whom, whom to contact and for which school form; its links,
indicators and school form are checked; no text may name a pupil or hold a personal identity
number; the organiser withdraws with a reason and the unit may publish again; a draft never
published can be removed; only the node's writers write, and every write is audit-logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from skolkvalitet.organisation import actions as org_actions
from skolkvalitet.organisation.identity import make_personal_number, parse_personal_number
from skolkvalitet.organisation.models import AuditEvent, Role, Term
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.models import Intervention, PracticeStatus, SharedPractice
from skolkvalitet.quality.plans import actions as plan_actions
from skolkvalitet.quality.practices import actions

from .conftest import COMPLETE

pytestmark = pytest.mark.django_db


def test_a_draft_needs_only_a_title_and_publishing_needs_the_rest(org, users) -> None:
    head = scope_for(users.unit_head)
    with pytest.raises(ValidationError) as error:
        actions.practice_save(
            node=org.unit_n1, academic_year=org.year, title="  ", scope=head, by=users.unit_head
        )
    assert set(error.value.message_dict) == {"title"}

    draft = actions.practice_save(
        node=org.unit_n1,
        academic_year=org.year,
        title="  Matteverkstad  ",
        indicators=["merit_value_17", "passed_all_subjects", "merit_value_17"],
        scope=head,
        by=users.unit_head,
    )
    assert (draft.status, draft.title) == (PracticeStatus.DRAFT, "Matteverkstad")
    assert draft.indicators == ["merit_value_17", "passed_all_subjects"]  # once each, in order
    assert draft.published_at is None

    with pytest.raises(ValidationError) as error:
        actions.practice_publish(practice=draft, scope=head, by=users.unit_head)
    assert set(error.value.message_dict) == {"what", "for_whom", "contact", "school_form"}
    assert SharedPractice.objects.get().status == PracticeStatus.DRAFT

    actions.practice_save(
        practice=draft, title="Matteverkstad", **COMPLETE, scope=head, by=users.unit_head
    )
    published = actions.practice_publish(practice=draft, scope=head, by=users.unit_head)
    assert published.status == PracticeStatus.PUBLISHED
    assert published.published_at is not None and published.published_by == users.unit_head
    events = list(
        AuditEvent.objects.filter(action__startswith="practice_")
        .order_by("pk")
        .values_list("action", "node")
    )
    assert events == [
        ("practice_create", org.unit_n1.pk),
        ("practice_update", org.unit_n1.pk),
        ("practice_publish", org.unit_n1.pk),
    ]


def test_texts_have_length_limits(org, users) -> None:
    with pytest.raises(ValidationError) as error:
        actions.practice_save(
            node=org.unit_n1,
            academic_year=org.year,
            title="x" * 201,
            what="x" * 10_001,
            for_whom="x" * 2_001,
            material="x" * 4_001,
            contact="x" * 301,
            area="x" * 201,
            scope=scope_for(users.unit_head),
            by=users.unit_head,
        )
    assert set(error.value.message_dict) == {
        "title",
        "what",
        "for_whom",
        "material",
        "contact",
        "area",
    }
    # At the limits, everything is kept.
    practice = actions.practice_save(
        node=org.unit_n1,
        academic_year=org.year,
        title="x" * 200,
        contact="x" * 300,
        scope=scope_for(users.unit_head),
        by=users.unit_head,
    )
    assert (len(practice.title), len(practice.contact)) == (200, 300)


def test_school_form_and_indicators_are_checked(org, users) -> None:
    head = scope_for(users.unit_head)
    with pytest.raises(ValidationError) as error:
        actions.practice_save(
            node=org.unit_n1,
            academic_year=org.year,
            title="Gymnasiets mentorskap",
            school_form="GY",  # Norrskolan runs compulsory school (GR) only
            indicators=["merit_value_17", "no_such_indicator"],
            scope=head,
            by=users.unit_head,
        )
    assert set(error.value.message_dict) == {"school_form", "indicators"}
    eleven = [
        "merit_value_17",
        "merit_value_16",
        "passed_all_subjects",
        "eligible_vocational",
        "eligible_academic_natural_science",
        "eligible_academic_economics",
        "eligible_academic_arts",
        "term_merit_value",
        "term_passed_all_subjects",
        "on_track_all_subjects",
        "absence_mean",
    ]
    with pytest.raises(ValidationError) as error:
        actions.practice_save(
            node=org.unit_n1,
            academic_year=org.year,
            title="Allt",
            indicators=eleven,
            scope=head,
            by=users.unit_head,
        )
    assert set(error.value.message_dict) == {"indicators"}
    kept = actions.practice_save(
        node=org.unit_n1,
        academic_year=org.year,
        title="Tio",
        indicators=eleven[:10],
        scope=head,
        by=users.unit_head,
    )
    assert len(kept.indicators) == 10


def test_links_are_to_the_units_own_actions_and_interventions(
    org, users, plan_action, head_s1, points
) -> None:
    s1 = scope_for(head_s1)
    area = plan_actions.problem_area_create(
        node=org.unit_s1,
        academic_year=org.year,
        title="Läsning",
        causes="Lite läsning hemma.",
        priority=1,
        scope=s1,
        by=head_s1,
    )
    goal = plan_actions.goal_create_qualitative(
        area=area, title="Fler läser", criterion="Fler lånar böcker.", scope=s1, by=head_s1
    )
    s1_action = plan_actions.plan_action_create(
        goal=goal,
        title="Läsfadder",
        owner_name="Bibliotekarien",
        starts=dt.date(2024, 9, 1),
        ends=dt.date(2024, 12, 1),
        scope=s1,
        by=head_s1,
    )
    autumn = Term.objects.get(academic_year=org.year, kind="HT")
    ours = Intervention.objects.create(name="Läslyftet", starts=autumn)
    ours.units.set([org.unit_n1, org.unit_s1])
    theirs = Intervention.objects.create(name="Mattelyftet", starts=autumn)
    theirs.units.set([org.unit_s1])

    head = scope_for(users.unit_head)
    with pytest.raises(ValidationError) as error:
        actions.practice_save(
            node=org.unit_n1,
            academic_year=org.year,
            title="Tvålärare",
            plan_actions=[plan_action, s1_action],
            interventions=[ours, theirs],
            scope=head,
            by=users.unit_head,
        )
    assert set(error.value.message_dict) == {"plan_actions", "interventions"}

    practice = actions.practice_save(
        node=org.unit_n1,
        academic_year=org.year,
        title="Tvålärare",
        plan_actions=[plan_action],
        interventions=[ours],
        scope=head,
        by=users.unit_head,
    )
    assert list(practice.plan_actions.all()) == [plan_action]
    assert list(practice.interventions.all()) == [ours]
    # Saved again without links, the links go.
    actions.practice_save(practice=practice, title="Tvålärare", scope=head, by=users.unit_head)
    assert not practice.plan_actions.exists() and not practice.interventions.exists()


def test_no_text_names_a_pupil_or_holds_a_personal_identity_number(org, users) -> None:
    number = make_personal_number(dt.date(2011, 4, 2), 246)
    org_actions.pupil_get_or_create(
        number=parse_personal_number(number), given_name="Tova", family_name="Berglund"
    )
    head = scope_for(users.unit_head)
    with pytest.raises(ValidationError) as error:
        actions.practice_save(
            node=org.unit_n1,
            academic_year=org.year,
            title="Läsfadder",
            what=f"Vi började med eleven {number} i årskurs 7.",
            contact="Fråga tova berglund i 7A",  # the pupil's full name, in any case
            material="Boklista: Bröderna Lejonhjärta",  # names no pupil
            scope=head,
            by=users.unit_head,
        )
    assert set(error.value.message_dict) == {"what", "contact"}
    assert not SharedPractice.objects.exists()
    # A name imported after the practice was saved is found when it is published.
    practice = actions.practice_save(
        node=org.unit_n1,
        academic_year=org.year,
        title="Läsfadder",
        **{**COMPLETE, "contact": "Nils Holm, bibliotekarie"},
        scope=head,
        by=users.unit_head,
    )
    org_actions.pupil_get_or_create(
        number=parse_personal_number(make_personal_number(dt.date(2011, 6, 3), 135)),
        given_name="Nils",
        family_name="Holm",
    )
    with pytest.raises(ValidationError) as error:
        actions.practice_publish(practice=practice, scope=head, by=users.unit_head)
    assert set(error.value.message_dict) == {"contact"}


def test_only_the_nodes_writers_write_and_publish(org, users, head_s1, share) -> None:
    for role in ("board", "teacher", "coach", "analyst", "organiser_admin"):
        user = getattr(users, role)
        with pytest.raises(PermissionDenied):
            actions.practice_save(
                node=org.unit_n1,
                academic_year=org.year,
                title="T",
                scope=scope_for(user),
                by=user,
            )
    with pytest.raises(PermissionDenied):  # another unit than the unit head's
        actions.practice_save(
            node=org.unit_s1,
            academic_year=org.year,
            title="T",
            scope=scope_for(users.unit_head),
            by=users.unit_head,
        )
    draft = share("Matteverkstad", publish=False)
    for user in (head_s1, users.organiser_admin, users.analyst):
        with pytest.raises(PermissionDenied):
            actions.practice_publish(practice=draft, scope=scope_for(user), by=user)
        with pytest.raises(PermissionDenied):
            actions.practice_save(practice=draft, title="Annat", scope=scope_for(user), by=user)
    with pytest.raises(ValidationError):  # groups and areas share nothing
        actions.practice_save(
            node=org.group_n1a,
            academic_year=org.year,
            title="T",
            scope=scope_for(users.unit_head),
            by=users.unit_head,
        )
    # The förvaltning shares the organiser's own practices (as it writes its own plan).
    own = share("Gemensam studiedag", node=org.organiser, by=users.analyst, school_form="FS")
    assert (own.node, own.status) == (org.organiser, PracticeStatus.PUBLISHED)


def test_the_organiser_withdraws_with_a_reason_and_the_unit_publishes_again(
    org, users, head_s1, share
) -> None:
    practice = share("Matteverkstad")
    analyst = scope_for(users.analyst)
    with pytest.raises(ValidationError) as error:
        actions.practice_withdraw(practice=practice, reason=" ", scope=analyst, by=users.analyst)
    assert set(error.value.message_dict) == {"reason"}
    for user in (head_s1, users.board, users.teacher, users.coach):
        with pytest.raises(PermissionDenied):
            actions.practice_withdraw(
                practice=practice, reason="Nej.", scope=scope_for(user), by=user
            )

    withdrawn = actions.practice_withdraw(
        practice=practice,
        reason="Kontakten är en elevs vårdnadshavare: ange en anställd.",
        scope=analyst,
        by=users.analyst,
    )
    assert withdrawn.status == PracticeStatus.WITHDRAWN
    assert withdrawn.withdrawn_by == users.analyst and withdrawn.withdrawn_at is not None
    with pytest.raises(ValidationError):  # only a published practice is withdrawn
        actions.practice_withdraw(
            practice=practice, reason="Igen.", scope=analyst, by=users.analyst
        )
    with pytest.raises(ValidationError):  # once published, it is never removed
        actions.practice_remove(
            practice=practice, scope=scope_for(users.unit_head), by=users.unit_head
        )

    head = scope_for(users.unit_head)
    actions.practice_save(
        practice=practice,
        title="Matteverkstad",
        **{**COMPLETE, "contact": "Karin Lund, förstelärare"},
        scope=head,
        by=users.unit_head,
    )
    assert SharedPractice.objects.get().status == PracticeStatus.WITHDRAWN  # until published
    again = actions.practice_publish(practice=practice, scope=head, by=users.unit_head)
    assert again.status == PracticeStatus.PUBLISHED
    assert (again.withdrawn_at, again.withdrawn_by, again.withdrawal_reason) == (None, None, "")
    assert again.published_at > withdrawn.published_at
    # The unit head may also take the unit's practice back.
    actions.practice_withdraw(
        practice=practice, reason="Vi skriver om den.", scope=head, by=users.unit_head
    )
    assert AuditEvent.objects.filter(action="practice_withdraw").count() == 2


def test_a_published_practice_stays_complete_when_changed(org, users, share) -> None:
    practice = share("Matteverkstad")
    head = scope_for(users.unit_head)
    with pytest.raises(ValidationError) as error:
        actions.practice_save(
            practice=practice,
            title="Matteverkstad",
            **{**COMPLETE, "contact": ""},
            scope=head,
            by=users.unit_head,
        )
    assert set(error.value.message_dict) == {"contact"}
    assert SharedPractice.objects.get().contact == COMPLETE["contact"]
    changed = actions.practice_save(
        practice=practice,
        title="Matteverkstad i årskurs 7",
        **COMPLETE,
        scope=head,
        by=users.unit_head,
    )
    assert (changed.title, changed.status) == ("Matteverkstad i årskurs 7", "published")


def test_a_draft_never_published_is_removed(org, users, share) -> None:
    draft = share("Utkast", publish=False)
    with pytest.raises(PermissionDenied):
        actions.practice_remove(practice=draft, scope=scope_for(users.analyst), by=users.analyst)
    actions.practice_remove(practice=draft, scope=scope_for(users.unit_head), by=users.unit_head)
    assert not SharedPractice.objects.exists()
    event = AuditEvent.objects.get(action="practice_remove")
    assert event.detail == {"practice": draft.pk}


def test_a_unit_head_granted_later_writes_the_units_practices(org, make_user, share) -> None:
    deputy = make_user("dagny")
    org_actions.role_grant(user=deputy, node=org.unit_n1, role=Role.UNIT_HEAD)
    practice = share("Matteverkstad", publish=False)
    actions.practice_publish(practice=practice, scope=scope_for(deputy), by=deputy)
    assert SharedPractice.objects.get().published_by == deputy
