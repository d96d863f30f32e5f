"""The audit log: who looked at pupil-level data, and who changed what.

Rows are written only through organisation.audit.audit_record(); they name pupils by
database id and count, never by personnummer.

The log is append-only (docs/security.md, "Audit log"): the model refuses to save a row
again or to delete one, its manager's querysets refuse update() and delete(), and database
triggers (migration 0008) refuse UPDATE and DELETE of a row whatever wrote the SQL. Two
changes pass the triggers: a deleted user's or node's reference set to NULL (Django's
SET_NULL; the username stays), and what is done while a row of the table
organisation_auditunlock (no model: written only by organisation.audit.audit_unlocked())
exists in the same transaction — only the erasure of removed pupils' ids (retention) and the
flush command that empties the whole database use it.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AuditLogAppendOnly(Exception):
    """An attempt to change or delete a row of the audit log through the app."""


def _refuse(what: str) -> NoReturn:
    raise AuditLogAppendOnly(f"The audit log is append-only: {what} is refused.")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        _refuse("update")

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse("delete")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        _refuse("bulk_update")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("update_or_create")


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    username = models.CharField(max_length=150, blank=True)  # kept if the user is deleted
    action = models.CharField(max_length=64)  # e.g. "pupil_list.view"
    node = models.ForeignKey("organisation.Node", null=True, blank=True, on_delete=models.SET_NULL)
    pupil_ids = models.JSONField(default=list, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            _refuse("saving an event again")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete")
