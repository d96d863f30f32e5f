"""Writing the audit log."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from skolkvalitet.organisation.client_address import client_address
from skolkvalitet.organisation.models import AuditEvent, Node

logger = logging.getLogger("skolkvalitet.audit")


def _client_ip(request) -> str | None:
    return client_address(request)


def audit_record(
    *,
    user,
    action: str,
    node: Node | None = None,
    pupil_ids: Iterable[int] = (),
    detail: dict | None = None,
    request=None,
) -> AuditEvent:
    """Record that `user` did `action` (e.g. viewed a pupil list) on `node`.

    Pupils are recorded by database id; never pass a personnummer in `detail`.
    """
    authenticated = user is not None and user.is_authenticated
    event = AuditEvent.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        action=action,
        node=node,
        pupil_ids=sorted(set(pupil_ids)),
        detail=detail or {},
        ip_address=_client_ip(request),
    )
    logger.info(
        "audit user=%s action=%s node=%s pupils=%d",
        event.username,
        action,
        node.pk if node else "-",
        len(event.pupil_ids),
    )
    return event
