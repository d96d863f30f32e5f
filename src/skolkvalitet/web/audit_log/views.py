"""`/administration/logg/`: the audit log for the holders of `Capability.SEE_AUDIT_LOG`
(organiser_admin on the organiser node): the events of their organisers
(web/audit_log/selectors.py says which), newest first, filtered by user, event, dates, node
and pupil id, paginated, and downloaded as CSV or XLSX (`?format=csv|xlsx`), a download
that is itself an event ("audit_log.export"). Others get 403 and see no link."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.scopes import Scope, scope_for_request
from skolkvalitet.publishing.tables import table_download_response
from skolkvalitet.web.audit_log.export import (
    EXPORT_LIMIT,
    audit_table,
    event_details,
    event_username,
)
from skolkvalitet.web.audit_log.forms import AuditFilterForm
from skolkvalitet.web.audit_log.labels import action_label
from skolkvalitet.web.audit_log.selectors import (
    AuditFilter,
    actions_present,
    audit_organisers,
    events_filtered,
    may_see_audit_log,
    nodes_to_filter,
)

PAGE_SIZE = 50


def _scope_that_reads_the_log(request: HttpRequest) -> Scope:
    scope = scope_for_request(request)
    if not may_see_audit_log(scope):
        raise PermissionDenied
    return scope


def _filter_detail(chosen: AuditFilter) -> dict[str, object]:
    return {
        "username": chosen.username,
        "action": chosen.action,
        "from": chosen.date_from.isoformat() if chosen.date_from else None,
        "until": chosen.date_to.isoformat() if chosen.date_to else None,
        "node": chosen.node.pk if chosen.node else None,
        "pupil": chosen.pupil_id,
    }


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    scope = _scope_that_reads_the_log(request)
    organisers = audit_organisers(scope)
    form = AuditFilterForm(
        request.GET or None, actions=actions_present(scope), nodes=list(nodes_to_filter(scope))
    )
    chosen = form.chosen()
    events = events_filtered(scope, chosen)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        rows = list(events[:EXPORT_LIMIT])
        audit_record(
            user=request.user,
            action="audit_log.export",
            node=organisers[0] if len(organisers) == 1 else None,
            detail={**_filter_detail(chosen), "format": fmt, "rows": len(rows)},
            request=request,
        )
        return table_download_response(audit_table(rows), fmt, _("audit log"))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("sida"))
    query = request.GET.copy()
    query.pop("sida", None)
    downloads = {}
    for key in ("csv", "xlsx"):
        download = query.copy()
        download["format"] = key
        downloads[key] = f"{request.path}?{download.urlencode()}"
    context = {
        "form": form,
        "page": page,
        "rows": [
            (
                event,
                action_label(event.action),
                event_username(event),
                event_details(event, limit=120),
            )
            for event in page.object_list
        ],
        "filtered": chosen.any,
        "organisers": organisers,
        "query": query.urlencode(),
        "downloads": downloads,
        "export_limit": EXPORT_LIMIT,
    }
    return render(request, "web/audit_log/list.html", context)
