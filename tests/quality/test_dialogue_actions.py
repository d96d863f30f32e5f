"""The resultatdialog's states: draft → submitted → returned → submitted → discussed, with
the rules each transition checks and the history it keeps."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from skolkvalitet.quality import actions
from skolkvalitet.quality.models import (
    CommentKind,
    DialogueComment,
    DialogueStatus,
    FollowUpDialogue,
)

from .conftest import DIALOGUE_TEXT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def submitted(org, users, point) -> FollowUpDialogue:
    return actions.dialogue_submit(
        unit=org.unit_n1, point=point, by=users.unit_head, **DIALOGUE_TEXT
    )


def test_a_draft_is_saved_with_its_author_and_stripped_text(org, users, point):
    dialogue = actions.dialogue_save_draft(
        unit=org.unit_n1, point=point, by=users.unit_head, analysis="  Orsaker.  "
    )
    assert dialogue.status == DialogueStatus.DRAFT
    assert dialogue.analysis == "Orsaker." and dialogue.actions == ""
    assert dialogue.created_by == users.unit_head == dialogue.updated_by
    assert dialogue.submitted_at is None

    again = actions.dialogue_save_draft(
        unit=org.unit_n1, point=point, by=users.unit_head, **DIALOGUE_TEXT
    )
    assert again.pk == dialogue.pk and FollowUpDialogue.objects.count() == 1
    assert again.what_works == DIALOGUE_TEXT["what_works"]


def test_submitting_needs_the_analysis_of_causes_and_what_will_be_done(org, users, point):
    with pytest.raises(ValidationError) as refused:
        actions.dialogue_submit(
            unit=org.unit_n1, point=point, by=users.unit_head, analysis=" ", what_works="x"
        )
    assert refused.value.message_dict == {
        "analysis": [
            "Write the analysis of causes before you submit: the Education Act requires it."
        ],
        "actions": ["Write what will be done before you submit."],
    }
    assert not FollowUpDialogue.objects.exists()  # nothing half-written is kept


def test_a_submitted_dialogue_records_who_and_when_and_is_locked(org, users, point, submitted):
    assert submitted.status == DialogueStatus.SUBMITTED
    assert submitted.submitted_by == users.unit_head and submitted.submitted_at is not None
    assert not submitted.is_editable

    for write in (actions.dialogue_save_draft, actions.dialogue_submit):
        with pytest.raises(ValidationError) as refused:
            write(unit=org.unit_n1, point=point, by=users.unit_head, **DIALOGUE_TEXT)
        assert "can no longer be changed" in refused.value.messages[0]


def test_returning_needs_a_comment_and_a_submitted_dialogue(org, users, point):
    actions.dialogue_save_draft(unit=org.unit_n1, point=point, by=users.unit_head, analysis="x")
    with pytest.raises(ValidationError) as refused:
        actions.dialogue_return(
            unit=org.unit_n1, point=point, by=users.organiser_admin, comment="Mer, tack."
        )
    assert refused.value.messages == ["Only a submitted dialogue can be returned."]
    with pytest.raises(ValidationError) as refused:
        actions.dialogue_return(
            unit=org.unit_n1, point=point, by=users.organiser_admin, comment="  "
        )
    assert refused.value.message_dict == {
        "comment": ["Say what the unit should add or change when you return it."]
    }
    assert not DialogueComment.objects.exists()


def test_the_whole_cycle_keeps_its_history(org, users, point, submitted):
    returned = actions.dialogue_return(
        unit=org.unit_n1,
        point=point,
        by=users.organiser_admin,
        comment="Analysen beskriver resultaten men inte orsakerna.",
    )
    assert returned.status == DialogueStatus.RETURNED and returned.is_editable
    assert returned.returned_by == users.organiser_admin

    # Saving a draft of a returned dialogue keeps it returned until it is submitted again.
    draft = actions.dialogue_save_draft(
        unit=org.unit_n1, point=point, by=users.unit_head, **DIALOGUE_TEXT
    )
    assert draft.status == DialogueStatus.RETURNED
    resubmitted = actions.dialogue_submit(
        unit=org.unit_n1,
        point=point,
        by=users.unit_head,
        **{**DIALOGUE_TEXT, "analysis": "Orsaken är ..."},
    )
    assert resubmitted.status == DialogueStatus.SUBMITTED
    assert resubmitted.analysis == "Orsaken är ..."

    actions.dialogue_comment(
        unit=org.unit_n1, point=point, by=users.analyst, text="Tack, tydligt nu."
    )
    discussed = actions.dialogue_mark_discussed(
        unit=org.unit_n1, point=point, by=users.organiser_admin
    )
    assert discussed.status == DialogueStatus.DISCUSSED
    assert discussed.discussed_by == users.organiser_admin and discussed.discussed_at
    assert not discussed.is_editable

    thread = list(discussed.comments.values_list("kind", "author__username"))
    assert thread == [(CommentKind.RETURN, "agnes"), (CommentKind.COMMENT, "anders")]
    assert (
        discussed.created_at
        <= discussed.returned_at
        <= discussed.submitted_at
        <= discussed.discussed_at
    )


def test_only_a_submitted_dialogue_is_marked_discussed(org, users, point, submitted):
    actions.dialogue_mark_discussed(unit=org.unit_n1, point=point, by=users.analyst)
    with pytest.raises(ValidationError) as refused:
        actions.dialogue_mark_discussed(unit=org.unit_n1, point=point, by=users.analyst)
    assert refused.value.messages == ["Only a submitted dialogue can be marked as discussed."]
    with pytest.raises(ValidationError):
        actions.dialogue_return(
            unit=org.unit_n1, point=point, by=users.analyst, comment="För sent."
        )


def test_a_comment_needs_text_and_may_open_a_not_started_dialogue(org, users, point):
    with pytest.raises(ValidationError) as refused:
        actions.dialogue_comment(unit=org.unit_n2, point=point, by=users.analyst, text=" ")
    assert refused.value.message_dict == {"text": ["Write a comment."]}

    comment = actions.dialogue_comment(
        unit=org.unit_n2, point=point, by=users.analyst, text="Påminnelse: sista dag fredag."
    )
    assert comment.dialogue.status == DialogueStatus.NOT_STARTED
    assert comment.dialogue.unit == org.unit_n2


def test_a_dialogue_belongs_to_a_school_unit(org, users, point):
    with pytest.raises(ValidationError) as refused:
        actions.dialogue_save_draft(
            unit=org.area_north, point=point, by=users.unit_head, analysis="x"
        )
    assert refused.value.messages == ["A follow-up dialogue belongs to a school unit."]
