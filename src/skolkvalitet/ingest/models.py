"""Import batches: every write of facts belongs to one, so it can be traced and rolled back.
A batch's id is the data version that materialised indicators and frozen reports record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ROLLED_BACK = "rolled_back", _("Rolled back")


class ImportBatch(models.Model):
    kind = models.CharField(max_length=32)  # "grades", "pupils", "demo", ...
    source_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    rows = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=BatchStatus.choices, default="applied")
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_name} ({self.created_at:%Y-%m-%d})"


class JournalAction(models.TextChoices):
    CREATED = "created", _("Created")
    SUPERSEDED = "superseded", _("Superseded")  # deleted and replaced by the import's row
    UPDATED = "updated", _("Updated")  # changed in place; `rows` hold the values before


class ImportJournal(models.Model):
    """What an import changed beyond its own fact rows, so that rolling it back restores the
    state before it: rows it created in tables without a batch column (pupils, enrolments,
    groups) as ids, and stored rows it replaced as their full column values. Kept in chunks."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="journal")
    table = models.CharField(max_length=64)
    action = models.CharField(max_length=16, choices=JournalAction.choices)
    columns = models.JSONField()
    rows = models.JSONField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.action} {self.table} ({len(self.rows)})"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A file uploaded in the web UI and its import as it runs, so the page can show
    progress (checking, writing, computing indicators) and, at the end, the outcome or every
    problem. The uploaded file is deleted when the job ends."""

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
