"""Every write of the quality cycle: named, atomic, validating functions.

The calendar (årshjul): calendar_points_default, follow_up_point_add, follow_up_point_update,
follow_up_point_remove. The resultatdialog: dialogue_save_draft, dialogue_submit,
dialogue_return, dialogue_mark_discussed, dialogue_comment.

Views check who may call them (quality/permissions.py); these functions check that the change
itself is valid and raise ValidationError with a translatable message, keyed by the form field
it concerns where there is one.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.organisation.actions import academic_year_ensure
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Node, NodeKind, Term
from skolkvalitet.quality.models import (
    CommentKind,
    DialogueComment,
    DialogueStatus,
    FollowUpDialogue,
)
from skolkvalitet.results.models import Assessment

# The default calendar: two follow-up points per term, (month, day) of the assessment; the
# dialogue is due two weeks later. HT falls in the academic year's first calendar year, VT in
# the second. The import accepts follow-up points 1–6 within a term.
DEFAULT_POINTS: dict[str, tuple[tuple[int, int], ...]] = {
    "HT": ((10, 1), (11, 15)),
    "VT": ((2, 15), (4, 20)),
}
DEADLINE_AFTER = dt.timedelta(weeks=2)
MAX_POINTS_PER_TERM = 6


# -- the calendar ------------------------------------------------------------------------


def _weekday_on_or_after(day: dt.date) -> dt.date:
    """Saturday and Sunday move to the Monday after."""
    return day + dt.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def _within(day: dt.date, term: Term) -> dt.date:
    return min(max(day, term.start_date), term.end_date)


def default_point_name(ordinal: int, term: Term) -> str:
    return _("Follow-up %(ordinal)d, %(term)s") % {"ordinal": ordinal, "term": term.code}


@transaction.atomic
def calendar_points_default(*, academic_year: AcademicYear | int) -> list[FollowUpPoint]:
    """The default follow-up points of the academic year (an AcademicYear or its start year):
    around 1 October and 15 November in HT, 15 February and 20 April in VT, on a weekday,
    each due two weeks later. Creates the year and its terms if missing. Idempotent: a point
    the term already has (same ordinal) is left as it is. Returns the year's points."""
    start_year = academic_year if isinstance(academic_year, int) else academic_year.start_year
    year, terms = academic_year_ensure(start_year)
    for kind, days in DEFAULT_POINTS.items():
        term = terms[kind]
        calendar_year = start_year if kind == "HT" else start_year + 1
        for ordinal, (month, day) in enumerate(days, start=1):
            assessed_on = _within(_weekday_on_or_after(dt.date(calendar_year, month, day)), term)
            FollowUpPoint.objects.get_or_create(
                term=term,
                ordinal=ordinal,
                defaults={
                    "name": default_point_name(ordinal, term),
                    "assessed_on": assessed_on,
                    "deadline": _within(_weekday_on_or_after(assessed_on + DEADLINE_AFTER), term),
                },
            )
    return list(
        FollowUpPoint.objects.filter(term__academic_year=year)
        .select_related("term")
        .order_by("assessed_on")
    )


