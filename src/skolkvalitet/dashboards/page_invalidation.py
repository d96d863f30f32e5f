"""Which writes make the cached result pages old: each replaces the data version the pages
are cached under (organisation/page_versions.py `pages_changed`).

Bulk writes send no signals, so the write paths that write in bulk say so themselves:
`indicators_materialise` (every figure of the pages; it also warms the pages) at its end, and
every import, rollback and reference import through its ImportBatch, which each of them
creates or changes in the same transaction as its rows. The rest are caught here, as the
models' rows are saved or deleted one by one:

- the organisation tree (Node: names, areas, units and groups), per organiser;
- targets (Target), per organiser;
- the calendar (AcademicYear, Term, FollowUpPoint) and the years retention erased
  (ErasedYear), for every organiser;
- imports and rollbacks (ImportBatch), for every organiser;
- the subjects and assessment scales the pages name (Subject, AssessmentScale);
- a single row saved of a table that is otherwise written in bulk (figures, facts,
  enrolments, reference values): never on delete, which would make Django fetch every row
  of a bulk delete to signal it.

A role granted or revoked needs nothing: the page cache keys on the user's grants.
"""

from __future__ import annotations

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.dashboards.models import Target
from skolkvalitet.indicators.models import ErasedYear, IndicatorValue, MaterialisedPeriod
from skolkvalitet.organisation.models import (
    AcademicYear,
    Enrolment,
    FollowUpPoint,
    Node,
    Term,
)
from skolkvalitet.organisation.page_versions import pages_changed
from skolkvalitet.reference.models import ReferenceValue, SimilarMunicipality
from skolkvalitet.results.models import (
    Absence,
    Assessment,
    AssessmentScale,
    Grade,
    NationalTest,
    PreschoolGroupFact,
    Subject,
    SurveyResult,
    UnitStaffFact,
)

# Saved and deleted one row at a time.
EVERY_WRITE: tuple[type[Model], ...] = (
    Node,
    Target,
    AcademicYear,
    Term,
    FollowUpPoint,
    ErasedYear,
    ImportBatch,
    Subject,
    AssessmentScale,
)
# Written in bulk; a row saved alone (a correction, a test) still changes the pages.
SAVES_ONLY: tuple[type[Model], ...] = (
    IndicatorValue,
    MaterialisedPeriod,
    Enrolment,
    Grade,
    Assessment,
    NationalTest,
    Absence,
    SurveyResult,
    UnitStaffFact,
    PreschoolGroupFact,
    ReferenceValue,
    SimilarMunicipality,
)


def _organiser_of(instance: Model) -> int | None:
    """The organiser whose pages a node's or a target's change touches (None: unknown)."""
    path = ""
    if isinstance(instance, Node):
        path = instance.path
    elif isinstance(instance, Target):
        path = Node.objects.filter(pk=instance.node_id).values_list("path", flat=True).first() or ""
    parts = path.strip("/").split("/")
    return int(parts[0]) if parts[0] else None


def _changed(sender: type[Model], instance: Model, **kwargs: object) -> None:
    if kwargs.get("raw"):  # loaddata: fixtures, not a change anybody sees yet
        return
    pages_changed(organiser_id=_organiser_of(instance))


def page_invalidation_connect() -> None:
    """Connect the receivers (DashboardsConfig.ready)."""
    for model in EVERY_WRITE:
        uid = f"page_cache:{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + ":save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + ":delete")
    for model in SAVES_ONLY:
        post_save.connect(_changed, sender=model, dispatch_uid=f"page_cache:{model._meta.label}")
