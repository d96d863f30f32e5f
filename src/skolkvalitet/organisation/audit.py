"""Writing the audit log, and the one documented way past its append-only rule.

The log is append-only (organisation/models/audit.py, docs/security.md "Audit log"). What
may change a stored event is the erasure of pupils that retention removes
(`audit_pupils_forget`: their ids are taken out of the events, which stay), inside
`audit_unlocked`, which the triggers let through for that one transaction only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models, transaction
from django.http import HttpRequest

from skolkvalitet.organisation.client_address import client_address
from skolkvalitet.organisation.models import AuditEvent, Node

logger = logging.getLogger("skolkvalitet.audit")

UNLOCK_TABLE = "organisation_auditunlock"  # made by migration 0008, no model
CHUNK = 500  # rows per query: well below every database's limit on parameters


# The WSGI environ of the request being answered in this thread (set and cleared by Django's
# request_started and request_finished signals, connected in organisation/apps.py): an event
# written while a request is answered has its client's address even where the action that
# writes it was not given the request (the quality work's approvals, a role granted from a
# page). Never shared between threads or requests.
_current_environ: ContextVar[dict[str, Any] | None] = ContextVar(
    "skolkvalitet_audit_environ", default=None
)


class _Environ:
    """What client_address reads of a request: its META, here the WSGI environ."""

    def __init__(self, environ: dict[str, Any]) -> None:
        self.META = environ


def request_began(sender, environ: dict[str, Any] | None = None, **kwargs) -> None:
    _current_environ.set(environ)


def request_ended(sender, **kwargs) -> None:
    _current_environ.set(None)


@contextmanager
def audit_address(address: str | None) -> Iterator[None]:
    """Events written inside carry `address` as their client's, for work a request started
    and another process does (an import job: the address of the upload's request). None:
    as without."""
    if address is None:
        yield
        return
    token = _current_environ.set({"REMOTE_ADDR": address})
    try:
        yield
    finally:
        _current_environ.reset(token)


def import_upload_address(job_id: int) -> str | None:
    """The client address of the request that uploaded import job `job_id` (its
    `import_upload` event, written by the import page before the job starts)."""
    return (
        AuditEvent.objects.filter(action="import_upload", detail__job=job_id)
        .values_list("ip_address", flat=True)
        .first()
    )


def _client_ip(request) -> str | None:
    if request is None:
        environ = _current_environ.get()
        return client_address(cast(HttpRequest, _Environ(environ))) if environ else None
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

    Pupils are recorded by database id; never pass a personnummer in `detail`. The client's
    address is the request's behind the configured proxies (organisation/client_address.py);
    without `request`, the address of the request this thread is answering, if any.
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


@contextmanager
def audit_unlocked(reason: str, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let the audit log's triggers pass UPDATE and DELETE inside the current transaction,
    for `reason` (logged). Must run inside transaction.atomic(): the unlocking row is written
    and removed within it, so no other transaction ever sees it."""
    database = connections[using]
    if not database.in_atomic_block:
        raise RuntimeError("audit_unlocked() needs a transaction (transaction.atomic()).")
    with database.cursor() as cursor:
        cursor.execute(f"INSERT INTO {UNLOCK_TABLE} (reason) VALUES (%s)", [reason[:64]])
    logger.warning("audit log unlocked for %s", reason)
    try:
        yield
    except BaseException:
        # A failed statement may have broken the transaction (PostgreSQL), which then rolls
        # the unlocking row back with everything else.
        with suppress(DatabaseError), transaction.atomic(using=using), database.cursor() as cursor:
            cursor.execute(f"DELETE FROM {UNLOCK_TABLE}")
        raise
    with database.cursor() as cursor:
        cursor.execute(f"DELETE FROM {UNLOCK_TABLE}")


@transaction.atomic
def audit_pupils_forget(pupil_ids: set[int]) -> int:
    """Take the ids of removed pupils out of the audit log's events, counting them in the
    event's detail ("pupils_erased"); the events stay (who, when, what, where, how many).
    Returns the ids taken out. Retention's erasure is the one caller."""
    if not pupil_ids:
        return 0
    changed: list[AuditEvent] = []
    forgotten = 0
    for event in AuditEvent.objects.exclude(pupil_ids=[]).only("pupil_ids", "detail").iterator():
        kept = [pk for pk in event.pupil_ids if pk not in pupil_ids]
        if len(kept) == len(event.pupil_ids):
            continue
        gone = len(event.pupil_ids) - len(kept)
        event.pupil_ids = kept
        event.detail = {
            **event.detail,
            "pupils_erased": event.detail.get("pupils_erased", 0) + gone,
        }
        changed.append(event)
        forgotten += gone
    with audit_unlocked("retention: removed pupils' ids"):
        # The model's own queryset refuses bulk_update; this is the one permitted path.
        plain: models.QuerySet[AuditEvent] = models.QuerySet(model=AuditEvent)
        plain.bulk_update(changed, ["pupil_ids", "detail"], batch_size=CHUNK)
    return forgotten


def audit_nodes_forget(node_ids: Iterable[int]) -> int:
    """Set the node of the events on these nodes to NULL, as on_delete=SET_NULL does when the
    ORM deletes a node, before a writer deletes them by SQL (an import's rollback removing the
    organiser, areas and units it created). The append-only triggers allow exactly this change
    (the event stays: who, when, what). Returns the events changed."""
    ids = sorted(set(node_ids))
    table = AuditEvent._meta.db_table
    changed = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"UPDATE {table} SET node_id = NULL WHERE node_id IN ({marks})", chunk)
            changed += max(cursor.rowcount, 0)
    return changed
