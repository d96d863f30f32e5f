"""Forms of the user administration. They check the shape of the input and offer only the
nodes of the managed organisers; the rules (the coach's end date, the password validators,
the last administrator, the scope) are the actions' (organisation/user_actions.py), whose
errors the views attach to the form."""

from __future__ import annotations

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from skolkvalitet.organisation.models import Node, NodeKind, Role
from skolkvalitet.web.users.selectors import NODE_KIND_ORDER, node_label

KIND_GROUP_LABELS: dict[str, str | Promise] = {
    NodeKind.ORGANISER: _("Organiser"),
    NodeKind.AREA: _("Areas"),
    NodeKind.UNIT: _("Units"),
    NodeKind.GROUP: _("Groups this academic year"),
}


def node_choices(nodes: list[Node]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The nodes grouped by kind (organiser, areas, units, groups), each in tree order."""
    groups: dict[str, list[tuple[str, str]]] = {kind: [] for kind in NODE_KIND_ORDER}
    for node in nodes:
        groups.setdefault(node.kind, []).append((str(node.pk), node_label(node)))
    return [(str(KIND_GROUP_LABELS[k]), items) for k, items in groups.items() if items]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class GrantFields(forms.Form):
    """A role on a node, from and until (both days included)."""

    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Choose a role")), *Role.choices])
    node = forms.ChoiceField(label=_("Granted on"))
    valid_from = forms.DateField(
        label=_("Valid from"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: at once."),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "The last day the role counts. Empty: until further notice. "
            "A coach's role must have one."
        ),
    )

    def __init__(self, *args, nodes: list[Node], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._nodes = {str(n.pk): n for n in nodes}
        node_field = self.fields["node"]
        assert isinstance(node_field, forms.ChoiceField)
        node_field.choices = [("", _("Choose where")), *node_choices(nodes)]

    def clean_node(self) -> Node:
        return self._nodes[self.cleaned_data["node"]]  # the choice field checked it is one


class GrantForm(GrantFields):
    prefix = "grant"


class UserCreateForm(GrantFields):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_(
            "Where a password reset link is sent. A user who logs in through single sign-on "
            "is found by it at the first login: give the address the identity provider sends."
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Optional. Leave it empty for a user who logs in through the organisation's "
            "single sign-on: the account then has no password of its own."
        ),
    )

    field_order = [
        "username",
        "first_name",
        "last_name",
        "email",
        "password",
        "role",
        "node",
        "valid_from",
        "valid_until",
    ]


class UserDetailsForm(forms.Form):
    prefix = "details"
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"), required=False, help_text=_("Where a password reset link is sent.")
    )


class UserSearchForm(forms.Form):
    sok = forms.CharField(label=_("Search name or username"), required=False, max_length=150)
    roll = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Every role")), *Role.choices]
    )


class RetentionForm(forms.Form):
    """An organiser's retention period: whole years, or empty for the installation's default
    (the bounds are the action's, retention_period_set, which says them in Swedish)."""

    organiser = forms.IntegerField(widget=forms.HiddenInput)
    years = forms.IntegerField(required=False)
