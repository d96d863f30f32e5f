"""Targets the organiser sets for its units' indicators (målvärden), shown on the dashboards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.Model):
    """A target value of one indicator for a node (a unit, an area or the organiser) and
    everything below it that has no target of its own; for one academic year or, with no
    year, every year."""

    node = models.ForeignKey("organisation.Node", on_delete=models.CASCADE)
    indicator = models.CharField(max_length=64)
    academic_year = models.ForeignKey(
        "organisation.AcademicYear", null=True, blank=True, on_delete=models.CASCADE
    )
    value = models.FloatField(_("target value"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["node", "indicator", "academic_year"], name="unique_target"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.node_id}: {self.value}"
