"""Forms of the quality pages. They check the shape of the input; the rules of the quality
cycle are checked by quality/actions.py, whose errors the views attach to these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from skolkvalitet.organisation.models import TermKind

TEXT_MAX = 20_000
COMMENT_MAX = 5_000


def _textarea(rows: int = 6) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "cols": 80})


class DialogueForm(forms.Form):
    """The unit head's four texts. None is required to save a draft; the analysis of causes
    and what will be done are required to submit (dialogue_submit checks)."""

    analysis = forms.CharField(
        label=_("Analysis of causes (orsaksanalys)"),
        help_text=_(
            "Why do the results look as they do? Name the causes you see and what they rest "
            "on: a description or compilation of the results is not enough. Required to "
            "submit: the Education Act (Skollagen 2010:800, chapter 4, sections 3–4) "
            "requires the analysis of causes."
        ),
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(8),
    )
    what_works = forms.CharField(
        label=_("What works"),
        help_text=_("What works well, and why? What should the unit keep doing?"),
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(),
    )
    actions = forms.CharField(
        label=_("What will be done"),
        help_text=_(
            "Based on the analysis: what will the unit do, who does it and by when? "
            "Required to submit."
        ),
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(),
    )
    support_needed = forms.CharField(
        label=_("Support needed"),
        help_text=_("What support does the unit need from the organiser?"),
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(4),
    )

    REQUIRED_TO_SUBMIT = ("analysis", "actions")


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=COMMENT_MAX, widget=_textarea(3))


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the unit add or change?"),
        help_text=_("The dialogue goes back to the head of unit with this comment."),
        max_length=COMMENT_MAX,
        widget=_textarea(3),
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    assessed_on = forms.DateField(label=_("Assessment date"), widget=DateInput())
    deadline = forms.DateField(label=_("Deadline for the dialogue"), widget=DateInput())


class PointAddForm(PointForm):
    term = forms.ChoiceField(label=_("Term"), choices=TermKind.choices)

    field_order = ["term", "name", "assessed_on", "deadline"]
