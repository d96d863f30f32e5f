"""The quality cycle: interventions (insatser), which the analyses evaluate, and each unit's
resultatdialog at the follow-up points of the organiser's calendar (årshjul)."""

from __future__ import annotations

from django.conf import settings
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


class DialogueStatus(models.TextChoices):
    """Where a unit's resultatdialog stands. `not_started` is also what the status board
    shows for a unit without a row."""

    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    DISCUSSED = "discussed", _("Discussed")


# The unit head may edit the text in these states; in the others it is with the organiser.
EDITABLE_STATUSES = frozenset(
    {DialogueStatus.NOT_STARTED, DialogueStatus.DRAFT, DialogueStatus.RETURNED}
)
# Board and coaches read the text in these states only: the unit has handed it in.
HANDED_IN_STATUSES = frozenset({DialogueStatus.SUBMITTED, DialogueStatus.DISCUSSED})


class FollowUpDialogue(models.Model):
    """A resultatdialog: one unit's written analysis at one follow-up point (uppföljnings-
    tillfälle). The unit head writes it; the organiser comments, returns it or marks it as
    discussed. Every change goes through quality/actions.py."""

    unit = models.ForeignKey(
        "organisation.Node",
        on_delete=models.PROTECT,
        related_name="follow_up_dialogues",
        limit_choices_to={"kind": "unit"},
    )
    follow_up_point = models.ForeignKey(
        "organisation.FollowUpPoint", on_delete=models.PROTECT, related_name="dialogues"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DialogueStatus.choices,
        default=DialogueStatus.NOT_STARTED,
    )
    analysis = models.TextField(_("analysis of causes"), blank=True)
    what_works = models.TextField(_("what works"), blank=True)
    actions = models.TextField(_("what will be done"), blank=True)
    support_needed = models.TextField(_("support needed"), blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
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
    discussed_at = models.DateTimeField(null=True, blank=True)
    discussed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "follow_up_point"], name="unique_follow_up_dialogue"
            ),
        ]
        indexes = [models.Index(fields=["follow_up_point", "status"])]

    def __str__(self) -> str:
        return f"{self.unit} – {self.follow_up_point}"

    @property
    def is_editable(self) -> bool:
        """The unit head may change the text (not handed in, or returned to them)."""
        return self.status in EDITABLE_STATUSES

    @property
    def is_handed_in(self) -> bool:
        return self.status in HANDED_IN_STATUSES


class CommentKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    RETURN = "return", _("Returned with comment")


class DialogueComment(models.Model):
    """One entry of a dialogue's thread: a comment, or the reason it was returned."""

    dialogue = models.ForeignKey(
        FollowUpDialogue, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("comment"))
    kind = models.CharField(max_length=8, choices=CommentKind.choices, default=CommentKind.COMMENT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"
