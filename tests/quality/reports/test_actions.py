"""A unit's quality report: started from the current template, written section by section
with optimistic locking, submitted (its figures frozen), returned, resubmitted and approved;
an import after approval does not change what was approved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.models import ReportSectionRevision, ReportStatus, ReportTemplate
from skolkvalitet.quality.reports.actions import (
    SectionConflict,
    report_approve,
    report_return,
    report_section_save,
    report_start,
    report_submit,
    report_template_current,
    report_template_save,
)
from skolkvalitet.quality.reports.export import report_data

pytestmark = pytest.mark.django_db

SUBJECTS = ("SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI")
HEADER = "personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"


def grades_file(unit_code: str, grades: list[str]) -> bytes:
    """One pupil per entry of `grades`, every subject given that grade (final, VT 2024/25,
    year 9)."""
    rows = []
    for serial, grade in enumerate(grades, start=1):
        pupil = make_personal_number(dt.date(2009, 3, serial), 100 + serial)
        rows += [
            f"{pupil};{unit_code};2024/25;VT;9;{subject};{grade};slutbetyg\n"
            for subject in SUBJECTS
        ]
    return (HEADER + "".join(rows)).encode()


@pytest.fixture
def graded(org):
    # 12 pupils at Norrskolan, 8 subjects E each: merit value 80, all passed.
    facts_import_bytes("grades", grades_file(org.unit_n1.code, ["E"] * 12), "betyg.csv")
    return org


@pytest.fixture
def report(graded, users):
    return report_start(
        node=graded.unit_n1,
        year=graded.year,
        school_form="grundskola",
        scope=scope_for(users.unit_head),
        by=users.unit_head,
    )


def figure(data: dict, section: str, indicator: str) -> dict:
    [found] = [
        f
        for s in data["sections"]
        if s["key"] == section
        for f in s["figures"]
        if f["indicator"] == indicator
    ]
    return found


def test_a_report_starts_as_a_draft_on_the_shipped_template(report) -> None:
    assert report.status == ReportStatus.DRAFT
    assert (report.template.school_form, report.template.version) == ("grundskola", 1)
    assert [s.key for s in report.sections.order_by("pk")][:2] == ["kunskaper", "normer"]


def test_the_knowledge_section_shows_the_units_figures_live(report, graded) -> None:
    data = report_data(node=graded.unit_n1, year=graded.year, school_form="grundskola")
    merit = figure(data, "kunskaper", "merit_value_17")
    assert (merit["value"], merit["n"], merit["period"]) == (80.0, 12, "2024/25")
    assert figure(data, "kunskaper", "passed_all_subjects")["value"] == 100.0
    assert data["status"] == "draft" and not data["figures_frozen"]


def test_a_stale_save_is_refused_with_both_texts_and_nothing_is_lost(report, users) -> None:
    scope = scope_for(users.unit_head)
    first = report_section_save(
        report=report,
        key="analys",
        text="Första texten.",
        version=0,
        scope=scope,
        by=users.unit_head,
    )
    assert first.version == 1
    with pytest.raises(SectionConflict) as conflict:
        # A second writer who opened the section before the first save.
        report_section_save(
            report=report,
            key="analys",
            text="Andra texten.",
            version=0,
            scope=scope,
            by=users.unit_head,
        )
    assert conflict.value.stored_text == "Första texten."
    assert conflict.value.refused_text == "Andra texten."
    second = report_section_save(
        report=report,
        key="analys",
        text="Andra texten.",
        version=1,
        scope=scope,
        by=users.unit_head,
    )
    assert second.version == 2
    revisions = ReportSectionRevision.objects.filter(section=second).values_list("version", "text")
    assert list(revisions) == [(1, "Första texten."), (2, "Andra texten.")]


def test_the_whole_workflow_freezes_the_figures_an_import_then_changes(report, graded, users):
    head, admin = scope_for(users.unit_head), scope_for(users.organiser_admin)
    report_section_save(
        report=report, key="analys", text="Analys.", version=0, scope=head, by=users.unit_head
    )
    report = report_submit(report=report, scope=head, by=users.unit_head)
    with pytest.raises(ValidationError):
        report_section_save(
            report=report, key="analys", text="Ändrad.", version=1, scope=head, by=users.unit_head
        )
    report = report_return(
        report=report, comment="Utveckla analysen.", scope=admin, by=users.organiser_admin
    )
    assert report.status == ReportStatus.RETURNED
    report_section_save(
        report=report,
        key="analys",
        text="Bättre analys.",
        version=1,
        scope=head,
        by=users.unit_head,
    )
    report = report_submit(report=report, scope=head, by=users.unit_head)
    report = report_approve(report=report, scope=admin, by=users.organiser_admin)
    assert report.status == ReportStatus.APPROVED

    # A later import: every pupil's grades become C (merit value 120).
    facts_import_bytes("grades", grades_file(graded.unit_n1.code, ["C"] * 12), "rättade.csv")

    data = report_data(node=graded.unit_n1, year=graded.year, school_form="grundskola")
    assert figure(data, "kunskaper", "merit_value_17")["value"] == 80.0  # as approved
    assert data["figures_frozen"] and data["newer_data"]
    assert data["sections"][-2]["text"] == "Bättre analys."


def test_only_the_roles_of_the_table_write_and_review(report, users) -> None:
    with pytest.raises(PermissionDenied):
        report_submit(report=report, scope=scope_for(users.board), by=users.board)
    submitted = report_submit(report=report, scope=scope_for(users.unit_head), by=users.unit_head)
    with pytest.raises(PermissionDenied):
        report_approve(report=submitted, scope=scope_for(users.unit_head), by=users.unit_head)
    with pytest.raises(ValidationError):
        report_return(
            report=submitted,
            comment="  ",
            scope=scope_for(users.organiser_admin),
            by=users.organiser_admin,
        )


def test_an_edited_template_is_a_new_version_and_old_reports_keep_theirs(report, users) -> None:
    current = report_template_current(school_form="grundskola")
    sections = list(current.sections)
    admin = scope_for(users.organiser_admin)
    edited = report_template_save(
        school_form="grundskola",
        name="Vår modell",
        sections=sections[:3],
        scope=admin,
        by=users.organiser_admin,
    )
    assert edited.version == 2
    report.refresh_from_db()
    assert report.template.version == 1
    assert ReportTemplate.objects.filter(school_form="grundskola").count() == 2
    with pytest.raises(ValidationError):
        report_template_save(
            school_form="grundskola",
            name="Trasig",
            sections=[{"key": "x", "title": "X", "indicators": ["no_such"]}],
            scope=admin,
            by=users.organiser_admin,
        )
    with pytest.raises(PermissionDenied):  # a unit head does not edit the common model
        report_template_save(
            school_form="grundskola",
            name="Min modell",
            sections=sections[:3],
            scope=scope_for(users.unit_head),
            by=users.unit_head,
        )


def test_an_import_that_leaves_the_units_figures_alone_is_not_newer_data(report, graded, users):
    from skolkvalitet.reference.imports import nation_import

    report_submit(report=report, scope=scope_for(users.unit_head), by=users.unit_head)
    nation_import()  # a later batch, of reference data: the unit's figures are as frozen
    data = report_data(node=graded.unit_n1, year=graded.year, school_form="grundskola")
    assert data["figures_frozen"] and not data["newer_data"]


def test_a_unit_writes_only_on_the_templates_of_its_school_forms(graded, users) -> None:
    with pytest.raises(ValidationError):
        report_start(
            node=graded.unit_n1,
            year=graded.year,
            school_form="forskola",
            scope=scope_for(users.unit_head),
            by=users.unit_head,
        )


def test_of_two_simultaneous_starts_the_second_gets_the_first_draft(
    report, graded, users, monkeypatch
) -> None:
    # The second start looked before the first had stored its draft: its insert collides.
    from skolkvalitet.quality.reports import actions

    real = actions._report_of
    calls = iter([None])
    monkeypatch.setattr(actions, "_report_of", lambda *a: next(calls, None) or real(*a))
    again = report_start(
        node=graded.unit_n1,
        year=graded.year,
        school_form="grundskola",
        scope=scope_for(users.unit_head),
        by=users.unit_head,
    )
    assert again.pk == report.pk


def test_a_model_version_saved_in_between_refuses_the_later_save(users, monkeypatch) -> None:
    from skolkvalitet.quality.reports import actions

    scope = scope_for(users.organiser_admin)
    current = report_template_current(school_form="grundskola")
    # The other administrator's version 2 is stored after this save counted the versions.
    ReportTemplate.objects.create(
        school_form="grundskola", version=2, name=current.name, sections=current.sections
    )
    monkeypatch.setattr(actions, "_next_version", lambda school_form: 2)
    with pytest.raises(ValidationError, match=r"Någon annan sparade|Someone else saved"):
        report_template_save(
            school_form="grundskola",
            name=current.name,
            sections=current.sections,
            scope=scope,
            by=users.organiser_admin,
        )
    assert ReportTemplate.objects.filter(school_form="grundskola").count() == 2


def test_saving_a_section_and_commenting_are_audit_logged_without_their_text(report, users):
    from skolkvalitet.organisation.models import AuditEvent
    from skolkvalitet.quality.reports.actions import report_comment

    head = scope_for(users.unit_head)
    report_section_save(
        report=report,
        key="analys",
        text="Stödet sätts in sent.",
        version=0,
        scope=head,
        by=users.unit_head,
    )
    # The same text again writes nothing, so it logs nothing either.
    report_section_save(
        report=report,
        key="analys",
        text="Stödet sätts in sent.",
        version=1,
        scope=head,
        by=users.unit_head,
    )
    comment = report_comment(
        report=report,
        text="Vad säger elevhälsan?",
        scope=scope_for(users.organiser_admin),
        by=users.organiser_admin,
    )
    saved = AuditEvent.objects.get(action="report_section_save")
    assert (saved.user, saved.node) == (users.unit_head, report.node)
    assert saved.detail == {"report": report.pk, "section": "analys", "version": 1}
    commented = AuditEvent.objects.get(action="report_comment")
    assert (commented.user, commented.node) == (users.organiser_admin, report.node)
    assert commented.detail == {"report": report.pk, "comment": comment.pk}


def test_a_comment_over_the_limit_is_refused_never_cut_short(report, users) -> None:
    from skolkvalitet.quality.reports.actions import MAX_COMMENT, report_comment

    admin = scope_for(users.organiser_admin)
    assert MAX_COMMENT == 4000
    with pytest.raises(ValidationError) as error:
        report_comment(report=report, text="x" * 4001, scope=admin, by=users.organiser_admin)
    assert "4000" in error.value.messages[0]
    assert not report.comments.exists()
    # Line ends count as one character, as the browser counts them: 3 999 + a line break.
    text = "x" * 2000 + "\r\n" + "y" * 1999
    stored = report_comment(report=report, text=text, scope=admin, by=users.organiser_admin)
    assert len(stored.text) == 4000 and "\r" not in stored.text

    submitted = report_submit(report=report, scope=scope_for(users.unit_head), by=users.unit_head)
    with pytest.raises(ValidationError):
        report_return(report=submitted, comment="z" * 4001, scope=admin, by=users.organiser_admin)
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED
    assert report.comments.count() == 1
