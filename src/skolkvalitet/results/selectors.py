"""Cross-table reads of the facts, each taking the user's Scope: pupils one by one, for roles
with pupil access only.

- `support_list` (and `pupils_at_risk`, its pupils): the pupils of a unit (or group) who need
  support at a follow-up point, and whether absence is known there (absence_so_far), with
  `filter_pupils` and `sort_pupils` for the page's filters and order, and
  `points_with_assessments` for the points it can be read at.
- `pupil_history`: one pupil's assessments, grades and absence, point by point and term by
  term, limited to what the user's grants reach."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from skolkvalitet.organisation.models import FollowUpPoint, Node, Pupil, Term
from skolkvalitet.organisation.scopes import Scope
from skolkvalitet.results.absence import ABSENCE_THRESHOLD
from skolkvalitet.results.grades import PASSING_GRADES
from skolkvalitet.results.models import Absence, Assessment, AssessmentScale, Grade, Subject

# The two reasons a pupil is on the list (the page's "criterion" filter).
CRITERION_SUBJECTS = "subjects"  # assessed not to reach the requirements in a subject
CRITERION_ABSENCE = "absence"  # absence of 15 % or more
CRITERIA = (CRITERION_SUBJECTS, CRITERION_ABSENCE)

# The orders the list can be read in (the first is the default).
SORT_GROUP = "group"  # group, then name; pupils without a group last
SORT_NAME = "name"
SORT_SUBJECTS = "subjects"  # most subjects not on track first
SORT_ABSENCE = "absence"  # highest absence first
SORTS = (SORT_GROUP, SORT_NAME, SORT_SUBJECTS, SORT_ABSENCE)


@dataclass
class PupilAtRisk:
    pupil_id: int
    name: str
    group: str
    year_group: int | None
    subjects: list[str]  # codes of the subjects assessed as not on track, in the subject order
    absence: float | None  # the absence so far this term in percent, where 15 % or more
    group_id: int | None = None
    subject_names: list[str] = field(default_factory=list)  # the same subjects, named


@dataclass
class SupportList:
    """The pupils who need support at a point, and whether absence could be judged there."""

    pupils: list[PupilAtRisk]
    # Whether any absence period of the pupils at the unit ends within the point's term by
    # its date: when not, nobody is on the list for absence because none is known yet.
    absence_known: bool


def pupils_at_risk(
    scope: Scope, node: Node, point: FollowUpPoint, *, group: Node | None = None
) -> list[PupilAtRisk]:
    """support_list's pupils."""
    return support_list(scope, node, point, group=group).pupils


def support_list(
    scope: Scope, node: Node, point: FollowUpPoint, *, group: Node | None = None
) -> SupportList:
    """Pupils of the unit (or of one of its groups) the user may see one by one who, at
    `point`, are assessed not to reach the requirements in one or more subjects, or whose
    absence so far in the point's term (absence_so_far: the periods ended by the point's
    date) is 15 % or more. In group order, then by name."""
    enrolments = {e.pupil_id: e for e in _enrolled(scope, node, point, group=group)}
    not_on_track = _not_on_track_values()
    subjects: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for pupil_id, scale_id, value, code, name, order in Assessment.objects.filter(
        follow_up_point=point, unit=node, pupil_id__in=list(enrolments)
    ).values_list(
        "pupil_id", "scale_id", "value", "subject__code", "subject__name_sv", "subject__sort_order"
    ):
        if value in not_on_track.get(scale_id, set()):
            subjects[pupil_id].append((order, code, name))
    sums, known = _absence_sums(node, point, list(enrolments))
    absence = _high_absence(sums)
    out = []
    for pupil_id in set(subjects) | set(absence):
        enrolment = enrolments[pupil_id]
        assessed = sorted(subjects.get(pupil_id, []))
        out.append(
            PupilAtRisk(
                pupil_id=pupil_id,
                name=str(enrolment.pupil),
                group=enrolment.group.name if enrolment.group else "",
                group_id=enrolment.group_id,
                year_group=enrolment.year_group,
                subjects=[code for _order, code, _name in assessed],
                subject_names=[name for _order, _code, name in assessed],
                absence=absence.get(pupil_id),
            )
        )
    return SupportList(sort_pupils(out, SORT_GROUP), absence_known=known)


