"""The forms of the shared practices: the practice itself and its withdrawal. They check the
shape of the input; the rules are quality/practices/actions.py's, whose errors the views attach
to them. Text limits are checked when the form is sent, never by an HTML maxlength (the plan
forms' LimitedCharField: a browser would cut pasted text short without a word)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.organisation.models import SchoolForm
from skolkvalitet.quality.models import Intervention, PlanAction
from skolkvalitet.quality.plans.forms import LimitedCharField
from skolkvalitet.quality.practices.actions import (
    MAX_AREA,
    MAX_CONTACT,
    MAX_FOR_WHOM,
    MAX_MATERIAL,
    MAX_REASON,
    MAX_TITLE,
    MAX_WHAT,
)

# The id of the <datalist> the area field suggests from.
AREA_LIST_ID = "practice-areas"


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "cols": 80})


def indicator_choices(school_forms: list[str], extra: list[str]) -> list[tuple[str, str]]:
    """The indicators a practice of a node with `school_forms` is offered: those without a
    subject that apply to one of them, and `extra` (the node's goals' indicators, those
    already chosen), by their Swedish name."""
    keys = {
        key
        for key, indicator in REGISTRY.items()
        if not indicator.subject and set(indicator.school_forms) & set(school_forms)
    }
    keys |= {key for key in extra if key in REGISTRY}
    return sorted(((k, REGISTRY[k].name_sv) for k in keys), key=lambda kv: kv[1])


class PracticeForm(forms.Form):
    title = LimitedCharField(label=_("Title"), max_length=MAX_TITLE)
    what = LimitedCharField(
        label=_("What did you do?"),
        help_text=_(
            "Describe the practice so that another unit can try it: what you did, how and "
            "how long. Required to publish."
        ),
        required=False,
        max_length=MAX_WHAT,
        widget=_textarea(8),
    )
    for_whom = LimitedCharField(
        label=_("For whom?"),
        help_text=_("Which children, pupils, year groups or staff. Required to publish."),
        required=False,
        max_length=MAX_FOR_WHOM,
        widget=_textarea(3),
    )
    material = LimitedCharField(
        label=_("Material"),
        help_text=_("Plans, guides, templates: describe them or give their links, as text."),
        required=False,
        max_length=MAX_MATERIAL,
        widget=_textarea(4),
    )
    contact = LimitedCharField(
        label=_("Contact"),
        help_text=_(
            "A member of staff others may ask: name, role, e-mail. Never a pupil. Required "
            "to publish."
        ),
        required=False,
        max_length=MAX_CONTACT,
    )
    school_form = forms.ChoiceField(
        label=_("School form"),
        help_text=_("Required to publish."),
        required=False,
    )
    area = LimitedCharField(
        label=_("Area"),
        help_text=_(
            "What others search for, e.g. the problem area's title (reading, safety, attendance)."
        ),
        required=False,
        max_length=MAX_AREA,
        widget=forms.TextInput(attrs={"list": AREA_LIST_ID}),
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators"),
        help_text=_("The results the practice aims at (at most ten)."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    plan_actions = forms.MultipleChoiceField(
        label=_("Actions of the plan"),
        help_text=_(
            "The plan's actions the practice comes from: readers see their goal and its evaluation."
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interventions = forms.MultipleChoiceField(
        label=_("Interventions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args,
        school_forms: list[str],
        indicators: list[tuple[str, str]],
        actions: list[PlanAction],
        interventions: list[Intervention],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.actions = {str(a.pk): a for a in actions}
        self.interventions_by_id = {str(i.pk): i for i in interventions}
        self._choices(
            "school_form",
            [("", "–")] + [(f, str(SchoolForm(f).label)) for f in school_forms],
        )
        self._choices("indicators", indicators)
        self._choices(
            "plan_actions",
            [
                (
                    str(a.pk),
                    f"{a.title} ({a.goal.title}, {a.goal.area.academic_year.code})",
                )
                for a in actions
            ],
        )
        self._choices("interventions", [(str(i.pk), i.name) for i in interventions])
        if not actions:
            del self.fields["plan_actions"]
        if not interventions:
            del self.fields["interventions"]

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def action_arguments(self) -> dict:
        """The cleaned data as practice_save's keyword arguments."""
        data = dict(self.cleaned_data)
        data["plan_actions"] = [self.actions[pk] for pk in data.get("plan_actions", [])]
        data["interventions"] = [
            self.interventions_by_id[pk] for pk in data.get("interventions", [])
        ]
        return data


class WithdrawForm(forms.Form):
    reason = LimitedCharField(
        label=_("Why is the practice withdrawn?"),
        help_text=_("The unit reads the reason, changes the practice and may publish it again."),
        max_length=MAX_REASON,
        widget=_textarea(3),
    )
