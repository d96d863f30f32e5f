"""Every write of the shared practices: named, atomic functions with keyword-only arguments,
each checking the capability table through the user's Scope (quality/practices/
permissions.py), validating (ValidationError with a translatable message, keyed by the form
field it concerns) and audit-logged.

- practice_save: write a new practice (a draft) or change one; a published practice stays
  published, so it must stay complete;
- practice_publish: publish a draft, or a withdrawn practice again, to the whole organiser;
- practice_withdraw: take a published practice back, with a reason (the node's writers, or
  the organiser's admins and analysts);
- practice_remove: remove a draft that was never published (a published one is withdrawn).

No text of a practice may hold a personal identity number or the full name of a pupil the
product holds (the publication check of the board documents, publishing/documents/check.py):
a practice is about the work and whom to ask, never about pupils.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind, SchoolForm
from skolkvalitet.organisation.scopes import Scope
from skolkvalitet.publishing.documents.check import publication_problems
from skolkvalitet.publishing.documents.model import Document, Paragraph
from skolkvalitet.quality.documents.produce import pupil_names
from skolkvalitet.quality.models import (
    Intervention,
    PlanAction,
    PracticeStatus,
    SharedPractice,
)
from skolkvalitet.quality.practices.permissions import (
    PRACTICE_NODE_KINDS,
    may_review_practice,
    may_withdraw_practice,
    may_write_practice,
)

MAX_TITLE = 200
MAX_WHAT = 10_000
MAX_FOR_WHOM = 2_000
MAX_MATERIAL = 4_000
MAX_CONTACT = 300
MAX_AREA = 200
MAX_REASON = 2_000
MAX_INDICATORS = 10

# The texts of a practice, checked for pupils' names and personal identity numbers.
TEXT_FIELDS = ("title", "what", "for_whom", "material", "contact", "area")


def _text(errors: dict[str, list[str]], field: str, value: str, *, limit: int) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if len(value) > limit:
        errors.setdefault(field, []).append(_("At most %(count)d characters.") % {"count": limit})
    return value


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _audit(by, event: str, node: Node, /, **detail: object) -> None:
    audit_record(user=by, action=event, node=node, detail=dict(detail))


def school_forms_for(node: Node) -> list[str]:
    """The school forms a practice of `node` may name: a unit's own (every form if none is
    recorded), every form for the organiser."""
    if node.kind == NodeKind.UNIT and node.school_forms:
        return [f for f in SchoolForm.values if f in node.school_forms]
    return list(SchoolForm.values)


def _no_pupils(errors: dict[str, list[str]], texts: dict[str, str]) -> None:
    """A message on each text holding a personal identity number or a pupil's full name."""

    def problems(text: str, names: Iterable[str]) -> bool:
        return bool(
            publication_problems(Document("", "", blocks=[Paragraph(text)]), pupil_names=names)
        )

    names = list(pupil_names())
    if not problems("\n".join(texts.values()), names):
        return
    for field, text in texts.items():
        if not text:
            continue
        if problems(text, ()):
            errors.setdefault(field, []).append(
                _(
                    "Remove the personal identity number: a shared practice never "
                    "identifies a pupil."
                )
            )
        elif problems(text, names):
            errors.setdefault(field, []).append(
                _(
                    "Remove the pupil's name: a shared practice names staff to contact, "
                    "never pupils."
                )
            )


def _complete(errors: dict[str, list[str]], practice: SharedPractice) -> None:
    """A message on each field a published practice must have."""
    required = {
        "what": _("Describe what you did."),
        "for_whom": _("Say for whom."),
        "contact": _("Say whom to contact: a member of staff's name, role or e-mail."),
        "school_form": _("Choose the school form."),
    }
    for field, message in required.items():
        if not getattr(practice, field):
            errors.setdefault(field, []).append(message)


