"""Which imports a user sees and may roll back: an import belongs to the organiser whose units
it wrote to (ImportBatch.organiser, bound by the write path), and only that organiser's users
see it, however wide their capabilities elsewhere."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from skolkvalitet.batches.actions import batch_pending_organisers
from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.organisation.models import Node
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope, organiser_ids


def batches_visible(scope: Scope) -> QuerySet[ImportBatch]:
    """The imports of the organisers in which the user may import (the Import page's list),
    and those of no organiser: published reference figures, the same for everyone."""
    mine = organiser_ids(scope.paths_with(Capability.IMPORT_DATA))
    if not mine:
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(Q(organiser_id__in=mine) | Q(organiser__isnull=True))


def batches_to_roll_back(scope: Scope) -> QuerySet[ImportBatch]:
    """The imports the user may roll back: those of an organiser on whose node the user holds
    a grant that gives ROLL_BACK_IMPORTS. An import of no organiser is never among them."""
    return ImportBatch.objects.filter(organiser_id__in=organisers_granting_rollback(scope))


def organisers_granting_rollback(scope: Scope) -> list[int]:
    """The organisers on whose node the user holds a grant that gives ROLL_BACK_IMPORTS."""
    return [
        organiser.pk
        for organiser in Node.objects.filter(pk__in=organiser_ids(scope.paths()))
        if scope.can(Capability.ROLL_BACK_IMPORTS, organiser)
    ]


def batches_waiting_without_organiser(organisers: set[int]) -> list[ImportBatch]:
    """Rolled-back imports whose own organiser is gone (the rollback removed the organiser
    the import created) and whose figures still wait in one of `organisers`: the import
    had changed the background of pupils with facts there (batches/actions.py)."""
    waiting = ImportBatch.objects.filter(
        recompute_pending__isnull=False, organiser__isnull=False
    ).exclude(organiser_id__in=Node.objects.values("pk"))
    return [
        batch
        for batch in waiting.select_related("created_by")
        if set(batch_pending_organisers(batch) or ()) & organisers
    ]


def batches_to_recompute(scope: Scope) -> QuerySet[ImportBatch]:
    """The rolled-back imports whose waiting recomputation the user may start again: those
    the user may roll back, and those whose own organiser is gone where the user may roll
    back imports in every organiser whose figures wait."""
    granted = organisers_granting_rollback(scope)
    orphaned = [
        batch.pk
        for batch in batches_waiting_without_organiser(set(granted))
        if set(batch_pending_organisers(batch) or ()) <= set(granted)
    ]
    return ImportBatch.objects.filter(Q(organiser_id__in=granted) | Q(pk__in=orphaned))
