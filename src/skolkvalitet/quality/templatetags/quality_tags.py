"""Template helpers of the quality pages.

{% load quality_tags %}
{% my_dialogues %}          the unit head's dialogues at the current follow-up point
{{ form.field|add_described_by }}   a widget tied to its help text and errors
"""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils import timezone
from django.utils.safestring import SafeString

from skolkvalitet.organisation.scopes import scope_for_request
from skolkvalitet.quality.attention import attention
from skolkvalitet.quality.selectors import my_dialogues as my_dialogues_rows

register = template.Library()


@register.filter
def add_described_by(field: BoundField) -> SafeString:
    """The field's widget with aria-describedby naming its help text and errors, and
    aria-invalid when it has errors (WCAG 3.3.1, 3.3.2)."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-help")
    attrs: dict[str, str | bool] = {}
    if field.errors:
        ids.append(f"{field.auto_id}-errors")
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return field.as_widget(attrs=attrs)


@register.inclusion_tag("quality/_my_dialogues.html", takes_context=True)
def my_dialogues(context: template.Context) -> dict:
    """The dialogues the user writes as unit head at the current follow-up point (empty for
    other roles: the fragment then renders nothing)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"my_dialogues": []}
    return {"my_dialogues": my_dialogues_rows(scope=scope_for_request(request))}


@register.inclusion_tag("quality/_attention.html", takes_context=True)
def my_attention(context: template.Context) -> dict:
    """The quality reports to write or review and the plan actions overdue for the user
    (quality/attention.py); renders nothing when there are none."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"attention": None}
    seen = attention(
        scope=scope_for_request(request), user_id=request.user.pk, today=timezone.localdate()
    )
    return {"attention": None if seen.is_empty else seen}
