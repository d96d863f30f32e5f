"""Forms of the plan page and of the calendar's report deadlines. They check the shape of the
input; the rules are quality/plans/actions.py's, whose errors the views attach to them."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.quality.forms import DateInput
from skolkvalitet.quality.models import ActionStatus, Verdict
from skolkvalitet.quality.plans.actions import MAX_NOTE, MAX_PRIORITY, MAX_TEXT, MAX_TITLE
from skolkvalitet.quality.plans.selectors import StoredFigure


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "cols": 80})


class LimitedCharField(forms.CharField):
    """A text field whose length limit is checked when the form is sent and refused with a
    message that says the limit, never enforced in the browser: an HTML maxlength cuts pasted
    text short without a word. Line ends count as one character, as the actions count them
    (a browser sends them as CR LF)."""

    def __init__(self, *, max_length: int, **kwargs) -> None:
        messages = {
            "max_length": _("At most %(limit_value)d characters; the text has %(show_value)d."),
            **kwargs.pop("error_messages", {}),
        }
        super().__init__(max_length=max_length, error_messages=messages, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


class AreaForm(forms.Form):
    title = LimitedCharField(label=_("Problem area"), max_length=MAX_TITLE)
    description = LimitedCharField(
        label=_("Description"),
        help_text=_("What do you see? Where and for whom?"),
        required=False,
        max_length=MAX_TEXT,
        widget=_textarea(3),
    )
    causes = LimitedCharField(
        label=_("Analysis of causes (orsaksanalys)"),
        help_text=_(
            "Why does it look like this? Name the causes you see and what they rest on. The "
            "Education Act (Skollagen 2010:800, chapter 4, sections 3–4) requires it."
        ),
        max_length=MAX_TEXT,
        widget=_textarea(5),
    )
    priority = forms.IntegerField(
        label=_("Priority"),
        help_text=_("1 is the highest."),
        min_value=1,
        max_value=MAX_PRIORITY,
        initial=1,
    )


def figure_choice_value(figure: StoredFigure) -> str:
    return f"{figure.indicator}|{figure.period_kind}|{figure.period_id}"


class FigureEvidenceForm(forms.Form):
    """A figure of the unit picked as evidence: indicator, period kind and id in one value."""

    figure = forms.ChoiceField(label=_("Figure"))

    def __init__(self, *args, figures: list[StoredFigure], shown: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["figure"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (value, f"{f.name}, {f.period_label}: {shown[value]}")
            for f in figures
            for value in [figure_choice_value(f)]
        ]

    def parsed(self) -> tuple[str, str, int]:
        indicator, kind, period_id = self.cleaned_data["figure"].split("|")
        return indicator, kind, int(period_id)


class TextEvidenceForm(forms.Form):
    text = LimitedCharField(
        label=_("Qualitative source"),
        help_text=_("E.g. the survey's free-text answers, lesson observations, a review."),
        max_length=MAX_TEXT,
        widget=_textarea(3),
    )


def _indicator_choices() -> list[tuple[str, str]]:
    return [("", "–")] + [(key, ind.name_sv) for key, ind in REGISTRY.items()]


class IndicatorGoalForm(forms.Form):
    title = LimitedCharField(label=_("Goal"), max_length=MAX_TITLE)
    indicator = forms.ChoiceField(label=_("Indicator"), choices=_indicator_choices)
    target_value = forms.FloatField(label=_("Target value"))
    target_date = forms.DateField(label=_("Target date"), widget=DateInput())


class IndicatorGoalEditForm(forms.Form):
    """An indicator goal's wording, target and date (its indicator and baseline stay)."""

    title = LimitedCharField(label=_("Goal"), max_length=MAX_TITLE)
    target_value = forms.FloatField(label=_("Target value"))
    target_date = forms.DateField(label=_("Target date"), widget=DateInput())


class QualitativeGoalForm(forms.Form):
    title = LimitedCharField(label=_("Goal"), max_length=MAX_TITLE)
    criterion = LimitedCharField(
        label=_("Criterion"),
        help_text=_("When is the goal met? State what you will look for."),
        max_length=MAX_TEXT,
        widget=_textarea(3),
    )


class PersonChoiceField(forms.ModelChoiceField):
    # The stubs type `obj` as any Model; this field's queryset is always of users.
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return obj.get_full_name() or obj.get_username()


class ActionForm(forms.Form):
    title = LimitedCharField(label=_("Action"), max_length=MAX_TITLE)
    owner = PersonChoiceField(
        label=_("Responsible"),
        queryset=User.objects.none(),
        required=False,
        empty_label="–",
    )
    owner_name = LimitedCharField(
        label=_("Or the responsible person's name"),
        help_text=_("For someone without an account."),
        required=False,
        max_length=MAX_TITLE,
    )
    starts = forms.DateField(label=_("Start"), widget=DateInput())
    ends = forms.DateField(label=_("End"), widget=DateInput())
    status = forms.ChoiceField(
        label=_("Status"), choices=ActionStatus.choices, initial=ActionStatus.PLANNED
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)


class NoteForm(forms.Form):
    point = forms.ChoiceField(label=_("Follow-up point"))
    text = LimitedCharField(label=_("Progress note"), max_length=MAX_NOTE, widget=_textarea(2))

    def __init__(self, *args, points, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["point"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(p.pk), p.name) for p in points]


class EvaluationForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    reasons = LimitedCharField(
        label=_("Reasons"),
        help_text=_(
            "Why was the goal met, partly met or not met? What does it mean for next year?"
        ),
        max_length=MAX_TEXT,
        widget=_textarea(3),
    )


SCHOOL_FORM_CHOICES = [
    ("", _("All school forms")),
    ("forskola", _("Preschool")),
    ("grundskola", _("Compulsory school and school-age educare")),
    ("gymnasieskola", _("Upper secondary school")),
]


class ReportDeadlineForm(forms.Form):
    school_form = forms.ChoiceField(
        label=_("School form"), required=False, choices=SCHOOL_FORM_CHOICES
    )
    deadline = forms.DateField(label=_("Deadline for the quality reports"), widget=DateInput())
