"""The demo's quality cycle in motion (demo/cycle.py): targets for the running year, last
year's reports approved with frozen figures, and dialogues in every state at the points that
have passed — none at points still to come."""

from __future__ import annotations

from collections import Counter

import pytest

from skolkvalitet.dashboards.models import Target
from skolkvalitet.demo import catalogue as cat
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.quality.models import FollowUpDialogue, QualityReport, ReportStatus

DEMO_SCALE = 0.08  # read by the `demo` fixture


@pytest.fixture
def built(demo, db):
    return demo.result


def test_the_running_year_has_targets_set_a_step_above_last_year(built) -> None:
    running = AcademicYear.objects.get(code="2026/27")
    organiser = Node.objects.get(kind=NodeKind.ORGANISER)
    targets = {t.indicator: t for t in Target.objects.filter(node=organiser)}
    assert set(targets) >= {"merit_value_17", "passed_all_subjects", "eligible_vocational"}
    assert all(t.academic_year == running for t in targets.values())
    assert built.counts["targets"] == len(targets)


def test_every_unit_has_last_years_report_approved_with_its_figures(built) -> None:
    reports = QualityReport.objects.filter(academic_year__code="2025/26", node__kind=NodeKind.UNIT)
    units = Node.objects.filter(kind=NodeKind.UNIT)
    assert reports.count() == units.count() == built.counts["quality_reports"]
    assert {r.status for r in reports} == {ReportStatus.APPROVED}
    grundskola = [r for r in reports if r.template.school_form == "grundskola"]
    assert grundskola
    for report in grundskola:
        assert report.frozen_data_version is not None
        assert report.figures.filter(section_key="kunskaper").exists()
        assert all(s.text for s in report.sections.all())


def test_the_organiser_has_written_and_approved_its_own_report(built) -> None:
    [report] = QualityReport.objects.filter(node__kind=NodeKind.ORGANISER)
    assert report.academic_year.code == "2025/26" and report.template.school_form == "huvudman"
    assert report.status == ReportStatus.APPROVED and built.counts["organiser_reports"] == 1
    assert report.sections.get(key="prioriteringar").text.startswith("- Läsning")


def test_the_units_share_practices(built) -> None:
    from skolkvalitet.quality.models import SharedPractice

    assert (
        SharedPractice.objects.filter(status="published").count()
        == built.counts["shared_practices"]
        > 0
    )


def test_the_dialogues_of_the_passed_points_are_in_every_state(built) -> None:
    dialogues = FollowUpDialogue.objects.filter(
        follow_up_point__term__academic_year__code="2026/27"
    )
    assert dialogues.count() == built.counts["dialogues"] > 0
    assert all(d.follow_up_point.assessed_on <= cat.TODAY for d in dialogues)
    states = Counter(d.status for d in dialogues)
    assert set(states) == {"draft", "submitted", "returned", "discussed"}
    returned = dialogues.filter(status="returned").first()
    assert returned is not None and returned.comments.filter(kind="return").exists()


def test_the_plans_hold_last_years_evaluation_and_this_years_overdue_action(built) -> None:
    from skolkvalitet.quality.models.plans import GoalEvaluation, PlanAction, ReportDeadline

    assert built.counts["plans"] > 0
    evaluations = GoalEvaluation.objects.filter(goal__area__academic_year__code="2025/26")
    assert evaluations.count() == built.counts["plans"]
    running = PlanAction.objects.filter(goal__area__academic_year__code="2026/27")
    overdue = [a for a in running if a.is_overdue_on(cat.TODAY)]
    assert len(overdue) == built.counts["plans"]  # one per unit with a plan
    assert set(ReportDeadline.objects.values_list("academic_year__code", flat=True)) == {
        "2025/26",
        "2026/27",
    }


def test_the_kvalitetsredovisning_of_the_demo_as_pdf_and_word(built, tmp_path) -> None:
    """Issue 13's check: from the demo, `report annual` writes a PDF and a Word file whose text
    holds the title, the organiser, every unit and the organiser's figures as stored."""
    import io

    from django.core.management import call_command
    from docx import Document as WordDocument
    from pypdf import PdfReader

    from skolkvalitet.indicators.models import IndicatorValue
    from skolkvalitet.publishing.formatting import format_value

    year = AcademicYear.objects.get(code="2025/26")
    organiser = Node.objects.get(kind=NodeKind.ORGANISER)
    pdf, docx = tmp_path / "k.pdf", tmp_path / "k.docx"
    call_command("report", "annual", year="2025/26", format="pdf", out=str(pdf))
    call_command("report", "annual", year="2025/26", format="docx", out=str(docx))
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    word = WordDocument(str(docx))
    word_text = "\n".join(
        [p.text for p in word.paragraphs]
        + [c.text for t in word.tables for row in t.rows for c in row.cells]
    )
    for text in (pdf_text, word_text):
        assert "Kvalitetsredovisning 2025/26" in text and organiser.name in text
        for unit in Node.objects.filter(kind=NodeKind.UNIT):
            assert unit.name in text, unit.name
        for key in ("merit_value_17", "passed_all_subjects"):
            stored = IndicatorValue.objects.get(
                node=organiser, indicator=key, period_kind="year", period_id=year.pk, breakdown=""
            )
            unit = "percent" if key == "passed_all_subjects" else "points"
            # A PDF's text layer may carry the no-break space between figure and unit as a
            # plain space (the font maps both to one glyph), so compare with spaces made equal.
            shown = format_value(stored.value, unit).replace("\xa0", " ")
            assert shown in text.replace("\xa0", " "), key
