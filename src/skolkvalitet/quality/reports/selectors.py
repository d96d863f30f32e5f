"""Who may write, review and read which quality report, and the reports a user may see.

A unit's report is written by its unit head (WRITE_DIALOGUE) and reviewed by the förvaltning
(REVIEW_DIALOGUE). The organiser's own report (the "huvudman" template: its analysis and
priorities for the kvalitetsredovisning) is written by the förvaltning (REVIEW_DIALOGUE on the
organiser) and approved or returned by its management (APPROVE_ORGANISER_REPORT). Writers and
reviewers read a report in every state; those who only follow up (SEE_FOLLOW_UP: the board,
coaches) read it once it is handed in (submitted or approved); nobody else reads it
(organisation/roles.py)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope, path_prefix_q
from skolkvalitet.quality.common_model import ORGANISER_FORM, template_forms
from skolkvalitet.quality.models import QualityReport
from skolkvalitet.quality.models.reports import REPORT_HANDED_IN


def is_organiser(node: Node) -> bool:
    return node.kind == NodeKind.ORGANISER


def report_forms(node: Node) -> list[str]:
    """The templates a node writes its reports on, its default first: the organiser's own
    template for an organiser, a unit's school forms' for a unit (none for an area)."""
    if is_organiser(node):
        return [ORGANISER_FORM]
    if node.kind != NodeKind.UNIT:
        return []
    return template_forms(node.school_forms or ())


def writes_with(node: Node) -> Capability:
    """The capability that writes, saves and submits the node's report."""
    return Capability.REVIEW_DIALOGUE if is_organiser(node) else Capability.WRITE_DIALOGUE


def reviews_with(node: Node) -> Capability:
    """The capability that returns or approves the node's report."""
    return Capability.APPROVE_ORGANISER_REPORT if is_organiser(node) else Capability.REVIEW_DIALOGUE


def may_write_report(scope: Scope, node: Node) -> bool:
    return scope.can(writes_with(node), node)


def may_review_report(scope: Scope, node: Node) -> bool:
    return scope.can(reviews_with(node), node)


def report_readable(scope: Scope, report: QualityReport) -> bool:
    node = report.node
    if (
        scope.can(Capability.WRITE_DIALOGUE, node)
        or scope.can(Capability.REVIEW_DIALOGUE, node)
        or may_review_report(scope, node)
    ):
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
