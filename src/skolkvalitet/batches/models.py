"""Import batches: every write of facts belongs to one, so it can be traced and rolled back.
A batch's id is the data version that materialised indicators and frozen reports record.

The tables keep the names they were created with in the ingest app (ingest_importbatch,
ingest_importjournal): the models moved here so that every layer that records a data version
(results, reference, indicators) can depend on them without depending on the importers."""

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
    # The organiser whose units the import wrote to (the write path binds it, and refuses an
    # import that reaches two organisers); none for published reference figures, which
    # belong to no organiser. Only users of that organiser see the batch or roll it back
    # (batches/selectors.py). No database constraint: rolling back the import that created
    # the organiser deletes the node, and the batch still records whose it was.
    organiser = models.ForeignKey(
        "organisation.Node",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    # After a rollback, until its organiser's figures are recomputed: the periods whose
    # stored figures still include the rolled-back rows ({"years": [...], "points": [...]}),
    # set in the rollback's transaction and cleared when a recomputation of them, or a full
    # one, has finished (batches/actions.py). None: nothing is waiting. The Import page shows
    # it, so a recomputation that was lost (the worker died, its process was killed) is seen
    # and can be started again.
    recompute_pending = models.JSONField(null=True, blank=True)

    class Meta:
        db_table = "ingest_importbatch"
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
        db_table = "ingest_importjournal"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.action} {self.table} ({len(self.rows)})"
