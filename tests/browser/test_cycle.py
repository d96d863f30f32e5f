"""The whole quality cycle of one unit (Norrskolan, 2024/25) in chromium, as its users walk it
(issue 12):

1. The year's grades are imported. The unit head (rut) writes the nulägesanalys on the plan
   page: a problem area with its causes and priority, the unit's merit value picked as
   evidence (frozen), a goal on the merit value with a target and a date, and an action with
   its owner, start and end; the page shows the goal's computed progress.
2. The unit head starts the quality report, writes two sections and submits it. The board
   (birgitta) never sees it while it is a draft or back with the unit.
3. The förvaltning (the organiser admin, agnes, who reviews the units' reports) returns it with
   a comment; the unit head reads the comment, changes a section and submits again; the
   reviewer approves it.
4. The board reads the approved report through its role's suppression.
5. A corrected grades import raises the unit's live merit value: the plan's progress moves, but
   the approved report keeps the figures it was written on, and its page says newer data exist.

The grades, by hand (8 subjects, final grades of year 9, VT 2024/25; merit value = the sum of
the grades, A=20 … E=10, F=0, as there is no moderna språk):

- first import, 10 pupils: nine with E in all 8 subjects (80 points each), one with F in
  biology and E in the other 7 (70 points): merit value (9 × 80 + 70) / 10 = 79.0; passed all
  subjects 9 / 10 = 90.0 %; eligible for a vocational programme (svenska, engelska, matematik
  and five more) 9 / 10 = 90.0 %. One pupil not eligible is 1–4 pupils, so Skolverket's rule
  shows that share as `~100` to a role without pupil access (the board); n = 10 is not below
  the unit-level limit of 10, so the merit value is shown to the board as it is.
- second import, the same 10 pupils, C in every subject: merit value 8 × 15 = 120.0.
- the goal: baseline 79.0 (the value when it was set), target 161.0. Progress is the share of
  the way covered: first (79 − 79) / (161 − 79) = 0 %, after the second import
  (120 − 79) / (161 − 79) = 41 / 82 = 50 %.

Elements are found by ids, values, data attributes and status classes, not by their Swedish
words, so that the walk holds while the catalogue changes. Screenshots of each role's view go
to test-artifacts/cycle-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from tests.browser.axe import serious_violations

from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.quality.models import (
    DevelopmentGoal,
    PlanAction,
    ProblemArea,
    QualityReport,
    ReportStatus,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "ett-långt-demolösenord"
SUBJECTS = ("SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI")
PUPILS = 10

CAUSES = "Få elever når över E: undervisningen utmanar för lite och bedömningen är ojämn."
KNOWLEDGE = "Meritvärdet i årskurs 9 är 79; en elev saknar godkänt betyg i biologi."
NORMS = "Eleverna upplever studiero på de flesta lektioner."
RETURN_REASON = "Vad beror det låga meritvärdet på? Skriv en orsaksanalys."
ANALYSIS = "\n\nOrsak: få elever når över E; vi inför gemensam bedömning i höst."


def grades(unit_code: str, grade: str, *, failing_biology: int = 0) -> bytes:
    """Final grades of PUPILS pupils in year 9 (VT 2024/25): `grade` in every subject, except
    that the last `failing_biology` of them have F in biology."""
    rows = ["personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"]
    for serial in range(1, PUPILS + 1):
        pupil = make_personal_number(dt.date(2009, 3, serial), 100 + serial)
        fails = serial > PUPILS - failing_biology
        rows += [
            f"{pupil};{unit_code};2024/25;VT;9;{s};{'F' if fails and s == 'BI' else grade};"
            "slutbetyg\n"
            for s in SUBJECTS
        ]
    return "".join(rows).encode()


@pytest.fixture
def people(users):
    """The users of tests/conftest.py, with a password."""
    for user in vars(users).values():
        user.set_password(PASSWORD)
        user.save()
    return users


@pytest.fixture
def log_in(browser, live_server):
    """log_in(user) → a page of a fresh browser where `user` has logged in."""
    contexts = []

    def open_as(user) -> Page:
        context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Användarnamn").fill(user.username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def send(page: Page, button: Locator) -> None:
    """Click a button that sends its form and wait for the page the server answers with, so
    that the next step never reads or fills the page it left."""
    with page.expect_navigation():
        button.click()


def open_details(field: Locator) -> None:
    """Open the <details> a form field sits in (the plan page folds its forms)."""
    field.locator("xpath=ancestor::details[1]/summary").click()
    expect(field).to_be_visible()


def form_of(field: Locator) -> Locator:
    return field.locator("xpath=ancestor::form[1]")


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"cycle-{name}.png"), full_page=True)


def figure(page: Page, indicator: str) -> Locator:
    """The value cell of an indicator in the report's section on knowledge."""
    return page.locator(f'#section-kunskaper tr[data-indicator="{indicator}"] td.value')


