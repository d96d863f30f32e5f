"""The unit's nulägesanalys and utvecklingsplan for an academic year, and the report deadlines
of the calendar (årshjul).

A unit (or the organiser for itself) records problem areas (ProblemArea), each with its
evidence (Evidence: a figure frozen from the unit's materialised indicator values, or a
described qualitative source), its causes (orsaksanalys) and a priority. Under a prioritised
area the plan sets goals (DevelopmentGoal: an indicator, its target — dashboards' Target — and
a date, with the baseline frozen when it was set; or a qualitative criterion), actions
(PlanAction, insatser) with owner, dates and status, progress notes at the follow-up points
(ProgressNote) and, at the year's end, an evaluation of each goal (GoalEvaluation). Every
change goes through quality/plans/actions.py."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProblemArea(models.Model):
    """A problem area of the nulägesanalys: what the node sees, why (the causes, required by
    Skollagen 4 kap. 3–4 §§) and how urgent it is (priority 1 is the highest)."""

    node = models.ForeignKey(
        "organisation.Node", on_delete=models.PROTECT, related_name="problem_areas"
    )
    academic_year = models.ForeignKey(
        "organisation.AcademicYear", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    causes = models.TextField(_("analysis of causes"))
    priority = models.PositiveSmallIntegerField(_("priority"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["priority", "pk"]
        indexes = [models.Index(fields=["node", "academic_year"])]

    def __str__(self) -> str:
        return self.title


class EvidenceKind(models.TextChoices):
    FIGURE = "figure", _("Figure")
    QUALITATIVE = "qualitative", _("Qualitative source")


class Evidence(models.Model):
    """What a problem area rests on: a figure of the node's indicators frozen as it was when
    picked (value, n and marker as stored — each reader sees it through their role's
    suppression — and the data version), or a described qualitative source."""

    area = models.ForeignKey(ProblemArea, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=12, choices=EvidenceKind.choices)
    indicator = models.CharField(max_length=64, blank=True)
    period_kind = models.CharField(max_length=8, blank=True)
    period_id = models.BigIntegerField(null=True, blank=True)
    period_label = models.CharField(max_length=64, blank=True)
    value = models.FloatField(null=True, blank=True)
    n = models.IntegerField(null=True, blank=True)
    suppression = models.CharField(max_length=8, blank=True)
    data_version = models.BigIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["area", "pk"]

    def __str__(self) -> str:
        return self.indicator if self.kind == EvidenceKind.FIGURE else self.text[:40]


class GoalKind(models.TextChoices):
    INDICATOR = "indicator", _("Indicator goal")
    QUALITATIVE = "qualitative", _("Qualitative criterion")


class DevelopmentGoal(models.Model):
    """A goal of the utvecklingsplan under a problem area. An indicator goal names the
    indicator, its target (dashboards' Target of the node, indicator and year: the targets
    page and the plan show the same value) and a date, with the baseline frozen when the goal
    was set; its progress is computed from the materialised values (quality/plans/progress.py),
    never typed. A qualitative goal states its criterion."""

    area = models.ForeignKey(ProblemArea, on_delete=models.CASCADE, related_name="goals")
    kind = models.CharField(max_length=12, choices=GoalKind.choices)
    title = models.CharField(_("goal"), max_length=200)
    indicator = models.CharField(max_length=64, blank=True)
    target = models.ForeignKey(
        "dashboards.Target",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_goals",
    )
    # The goal set the Target itself (none was there): removing the goal removes it.
    owns_target = models.BooleanField(default=False)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    criterion = models.TextField(_("criterion"), blank=True)
    # The node's value of the indicator when the goal was set, frozen.
    baseline_value = models.FloatField(null=True, blank=True)
    baseline_n = models.IntegerField(null=True, blank=True)
    baseline_suppression = models.CharField(max_length=8, blank=True)
    baseline_period_kind = models.CharField(max_length=8, blank=True)
    baseline_period_id = models.BigIntegerField(null=True, blank=True)
    baseline_period_label = models.CharField(max_length=64, blank=True)
    baseline_data_version = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["area", "pk"]

    def __str__(self) -> str:
        return self.title


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# An action in these states is finished: it is never overdue.
ACTION_FINISHED = frozenset({ActionStatus.DONE, ActionStatus.CANCELLED})


class PlanAction(models.Model):
    """An action (insats) toward a goal: who owns it (a user or a named person), when it
    runs and where it stands. It is overdue when its end has passed and it is neither done
    nor cancelled."""

    goal = models.ForeignKey(DevelopmentGoal, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner_name = models.CharField(_("owner"), max_length=200, blank=True)
    starts = models.DateField(_("start"))
    ends = models.DateField(_("end"))
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["ends", "pk"]

    def __str__(self) -> str:
        return self.title

    def is_overdue_on(self, day: dt.date) -> bool:
        return self.ends < day and self.status not in ACTION_FINISHED

    @property
    def is_overdue(self) -> bool:
        """The end has passed (today) and the action is neither done nor cancelled."""
        return self.is_overdue_on(timezone.localdate())

    @property
    def owner_label(self) -> str:
        if self.owner is not None:
            full_name = self.owner.get_full_name()
            return full_name or self.owner.get_username()
        return self.owner_name


class ProgressNote(models.Model):
    """A note on how an action or a goal is going, written at a follow-up point."""

    action = models.ForeignKey(
        PlanAction, null=True, blank=True, on_delete=models.CASCADE, related_name="notes"
    )
    goal = models.ForeignKey(
        DevelopmentGoal, null=True, blank=True, on_delete=models.CASCADE, related_name="notes"
    )
    follow_up_point = models.ForeignKey(
        "organisation.FollowUpPoint", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(action__isnull=False, goal__isnull=True)
                    | models.Q(action__isnull=True, goal__isnull=False)
                ),
                name="progress_note_action_or_goal",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def about_goal(self) -> DevelopmentGoal:
        """The goal the note is about: its own, or its action's."""
        if self.goal is not None:
            return self.goal
        assert self.action is not None  # the check constraint: an action or a goal
        return self.action.goal


class Verdict(models.TextChoices):
    MET = "met", _("Met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not_met", _("Not met")


class GoalEvaluation(models.Model):
    """The evaluation of a goal at the year's end: met, partly met or not met, and why."""

    goal = models.OneToOneField(
        DevelopmentGoal, on_delete=models.CASCADE, related_name="evaluation"
    )
    verdict = models.CharField(_("verdict"), max_length=8, choices=Verdict.choices)
    reasons = models.TextField(_("reasons"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.goal}: {self.verdict}"


class ReportDeadline(models.Model):
    """When the quality reports of an academic year are due: for one school form of the
    common model (forskola, grundskola, gymnasieskola) or, with none, for all. Shown in the
    calendar (årshjul) beside the follow-up points."""

    academic_year = models.ForeignKey(
        "organisation.AcademicYear", on_delete=models.PROTECT, related_name="report_deadlines"
    )
    school_form = models.CharField(max_length=16, blank=True)  # "" = every school form
    deadline = models.DateField(_("deadline"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["deadline", "school_form"]
        constraints = [
            models.UniqueConstraint(
                fields=["academic_year", "school_form"], name="unique_report_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.academic_year} {self.school_form or '*'}: {self.deadline}"
