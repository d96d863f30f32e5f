"""The names of breakdowns (the engine's "dimension=category" codes) as the pages show them."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

BREAKDOWN_LABELS = {
    "": _("All pupils"),
    "gender=F": _("Girls"),
    "gender=M": _("Boys"),
    "newly_arrived=yes": _("Newly arrived"),
    "newly_arrived=no": _("Not newly arrived"),
    "sva=yes": _("Swedish as a second language"),
    "sva=no": _("Not Swedish as a second language"),
    "parents_education=1": _("Parents: below upper secondary"),
    "parents_education=2": _("Parents: upper secondary"),
    "parents_education=3": _("Parents: post-secondary"),
}

# Whose schools a published comparison figure is of (reference.comparison.Basis values).
BASIS_LABELS = {
    "Kommunal": _("municipal schools"),
    "Samtliga": _("all schools"),
    "Enskild": _("independent schools"),
}

# The unit page's choice of dimension to break its figures down by.
UNIT_DIMENSIONS = (
    ("", _("Totals")),
    ("gender", _("By gender")),
    ("newly_arrived", _("Newly arrived or not")),
    ("sva", _("Swedish as a second language")),
    ("parents_education", _("By parents' education")),
    ("year_group", _("By year group")),
)


def breakdown_label(code: str) -> str:
    """'gender=F' → 'Flickor', 'year_group=7' → 'Årskurs 7', '…=unknown' → 'Uppgift saknas'."""
    if code in BREAKDOWN_LABELS:
        return str(BREAKDOWN_LABELS[code])
    dimension, _sep, category = code.partition("=")
    if category == "unknown":
        return gettext("Not known")
    if dimension == "year_group":
        return gettext("Year group %(year)s") % {"year": category}
    return code
