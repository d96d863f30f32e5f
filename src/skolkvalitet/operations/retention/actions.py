"""Retention (gallring): the named action that removes one organiser's pupil-level data of academic
years that ended more than the organiser's retention period ago, keeping the published figures.

Each organiser has its own period (Node.retention_years; None: the installation's
SKOLKVALITET_RETENTION_YEARS). What goes, for each academic year that ended before the cut-off
(today minus the period): the grades, assessments, national tests, absence and enrolments of
that year in the organiser's units (another organiser's rows of the same year stay); then every
pupil left with none of these anywhere (with their SS 12000 links); the ids of those pupils in
the audit log (the event itself stays: who, when, what, where, how many); and the rows of those
years in the organiser's units, and of those pupils, in the import journal. What stays: the
indicator values of those years as they were computed (the year is marked ErasedYear for the
organiser, so materialise never recomputes its figures to nothing), the quality reports with
their frozen figures, the groups and the calendar, and the aggregated facts (surveys, staff,
preschool groups). A final grade of a
subject ended before year 9 stays as long as a kept year's leaving certificate may count it
(ENDED_SUBJECT_YEARS_BACK), so that a kept year's figures computed again are unchanged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from skolkvalitet.batches.models import ImportJournal
from skolkvalitet.indicators.loading import years_completing
from skolkvalitet.indicators.models import ErasedYear
from skolkvalitet.ingest.models import Ss12000Link
from skolkvalitet.organisation.audit import audit_pupils_forget, audit_record
from skolkvalitet.organisation.models import (
    AcademicYear,
    Enrolment,
    FollowUpPoint,
    Node,
    NodeKind,
    Pupil,
    Term,
)
from skolkvalitet.organisation.retention_policy import organiser_retention_years
from skolkvalitet.results.models import Absence, Assessment, Grade, GradeType, NationalTest

CHUNK = 500  # ids per query: well below every database's limit on parameters
PUPIL_TABLES = (Enrolment, Grade, Assessment, NationalTest, Absence)


@dataclass
class RetentionOutcome:
    organiser: Node
    years_kept: int
    cutoff: dt.date  # the years that ended before this day are erased
    years: list[str]  # their codes
    removed: dict[str, int] = field(default_factory=dict)  # table → rows removed
    dry_run: bool = False


def retention_cutoff(*, today: dt.date, years_kept: int) -> dt.date:
    """The day `years_kept` years before `today` (28 February for a 29 February)."""
    try:
        return today.replace(year=today.year - years_kept)
    except ValueError:
        return today.replace(year=today.year - years_kept, day=28)


class _DryRun(Exception):
    """Raised inside the transaction of a dry run, so that everything it did is undone."""


def retention_apply(
    *,
    organiser: Node,
    today: dt.date,
    years_kept: int | None = None,
    dry_run: bool = False,
    by=None,
) -> RetentionOutcome:
    """Remove `organiser`'s pupil-level data of the academic years that ended before `today`
    minus `years_kept` years (None: the organiser's own period), in one transaction, and
    record it in the audit log on the organiser. A dry run does exactly the same and rolls it
    back, so its counts are the real run's."""
    if organiser.kind != NodeKind.ORGANISER:
        raise ValueError(_("Retention runs for an organiser."))
    if years_kept is None:
        years_kept = organiser_retention_years(organiser)
    if years_kept < 1:
        raise ValueError(_("The retention period is at least one year."))
    cutoff = retention_cutoff(today=today, years_kept=years_kept)
    years = list(AcademicYear.objects.filter(end_date__lt=cutoff).order_by("start_date"))
    outcome = RetentionOutcome(
        organiser=organiser,
        years_kept=years_kept,
        cutoff=cutoff,
        years=[y.code for y in years],
        dry_run=dry_run,
    )
    try:
        with transaction.atomic():
            outcome.removed = _erase(organiser, years) if years else {}
            # Every run is logged on the organiser, with nothing to remove too: the
            # administration page shows when retention last ran (retention_last_run).
            audit_record(
                user=by,
                action="retention",
                node=organiser,
                detail={
                    "organiser": organiser.code or organiser.name,
                    "years_kept": years_kept,
                    "cutoff": cutoff.isoformat(),
                    "years": outcome.years,
                    "removed": outcome.removed,
                },
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return outcome


def retention_apply_all(
    *, today: dt.date, dry_run: bool = False, by=None, organiser_code: str | None = None
) -> list[RetentionOutcome]:
    """Run retention for every organiser (or the one with `organiser_code`), each with its
    own period; one transaction per organiser."""
    organisers = Node.objects.filter(kind=NodeKind.ORGANISER).order_by("path")
    if organiser_code is not None:
        organisers = organisers.filter(code=organiser_code)
        if not organisers.exists():
            raise ValueError(_("No organiser has the code %(code)s.") % {"code": organiser_code})
    return [
        retention_apply(organiser=organiser, today=today, dry_run=dry_run, by=by)
        for organiser in organisers
    ]


def _erase(organiser: Node, years: list[AcademicYear]) -> dict[str, int]:
    year_ids = {year.pk for year in years}
    units = set(Node.objects.filter(path__startswith=organiser.path).values_list("pk", flat=True))
    term_ids = set(Term.objects.filter(academic_year_id__in=year_ids).values_list("id", flat=True))
    point_ids = set(FollowUpPoint.objects.filter(term_id__in=term_ids).values_list("id", flat=True))
    # Years whose ended subjects' final grades a kept year's leaving certificate may count.
    certificate_years = {year_id for year_id in year_ids if years_completing([year_id]) - year_ids}
    ended_kept = Q(
        grade_type=GradeType.FINAL,
        year_group__lt=9,
        term__academic_year_id__in=certificate_years,
    )
    doomed: dict[str, QuerySet] = {
        "results_grade": Grade.objects.filter(term_id__in=term_ids, unit_id__in=units).exclude(
            ended_kept
        ),
        "results_assessment": Assessment.objects.filter(
            follow_up_point_id__in=point_ids, unit_id__in=units
        ),
        "results_nationaltest": NationalTest.objects.filter(
            term_id__in=term_ids, unit_id__in=units
        ),
        "results_absence": Absence.objects.filter(term_id__in=term_ids, unit_id__in=units),
        "organisation_enrolment": Enrolment.objects.filter(
            academic_year_id__in=year_ids, unit_id__in=units
        ),
    }
    candidates: set[int] = set()
    for rows in doomed.values():
        candidates.update(rows.values_list("pupil_id", flat=True).distinct())
    enrolment_ids = set(doomed["organisation_enrolment"].values_list("id", flat=True))
    removed = {table: rows.delete()[0] for table, rows in doomed.items()}

    pupil_ids = _pupils_left_without_data(candidates)
    for chunk in _chunks(pupil_ids):
        Pupil.objects.filter(pk__in=chunk).delete()
    removed["organisation_pupil"] = len(pupil_ids)
    removed["ingest_ss12000link"] = sum(
        Ss12000Link.objects.filter(resource="pupils", local_id__in=chunk).delete()[0]
        for chunk in _chunks(pupil_ids)
    )
    removed["organisation_auditevent.pupil_ids"] = audit_pupils_forget(pupil_ids)
    removed["ingest_importjournal.rows"] = _journal_forget(
        organiser=organiser,
        units=units,
        terms=term_ids,
        points=point_ids,
        years=year_ids,
        pupils=pupil_ids,
        enrolments=enrolment_ids,
    )
    for year_id in sorted(year_ids):
        ErasedYear.objects.get_or_create(organiser=organiser, academic_year_id=year_id)
    return removed


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _pupils_left_without_data(candidates: set[int]) -> set[int]:
    """Those of `candidates` with no enrolment and no fact left."""
    left: set[int] = set()
    for chunk in _chunks(candidates):
        pupils = Pupil.objects.filter(pk__in=chunk)
        for model in PUPIL_TABLES:
            pupils = pupils.filter(~Exists(model.objects.filter(pupil_id=OuterRef("pk"))))
        left.update(pupils.values_list("pk", flat=True))
    return left


def _journal_forget(
    *,
    organiser: Node,
    units: set[int],
    terms: set[int],
    points: set[int],
    years: set[int],
    pupils: set[int],
    enrolments: set[int],
) -> int:
    """Take out of the import journal every row of an erased period in the organiser's
    units (of its batches, or of batches bound to no organiser), of a removed pupil or of a
    removed enrolment (a later rollback must not bring them back); a chunk left empty is
    deleted. Returns the rows taken out."""
    gone_by_column = {
        "term_id": terms,
        "follow_up_point_id": points,
        "academic_year_id": years,
        "pupil_id": pupils,
    }
    own_ids = {"organisation_pupil": pupils, "organisation_enrolment": enrolments}
    tables = {"results_grade", "results_assessment", "results_nationaltest", "results_absence"}
    changed: list[ImportJournal] = []
    emptied: list[ImportJournal] = []
    forgotten = 0
    journal = ImportJournal.objects.filter(table__in=tables | set(own_ids)).select_related("batch")
    for chunk in journal.iterator():
        ours = chunk.batch.organiser_id in (None, organiser.pk)
        unit_at = chunk.columns.index("unit_id") if "unit_id" in chunk.columns else None
        tests = [
            (chunk.columns.index(column), gone)
            for column, gone in gone_by_column.items()
            if column in chunk.columns and (ours or column == "pupil_id")
        ]
        if chunk.table in own_ids and "id" in chunk.columns:
            tests.append((chunk.columns.index("id"), own_ids[chunk.table]))
        kept = [
            row
            for row in chunk.rows
            if not any(
                row[at] in gone
                and (
                    gone is pupils or gone is enrolments or unit_at is None or row[unit_at] in units
                )
                for at, gone in tests
            )
        ]
        if len(kept) == len(chunk.rows):
            continue
        forgotten += len(chunk.rows) - len(kept)
        chunk.rows = kept
        (changed if kept else emptied).append(chunk)
    ImportJournal.objects.bulk_update(changed, ["rows"], batch_size=CHUNK)
    ImportJournal.objects.filter(pk__in=[chunk.pk for chunk in emptied]).delete()
    return forgotten
