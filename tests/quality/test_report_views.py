"""The quality report pages: who sees which report and may do what (the capability table),
a stale save shown with both texts, the common model editor making a new version, and the
board never reading a draft."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.models import (
    QualityReport,
    ReportComment,
    ReportSection,
    ReportStatus,
    ReportTemplate,
)
from skolkvalitet.quality.reports.actions import (
    report_return,
    report_section_save,
    report_start,
    report_submit,
)

pytestmark = pytest.mark.django_db

SUBJECTS = ("SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI")


def grades(unit_code: str, grade: str, count: int) -> bytes:
    rows = ["personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"]
    for serial in range(1, count + 1):
        pupil = make_personal_number(dt.date(2009, 3, serial), 100 + serial)
        rows += [f"{pupil};{unit_code};2024/25;VT;9;{s};{grade};slutbetyg\n" for s in SUBJECTS]
    return "".join(rows).encode()


def page_url(org, unit=None) -> str:
    return reverse(
        "quality_report",
        kwargs={
            "start_year": org.year.start_year,
            "unit_id": (unit or org.unit_n1).pk,
            "school_form": "grundskola",
        },
    )


def list_url(org) -> str:
    return reverse("quality_reports", kwargs={"start_year": org.year.start_year})


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def start(org, users) -> QualityReport:
    return report_start(
        node=org.unit_n1,
        year=org.year,
        school_form="grundskola",
        scope=scope_for(users.unit_head),
        by=users.unit_head,
    )


def submitted(org, users) -> QualityReport:
    report = start(org, users)
    report_section_save(
        report=report,
        key="kunskaper",
        text="Resultaten i matematik ökade.",
        version=0,
        scope=scope_for(users.unit_head),
        by=users.unit_head,
    )
    return report_submit(report=report, scope=scope_for(users.unit_head), by=users.unit_head)


# -- the list of a year ----------------------------------------------------------------------


def test_the_unit_head_sees_their_unit_not_started_and_may_start(org, users, client_for):
    response = client_for("unit_head").get(list_url(org))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Norrskolan" in html
    assert "Söderskolan" not in html
    assert "status-not_started" in html


def test_the_reviewer_sees_every_unit_of_the_subtree(org, users, client_for):
    start(org, users)
    html = client_for("organiser_admin").get(list_url(org)).content.decode()
    for name in ("Norrskolan", "Björkskolan", "Söderskolan", "Ekskolan"):
        assert name in html
    assert "status-draft" in html
    assert reverse("quality_common_model") in html


def test_the_board_sees_only_handed_in_reports(org, users, client_for):
    start(org, users)
    board = client_for("board")
    assert "Norrskolan" not in board.get(list_url(org)).content.decode()
    assert board.get(page_url(org)).status_code == 404
    submitted_report = QualityReport.objects.get()
    report_submit_by_head(submitted_report, users)
    html = board.get(list_url(org)).content.decode()
    assert "Norrskolan" in html and "status-submitted" in html
    assert "Björkskolan" not in html
    assert reverse("quality_common_model") not in html


def report_submit_by_head(report, users):
    report_submit(report=report, scope=scope_for(users.unit_head), by=users.unit_head)


def test_a_teacher_has_no_report_pages(org, users, client_for):
    teacher = client_for("teacher")
    assert teacher.get(list_url(org)).status_code == 403
    assert teacher.get(reverse("quality_reports_current")).status_code == 403


def test_the_current_year_redirects_to_its_list(org, users, client_for):
    response = client_for("unit_head").get(reverse("quality_reports_current"))
    assert response.status_code == 302
    assert response["Location"] == list_url(org)


# -- one report ------------------------------------------------------------------------------


def test_the_unit_head_starts_writes_and_submits(org, users, client_for):
    head = client_for("unit_head")
    page = head.get(page_url(org))
    assert page.status_code == 200
    assert 'value="start"' in page.content.decode()
    assert head.post(page_url(org), {"intent": "start"}).status_code == 302
    report = QualityReport.objects.get(node=org.unit_n1)
    assert report.status == ReportStatus.DRAFT
    html = head.get(page_url(org)).content.decode()
    assert 'name="version" value="0"' in html
    assert "Var är vi?" in html  # the guiding questions under Skolverket's four questions
    saved = head.post(
        page_url(org),
        {"intent": "save", "section": "kunskaper", "version": "0", "text": "<b>Bra</b>\n\nMer."},
    )
    assert saved.status_code == 302
    section = ReportSection.objects.get(report=report, key="kunskaper")
    assert (section.text, section.version) == ("<b>Bra</b>\n\nMer.", 1)
    assert head.post(page_url(org), {"intent": "submit"}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    html = head.get(page_url(org)).content.decode()
    assert "&lt;b&gt;Bra&lt;/b&gt;" in html and "<b>Bra</b>" not in html
    assert 'name="text" rows="10"' not in html  # no longer editable
    assert 'value="approve"' not in html


def test_a_stale_save_shows_both_texts_and_continues_from_the_stored(org, users, client_for):
    report = start(org, users)
    report_section_save(
        report=report,
        key="kunskaper",
        text="Den andra skrev först.",
        version=0,
        scope=scope_for(users.unit_head),
        by=users.unit_head,
    )
    response = client_for("unit_head").post(
        page_url(org),
        {"intent": "save", "section": "kunskaper", "version": "0", "text": "Min egen text."},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Den andra skrev först." in html
    assert "Min egen text." in html
    form = re.search(r'<form[^>]*#section-kunskaper".*?</form>', html, re.S).group(0)
    assert 'name="version" value="1"' in form
    assert "Den andra skrev först." in form
    assert ReportSection.objects.get(report=report, key="kunskaper").version == 1


def test_a_save_after_the_report_was_handed_in_keeps_the_writers_text(org, users, client_for):
    # The unit head submits in one tab, then saves a section from another tab opened before.
    report = submitted(org, users)
    response = client_for("unit_head").post(
        page_url(org),
        {"intent": "save", "section": "analys", "version": "0", "text": "Text från fliken."},
    )
    assert response.status_code == 400
    html = response.content.decode()
    note = re.search(r'id="refused-analys-note".*?</div>', html, re.S).group(0)
    assert "Text från fliken." in note  # shown back, not lost
    assert ReportSection.objects.get(report=report, key="analys").text == ""


def test_a_too_long_text_comes_back_in_the_form_to_be_shortened(org, users, client_for):
    start(org, users)
    long_text = "x" * 20_001
    response = client_for("unit_head").post(
        page_url(org),
        {"intent": "save", "section": "analys", "version": "0", "text": long_text},
    )
    assert response.status_code == 400
    form = re.search(r'<form[^>]*#section-analys".*?</form>', response.content.decode(), re.S)
    assert long_text in form.group(0)
    assert 'class="errorlist"' in form.group(0)


def test_the_board_reads_the_report_without_the_thread_of_its_handling(org, users, client_for):
    report = submitted(org, users)
    report_return(
        report=report,
        comment="Analysen saknar orsaker.",
        scope=scope_for(users.organiser_admin),
        by=users.organiser_admin,
    )
    report_submit(report=report, scope=scope_for(users.unit_head), by=users.unit_head)
    assert (
        "Analysen saknar orsaker."
        in client_for("organiser_admin").get(page_url(org)).content.decode()
    )
    board = client_for("board").get(page_url(org)).content.decode()
    assert "Resultaten i matematik ökade." in board  # the report as handed in
    assert "Analysen saknar orsaker." not in board and 'id="comments"' not in board


def test_a_report_url_for_a_school_form_the_unit_lacks_is_not_found(org, users, client_for):
    url = page_url(org).replace("grundskola", "forskola")
    unit_head = client_for("unit_head")
    assert unit_head.get(url).status_code == 404
    assert unit_head.post(url, {"intent": "start"}).status_code == 404
    assert not QualityReport.objects.exists()


def test_the_reviewer_returns_with_a_required_comment_and_approves(org, users, client_for):
    report = submitted(org, users)
    admin = client_for("organiser_admin")
    html = admin.get(page_url(org)).content.decode()
    assert 'value="approve"' in html and 'value="return"' in html
    refused = admin.post(page_url(org), {"intent": "return", "comment": "  "})
    assert refused.status_code == 400
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    admin.post(page_url(org), {"intent": "return", "comment": "Analysera orsakerna."})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert ReportComment.objects.get(report=report).kind == "return"
    head = client_for("unit_head")
    assert "Analysera orsakerna." in head.get(page_url(org)).content.decode()
    head.post(page_url(org), {"intent": "submit"})
    admin.post(page_url(org), {"intent": "approve"})
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED


def test_roles_cannot_do_what_the_table_does_not_give(org, users, client_for):
    report = submitted(org, users)
    head = client_for("unit_head")
    assert head.post(page_url(org), {"intent": "approve"}).status_code == 403
    assert head.post(page_url(org), {"intent": "return", "comment": "x"}).status_code == 403
    admin = client_for("organiser_admin")
    assert admin.post(page_url(org), {"intent": "submit"}).status_code == 403
    assert (
        admin.post(
            page_url(org), {"intent": "save", "section": "kunskaper", "version": "1", "text": "x"}
        ).status_code
        == 403
    )
    board = client_for("board")
    assert board.post(page_url(org), {"intent": "comment", "text": "x"}).status_code == 403
    assert board.post(page_url(org), {"intent": "approve"}).status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    # Another unit's head does not reach Norrskolan at all.
    assert client_for("unit_head").get(page_url(org, org.unit_s1)).status_code == 404


def test_comments_by_writer_and_reviewer(org, users, client_for):
    report = start(org, users)
    client_for("unit_head").post(page_url(org), {"intent": "comment", "text": "Fråga?"})
    client_for("organiser_admin").post(page_url(org), {"intent": "comment", "text": "Svar."})
    assert [c.text for c in report.comments.all()] == ["Fråga?", "Svar."]


def test_figures_as_the_role_sees_them_and_frozen_after_an_import(org, users, client_for):
    facts_import_bytes("grades", grades(org.unit_n1.code, "E", 12), "betyg.csv")
    report = submitted(org, users)
    admin = client_for("organiser_admin")
    html = admin.get(page_url(org)).content.decode()
    row = re.search(r'<tr data-indicator="merit_value_17">.*?</tr>', html, re.S).group(0)
    assert "80,0" in row or "80.0" in row
    assert ">12<" in row  # n with pupil access
    assert 'id="newer-data"' not in html
    board_row = re.search(
        r'<tr data-indicator="merit_value_17">.*?</tr>',
        client_for("board").get(page_url(org)).content.decode(),
        re.S,
    ).group(0)
    assert ">12<" in board_row  # n beside a shown value, as in the API (never beside a marker)
    facts_import_bytes("grades", grades(org.unit_n1.code, "A", 12), "betyg2.csv")
    html = admin.get(page_url(org)).content.decode()
    row = re.search(r'<tr data-indicator="merit_value_17">.*?</tr>', html, re.S).group(0)
    assert "80,0" in row or "80.0" in row  # frozen
    assert 'id="newer-data"' in html
    assert report.figures.exists()


def test_the_knowledge_section_draws_its_grade_distribution_for_each_role(org, users, client_for):
    # Twelve graded pupils (the unit-level limit is 10): the board sees the shares too.
    facts_import_bytes("grades", grades(org.unit_n1.code, "C", 12), "betyg.csv")
    submitted(org, users)
    for role in ("unit_head", "board"):
        html = client_for(role).get(page_url(org)).content.decode()
        section = html.split('id="section-kunskaper"', 1)[1].split("</section>", 1)[0]
        assert 'id="chart-kunskaper-grades"' in section
        assert 'id="chart-kunskaper-grades-spec"' in section  # the spec for charts.js
    # One year of grades only: no trend (its single value is in the table).
    assert "chart-kunskaper-trend" not in html


def test_section_versions_and_their_comparison_are_escaped(org, users, client_for):
    report = start(org, users)
    head_scope = scope_for(users.unit_head)
    for version, text in enumerate(["Rad ett\n<script>x</script>", "Rad ett\nRad två"]):
        report_section_save(
            report=report,
            key="kunskaper",
            text=text,
            version=version,
            scope=head_scope,
            by=users.unit_head,
        )
    url = reverse(
        "quality_report_section_versions",
        kwargs={
            "start_year": org.year.start_year,
            "unit_id": org.unit_n1.pk,
            "school_form": "grundskola",
            "key": "kunskaper",
        },
    )
    html = client_for("unit_head").get(url).content.decode()
    assert "<script>x</script>" not in html
    assert '<li class="removed">' in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert re.search(r'<li class="added">(<span[^>]*>[^<]*</span>)?Rad två</li>', html)
    assert client_for("board").get(url).status_code == 404


# -- the common model ------------------------------------------------------------------------


def model_post(response_html: str) -> dict[str, list[str]]:
    """The edit form's fields as a browser would post them (checked boxes only)."""
    data: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", response_html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag).group(1)
        if kind == "checkbox" and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data.setdefault(name.group(1), []).append(value.group(1) if value else "")
    for name, text in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', response_html, re.S
    ):
        data.setdefault(name, []).append(
            text.replace("&quot;", '"').replace("&#x27;", "'").replace("&amp;", "&")
        )
    return data