def pupils_enrolled(
    scope: Scope, node: Node, point: FollowUpPoint, *, group: Node | None = None
) -> int:
    """How many pupils of the unit (or group) the user may see one by one in the point's
    academic year: what the list's count is out of."""
    return _enrolled(scope, node, point, group=group).values("pupil_id").distinct().count()


def _enrolled(scope: Scope, node: Node, point: FollowUpPoint, *, group: Node | None):
    enrolled = scope.enrolments(pupil_access_only=True).filter(
        unit=node, academic_year_id=point.term.academic_year_id
    )
    if group is not None:
        enrolled = enrolled.filter(group=group)
    return enrolled.select_related("pupil", "group")


def _not_on_track_values() -> dict[int, set[str]]:
    return {
        scale.pk: {v["value"] for v in scale.values if not v["on_track"]}
        for scale in AssessmentScale.objects.all()
    }


def absence_so_far(
    node: Node, point: FollowUpPoint, pupil_ids: list[int]
) -> tuple[dict[int, float], bool]:
    """The pupils' absence at the unit so far in the point's term, in percent: the periods
    of the term that end on or before the point's date (whole periods only, as the indicators
    count it: docs/indicators.md), and whether any period of any of the pupils reaches the
    point at all (False: no absence is known at the point, so none can be judged)."""
    sums, known = _absence_sums(node, point, pupil_ids)
    return {p: 100 * absent / scheduled for p, (scheduled, absent) in sums.items()}, known


def _absence_sums(
    node: Node, point: FollowUpPoint, pupil_ids: list[int]
) -> tuple[dict[int, tuple[int, int]], bool]:
    """absence_so_far as (scheduled, absent) minutes per pupil with scheduled time."""
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for pupil_id, scheduled, absent in Absence.objects.filter(
        term_id=point.term_id,
        unit=node,
        pupil_id__in=pupil_ids,
        ends_on__lte=point.assessed_on,
    ).values_list("pupil_id", "scheduled_minutes", "absent_minutes"):
        sums[pupil_id][0] += scheduled
        sums[pupil_id][1] += absent
    return {p: (s, a) for p, (s, a) in sums.items() if s}, bool(sums)


def _high_absence(sums: dict[int, tuple[int, int]]) -> dict[int, float]:
    """Of the pupils' absence so far, in percent, those at 15 % or more (the share compared
    as the engine compares it, measures.absence_measures)."""
    return {
        p: 100 * absent / scheduled
        for p, (scheduled, absent) in sums.items()
        if absent / scheduled >= ABSENCE_THRESHOLD
    }


def filter_pupils(
    pupils: list[PupilAtRisk],
    *,
    subject: str = "",
    group_id: int | None = None,
    criterion: str = "",
) -> list[PupilAtRisk]:
    """The pupils assessed not on track in `subject` (a code), in the group `group_id`, and on
    the list for `criterion` ("subjects" or "absence"); an empty filter keeps everyone."""
    return [
        p
        for p in pupils
        if (not subject or subject in p.subjects)
        and (group_id is None or p.group_id == group_id)
        and (criterion != CRITERION_SUBJECTS or p.subjects)
        and (criterion != CRITERION_ABSENCE or p.absence is not None)
    ]


def sort_pupils(pupils: list[PupilAtRisk], order: str) -> list[PupilAtRisk]:
    """The pupils in one of SORTS; ties by name, then id. Unknown orders sort by group."""
    by_name = sorted(pupils, key=lambda p: (p.name.casefold(), p.pupil_id))
    if order == SORT_NAME:
        return by_name
    if order == SORT_SUBJECTS:
        return sorted(by_name, key=lambda p: -len(p.subjects))
    if order == SORT_ABSENCE:
        return sorted(by_name, key=lambda p: -p.absence if p.absence is not None else 1.0)
    return sorted(by_name, key=lambda p: (not p.group, p.group.casefold()))  # no group last


