"""The plan's forms (quality/plans/forms.py) say their length limits rather than cut text
short: no field carries an HTML maxlength (with which a browser drops the end of pasted text
without a word), a text over the limit is refused with a message naming the limit, and a line
break counts as one character, as the actions count it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.models import ProgressNote
from skolkvalitet.quality.plans import actions
from skolkvalitet.quality.plans.forms import (
    ActionForm,
    AreaForm,
    EvaluationForm,
    IndicatorGoalEditForm,
    IndicatorGoalForm,
    NoteForm,
    QualitativeGoalForm,
    TextEvidenceForm,
)

pytestmark = pytest.mark.django_db


def test_no_field_of_the_plans_forms_cuts_text_short_in_the_browser() -> None:
    from django.contrib.auth.models import User

    forms = [
        AreaForm(),
        TextEvidenceForm(),
        IndicatorGoalForm(),
        IndicatorGoalEditForm(),
        QualitativeGoalForm(),
        ActionForm(people=User.objects.none()),
        NoteForm(points=[]),
        EvaluationForm(),
    ]
    for form in forms:
        for field in form:
            assert "maxlength" not in str(field), (type(form).__name__, field.name)


def test_a_note_over_the_limit_is_refused_with_the_limit_and_line_breaks_count_once(
    points,
) -> None:
    point = points[0]
    too_long = NoteForm({"point": point.pk, "text": "x" * 4001}, points=points)
    assert not too_long.is_valid()
    [message] = too_long.errors["text"]
    assert "4000" in message and "4001" in message
    # 11 lines, 3 990 letters and 10 line breaks: 4 010 characters as the browser sends them
    # (CR LF), 4 000 as written and kept.
    lines = "\r\n".join(["x" * 390] * 10 + ["x" * 90])
    assert len(lines) == 4010
    fits = NoteForm({"point": point.pk, "text": lines}, points=points)
    assert fits.is_valid(), fits.errors
    assert len(fits.cleaned_data["text"]) == 4000 and "\r" not in fits.cleaned_data["text"]


def test_the_page_refuses_a_long_note_and_keeps_it(org, users, client_for, points) -> None:
    head = scope_for(users.unit_head)
    area = actions.problem_area_create(
        node=org.unit_n1,
        academic_year=org.year,
        title="Trygghet",
        causes="Otydliga regler.",
        priority=1,
        scope=head,
        by=users.unit_head,
    )
    goal = actions.goal_create_qualitative(
        area=area, title="Trygg skola", criterion="Enkäten.", scope=head, by=users.unit_head
    )
    url = reverse("quality_plan", kwargs={"node_id": org.unit_n1.pk, "start_year": 2024})
    response = client_for("unit_head").post(
        url,
        {
            "intent": "goal_note",
            "id": goal.pk,
            f"gn{goal.pk}-point": points[0].pk,
            f"gn{goal.pk}-text": "Lång anteckning. " * 250,  # 4 250 characters
        },
    )
    assert response.status_code == 400 and not ProgressNote.objects.exists()
    html = response.content.decode()
    assert f'id="id_gn{goal.pk}-text-errors"' in html
    assert "4000" in html and "Lång anteckning. Lång anteckning." in html
    assert "maxlength" not in html