def test_only_the_organiser_admin_edits_the_common_model(org, users, client_for):
    for role in ("unit_head", "analyst", "board"):
        assert client_for(role).get(reverse("quality_common_model")).status_code == 403
    url = reverse("quality_common_model_edit", kwargs={"school_form": "grundskola"})
    assert client_for("unit_head").post(url, {"intent": "save"}).status_code == 403
    assert client_for("organiser_admin").get(reverse("quality_common_model")).status_code == 200


def test_the_template_edit_makes_version_2_and_old_reports_keep_theirs(org, users, client_for):
    report = start(org, users)
    admin = client_for("organiser_admin")
    url = reverse("quality_common_model_edit", kwargs={"school_form": "grundskola"})
    html = admin.get(url).content.decode()
    data = model_post(html)
    data["s0-title"] = ["Kunskaper, bedömning och betyg"]
    # Add a section, then remove it again, then move the first down: no version yet.
    added = admin.post(url, {**data, "intent": ["add"]})
    assert added.status_code == 200
    added_data = model_post(added.content.decode())
    assert int(added_data["count"][0]) == int(data["count"][0]) + 1
    moved = admin.post(url, {**data, "intent": ["down-0"]})
    moved_data = model_post(moved.content.decode())
    assert moved_data["s1-title"] == ["Kunskaper, bedömning och betyg"]
    assert ReportTemplate.objects.filter(school_form="grundskola").count() == 1
    # An empty title is refused with the model's message; nothing is stored.
    refused = admin.post(url, {**moved_data, "s0-title": [""], "intent": ["save"]})
    assert refused.status_code == 400
    assert "title" in text_of(refused)
    assert ReportTemplate.objects.filter(school_form="grundskola").count() == 1
    saved = admin.post(url, {**moved_data, "intent": ["save"]})
    assert saved.status_code == 302
    latest = ReportTemplate.objects.filter(school_form="grundskola").order_by("-version").first()
    assert latest.version == 2
    assert latest.sections[1]["title"] == "Kunskaper, bedömning och betyg"
    assert latest.sections[1]["charts"]  # kept from version 1
    assert (
        latest.sections[1]["indicators"]
        == ReportTemplate.objects.get(school_form="grundskola", version=1).sections[0]["indicators"]
    )
    report.refresh_from_db()
    assert report.template.version == 1
    assert "version 2" in admin.get(reverse("quality_common_model")).content.decode()


