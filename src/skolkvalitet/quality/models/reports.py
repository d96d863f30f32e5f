"""The unit's year in writing: the common model's versioned report templates, and each unit's
quality report (kvalitetsrapport) for an academic year with its sections, their saved
versions, the figures frozen when it is submitted, and its comments. Every change goes through
quality/reports.py's actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportTemplate(models.Model):
    """One version of the common model's template for a school form: its sections as data
    (quality/common_model.py reads and checks them). A template is never changed: an edit is
    a new version, and a report keeps the version it was written on."""

    school_form = models.CharField(max_length=16)  # forskola, grundskola, gymnasieskola
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    sections = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school_form", "version"], name="unique_report_template_version"
            ),
        ]
        ordering = ["school_form", "-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


# The unit head may write in these states; in the others the report is with the organiser.
REPORT_EDITABLE = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})
# Handed in: the board and the coaches read it, and its figures are frozen.
REPORT_HANDED_IN = frozenset({ReportStatus.SUBMITTED, ReportStatus.APPROVED})


class QualityReport(models.Model):
    """A unit's (or the organiser's own) quality report for one academic year and school
    form, written on one template version."""

    node = models.ForeignKey(
        "organisation.Node", on_delete=models.PROTECT, related_name="quality_reports"
    )
    academic_year = models.ForeignKey(
        "organisation.AcademicYear", on_delete=models.PROTECT, related_name="+"
    )
    template = models.ForeignKey(ReportTemplate, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # The data version (batch id) of the figures frozen at the last submission; null while
    # the report shows live figures.
    frozen_data_version = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["node", "academic_year", "template"], name="unique_quality_report"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node} {self.academic_year} ({self.template.school_form})"

    @property
    def is_editable(self) -> bool:
        return self.status in REPORT_EDITABLE

    @property
    def is_handed_in(self) -> bool:
        return self.status in REPORT_HANDED_IN


class ReportSection(models.Model):
    """The text written for one section of a report. `version` counts its saves: a save
    names the version it was written on and is refused when another save came first
    (optimistic locking), so two people never silently overwrite each other."""

    report = models.ForeignKey(QualityReport, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=64)
    text = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The drafted observations (quality/observations) the writer has taken into the text or
    # discarded, by their keys: they are not offered again.
    observations_handled = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="unique_report_section"),
        ]

    def __str__(self) -> str:
        return f"{self.report} / {self.key} v{self.version}"


class ReportSectionRevision(models.Model):
    """Every saved version of a section's text, kept so that versions can be compared."""

    section = models.ForeignKey(ReportSection, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    saved_at = models.DateTimeField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["section", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "version"], name="unique_report_section_revision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section} rev {self.version}"


class ReportFigure(models.Model):
    """A figure a section showed when the report was submitted, frozen: the indicator's value,
    n and marker as stored (unsuppressed; each reader sees it through the suppression of their
    role) and the data version it came from. `kind` says whether it is a figure of the
    section's table or a datum of one of its charts (a trend's point, a grade distribution's
    count: quality/reports/figures.py)."""

    report = models.ForeignKey(QualityReport, on_delete=models.CASCADE, related_name="figures")
    section_key = models.CharField(max_length=64)
    indicator = models.CharField(max_length=64)
    period_kind = models.CharField(max_length=8)
    period_id = models.BigIntegerField()
    period_label = models.CharField(max_length=64)
    value = models.FloatField(null=True, blank=True)
    n = models.IntegerField(null=True, blank=True)
    suppression = models.CharField(max_length=8, blank=True)
    data_version = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=8, default="table")  # table, trend, grades
    # A figure of the document's survey and staff chapters (kind chapter, nation, invited:
    # quality/documents/surveys_staff.py) rather than of a section; a chapter figure's node
    # (the report's or, in the organiser's report, one of its units').
    node_ref = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return f"{self.report} {self.section_key} {self.indicator}"


class ReportComment(models.Model):
    """One entry of a report's thread: a comment, or the reason it was returned."""

    report = models.ForeignKey(QualityReport, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    kind = models.CharField(max_length=8, default="comment")  # comment, return
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"
