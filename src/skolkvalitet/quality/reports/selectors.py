"""Who may read which quality report, and the reports a user may see. A report's writers
(WRITE_DIALOGUE on its node) and reviewers (REVIEW_DIALOGUE) read it in every state; those who
only follow up (SEE_FOLLOW_UP: the board, coaches) read it once it is handed in (submitted or
approved); nobody else reads it (organisation/roles.py)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from skolkvalitet.organisation.models import AcademicYear, Node
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope, path_prefix_q
from skolkvalitet.quality.models import QualityReport
from skolkvalitet.quality.models.reports import REPORT_HANDED_IN


def report_readable(scope: Scope, report: QualityReport) -> bool:
    node = report.node
    if scope.can(Capability.WRITE_DIALOGUE, node) or scope.can(Capability.REVIEW_DIALOGUE, node):
        return True
    return report.is_handed_in and scope.can(Capability.SEE_FOLLOW_UP, node)


def reports_visible(
    *, scope: Scope, year: AcademicYear | None = None, node: Node | None = None
) -> QuerySet[QualityReport]:
    """The reports `scope` may read, of `year` and `node` when given, in a stable order."""
    every_state = path_prefix_q(
        "node__path",
        scope.paths_with(Capability.WRITE_DIALOGUE) + scope.paths_with(Capability.REVIEW_DIALOGUE),
    )
    handed_in = path_prefix_q("node__path", scope.paths_with(Capability.SEE_FOLLOW_UP))
    reports = QualityReport.objects.filter(
        every_state | (handed_in & Q(status__in=list(REPORT_HANDED_IN)))
    )
    if year is not None:
        reports = reports.filter(academic_year=year)
    if node is not None:
        reports = reports.filter(node=node)
    return reports.select_related("node", "academic_year", "template").order_by(
        "academic_year__start_date", "node__path", "template__school_form", "pk"
    )
