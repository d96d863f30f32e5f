"""School forms in words, as the pages and the board documents name them."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from skolkvalitet.organisation.models import SchoolForm


def school_forms_label(forms: Iterable[str]) -> str:
    """ "Grundskola", "Grundskola och gymnasieskola": codes in words, in SchoolForm's order."""
    wanted = set(forms)
    names = [str(label).lower() for code, label in SchoolForm.choices if code in wanted]
    if not names:
        return ""
    text = (
        names[0]
        if len(names) == 1
        else _("%(a)s and %(b)s") % {"a": ", ".join(names[:-1]), "b": names[-1]}
    )
    return text[:1].upper() + text[1:]