@transaction.atomic
def practice_save(
    *,
    practice: SharedPractice | None = None,
    node: Node | None = None,
    academic_year: AcademicYear | None = None,
    title: str,
    what: str = "",
    for_whom: str = "",
    material: str = "",
    contact: str = "",
    school_form: str = "",
    area: str = "",
    indicators: Sequence[str] = (),
    plan_actions: Iterable[PlanAction] = (),
    interventions: Iterable[Intervention] = (),
    scope: Scope,
    by,
) -> SharedPractice:
    """Write a new practice of `node` for `academic_year` (a draft), or change `practice`.
    Only the title is needed for a draft; a published practice stays published and must keep
    what, for whom, the contact and the school form. The plan actions must be the node's own,
    the interventions must concern the node (or, for the organiser, one of its units), the
    indicators must be the registry's (at most ten)."""
    if practice is None:
        if node is None or academic_year is None:
            raise ValueError("practice_save takes a practice, or a node and an academic year")
        if node.kind not in PRACTICE_NODE_KINDS:
            raise ValidationError(_("A practice is shared by a school unit or by the organiser."))
        if not may_write_practice(scope, node):
            raise PermissionDenied
        practice = SharedPractice(node=node, academic_year=academic_year, created_by=by)
    else:
        practice = (
            SharedPractice.objects.select_for_update(of=("self",))
            .select_related("node")
            .get(pk=practice.pk)
        )
        if not may_write_practice(scope, practice.node):
            raise PermissionDenied
    node = practice.node
    errors: dict[str, list[str]] = {}
    texts = {
        "title": _text(errors, "title", title, limit=MAX_TITLE),
        "what": _text(errors, "what", what, limit=MAX_WHAT),
        "for_whom": _text(errors, "for_whom", for_whom, limit=MAX_FOR_WHOM),
        "material": _text(errors, "material", material, limit=MAX_MATERIAL),
        "contact": _text(errors, "contact", contact, limit=MAX_CONTACT),
        "area": " ".join(_text(errors, "area", area, limit=MAX_AREA).split()),
    }
    if not texts["title"]:
        errors.setdefault("title", []).append(_("Give the practice a title."))
    if school_form and school_form not in school_forms_for(node):
        errors.setdefault("school_form", []).append(_("Choose one of the unit's school forms."))
    keys = list(dict.fromkeys(indicators))
    unknown = [k for k in keys if k not in REGISTRY]
    if unknown:
        errors.setdefault("indicators", []).append(
            _("Unknown indicator %(key)s.") % {"key": ", ".join(unknown)}
        )
    if len(keys) > MAX_INDICATORS:
        errors.setdefault("indicators", []).append(
            _("Choose at most %(count)d indicators.") % {"count": MAX_INDICATORS}
        )
    action_ids = sorted({a.pk for a in plan_actions})
    own = PlanAction.objects.filter(pk__in=action_ids, goal__area__node=node)
    if own.count() != len(action_ids):
        errors.setdefault("plan_actions", []).append(_("Link only actions of the unit's own plan."))
    intervention_ids = sorted({i.pk for i in interventions})
    touching = Intervention.objects.filter(
        pk__in=intervention_ids, units__path__startswith=node.path
    ).distinct()
    if touching.count() != len(intervention_ids):
        errors.setdefault("interventions", []).append(
            _("Link only interventions the unit takes part in.")
        )
    _no_pupils(errors, texts)
    for field, value in texts.items():
        setattr(practice, field, value)
    practice.school_form = school_form
    practice.indicators = keys
    if practice.status == PracticeStatus.PUBLISHED:
        _complete(errors, practice)
    _raise(errors)
    created = practice.pk is None
    practice.updated_by = by
    practice.save()
    practice.plan_actions.set(action_ids)
    practice.interventions.set(intervention_ids)
    _audit(
        by,
        "practice_create" if created else "practice_update",
        node,
        practice=practice.pk,
        year=practice.academic_year.code,
        status=practice.status,
    )
    return practice


def _locked(practice: SharedPractice) -> SharedPractice:
    return (
        SharedPractice.objects.select_for_update(of=("self",))
        .select_related("node", "academic_year")
        .get(pk=practice.pk)
    )


@transaction.atomic
def practice_publish(*, practice: SharedPractice, scope: Scope, by) -> SharedPractice:
    """Publish a draft, or a withdrawn practice again: from now on everyone with a role in
    the organiser reads it. It must say what was done, for whom, whom to contact and for
    which school form, and hold no pupil's name or personal identity number (names imported
    since the last save count too). Publishing a published practice changes nothing."""
    practice = _locked(practice)
    if not may_write_practice(scope, practice.node):
        raise PermissionDenied
    if practice.status == PracticeStatus.PUBLISHED:
        return practice
    errors: dict[str, list[str]] = {}
    _complete(errors, practice)
    _no_pupils(errors, {field: getattr(practice, field) for field in TEXT_FIELDS})
    _raise(errors)
    previous = practice.status
    practice.status = PracticeStatus.PUBLISHED
    practice.published_at = timezone.now()
    practice.published_by = by
    practice.withdrawn_at, practice.withdrawn_by, practice.withdrawal_reason = None, None, ""
    practice.updated_by = by
    practice.save()
    _audit(
        by,
        "practice_publish",
        practice.node,
        practice=practice.pk,
        year=practice.academic_year.code,
        previous_status=previous,
    )
    return practice


@transaction.atomic
def practice_withdraw(*, practice: SharedPractice, reason: str, scope: Scope, by) -> SharedPractice:
    """Take a published practice back from the organiser, saying why: the node's writers, or
    the organiser's admins and analysts (REVIEW_DIALOGUE on the node). The unit may change
    it and publish it again."""
    practice = _locked(practice)
    if not may_review_practice(scope, practice.node):
        raise PermissionDenied
    if not may_withdraw_practice(scope, practice):
        raise ValidationError(_("Only a published practice can be withdrawn."))
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, limit=MAX_REASON)
    if not reason:
        errors.setdefault("reason", []).append(_("Say why the practice is withdrawn."))
    _raise(errors)
    practice.status = PracticeStatus.WITHDRAWN
    practice.withdrawn_at = timezone.now()
    practice.withdrawn_by = by
    practice.withdrawal_reason = reason
    practice.updated_by = by
    practice.save()
    _audit(by, "practice_withdraw", practice.node, practice=practice.pk)
    return practice


@transaction.atomic
def practice_remove(*, practice: SharedPractice, scope: Scope, by) -> None:
    """Remove a draft that was never published. A practice once published is withdrawn
    instead, so that what the organiser read stays on record."""
    practice = _locked(practice)
    if not may_write_practice(scope, practice.node):
        raise PermissionDenied
    if practice.published_at is not None:
        raise ValidationError(_("A practice that has been published is withdrawn, not removed."))
    node, pk = practice.node, practice.pk
    practice.delete()
    _audit(by, "practice_remove", node, practice=pk)
