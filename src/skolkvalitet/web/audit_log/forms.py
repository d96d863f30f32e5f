"""The audit log's filter form: the query string's names are Swedish, like the other pages'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from skolkvalitet.organisation.models import Node
from skolkvalitet.web.audit_log.labels import action_label
from skolkvalitet.web.audit_log.selectors import AuditFilter


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    anvandare = forms.CharField(label=_("Username"), required=False, max_length=150)
    handelse = forms.ChoiceField(label=_("Event"), required=False)
    fran = forms.DateField(label=_("From"), required=False, widget=DateInput())
    till = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    nod = forms.ChoiceField(label=_("Organisation node"), required=False)
    elev = forms.IntegerField(
        label=_("Pupil id"),
        required=False,
        min_value=1,
        help_text=_(
            "The pupil's number in the system, as on the pupil's page (not a personnummer)."
        ),
    )

    def __init__(self, *args, actions: list[str], nodes: list[Node], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._nodes = {str(node.pk): node for node in nodes}
        choices = sorted(((a, action_label(a)) for a in actions), key=lambda c: c[1].lower())
        action_field, node_field = self.fields["handelse"], self.fields["nod"]
        assert isinstance(action_field, forms.ChoiceField)
        assert isinstance(node_field, forms.ChoiceField)
        action_field.choices = [("", _("All events")), *choices]
        node_field.choices = [
            ("", _("The whole organisation")),
            *((str(n.pk), "\u2003" * (n.path.count("/") - 2) + n.name) for n in nodes),
        ]

    def chosen(self) -> AuditFilter:
        """The filter of a valid form (an invalid one filters on nothing)."""
        if not self.is_valid():
            return AuditFilter()
        data = self.cleaned_data
        return AuditFilter(
            username=data["anvandare"].strip(),
            action=data["handelse"],
            date_from=data["fran"],
            date_to=data["till"],
            node=self._nodes.get(data["nod"]),
            pupil_id=data["elev"],
        )
