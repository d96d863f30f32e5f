"""Writing quality reports and the common model's templates. Every function is one atomic,
named change, audit-logged:

- `report_template_current` / `report_template_save`: the template of a school form in use
  (version 1 is the shipped common model) and an edited new version;
- `report_start`: a unit's report for a year, a draft on the current template;
- `report_section_save`: a section's text, refused when another save came first
  (`SectionConflict`, with both texts), every version kept;
- `report_submit` (freezes the figures), `report_return` (with a comment), `report_approve`,
  `report_comment`.

Who may do what is the capability table's (organisation/roles.py): the unit head writes and
submits (WRITE_DIALOGUE), the organiser reviews (REVIEW_DIALOGUE); the organiser's own report is
written by the förvaltning (REVIEW_DIALOGUE) and approved by its management
(APPROVE_ORGANISER_REPORT): reports/selectors.py's `writes_with` and `reviews_with`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.models import AcademicYear, Node
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope
from skolkvalitet.quality.common_model import (
    ModelError,
    Template,
    default_model,
    template_checked,
)
from skolkvalitet.quality.documents.surveys_staff import (
    chapter_figures_live,
    chapter_rows,
    report_setting,
)
from skolkvalitet.quality.models import (
    QualityReport,
    ReportComment,
    ReportFigure,
    ReportSection,
    ReportSectionRevision,
    ReportStatus,
    ReportTemplate,
)
from skolkvalitet.quality.notify import report_event
from skolkvalitet.quality.reports.figures import figures_with_charts_live
from skolkvalitet.quality.reports.selectors import report_forms, reviews_with, writes_with

MAX_SECTION_TEXT = 20_000
MAX_COMMENT = 4_000


@dataclass
class SectionConflict(Exception):
    """Another save of the section came first: the text stored now and the one refused."""

    section: ReportSection
    stored_text: str
    refused_text: str


@transaction.atomic
def report_template_current(*, school_form: str) -> ReportTemplate:
    """The latest version of the school form's template; version 1, the common model that
    ships, is stored on first use (by whichever of two simultaneous first uses comes first)."""
    latest = ReportTemplate.objects.filter(school_form=school_form).order_by("-version").first()
    if latest is not None:
        return latest
    shipped = default_model()[school_form]
    try:
        with transaction.atomic():
            return ReportTemplate.objects.create(
                school_form=school_form,
                version=1,
                name=shipped.name,
                sections=[s.as_data() for s in shipped.sections],
            )
    except IntegrityError:
        return ReportTemplate.objects.get(school_form=school_form, version=1)


@transaction.atomic
def report_template_save(
    *, school_form: str, name: str, sections: list[dict[str, Any]], scope: Scope, by
) -> ReportTemplate:
    """A new version of the school form's template (ValidationError naming every problem of
    the model); reports written on earlier versions keep theirs. Only the organiser's
    administration edits the common model (EDIT_COMMON_MODEL)."""
    if not scope.can_somewhere(Capability.EDIT_COMMON_MODEL):
        raise PermissionDenied
    try:
        template = template_checked(school_form, name, sections)
    except ModelError as error:
        raise ValidationError(error.problems) from None
    version = _next_version(school_form)
    try:
        with transaction.atomic():
            saved = ReportTemplate.objects.create(
                school_form=school_form,
                version=version,
                name=template.name,
                sections=[s.as_data() for s in template.sections],
                created_by=by,
            )
    except IntegrityError:
        # Another administrator saved a version in between: nothing is overwritten.
        raise ValidationError(
            _(
                "Someone else saved a new version of the model while you edited it. Open the "
                "model again to see it, and make your changes on that version."
            )
        ) from None
    audit_record(
        user=by,
        action="report_template_save",
        detail={"school_form": school_form, "version": version},
    )
    return saved


def _next_version(school_form: str) -> int:
    current = report_template_current(school_form=school_form)
    stored = ReportTemplate.objects.filter(school_form=school_form).aggregate(v=Max("version"))
    return (stored["v"] or current.version) + 1


def _require(scope: Scope, capability: Capability, node: Node) -> None:
    if not scope.can(capability, node):
        raise PermissionDenied


def _report_of(node: Node, year: AcademicYear, school_form: str) -> QualityReport | None:
    return QualityReport.objects.filter(
        node=node, academic_year=year, template__school_form=school_form
    ).first()


@transaction.atomic
def report_start(
    *, node: Node, year: AcademicYear, school_form: str, scope: Scope, by
) -> QualityReport:
    """The node's report for the year and school form: the stored one, or a new draft on the
    current template with an empty text for each of its sections. A unit writes only on the
    templates of its own school forms; of two simultaneous starts, the second gets the
    first's draft."""
    existing = _report_of(node, year, school_form)
    if existing is not None:
        return existing
    _require(scope, writes_with(node), node)
    if school_form not in report_forms(node):
        raise ValidationError(_("The unit has no school form this report template is for."))
    template = report_template_current(school_form=school_form)
    try:
        with transaction.atomic():
            report = QualityReport.objects.create(
                node=node, academic_year=year, template=template, created_by=by
            )
    except IntegrityError:
        started = _report_of(node, year, school_form)
        if started is None:
            raise
        return started
    ReportSection.objects.bulk_create(
        ReportSection(report=report, key=section["key"]) for section in template.sections
    )
    audit_record(user=by, action="report_start", node=report.node, detail={"report": report.pk})
    return report