def points_with_assessments(unit: Node, *, group: Node | None = None) -> list[FollowUpPoint]:
    """The follow-up points with assessments at the unit, oldest first: the points the list
    can be read at. For a group, only the points of the group's academic year."""
    point_ids = (
        Assessment.objects.filter(unit=unit).values_list("follow_up_point_id", flat=True).distinct()
    )
    points = FollowUpPoint.objects.filter(pk__in=list(point_ids)).select_related(
        "term__academic_year"
    )
    if group is not None and group.academic_year_id is not None:
        points = points.filter(term__academic_year_id=group.academic_year_id)
    return list(points.order_by("assessed_on"))


# ---------------------------------------------------------------------------------------
# One pupil across points


@dataclass(frozen=True)
class HistoryEnrolment:
    academic_year: str
    unit_id: int
    unit: str
    group: str
    year_group: int | None
    group_id: int | None = None


@dataclass(frozen=True)
class HistoryCell:
    text: str  # the value as the scale or the grade scale names it; "" where none
    on_track: bool | None  # False: not on track (an F, "at risk"); None: nothing recorded


@dataclass(frozen=True)
class HistoryRow:
    subject: str  # the subject's name
    code: str
    cells: list[HistoryCell]  # one per column


@dataclass(frozen=True)
class HistoryPoint:
    """The pupil's assessments at one follow-up point."""

    point: FollowUpPoint
    unit: str
    year_group: int
    assessed: int  # how many subjects were assessed
    not_on_track: list[tuple[str, str]]  # (code, name) of those not on track, in subject order


@dataclass(frozen=True)
class HistoryAbsence:
    term: str
    unit: str
    absence: float  # percent of scheduled time
    unexcused: float
    high: bool  # 15 % or more
    # The last day counted, where the term's stored periods end before the term does (the
    # running term: absence so far); None for a whole term.
    until: dt.date | None = None


@dataclass
class PupilHistory:
    pupil_id: int
    name: str
    node: Node  # the unit of the latest enrolment shown: where a view is logged
    enrolments: list[HistoryEnrolment]
    points: list[HistoryPoint]  # the assessments, point by point, oldest first
    terms: list[tuple[str, bool]]  # the grade table's columns: (term, holds final grades)
    grades: list[HistoryRow]
    absence: list[HistoryAbsence]


