"""A board document produced in the background from the browser (the organiser's
kvalitetsredovisning or a unit's kvalitetsrapport as PDF or Word): its progress as it runs,
and at the end the file to download or every problem of the publication check. The file is
kept under var/documents/ (0600) until the job is removed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused by the publication check")
    FAILED = "failed", _("Failed")


DOCUMENT_FINISHED = frozenset({DocumentStatus.DONE, DocumentStatus.REFUSED, DocumentStatus.FAILED})


class DocumentJob(models.Model):
    kind = models.CharField(max_length=16)  # annual, unit
    format = models.CharField(max_length=8)  # pdf, docx
    node = models.ForeignKey("organisation.Node", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        "organisation.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED
    )
    stage = models.CharField(max_length=200, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    stored_path = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.format} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in DOCUMENT_FINISHED