def test_the_report_shows_last_years_plan_and_the_years_dialogues(org, users, client_for):
    from skolkvalitet.organisation.models import AcademicYear
    from skolkvalitet.quality.actions import calendar_points_default, dialogue_submit
    from skolkvalitet.quality.plans.actions import (
        goal_create_qualitative,
        goal_evaluate,
        problem_area_create,
    )

    head = scope_for(users.unit_head)
    last_year = AcademicYear.objects.create(
        code="2023/24", start_date=dt.date(2023, 8, 21), end_date=dt.date(2024, 6, 14)
    )
    area = problem_area_create(
        node=org.unit_n1,
        academic_year=last_year,
        title="Läsförståelse",
        causes="För lite läsning i alla ämnen.",
        priority=1,
        scope=head,
        by=users.unit_head,
    )
    goal = goal_create_qualitative(
        area=area,
        title="Läsning varje dag",
        criterion="Alla klasser läser.",
        scope=head,
        by=users.unit_head,
    )
    goal_evaluate(
        goal=goal, verdict="partly", reasons="Två av tre årskurser.", scope=head, by=users.unit_head
    )
    point = calendar_points_default(academic_year=org.year)[0]
    dialogue_submit(
        unit=org.unit_n1, point=point, by=users.unit_head, analysis="Analys.", actions="Insatser."
    )

    page = text_of(client_for("unit_head").get(page_url(org)))
    assert "Läsning varje dag" in page and "Två av tre årskurser." in page
    assert point.name in page
    # The board reads the report only once handed in; a draft's page is not theirs.
    assert client_for("board").get(page_url(org)).status_code == 404


