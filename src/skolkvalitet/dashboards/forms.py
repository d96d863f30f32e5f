"""Forms of the result pages: setting a target (målvärde). The form checks the shape of the
input and offers only the nodes the user may set targets on; the rules of a target (the range
of the indicator's unit, where a target may be set, the user's scope) are checked by
dashboards/actions.py, whose errors the view attaches to the form."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from skolkvalitet.dashboards.actions import target_range
from skolkvalitet.indicators.registry import PAGES, REGISTRY, Indicator, PeriodKind, Unit
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind

# The indicators the result pages show, in the order they show them: the choices of the form.
TARGET_INDICATORS: tuple[str, ...] = PAGES.shown

PERIOD_LABELS = {
    PeriodKind.POINT: _("Assessments at follow-up points"),
    PeriodKind.TERM: _("Terms: term grades and absence"),
    PeriodKind.YEAR: _("Academic years: final grades and absence"),
}


def range_label(indicator: Indicator) -> str:
    """The indicator's unit and range in words: "0–100 %", "0–340 points", "0 or more"."""
    low, high = target_range(indicator)
    if indicator.unit == Unit.PERCENT:
        return gettext("percent, %(low)s–%(high)s") % {"low": f"{low:g}", "high": f"{high:g}"}
    if high is not None:
        return gettext("points, %(low)s–%(high)s") % {"low": f"{low:g}", "high": f"{high:g}"}
    return gettext("%(low)s or more") % {"low": f"{low:g}"}


def indicator_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The form's indicators grouped by the kind of period they are measured over, each
    labelled with its Swedish name, its unit and its range."""
    groups: dict[PeriodKind, list[tuple[str, str]]] = {kind: [] for kind in PERIOD_LABELS}
    for key in TARGET_INDICATORS:
        indicator = REGISTRY[key]
        label = f"{indicator.name_sv} ({range_label(indicator)})"
        groups[indicator.period].append((key, label))
    return [(str(PERIOD_LABELS[kind]), items) for kind, items in groups.items() if items]


def node_label(node: Node) -> str:
    """A node as the form and the list name it: a unit with its area."""
    if node.kind == NodeKind.UNIT and node.parent is not None:
        return f"{node.name} ({node.parent.name})"
    return node.name


def node_choices(nodes: list[Node]) -> list[tuple[str, list[tuple[str, str]]]]:
    """`nodes` grouped by kind: the organiser, its areas, its school units."""
    kinds = (
        (NodeKind.ORGANISER, _("Organiser")),
        (NodeKind.AREA, _("Areas")),
        (NodeKind.UNIT, _("School units")),
    )
    out = []
    for kind, title in kinds:
        items = [(str(n.pk), node_label(n)) for n in nodes if n.kind == kind]
        if items:
            out.append((str(title), sorted(items, key=lambda item: item[1].casefold())))
    return out


class DecimalCommaField(forms.FloatField):
    """A number written with a decimal comma or point, whatever the active language (82,5 and
    82.5 are both read as 82.5); spaces are ignored."""

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split()).replace(",", ".")
        return super().to_python(value)


class TargetForm(forms.Form):
    """Add a target, or change the one already set for the same place, indicator and year."""

    node = forms.TypedChoiceField(
        label=_("For"),
        help_text=_(
            "The target applies to what you choose and everything below it that has no "
            "target of its own."
        ),
        coerce=int,
        error_messages={"invalid_choice": _("Choose a part of the organisation from the list.")},
    )
    indicator = forms.ChoiceField(
        label=_("Indicator"),
        error_messages={"invalid_choice": _("Choose an indicator from the list.")},
    )
    academic_year = forms.ModelChoiceField(
        label=_("Academic year"),
        help_text=_("A target for one academic year comes before the target for every year."),
        queryset=AcademicYear.objects.order_by("-start_date"),
        required=False,
        empty_label=_("Every year"),
        to_field_name="pk",
        error_messages={"invalid_choice": _("Choose an academic year from the list.")},
    )
    value = DecimalCommaField(
        label=_("Target value"),
        help_text=_(
            "In the indicator's unit: percent 0–100, merit value 0–340 (16 subjects: 0–320), "
            "grade points 0–20. Use a decimal comma: 82,5."
        ),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}),
        error_messages={"invalid": _("Write the target as a number, such as 82,5.")},
    )

    def __init__(self, *args, nodes: list[Node], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.nodes = {n.pk: n for n in nodes}
        # Form.fields is typed as plain Fields; these two are the choice fields declared above.
        cast(forms.ChoiceField, self.fields["node"]).choices = [("", "–"), *node_choices(nodes)]
        cast(forms.ChoiceField, self.fields["indicator"]).choices = [
            ("", "–"),
            *indicator_choices(),
        ]

    def clean_node(self) -> Node:
        node = self.nodes.get(self.cleaned_data["node"])
        if node is None:  # the choices hold only these nodes; kept as a second check
            raise forms.ValidationError(
                self.fields["node"].error_messages["invalid_choice"], code="invalid_choice"
            )
        return node
