"""The audit log's rows as a table for the CSV and XLSX downloads (publishing/tables.py)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.organisation.models import AuditEvent
from skolkvalitet.publishing.tables import Column, Table
from skolkvalitet.web.audit_log.labels import action_label

EXPORT_LIMIT = 100_000  # rows in one download; narrow the filter for more


def event_username(event: AuditEvent) -> str:
    """Who: the user's name, or the existing user a failed login or lockout named."""
    named = (event.detail or {}).get("username") if isinstance(event.detail, dict) else None
    return event.username or (named if isinstance(named, str) else "")


def event_details(event: AuditEvent, *, limit: int | None = None) -> str:
    """The event's details as "key: value" pairs (the page cuts them at `limit` characters)."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    text = ", ".join(f"{key}: {detail[key]}" for key in sorted(detail) if detail[key] is not None)
    if limit is not None and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def event_row(event: AuditEvent) -> dict[str, object]:
    return {
        "at": timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
        "username": event_username(event),
        "action": action_label(event.action),
        "code": event.action,
        "node": event.node.name if event.node else "",
        "node_id": event.node_id if event.node_id is not None else "",
        "pupils": len(event.pupil_ids),
        "pupil_ids": " ".join(str(pk) for pk in event.pupil_ids),
        "address": event.ip_address or "",
        "detail": json.dumps(event.detail, ensure_ascii=False, sort_keys=True)
        if event.detail
        else "",
    }


def audit_table(events: Iterable[AuditEvent]) -> Table:
    columns = [
        Column("at", _("Time")),
        Column("username", _("Username")),
        Column("action", _("Event")),
        Column("code", _("Event code")),
        Column("node", _("Organisation node")),
        Column("node_id", _("Node id")),
        Column("pupils", _("Pupils"), kind="number", decimals=0),
        Column("pupil_ids", _("Pupil ids")),
        Column("address", _("Client address")),
        Column("detail", _("Details")),
    ]
    return Table(
        _("Audit log"),
        columns,
        [event_row(event) for event in events],
        id="table-audit-log",
    )
