"""The audit log: who looked at pupil-level data, and who changed what.

Rows are written only through organisation.audit.audit_record(); they name pupils by
database id and count, never by personnummer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


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

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"
