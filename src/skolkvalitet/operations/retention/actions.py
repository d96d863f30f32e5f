"""Retention (gallring): the named action that removes pupil-level data of academic years that
ended more than the organiser's retention period ago, keeping the published figures.

What goes, for each academic year that ended before the cut-off (today minus
SKOLKVALITET_RETENTION_YEARS years): its grades, assessments, national tests, absence and
enrolments; then every pupil left with none of these (with their SS 12000 links); the ids of
those pupils in the audit log (the event itself stays: who, when, what, where, how many); and
the rows of those years and pupils in the import journal. What stays: the indicator values of
those years as they were computed (the year is marked ErasedYear, so materialise never
recomputes it to nothing), the quality reports with their frozen figures, the groups and the
calendar, and the aggregated facts (surveys, staff, preschool groups). A final grade of a
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
from skolkvalitet.results.models import Absence, Assessment, Grade, GradeType, NationalTest

CHUNK = 500  # ids per query: well below every database's limit on parameters
PUPIL_TABLES = (Enrolment, Grade, Assessment, NationalTest, Absence)


@dataclass
class RetentionOutcome:
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
    *, years_kept: int, today: dt.date, dry_run: bool = False, by=None
) -> RetentionOutcome:
    """Remove the pupil-level data of the academic years that ended before `today` minus
    `years_kept` years, in one transaction, and record it in the audit log. A dry run does
    exactly the same and rolls it back, so its counts are the real run's."""
    if years_kept < 1:
        raise ValueError(_("The retention period is at least one year."))
    cutoff = retention_cutoff(today=today, years_kept=years_kept)
    years = list(AcademicYear.objects.filter(end_date__lt=cutoff).order_by("start_date"))
    outcome = RetentionOutcome(cutoff=cutoff, years=[y.code for y in years], dry_run=dry_run)
    if not years:
        return outcome
    try:
        with transaction.atomic():
            outcome.removed = _erase(years)
            audit_record(
                user=by,
                action="retention",
                detail={
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


def _erase(years: list[AcademicYear]) -> dict[str, int]:
    year_ids = {year.pk for year in years}
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
        "results_grade": Grade.objects.filter(term_id__in=term_ids).exclude(ended_kept),
        "results_assessment": Assessment.objects.filter(follow_up_point_id__in=point_ids),
        "results_nationaltest": NationalTest.objects.filter(term_id__in=term_ids),
        "results_absence": Absence.objects.filter(term_id__in=term_ids),
        "organisation_enrolment": Enrolment.objects.filter(academic_year_id__in=year_ids),
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
        terms=term_ids,
        points=point_ids,
        years=year_ids,
        pupils=pupil_ids,
        enrolments=enrolment_ids,
    )
    # The period is still the installation's, so the years are erased for every organiser.
    organisers = Node.objects.filter(kind=NodeKind.ORGANISER).values_list("pk", flat=True)
    for year_id in sorted(year_ids):
        for organiser_id in organisers:
            ErasedYear.objects.get_or_create(organiser_id=organiser_id, academic_year_id=year_id)
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
    *, terms: set[int], points: set[int], years: set[int], pupils: set[int], enrolments: set[int]
) -> int:
    """Take out of the import journal every row of an erased period, of a removed pupil or of
    a removed enrolment (a later rollback must not bring them back); a chunk left empty is
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
    for chunk in ImportJournal.objects.filter(table__in=tables | set(own_ids)).iterator():
        tests = [
            (chunk.columns.index(column), gone)
            for column, gone in gone_by_column.items()
            if column in chunk.columns
        ]
        if chunk.table in own_ids and "id" in chunk.columns:
            tests.append((chunk.columns.index("id"), own_ids[chunk.table]))
        kept = [row for row in chunk.rows if not any(row[at] in gone for at, gone in tests)]
        if len(kept) == len(chunk.rows):
            continue
        forgotten += len(chunk.rows) - len(kept)
        chunk.rows = kept
        (changed if kept else emptied).append(chunk)
    ImportJournal.objects.bulk_update(changed, ["rows"], batch_size=CHUNK)
    ImportJournal.objects.filter(pk__in=[chunk.pk for chunk in emptied]).delete()
    return forgotten