def pupil_history(scope: Scope, pupil_id: int) -> PupilHistory | None:
    """The pupil's assessments at each follow-up point, grades per term and absence per term,
    for a user who may see the pupil one by one; None when the user may not.

    Only what was recorded at a unit in an academic year where one of the user's grants
    gives access to the pupil's enrolment is read (a teacher: the years the pupil was in
    their group; a unit head: the years at their unit), as the list of pupils who need
    support does. What the pupil did at another organiser's or another unit's school stays
    out."""
    enrolments = list(
        scope.enrolments(pupil_access_only=True)
        .filter(pupil_id=pupil_id)
        .select_related("pupil", "unit", "group", "academic_year")
        .order_by("academic_year__start_date", "unit__name")
    )
    if not enrolments:
        return None
    pupil: Pupil = enrolments[0].pupil
    reach = {(e.unit_id, e.academic_year_id) for e in enrolments}
    units = sorted({e.unit_id for e in enrolments})
    names = {e.unit_id: e.unit.name for e in enrolments}
    latest = enrolments[-1]

    not_on_track = _not_on_track_values()
    subjects = {s.pk: s for s in Subject.objects.all()}
    at_point: dict[tuple[int, int], list] = defaultdict(list)  # (point, unit) → assessments
    for a in Assessment.objects.filter(pupil_id=pupil_id, unit_id__in=units).select_related(
        "follow_up_point__term"
    ):
        if (a.unit_id, a.follow_up_point.term.academic_year_id) in reach:
            at_point[(a.follow_up_point_id, a.unit_id)].append(a)
    points = []
    for (_point_id, unit_id), rows_ in at_point.items():
        missed = sorted(
            (subjects[a.subject_id] for a in rows_ if a.value in not_on_track.get(a.scale_id, ())),
            key=lambda s: (s.sort_order, s.code),
        )
        points.append(
            HistoryPoint(
                point=rows_[0].follow_up_point,
                unit=names[unit_id],
                year_group=rows_[0].year_group,
                assessed=len(rows_),
                not_on_track=[(s.code, s.name_sv) for s in missed],
            )
        )
    points.sort(key=lambda h: (h.point.assessed_on, h.unit))

    terms: dict[int, Term] = {}
    finals: set[int] = set()
    graded: dict[tuple[int, int], list[str]] = defaultdict(list)
    for g in Grade.objects.filter(pupil_id=pupil_id, unit_id__in=units).select_related("term"):
        if (g.unit_id, g.term.academic_year_id) not in reach:
            continue
        terms[g.term_id] = g.term
        if g.grade_type == "final":
            finals.add(g.term_id)
        graded[(g.subject_id, g.term_id)].append(g.value)
    term_list = sorted(terms.values(), key=lambda t: t.start_date)

    # Absence per term: the sum of the term's periods at each unit.
    per_term: dict[tuple[int, int], list[int]] = {}
    term_of: dict[int, Term] = {}
    last_day: dict[tuple[int, int], dt.date] = {}
    for row in (
        Absence.objects.filter(pupil_id=pupil_id, unit_id__in=units)
        .select_related("term")
        .order_by("term__start_date", "starts_on")
    ):
        if (row.unit_id, row.term.academic_year_id) not in reach:
            continue
        term_of[row.term_id] = row.term
        sums = per_term.setdefault((row.term_id, row.unit_id), [0, 0, 0])
        sums[0] += row.scheduled_minutes
        sums[1] += row.absent_minutes
        sums[2] += row.unexcused_minutes
        key = (row.term_id, row.unit_id)
        last_day[key] = max(last_day.get(key, row.ends_on), row.ends_on)
    absence = []
    for (term_id, unit_id), (scheduled, absent, unexcused) in per_term.items():
        if not scheduled:
            continue
        share = absent / scheduled
        absence.append(
            HistoryAbsence(
                term=term_of[term_id].code,
                unit=names[unit_id],
                absence=100 * share,
                unexcused=100 * unexcused / scheduled,
                high=share >= ABSENCE_THRESHOLD,
                until=(
                    last_day[(term_id, unit_id)]
                    if last_day[(term_id, unit_id)] < term_of[term_id].end_date
                    else None
                ),
            )
        )

    shown = sorted((subjects[k] for k, _t in graded), key=lambda s: (s.sort_order, s.code))
    term_ids = [t.pk for t in term_list]
    grades = [
        HistoryRow(
            s.name_sv,
            s.code,
            [
                HistoryCell(
                    " / ".join(graded[(s.pk, t)]),
                    all(v in PASSING_GRADES for v in graded[(s.pk, t)]),
                )
                if (s.pk, t) in graded
                else HistoryCell("", None)
                for t in term_ids
            ],
        )
        for s in dict.fromkeys(shown)
    ]
    return PupilHistory(
        pupil_id=pupil.pk,
        name=str(pupil),
        node=latest.unit,
        enrolments=[
            HistoryEnrolment(
                academic_year=e.academic_year.code,
                unit_id=e.unit_id,
                unit=e.unit.name,
                group=e.group.name if e.group else "",
                year_group=e.year_group,
                group_id=e.group_id,
            )
            for e in enrolments
        ],
        points=points,
        terms=[(t.code, t.pk in finals) for t in term_list],
        grades=grades,
        absence=absence,
    )