@transaction.atomic
def report_section_save(
    *, report: QualityReport, key: str, text: str, version: int, scope: Scope, by
) -> ReportSection:
    """Save the section's text as written on `version`; SectionConflict when the stored text
    is of a later version (nothing is written), ValidationError when the report is with the
    organiser or the text is too long."""
    _require(scope, writes_with(report.node), report.node)
    report = QualityReport.objects.select_for_update().get(pk=report.pk)
    if not report.is_editable:
        raise ValidationError(_("The report is handed in; it can be changed when returned."))
    text = text.replace("\r\n", "\n").strip()
    if len(text) > MAX_SECTION_TEXT:
        raise ValidationError(
            _("At most %(count)d characters per section.") % {"count": MAX_SECTION_TEXT}
        )
    section = ReportSection.objects.select_for_update().get(report=report, key=key)
    if section.version != version:
        raise SectionConflict(section=section, stored_text=section.text, refused_text=text)
    if text == section.text:
        return section
    now = timezone.now()
    section.text = text
    section.version += 1
    section.updated_at = now
    section.updated_by = by
    section.save(update_fields=["text", "version", "updated_at", "updated_by"])
    ReportSectionRevision.objects.create(
        section=section, version=section.version, text=text, saved_at=now, saved_by=by
    )
    audit_record(
        user=by,
        action="report_section_save",
        node=report.node,
        detail={"report": report.pk, "section": key, "version": section.version},
    )
    return section


@transaction.atomic
def report_observation_take(
    *,
    report: QualityReport,
    key: str,
    observation: str,
    sentence: str,
    version: int,
    scope: Scope,
    by,
) -> ReportSection:
    """Take a drafted observation (its key and sentence, drafted by the server) into the
    section's text as a paragraph of its own, saved as any save is (optimistic locking, a
    revision kept); from then on the text is the writer's. It is not offered again."""
    section = ReportSection.objects.get(report=report, key=key)
    text = f"{section.text}\n\n{sentence}".strip() if section.text else sentence
    section = report_section_save(
        report=report, key=key, text=text, version=version, scope=scope, by=by
    )
    return _observation_handled(section, observation, by, taken=True)


@transaction.atomic
def report_observation_discard(
    *, report: QualityReport, key: str, observation: str, scope: Scope, by
) -> ReportSection:
    """Discard a drafted observation: it is not offered again; the text is unchanged."""
    _require(scope, writes_with(report.node), report.node)
    report = QualityReport.objects.select_for_update().get(pk=report.pk)
    if not report.is_editable:
        raise ValidationError(_("The report is handed in; it can be changed when returned."))
    section = ReportSection.objects.select_for_update().get(report=report, key=key)
    return _observation_handled(section, observation, by, taken=False)


def _observation_handled(section: ReportSection, observation: str, by, *, taken: bool):
    if observation not in section.observations_handled:
        section.observations_handled = [*section.observations_handled, observation][-500:]
        section.save(update_fields=["observations_handled"])
    audit_record(
        user=by,
        action="report_observation_take" if taken else "report_observation_discard",
        node=section.report.node,
        detail={"report": section.report_id, "section": section.key},
    )
    return section


