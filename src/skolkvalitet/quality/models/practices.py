"""Shared practices (dela-kultur): what a unit did that others in the organiser may learn from.

A unit (or the organiser for itself) writes a SharedPractice for an academic year — what was
done, for whom, the material, whom to contact — tagged with its school form, an area (a free
tag, often the problem area's title) and the indicators it concerns, and linked to the plan's
actions (PlanAction, and through them the goal and its evaluation) and to interventions. Once
published, everyone with a role in the organiser reads it. Every change goes through
quality/practices/actions.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from skolkvalitet.organisation.models import SchoolForm


class PracticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SharedPractice(models.Model):
    """A practice a node shares with its whole organiser. The contact names a member of staff
    (name, role, e-mail as the unit typed it), never a pupil: no text of a practice may hold
    a personal identity number or a pupil's name (checked on every save)."""

    node = models.ForeignKey(
        "organisation.Node", on_delete=models.PROTECT, related_name="shared_practices"
    )
    academic_year = models.ForeignKey(
        "organisation.AcademicYear", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    what = models.TextField(_("what was done"), blank=True)
    for_whom = models.TextField(_("for whom"), blank=True)
    material = models.TextField(_("material"), blank=True)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    plan_actions = models.ManyToManyField(
        "quality.PlanAction", blank=True, related_name="shared_practices"
    )
    interventions = models.ManyToManyField(
        "quality.Intervention", blank=True, related_name="shared_practices"
    )
    indicators = models.JSONField(default=list, blank=True)  # registry keys
    school_form = models.CharField(
        _("school form"), max_length=8, choices=SchoolForm.choices, blank=True
    )
    area = models.CharField(_("area"), max_length=200, blank=True)
    status = models.CharField(
        max_length=12, choices=PracticeStatus.choices, default=PracticeStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The last publication (a withdrawn practice published again gets a new time).
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawal_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-published_at", "title", "pk"]
        indexes = [
            models.Index(fields=["status", "academic_year"]),
            models.Index(fields=["node", "academic_year"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == PracticeStatus.PUBLISHED
