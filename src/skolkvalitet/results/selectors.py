"""Cross-table reads of the facts, each taking the user's Scope: pupils one by one, for roles
with pupil access only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from skolkvalitet.organisation.models import FollowUpPoint, Node
from skolkvalitet.organisation.scopes import Scope
from skolkvalitet.results.absence import ABSENCE_THRESHOLD
from skolkvalitet.results.models import Absence, Assessment, AssessmentScale


@dataclass
class PupilAtRisk:
    pupil_id: int
    name: str
    group: str
    year_group: int | None
    subjects: list[str]  # subjects assessed as not on track
    absence: float | None  # the term's absence in percent, where 15 % or more


def pupils_at_risk(
    scope: Scope, node: Node, point: FollowUpPoint, *, group: Node | None = None
) -> list[PupilAtRisk]:
    """Pupils of the unit (or of one of its groups) the user may see one by one who, at
    `point`, are assessed not to reach the requirements in one or more subjects, or whose
    absence in the point's term is 15 % or more."""
    enrolled = scope.enrolments(pupil_access_only=True).filter(
        unit=node, academic_year_id=point.term.academic_year_id
    )
    if group is not None:
        enrolled = enrolled.filter(group=group)
    enrolments = {e.pupil_id: e for e in enrolled.select_related("pupil", "group")}
    not_on_track = {
        scale.pk: {v["value"] for v in scale.values if not v["on_track"]}
        for scale in AssessmentScale.objects.all()
    }
    subjects: dict[int, list[str]] = defaultdict(list)
    for pupil_id, scale_id, value, code in Assessment.objects.filter(
        follow_up_point=point, unit=node, pupil_id__in=list(enrolments)
    ).values_list("pupil_id", "scale_id", "value", "subject__code"):
        if value in not_on_track.get(scale_id, set()):
            subjects[pupil_id].append(code)
    absence: dict[int, float] = {}
    for pupil_id, scheduled, absent in Absence.objects.filter(
        term_id=point.term_id, unit=node, pupil_id__in=list(enrolments)
    ).values_list("pupil_id", "scheduled_minutes", "absent_minutes"):
        if scheduled and absent / scheduled >= ABSENCE_THRESHOLD:
            absence[pupil_id] = 100 * absent / scheduled
    out = []
    for pupil_id in sorted(set(subjects) | set(absence)):
        enrolment = enrolments[pupil_id]
        pupil = enrolment.pupil
        out.append(
            PupilAtRisk(
                pupil_id=pupil_id,
                name=str(pupil),
                group=enrolment.group.name if enrolment.group else "",
                year_group=enrolment.year_group,
                subjects=sorted(subjects.get(pupil_id, [])),
                absence=absence.get(pupil_id),
            )
        )
    return sorted(out, key=lambda p: (p.group, p.name))