@transaction.atomic
def report_submit(*, report: QualityReport, scope: Scope, by) -> QualityReport:
    """Hand the report in: its figures are frozen (value, n, marker and data version as
    computed now), so a later import does not change what was submitted; so are the figures
    of its document's survey and staff chapters (the node's stored figures over five years,
    in the organiser's report also its units', the nation's and those invited:
    quality/documents/surveys_staff.py)."""
    _require(scope, writes_with(report.node), report.node)
    report = QualityReport.objects.select_for_update().get(pk=report.pk)
    if not report.is_editable:
        raise ValidationError(_("The report is already handed in."))
    template = template_checked(
        report.template.school_form, report.template.name, report.template.sections
    )
    figures = figures_with_charts_live(
        node=report.node, year=report.academic_year, template=template
    )
    report.figures.all().delete()
    ReportFigure.objects.bulk_create(
        ReportFigure(
            report=report,
            section_key=f.section_key,
            indicator=f.indicator,
            period_kind=f.period_kind,
            period_id=f.period_id,
            period_label=f.period_label,
            value=f.value,
            n=f.n,
            suppression=f.suppression,
            data_version=f.data_version,
            kind=f.kind,
        )
        for f in figures
    )
    _chapters_freeze(report, template)
    report.frozen_data_version = max((f.data_version or 0 for f in figures), default=None)
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = by
    report.save(update_fields=["status", "submitted_at", "submitted_by", "frozen_data_version"])
    audit_record(user=by, action="report_submit", node=report.node, detail={"report": report.pk})
    report_event(report, "submitted", by=by)
    return report


def _chapters_freeze(report: QualityReport, template: Template) -> None:
    """Store the figures of the report's document's survey and staff chapters as they are."""
    setting = report_setting(report, template)
    codes = {y.pk: y.code for y in setting.years}
    ReportFigure.objects.bulk_create(
        ReportFigure(
            report=report,
            section_key="",
            indicator=row.indicator,
            period_kind="year",
            period_id=row.year_id,
            period_label=codes[row.year_id],
            value=row.value,
            n=row.n,
            suppression=row.suppression,
            data_version=row.data_version,
            kind=row.kind,
            node_ref=row.node_id,
        )
        for row in chapter_rows(setting, chapter_figures_live(setting))
    )


def _reviewable(report: QualityReport, scope: Scope) -> QualityReport:
    _require(scope, reviews_with(report.node), report.node)
    report = QualityReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be returned or approved."))
    return report


@transaction.atomic
def report_return(*, report: QualityReport, comment: str, scope: Scope, by) -> QualityReport:
    """Return the report to the unit with a comment (required); its figures are live again
    until it is submitted anew."""
    report = _reviewable(report, scope)
    comment = _comment_text(comment, missing=_("Say why the report is returned."))
    ReportComment.objects.create(report=report, author=by, text=comment, kind="return")
    report.status = ReportStatus.RETURNED
    report.returned_at = timezone.now()
    report.returned_by = by
    report.save(update_fields=["status", "returned_at", "returned_by"])
    audit_record(user=by, action="report_return", node=report.node, detail={"report": report.pk})
    report_event(report, "returned", by=by)
    return report


@transaction.atomic
def report_approve(*, report: QualityReport, scope: Scope, by) -> QualityReport:
    """Approve a submitted report; its frozen figures stay as they are."""
    report = _reviewable(report, scope)
    report.status = ReportStatus.APPROVED
    report.approved_at = timezone.now()
    report.approved_by = by
    report.save(update_fields=["status", "approved_at", "approved_by"])
    audit_record(user=by, action="report_approve", node=report.node, detail={"report": report.pk})
    report_event(report, "approved", by=by)
    return report


@transaction.atomic
def report_comment(*, report: QualityReport, text: str, scope: Scope, by) -> ReportComment:
    """A comment in the report's thread, by its writers or its reviewers."""
    if not (
        scope.can(writes_with(report.node), report.node)
        or scope.can(reviews_with(report.node), report.node)
    ):
        raise PermissionDenied
    text = _comment_text(text, missing=_("Write a comment."))
    comment = ReportComment.objects.create(report=report, author=by, text=text)
    audit_record(
        user=by,
        action="report_comment",
        node=report.node,
        detail={"report": report.pk, "comment": comment.pk},
    )
    return comment


def _comment_text(text: str, *, missing: str) -> str:
    """A comment without surrounding space and with Unix line ends; ValidationError when it
    is empty or longer than MAX_COMMENT (never cut short)."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError(missing)
    if len(text) > MAX_COMMENT:
        raise ValidationError(_("At most %(count)d characters.") % {"count": MAX_COMMENT})
    return text
