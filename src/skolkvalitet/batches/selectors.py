"""Which imports a user sees and may roll back: an import belongs to the organiser whose units
it wrote to (ImportBatch.organiser, bound by the write path), and only that organiser's users
see it, however wide their capabilities elsewhere."""

from __future__ import annotations

from django.db.models import Q, QuerySet

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
    granted = [
        organiser.pk
        for organiser in Node.objects.filter(pk__in=organiser_ids(scope.paths()))
        if scope.can(Capability.ROLL_BACK_IMPORTS, organiser)
    ]
    return ImportBatch.objects.filter(organiser_id__in=granted)
