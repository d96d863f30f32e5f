"""The link to the targets page, for the users who may set targets.

{% load target_links %}{% targets_link %}   renders nothing for everyone else
"""

from __future__ import annotations

from django import template

from skolkvalitet.dashboards.target_views import may_set_targets
from skolkvalitet.organisation.scopes import scope_for_request

register = template.Library()


@register.inclusion_tag("dashboards/_targets_link.html", takes_context=True)
def targets_link(context: template.Context) -> dict:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"may_set_targets": False}
    return {"may_set_targets": may_set_targets(scope_for_request(request))}
