"""The quality cycle. For now: interventions (insatser), which the analyses evaluate."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Intervention(models.Model):
    """An insats: a named change of practice in some units from a given term, aimed at some
    subjects and year groups. The analysis of intervention effects compares its units with
    the rest before and after `starts`."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    units = models.ManyToManyField("organisation.Node", related_name="interventions")
    starts = models.ForeignKey(
        "organisation.Term", on_delete=models.PROTECT, related_name="+", verbose_name=_("starts")
    )
    subjects = models.ManyToManyField("results.Subject", blank=True)
    year_groups = models.JSONField(_("year groups"), default=list, blank=True)

    def __str__(self) -> str:
        return self.name