def figure_n(page: Page, indicator: str) -> Locator:
    return page.locator(f'#section-kunskaper tr[data-indicator="{indicator}"] td:last-child')


MERIT_79 = re.compile(r"^79[,.]0$")
SHARE_90 = re.compile(r"^90[,.]0\s*%$")


def test_one_unit_walks_the_whole_quality_cycle(live_server, log_in, org, people):
    unit = org.unit_n1
    plan_url = f"{live_server.url}/uppfoljning/plan/{unit.pk}/{org.year.start_year}/"
    report_url = (
        f"{live_server.url}/uppfoljning/rapporter/{org.year.start_year}/{unit.pk}/grundskola/"
    )
    facts_import_bytes("grades", grades(unit.code, "E", failing_biology=1), "betyg.csv")

    # -- 1. the unit head writes the nulägesanalys and the plan -----------------------------
    head = log_in(people.unit_head)
    head.goto(plan_url)
    expect(head.locator("#add-area-heading")).to_be_visible()
    head.locator("#id_new-title").fill("Låga meritvärden")
    head.locator("#id_new-description").fill("Meritvärdet i årskurs 9 ligger under 80.")
    head.locator("#id_new-causes").fill(CAUSES)
    head.locator("#id_new-priority").fill("2")
    send(head, form_of(head.locator("#id_new-title")).locator("button[type=submit]"))
    area = ProblemArea.objects.get(node=unit, academic_year=org.year)
    assert (area.title, area.causes, area.priority) == ("Låga meritvärden", CAUSES, 2)
    article = head.locator(f"#area-{area.pk}")
    expect(article.locator(".priority")).to_contain_text("2")
    expect(article).to_contain_text(CAUSES)

    # Evidence: the unit's merit value of the year, as it is now.
    picker = head.locator(f"#id_f{area.pk}-figure")
    open_details(picker)
    picker.select_option(f"merit_value_17|year|{org.year.pk}")
    send(head, form_of(picker).locator("button[type=submit]"))
    evidence = head.locator(f"#area-{area.pk} .evidence li")
    expect(evidence).to_have_count(1)
    expect(evidence).to_contain_text("79,0")
    expect(evidence).to_contain_text("n = 10")

    # A goal on the merit value, with a target and a date.
    title = head.locator(f"#id_gi{area.pk}-title")
    open_details(title)
    title.fill("Höj meritvärdet")
    head.locator(f"#id_gi{area.pk}-indicator").select_option("merit_value_17")
    head.locator(f"#id_gi{area.pk}-target_value").fill("161")
    head.locator(f"#id_gi{area.pk}-target_date").fill("2025-06-13")
    send(head, form_of(title).locator("button[type=submit]"))
    goal = DevelopmentGoal.objects.get(area=area)
    assert goal.target is not None
    assert (goal.indicator, goal.baseline_value, goal.target.value, goal.target_date) == (
        "merit_value_17",
        79.0,
        161.0,
        dt.date(2025, 6, 13),
    )
    goal_box = head.locator(f"#goal-{goal.pk}")
    expect(goal_box.locator("progress")).to_have_attribute("value", "0.0")  # latest = baseline

    # An action with its owner, start and end; it ended before today and is not done.
    action_title = head.locator(f"#id_a{goal.pk}-title")
    open_details(action_title)
    action_title.fill("Kollegialt lärande om bedömning")
    head.locator(f"#id_a{goal.pk}-owner_name").fill("Förstelärarna")
    head.locator(f"#id_a{goal.pk}-starts").fill("2024-09-01")
    head.locator(f"#id_a{goal.pk}-ends").fill("2024-12-20")
    send(head, form_of(action_title).locator("button[type=submit]"))
    action = PlanAction.objects.get(goal=goal)
    assert (action.owner_name, action.starts, action.ends, action.status) == (
        "Förstelärarna",
        dt.date(2024, 9, 1),
        dt.date(2024, 12, 20),
        "planned",
    )
    expect(head.locator(f"#goal-{goal.pk} tbody tr")).to_have_count(1)
    expect(head.locator(f"#goal-{goal.pk} .overdue")).to_be_visible()
    shoot(head, "1-unit-head-plan")
    assert serious_violations(head) == []

    # -- 2. the unit head starts, writes and submits the quality report ---------------------
    head.goto(f"{live_server.url}/uppfoljning/")
    send(head, head.locator("a[href='/uppfoljning/rapporter/']"))
    head.wait_for_url(re.compile(rf".*/rapporter/{org.year.start_year}/$"))
    row = head.locator("tbody tr").filter(has=head.get_by_role("link", name="Norrskolan"))
    expect(row.locator(".status")).to_have_class(re.compile("status-not_started"))
    send(head, row.get_by_role("link", name="Norrskolan"))
    assert head.url == report_url
    expect(head.locator("#text-kunskaper")).to_have_count(0)
    send(head, head.locator("button[value=start]"))
    expect(head.locator("#report-status")).to_have_class(re.compile("status-draft"))
    expect(figure(head, "merit_value_17")).to_have_text(MERIT_79)  # live while a draft
    expect(figure(head, "eligible_vocational")).to_have_text(SHARE_90)

    head.locator("#text-kunskaper").fill(KNOWLEDGE)
    send(head, head.locator("#section-kunskaper button[value=save]"))
    expect(head.locator("#text-kunskaper")).to_have_value(KNOWLEDGE)
    head.locator("#text-normer").fill(NORMS)
    send(head, head.locator("#section-normer button[value=save]"))
    expect(head.locator("#text-normer")).to_have_value(NORMS)
    expect(head.locator("#text-kunskaper")).to_have_value(KNOWLEDGE)
    shoot(head, "2-unit-head-writes-report")
    assert serious_violations(head) == []

    # The board does not see the draft: not in its list, and its address is not found.
    board = log_in(people.board)
    board.goto(f"{live_server.url}/uppfoljning/rapporter/")
    expect(board.get_by_role("link", name="Norrskolan")).to_have_count(0)
    response = board.goto(report_url)
    assert response is not None and response.status == 404
    # Nor the plan: the board does not open plans.
    response = board.goto(plan_url)
    assert response is not None and response.status == 403

    send(head, head.locator("button[value=submit]"))
    expect(head.locator("#report-status")).to_have_class(re.compile("status-submitted"))
    expect(head.locator("#text-kunskaper")).to_have_count(0)
    expect(head.locator("#section-kunskaper .section-text")).to_contain_text(KNOWLEDGE)
    expect(head.locator("#frozen-note")).to_be_visible()
    expect(head.locator("#newer-data")).to_have_count(0)
    assert QualityReport.objects.get(node=unit).status == ReportStatus.SUBMITTED

    # -- 3. the förvaltning returns it; the unit head changes it; the förvaltning approves --
    reviewer = log_in(people.organiser_admin)
    reviewer.goto(f"{live_server.url}/uppfoljning/rapporter/")
    row = reviewer.locator("tbody tr").filter(has=reviewer.get_by_role("link", name="Norrskolan"))
    expect(row.locator(".status")).to_have_class(re.compile("status-submitted"))
    send(reviewer, row.get_by_role("link", name="Norrskolan"))
    assert reviewer.url == report_url
    expect(figure(reviewer, "merit_value_17")).to_have_text(MERIT_79)
    send(reviewer, reviewer.locator("button[value=return]"))  # without a reason: refused
    expect(reviewer.locator("#review-heading ~ .review-forms .errorlist")).to_be_visible()
    expect(reviewer.locator("#report-status")).to_have_class(re.compile("status-submitted"))
    reviewer.locator("#return-comment").fill(RETURN_REASON)
    send(reviewer, reviewer.locator("button[value=return]"))
    expect(reviewer.locator("#report-status")).to_have_class(re.compile("status-returned"))
    expect(reviewer.locator("#comments .thread li.return")).to_contain_text(RETURN_REASON)
    shoot(reviewer, "3-reviewer-returns")
    assert serious_violations(reviewer) == []

    # Back with the unit, the report is hidden from the board again.
    response = board.goto(report_url)
    assert response is not None and response.status == 404

    head.reload()
    expect(head.locator("#report-status")).to_have_class(re.compile("status-returned"))
    expect(head.locator("#comments .thread li.return")).to_contain_text(RETURN_REASON)
    expect(head.locator("#text-kunskaper")).to_have_value(KNOWLEDGE)
    head.locator("#text-kunskaper").fill(KNOWLEDGE + ANALYSIS)
    send(head, head.locator("#section-kunskaper button[value=save]"))
    expect(head.locator("#report-status")).to_have_class(re.compile("status-returned"))
    shoot(head, "4-unit-head-answers-the-return")
    send(head, head.locator("button[value=submit]"))
    expect(head.locator("#report-status")).to_have_class(re.compile("status-submitted"))
    expect(head.locator("#section-kunskaper .section-text")).to_contain_text("Orsak: få elever")

    reviewer.reload()
    expect(reviewer.locator("#report-status")).to_have_class(re.compile("status-submitted"))
    expect(reviewer.locator("#section-kunskaper .section-text")).to_contain_text("Orsak: få elever")
    send(reviewer, reviewer.locator("button[value=approve]"))
    expect(reviewer.locator("#report-status")).to_have_class(re.compile("status-approved"))
    expect(reviewer.locator("button[value=approve]")).to_have_count(0)
    expect(reviewer.locator("#newer-data")).to_have_count(0)
    assert QualityReport.objects.get(node=unit).status == ReportStatus.APPROVED

    # -- 4. the board reads the approved report, figures suppressed for its role -----------
    board.goto(f"{live_server.url}/uppfoljning/rapporter/")
    row = board.locator("tbody tr").filter(has=board.get_by_role("link", name="Norrskolan"))
    expect(row.locator(".status")).to_have_class(re.compile("status-approved"))
    send(board, row.get_by_role("link", name="Norrskolan"))
    assert board.url == report_url
    expect(board.locator("#report-status")).to_have_class(re.compile("status-approved"))
    expect(board.locator("#section-kunskaper .section-text")).to_contain_text("Orsak: få elever")
    expect(board.locator("textarea")).to_have_count(0)
    expect(board.locator("button[value=approve], button[value=return]")).to_have_count(0)
    expect(board.locator("#comments")).to_have_count(0)  # the handling is not the board's
    expect(figure(board, "merit_value_17")).to_have_text(MERIT_79)
    expect(figure_n(board, "merit_value_17")).to_have_text("10")
    # 1 of 10 not eligible: the reviewer sees 90,0 %, the board Skolverket's ~100 and no n.
    expect(figure(reviewer, "eligible_vocational")).to_have_text(SHARE_90)
    expect(figure(board, "eligible_vocational")).to_have_text("~100")
    expect(figure_n(board, "eligible_vocational")).to_have_text("–")
    shoot(board, "5-board-reads-approved")
    assert serious_violations(board) == []

    # -- 5. a corrected import: the live value moves, the approved report does not ----------
    facts_import_bytes("grades", grades(unit.code, "C"), "betyg-rattade.csv")
    head.goto(plan_url)
    goal_box = head.locator(f"#goal-{goal.pk}")
    expect(goal_box).to_contain_text("120,0")  # the latest value
    expect(goal_box.locator("progress")).to_have_attribute("value", "50.0")
    expect(head.locator(f"#area-{area.pk} .evidence li")).to_contain_text("79,0")  # frozen
    shoot(head, "6-unit-head-plan-after-import")
    assert serious_violations(head) == []

    reviewer.goto(plan_url)  # the förvaltning reads the plan, but does not write it
    expect(reviewer.locator(f"#goal-{goal.pk} progress")).to_have_attribute("value", "50.0")
    expect(reviewer.locator("#add-area-heading")).to_have_count(0)

    for reader in (head, reviewer, board):
        reader.goto(report_url)
        expect(reader.locator("#report-status")).to_have_class(re.compile("status-approved"))
        expect(figure(reader, "merit_value_17")).to_have_text(MERIT_79)
        expect(reader.locator("#newer-data")).to_be_visible()
    expect(figure(reviewer, "eligible_vocational")).to_have_text(SHARE_90)  # not the live 100
    expect(figure(board, "eligible_vocational")).to_have_text("~100")
    shoot(reviewer, "7-reviewer-approved-newer-data")
    shoot(board, "8-board-approved-newer-data")
