"""The importers' own state: uploaded files as jobs with their progress (ImportJob), and what
an SS 12000 sync keeps between runs (Ss12000SyncState, Ss12000Link). The batches every
import writes are skolkvalitet.batches.models."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from skolkvalitet.batches.models import ImportBatch


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A file uploaded in the web UI and its import as it runs, so the page can show
    progress (checking, writing, computing indicators) and, at the end, the outcome or every
    problem. The uploaded file is deleted when the job ends, however it ends; a job whose
    process is gone, or that has made no progress for SKOLKVALITET_IMPORT_STALE_MINUTES,
    ends failed (ingest/jobs.py)."""

    kind = models.CharField(max_length=32)
    file_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default="queued")
    stage = models.CharField(max_length=200, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The process that runs the import, on which host, and when it last reported progress.
    pid = models.PositiveIntegerField(null=True, blank=True)
    host = models.CharField(max_length=255, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.REJECTED, JobStatus.FAILED}


class Ss12000SyncState(models.Model):
    """When a resource of an SS 12000 server was last synced successfully: the server's time
    at the start of that sync, which the next incremental sync sends as meta.modified.after."""

    source = models.CharField(max_length=255)  # the server's base URL
    resource = models.CharField(max_length=32)  # "organisations", "persons", "grades", ...
    synced_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "resource"], name="unique_ss12000_state"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.resource} {self.synced_at:%Y-%m-%d %H:%M}"


class Ss12000Link(models.Model):
    """An SS 12000 object's id and what it became here, so that a later (incremental) sync
    finds it again: a node (organisations, groups), a pupil or staff member (persons), a
    subject code and language (syllabuses). Never a personnummer."""

    source = models.CharField(max_length=255)
    resource = models.CharField(max_length=32)  # organisations, groups, pupils, staff, syllabuses
    external_id = models.CharField(max_length=64)  # the object's uuid on the server
    local_id = models.BigIntegerField(null=True, blank=True)
    value = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "resource", "external_id"], name="unique_ss12000_link"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.external_id} → {self.local_id or self.value}"