def test_the_board_reads_the_handed_in_text_not_its_drafts(org, users, client_for):
    head = scope_for(users.unit_head)
    report = report_start(
        node=org.unit_n1, year=org.year, school_form="grundskola", scope=head, by=users.unit_head
    )
    report_section_save(
        report=report,
        key="analys",
        text="Ett första utkast.",
        version=0,
        scope=head,
        by=users.unit_head,
    )
    report_section_save(
        report=report,
        key="analys",
        text="Texten som lämnas in.",
        version=1,
        scope=head,
        by=users.unit_head,
    )
    report_submit(report=report, scope=head, by=users.unit_head)
    versions = reverse(
        "quality_report_section_versions", args=[2024, org.unit_n1.pk, "grundskola", "analys"]
    )
    assert client_for("board").get(versions).status_code == 404
    board_page = text_of(client_for("board").get(page_url(org)))
    assert "Texten som lämnas in." in board_page and "Ett första utkast." not in board_page
    assert versions not in board_page
    assert client_for("organiser_admin").get(versions).status_code == 200


def test_a_too_long_comment_comes_back_with_its_text(org, users, client_for):
    start(org, users)
    long_text = "y" * 4_001
    response = client_for("unit_head").post(page_url(org), {"intent": "comment", "text": long_text})
    assert response.status_code == 400
    form = re.search(r'<textarea id="comment-text".*?</textarea>', response.content.decode(), re.S)
    assert long_text in form.group(0)


def test_the_report_and_the_list_link_to_the_years_plan(org, users, client_for):
    start(org, users)
    plan = reverse("quality_plan", args=[org.unit_n1.pk, org.year.start_year])
    head = client_for("unit_head")
    assert f'href="{plan}"' in head.get(page_url(org)).content.decode()
    assert f'href="{plan}"' in head.get(list_url(org)).content.decode()
