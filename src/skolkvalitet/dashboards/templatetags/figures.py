"""Showing figures as Skolverket does: one decimal with a decimal comma, markers as they are."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from skolkvalitet.publishing.formatting import format_number
from skolkvalitet.publishing.tables import MARKER_TITLES

register = template.Library()


@register.simple_tag
def figure(value, n=None):
    """A value or its suppression marker; an empty value as a dash."""
    if value is None:
        return format_html('<span class="muted" title="{}">–</span>', _("No figure"))
    if isinstance(value, str):
        return format_html(
            '<abbr class="marker" title="{}">{}</abbr>', _(MARKER_TITLES.get(value, value)), value
        )
    return format_number(value, 1)


@register.simple_tag
def change(value):
    """A change with its sign and an arrow; an empty change as nothing."""
    if value is None:
        return ""
    if abs(value) < 0.05:
        return format_html('<span class="change">±0,0</span>')
    arrow = "▲" if value > 0 else "▼"
    sign = "+" if value > 0 else "−"
    return format_html(
        '<span class="change"><span aria-hidden="true">{}</span> {}{}</span>',
        arrow,
        sign,
        number_format(round(abs(value), 1), 1),
    )


@register.simple_tag
def sparkline(values, higher_is_better=True):
    """A small inline SVG of the series (gaps where a value is missing or suppressed), with
    its values as a text alternative."""
    numbers = [v if isinstance(v, int | float) else None for v in values]
    present = [v for v in numbers if v is not None]
    if len(present) < 2:
        return ""
    low, high = min(present), max(present)
    span = (high - low) or 1.0
    width, height, step = 60, 18, 60 / max(len(numbers) - 1, 1)
    segments: list[list[str]] = []
    current: list[str] = []
    for i, v in enumerate(numbers):
        if v is None:
            if current:
                segments.append(current)
            current = []
            continue
        current.append(f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}")
    if current:
        segments.append(current)
    lines = "".join(
        f'<polyline points="{" ".join(seg)}" fill="none" stroke="currentColor" stroke-width="1.5"/>'
        for seg in segments
        if len(seg) > 1
    )
    text = ", ".join("–" if v is None else number_format(round(v, 1), 1) for v in numbers)
    return format_html(
        '<svg class="sparkline" width="{}" height="{}" role="img" aria-label="{}">{}</svg>',
        width,
        height,
        _("Trend: %(values)s") % {"values": text},
        mark_safe(lines),  # built above from numbers only
    )


@register.filter
def breakdown_label(code: str) -> str:
    """A breakdown code ("gender=F", "year_group=7") as the pages name it."""
    from skolkvalitet.dashboards.breakdowns import breakdown_label as label

    return label(code)


@register.filter
def school_forms_label(forms) -> str:
    """ "Grundskola och gymnasieskola": school form codes in words, in SchoolForm's order."""
    from skolkvalitet.organisation.school_forms import school_forms_label as label

    return label(forms)


@register.filter
def get(mapping, key):
    """mapping[key] in a template, or None."""
    return mapping.get(key) if mapping else None


@register.simple_tag
def group_rows(rows, urls):
    """The rows of the unit's groups table (name linking to the group page, then value and n
    per indicator), built in Python: a large unit has hundreds of groups, and the template
    language would spend most of the page's time on them."""
    return format_html_join(
        "",
        '<tr><th scope="row"><a href="{}">{}</a></th>{}</tr>',
        ((urls[row.group.pk], row.group.name, _figure_cells(row.cells)) for row in rows),
    )


def _figure_cells(cells):
    return format_html_join(
        "",
        '<td class="num">{}{}</td>',
        (
            (
                figure(value),
                format_html('<span class="n">n={}</span>', n)
                if n is not None and isinstance(value, int | float)
                else "",
            )
            for value, n in cells
        ),
    )