def _point_validate(
    *, term: Term, ordinal: int, name: str, assessed_on: dt.date, deadline: dt.date
) -> None:
    """Raise ValidationError (keyed by field) unless the point fits its term."""
    errors: dict[str, list[str]] = {}
    if not name:
        errors.setdefault("name", []).append(_("Give the follow-up point a name."))
    if not term.start_date <= assessed_on <= term.end_date:
        errors.setdefault("assessed_on", []).append(
            _("The date must lie within the term (%(start)s – %(end)s).")
            % {"start": term.start_date.isoformat(), "end": term.end_date.isoformat()}
        )
    if deadline < assessed_on:
        errors.setdefault("deadline", []).append(
            _("The deadline cannot be before the assessment date.")
        )
    elif deadline > term.end_date:
        errors.setdefault("deadline", []).append(
            _("The deadline must lie within the term (%(start)s – %(end)s).")
            % {"start": term.start_date.isoformat(), "end": term.end_date.isoformat()}
        )
    siblings = FollowUpPoint.objects.filter(term=term).exclude(ordinal=ordinal)
    before = siblings.filter(ordinal__lt=ordinal).order_by("-ordinal").first()
    after = siblings.filter(ordinal__gt=ordinal).order_by("ordinal").first()
    if before is not None and assessed_on <= before.assessed_on:
        errors.setdefault("assessed_on", []).append(
            _(
                "The date must come after that of %(point)s (%(date)s): the term's follow-up "
                "points keep their order."
            )
            % {"point": before.name, "date": before.assessed_on.isoformat()}
        )
    if after is not None and assessed_on >= after.assessed_on:
        errors.setdefault("assessed_on", []).append(
            _(
                "The date must come before that of %(point)s (%(date)s): the term's follow-up "
                "points keep their order."
            )
            % {"point": after.name, "date": after.assessed_on.isoformat()}
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def follow_up_point_update(
    *, point: FollowUpPoint, name: str, assessed_on: dt.date, deadline: dt.date
) -> FollowUpPoint:
    """Rename a follow-up point or move its dates (within its term, in the term's order)."""
    point = FollowUpPoint.objects.select_for_update().select_related("term").get(pk=point.pk)
    name = name.strip()
    _point_validate(
        term=point.term,
        ordinal=point.ordinal,
        name=name,
        assessed_on=assessed_on,
        deadline=deadline,
    )
    point.name, point.assessed_on, point.deadline = name, assessed_on, deadline
    point.save(update_fields=["name", "assessed_on", "deadline"])
    return point


@transaction.atomic
def follow_up_point_add(
    *, term: Term, name: str, assessed_on: dt.date, deadline: dt.date
) -> FollowUpPoint:
    """A new follow-up point after the term's last one (its ordinal is the next number)."""
    term = Term.objects.select_for_update().get(pk=term.pk)
    last = FollowUpPoint.objects.filter(term=term).aggregate(m=Max("ordinal"))["m"] or 0
    if last >= MAX_POINTS_PER_TERM:
        raise ValidationError(
            _("A term has at most %(max)d follow-up points.") % {"max": MAX_POINTS_PER_TERM}
        )
    name = name.strip()
    ordinal = last + 1
    _point_validate(
        term=term, ordinal=ordinal, name=name, assessed_on=assessed_on, deadline=deadline
    )
    return FollowUpPoint.objects.create(
        term=term, ordinal=ordinal, name=name, assessed_on=assessed_on, deadline=deadline
    )


@transaction.atomic
def follow_up_point_remove(*, point: FollowUpPoint) -> None:
    """Remove a follow-up point nothing refers to yet. Refused when assessments have been
    imported for it or a unit has begun its dialogue."""
    point = FollowUpPoint.objects.select_for_update().get(pk=point.pk)
    if Assessment.objects.filter(follow_up_point=point).exists():
        raise ValidationError(
            _("%(point)s cannot be removed: assessments have been imported for it.")
            % {"point": point.name}
        )
    if FollowUpDialogue.objects.filter(follow_up_point=point).exists():
        raise ValidationError(
            _("%(point)s cannot be removed: units have written dialogues for it.")
            % {"point": point.name}
        )
    point.delete()


# -- the resultatdialog ------------------------------------------------------------------

TEXT_FIELDS = ("analysis", "what_works", "actions", "support_needed")


def _dialogue_locked(*, unit: Node, point: FollowUpPoint, by) -> FollowUpDialogue:
    """The unit's dialogue at the point, locked for this transaction; created (not
    started) if the unit has none yet."""
    if unit.kind != NodeKind.UNIT:
        raise ValidationError(_("A follow-up dialogue belongs to a school unit."))
    dialogue, _created = FollowUpDialogue.objects.select_for_update().get_or_create(
        unit=unit,
        follow_up_point=point,
        defaults={"created_by": by, "updated_by": by},
    )
    return dialogue


def _touch(dialogue: FollowUpDialogue, by, now: dt.datetime) -> None:
    dialogue.updated_at, dialogue.updated_by = now, by


def _write_text(dialogue: FollowUpDialogue, texts: dict[str, str]) -> None:
    if not dialogue.is_editable:
        raise ValidationError(
            _(
                "The dialogue has been handed in and can no longer be changed. The organiser "
                "can return it to you."
            )
        )
    for field in TEXT_FIELDS:
        setattr(dialogue, field, (texts.get(field) or "").strip())


@transaction.atomic
def dialogue_save_draft(
    *,
    unit: Node,
    point: FollowUpPoint,
    by,
    analysis: str = "",
    what_works: str = "",
    actions: str = "",
    support_needed: str = "",
) -> FollowUpDialogue:
    """Save the unit head's text without handing it in. A returned dialogue stays returned
    until it is submitted again."""
    dialogue = _dialogue_locked(unit=unit, point=point, by=by)
    _write_text(
        dialogue,
        {
            "analysis": analysis,
            "what_works": what_works,
            "actions": actions,
            "support_needed": support_needed,
        },
    )
    if dialogue.status != DialogueStatus.RETURNED:
        dialogue.status = DialogueStatus.DRAFT
    _touch(dialogue, by, timezone.now())
    dialogue.save()
    return dialogue


@transaction.atomic
def dialogue_submit(
    *,
    unit: Node,
    point: FollowUpPoint,
    by,
    analysis: str = "",
    what_works: str = "",
    actions: str = "",
    support_needed: str = "",
) -> FollowUpDialogue:
    """Save the text and hand it in to the organiser. The analysis of causes (Skollagen
    4 kap. 3–4 §§) and what will be done are required."""
    dialogue = _dialogue_locked(unit=unit, point=point, by=by)
    _write_text(
        dialogue,
        {
            "analysis": analysis,
            "what_works": what_works,
            "actions": actions,
            "support_needed": support_needed,
        },
    )
    errors = {}
    if not dialogue.analysis:
        errors["analysis"] = _(
            "Write the analysis of causes before you submit: the Education Act requires it."
        )
    if not dialogue.actions:
        errors["actions"] = _("Write what will be done before you submit.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    dialogue.status = DialogueStatus.SUBMITTED
    dialogue.submitted_at, dialogue.submitted_by = now, by
    _touch(dialogue, by, now)
    dialogue.save()
    return dialogue


@transaction.atomic
def dialogue_return(*, unit: Node, point: FollowUpPoint, by, comment: str) -> FollowUpDialogue:
    """The organiser sends a submitted dialogue back to the unit head, saying why."""
    dialogue = _dialogue_locked(unit=unit, point=point, by=by)
    comment = comment.strip()
    if not comment:
        raise ValidationError(
            {"comment": _("Say what the unit should add or change when you return it.")}
        )
    if dialogue.status != DialogueStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted dialogue can be returned."))
    now = timezone.now()
    DialogueComment.objects.create(
        dialogue=dialogue, author=by, text=comment, kind=CommentKind.RETURN
    )
    dialogue.status = DialogueStatus.RETURNED
    dialogue.returned_at, dialogue.returned_by = now, by
    _touch(dialogue, by, now)
    dialogue.save()
    return dialogue


@transaction.atomic
def dialogue_mark_discussed(*, unit: Node, point: FollowUpPoint, by) -> FollowUpDialogue:
    """The organiser and the unit head have discussed the submitted dialogue."""
    dialogue = _dialogue_locked(unit=unit, point=point, by=by)
    if dialogue.status != DialogueStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted dialogue can be marked as discussed."))
    now = timezone.now()
    dialogue.status = DialogueStatus.DISCUSSED
    dialogue.discussed_at, dialogue.discussed_by = now, by
    _touch(dialogue, by, now)
    dialogue.save()
    return dialogue


@transaction.atomic
def dialogue_comment(*, unit: Node, point: FollowUpPoint, by, text: str) -> DialogueComment:
    """Add a comment to the dialogue's thread (whatever its status)."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a comment.")})
    dialogue = _dialogue_locked(unit=unit, point=point, by=by)
    return DialogueComment.objects.create(
        dialogue=dialogue, author=by, text=text, kind=CommentKind.COMMENT
    )
