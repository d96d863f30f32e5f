"""What an organiser has made public on the open web pages (/offentlig/), for guardians and
anyone else: its approved kvalitetsredovisningar (PublishedReport) and, when it has chosen so,
its units' key figures (PublicKeyFigures), always suppressed as for the board. Changed only by
quality/publication/actions.py, by the organiser's management (APPROVE_ORGANISER_REPORT)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PublicKeyFigures(models.Model):
    """Whether the organiser shows its units' key figures on the public pages."""

    organiser = models.OneToOneField(
        "organisation.Node", on_delete=models.CASCADE, related_name="public_key_figures"
    )
    shown = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.organiser} key figures {'shown' if self.shown else 'hidden'}"


class PublishedReport(models.Model):
    """A kvalitetsredovisning the organiser has published: a copy of the document produced
    (and checked against the publication rules) by a DocumentJob. One per organiser and year;
    publishing again replaces it."""

    organiser = models.ForeignKey(
        "organisation.Node", on_delete=models.CASCADE, related_name="published_reports"
    )
    academic_year = models.ForeignKey(
        "organisation.AcademicYear", on_delete=models.PROTECT, related_name="+"
    )
    format = models.CharField(max_length=8)
    file_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organiser", "academic_year"], name="unique_published_report"
            ),
        ]
        ordering = ["organiser", "-academic_year__start_date"]

    def __str__(self) -> str:
        return f"{self.organiser} {self.academic_year}"
