"""The resultatdialog in a real browser, walked the way its users walk it.

The unit head (rut, Norrskolan) finds the dialogue on the start page, writes it, saves a draft
and submits it; the organiser (agnes) follows it on the status board, returns it with a
comment and, once it is submitted again, marks it as discussed. The board (birgitta) reads it
only once handed in, a teacher (lars) and the unit head of another unit (sara, Söderskolan)
never reach it. axe-core finds no serious or critical violation on the form and the board,
and the form is filled and submitted with the keyboard alone.

The calendar is 2024/25's default one: every deadline has passed, so the current follow-up
point is the last (VT2025 2) and units that have not handed in are marked as late.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.browser.axe import serious_violations

from skolkvalitet.organisation.actions import role_grant
from skolkvalitet.organisation.models import FollowUpPoint, Role
from skolkvalitet.quality import actions
from skolkvalitet.quality.models import DialogueStatus, FollowUpDialogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ett-långt-demolösenord"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# The Swedish labels of the statuses, as the catalogue has them.
STATUS_LABEL = {
    DialogueStatus.NOT_STARTED: "Inte påbörjad",
    DialogueStatus.DRAFT: "Utkast",
    DialogueStatus.SUBMITTED: "Inskickad",
    DialogueStatus.RETURNED: "Återsänd",
    DialogueStatus.DISCUSSED: "Diskuterad",
}
LATE = "Sista dagen har passerat"

# The form's fields by their Swedish labels (each label also says whether it is required).
ANALYSIS = "Orsaksanalys"
WHAT_WORKS = "Vad fungerar"
ACTIONS = "Vad ska göras"
SUPPORT = "Behov av stöd"

TEXT = {
    ANALYSIS: (
        "Andelen med minst E i matematik ökade i årskurs 7 efter att vi införde tvålärarsystem; "
        "i årskurs 8, utan det, ligger den kvar."
    ),
    WHAT_WORKS: "Tvålärarsystemet och de gemensamma genomgångarna.",
    ACTIONS: "Tvålärarsystem även i årskurs 8 från januari; ansvarig: biträdande rektor.",
    SUPPORT: "Fortbildning i matematikdidaktik för två lärare.",
}
MISSING_ANALYSIS = "Skriv orsaksanalysen innan du skickar in: skollagen kräver den."
COMMENT = re.compile(r"^Kommentar\b")  # the thread's field, "(krävs)" or not
RETURN_REASON = "Vad beror skillnaden mellan flickor och pojkar i årskurs 8 på?"


# -- the world of the walk ------------------------------------------------------------------


@pytest.fixture
def point(org) -> FollowUpPoint:
    """The current follow-up point: the last of 2024/25's default calendar."""
    return actions.calendar_points_default(academic_year=org.year)[-1]


@pytest.fixture
def people(users, make_user, org):
    """The users of tests/conftest.py with a password, and sara, head of Söderskolan."""
    users.other_unit_head = make_user("sara")
    role_grant(user=users.other_unit_head, node=org.unit_s1, role=Role.UNIT_HEAD)
    for user in vars(users).values():
        user.set_password(PASSWORD)
        user.save()
    return users


@pytest.fixture
def log_in(browser, live_server):
    """log_in(user) → a page of a fresh browser (own cookies) where `user` has logged in on
    the login page, as a person does."""
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


def _texts() -> dict[str, str]:
    """TEXT by the form's field names, for the actions."""
    return dict(zip(actions.TEXT_FIELDS, TEXT.values(), strict=True))


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def dialogue_url(live_server, point, unit, action: str = "") -> str:
    return f"{live_server.url}/uppfoljning/{point.pk}/{unit.pk}/{action}"


def stored(org, point) -> FollowUpDialogue | None:
    return FollowUpDialogue.objects.filter(unit=org.unit_n1, follow_up_point=point).first()


def shown_status(page: Page) -> str:
    """The dialogue page's status, in words."""
    return page.locator("dd .status").inner_text()


def board_status(page: Page, unit_name: str) -> str:
    """The status board's status of one unit, in words."""
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=unit_name))
    return row.locator(".status").inner_text()


def open_board(page: Page) -> None:
    """The header link every page has for those who follow up."""
    page.get_by_role("navigation", name="Konto").get_by_role(
        "link", name="Resultatdialoger"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Uppföljning: resultatdialogernas status"
    )


def message(page: Page):
    """The messages the page shows after an action (Django's messages framework)."""
    return page.locator("main > .messages")


def fill(page: Page, texts: dict[str, str]) -> None:
    for label, text in texts.items():
        page.get_by_label(label).fill(text)


def forged_post(page: Page, url: str, form: dict[str, str] | None = None) -> int:
    """POST to `url` as the page's user, with a valid CSRF token (so that a refusal is the
    view's, not the CSRF check's); the status of the answer, redirects not followed."""
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    response = page.request.post(
        url, form={**(form or {}), "csrfmiddlewaretoken": token}, max_redirects=0
    )
    return response.status


# -- 1. the unit head writes -----------------------------------------------------------------


def test_the_unit_head_finds_writes_saves_and_submits_the_dialogue(
    log_in, live_server, org, people, point
):
    head = log_in(people.unit_head)
    mine = head.get_by_role("region", name="Dina resultatdialoger")
    expect(mine).to_contain_text(point.name)
    expect(mine.locator(".status")).to_have_text(STATUS_LABEL[DialogueStatus.NOT_STARTED])
    expect(mine).to_contain_text(LATE)
    shoot(head, "dialogue-01-start-unit-head")

    mine.get_by_role("link", name="Resultatdialog för Norrskolan").click()
    head.wait_for_url(dialogue_url(live_server, point, org.unit_n1))
    expect(head.get_by_role("heading", level=1)).to_have_text("Resultatdialog: Norrskolan")
    assert shown_status(head) == STATUS_LABEL[DialogueStatus.NOT_STARTED]
    expect(head.get_by_label(ANALYSIS)).to_be_empty()
    shoot(head, "dialogue-02-empty-form")

    # A first draft without the analysis of causes may be saved...
    fill(head, {WHAT_WORKS: TEXT[WHAT_WORKS], ACTIONS: TEXT[ACTIONS], SUPPORT: TEXT[SUPPORT]})
    head.get_by_role("button", name="Spara utkast").click()
    expect(message(head)).to_contain_text("Utkastet sparades.")
    assert shown_status(head) == STATUS_LABEL[DialogueStatus.DRAFT]
    expect(head.get_by_label(WHAT_WORKS)).to_have_value(TEXT[WHAT_WORKS])
    assert stored(org, point).status == DialogueStatus.DRAFT
    shoot(head, "dialogue-03-draft-saved")

    # ...but not submitted: the page says why in Swedish and nothing is stored.
    head.get_by_label(SUPPORT).fill("Ändrat men aldrig sparat.")
    with head.expect_navigation() as refused:
        head.get_by_role("button", name="Skicka in till förvaltningen").click()
    assert refused.value.status == 400
    expect(head.get_by_role("alert").first).to_have_text(
        "Resultatdialogen sparades inte. Rätta fälten som är markerade nedan."
    )
    analysis = head.get_by_label(ANALYSIS)
    expect(analysis).to_have_attribute("aria-invalid", "true")
    expect(analysis).to_have_accessible_description(re.compile(re.escape(MISSING_ANALYSIS)))
    expect(head.get_by_label(SUPPORT)).to_have_value("Ändrat men aldrig sparat.")  # not lost
    assert shown_status(head) == STATUS_LABEL[DialogueStatus.DRAFT]
    unchanged = stored(org, point)
    assert (unchanged.status, unchanged.support_needed) == (DialogueStatus.DRAFT, TEXT[SUPPORT])
    assert unchanged.submitted_at is None
    shoot(head, "dialogue-04-submit-refused-without-analysis")

    fill(head, TEXT)
    head.get_by_role("button", name="Spara utkast").click()
    expect(message(head)).to_contain_text("Utkastet sparades.")
    head.reload()
    for label, text in TEXT.items():
        expect(head.get_by_label(label)).to_have_value(text)

    head.get_by_role("button", name="Skicka in till förvaltningen").click()
    expect(message(head)).to_contain_text("Resultatdialogen skickades in till förvaltningen.")
    assert shown_status(head) == STATUS_LABEL[DialogueStatus.SUBMITTED]
    # Handed in: read-only for the unit head, who may still comment.
    main = head.locator("main")
    expect(main.get_by_role("textbox")).to_have_count(1)
    expect(main.get_by_role("textbox")).to_have_accessible_name(COMMENT)
    expect(main.get_by_role("button", name="Spara utkast")).to_have_count(0)
    expect(main).to_contain_text(TEXT[ANALYSIS])
    submitted = stored(org, point)
    assert submitted.status == DialogueStatus.SUBMITTED
    assert [getattr(submitted, f) for f in actions.TEXT_FIELDS] == list(TEXT.values())
    shoot(head, "dialogue-05-submitted-unit-head")

    open_board(head)
    assert head.locator("tbody th[scope=row]").all_inner_texts() == ["Norrskolan"]
    assert board_status(head, "Norrskolan") == STATUS_LABEL[DialogueStatus.SUBMITTED]


# -- 2. the organiser reviews ----------------------------------------------------------------


def test_the_organiser_returns_the_dialogue_and_marks_it_discussed_after_resubmission(
    log_in, live_server, org, people, point
):
    admin = log_in(people.organiser_admin)
    open_board(admin)
    expect(admin.get_by_role("heading", level=2, name=point.name)).to_be_visible()
    assert set(admin.locator("tbody th[scope=row]").all_inner_texts()) == {
        "Norrskolan",
        "Björkskolan",
        "Söderskolan",
        "Ekskolan",
    }
    assert board_status(admin, "Norrskolan") == STATUS_LABEL[DialogueStatus.NOT_STARTED]
    shoot(admin, "dialogue-10-board-not-started")

    head = log_in(people.unit_head)
    head.goto(dialogue_url(live_server, point, org.unit_n1))
    fill(head, {ANALYSIS: TEXT[ANALYSIS]})
    head.get_by_role("button", name="Spara utkast").click()
    expect(message(head)).to_contain_text("Utkastet sparades.")

    admin.reload()
    assert board_status(admin, "Norrskolan") == STATUS_LABEL[DialogueStatus.DRAFT]
    expect(admin.locator(".status-counts")).to_contain_text("Utkast 1")

    fill(head, TEXT)
    head.get_by_role("button", name="Skicka in till förvaltningen").click()
    expect(message(head)).to_contain_text("skickades in")

    admin.reload()
    row = admin.get_by_role("row").filter(has=admin.get_by_role("rowheader", name="Norrskolan"))
    assert board_status(admin, "Norrskolan") == STATUS_LABEL[DialogueStatus.SUBMITTED]
    expect(row).not_to_contain_text(LATE)  # handed in: no longer late
    shoot(admin, "dialogue-11-board-submitted")

    admin.get_by_role("link", name="Norrskolan").click()
    admin.wait_for_url(dialogue_url(live_server, point, org.unit_n1))
    assert shown_status(admin) == STATUS_LABEL[DialogueStatus.SUBMITTED]
    expect(admin.locator("main")).to_contain_text(TEXT[ANALYSIS])
    # Returning needs a reason.
    with admin.expect_navigation() as refused:
        admin.get_by_role("button", name="Skicka tillbaka till rektor").click()
    assert refused.value.status == 400
    expect(admin.get_by_label("Vad ska enheten lägga till eller ändra?")).to_have_attribute(
        "aria-invalid", "true"
    )
    assert stored(org, point).status == DialogueStatus.SUBMITTED
    shoot(admin, "dialogue-12-return-refused-without-reason")

    admin.get_by_label("Vad ska enheten lägga till eller ändra?").fill(RETURN_REASON)
    admin.get_by_role("button", name="Skicka tillbaka till rektor").click()
    expect(message(admin)).to_contain_text("Resultatdialogen skickades tillbaka till rektor.")
    assert shown_status(admin) == STATUS_LABEL[DialogueStatus.RETURNED]
    open_board(admin)
    assert board_status(admin, "Norrskolan") == STATUS_LABEL[DialogueStatus.RETURNED]
    shoot(admin, "dialogue-13-board-returned")

    head.reload()
    assert shown_status(head) == STATUS_LABEL[DialogueStatus.RETURNED]
    expect(head.locator("main")).to_contain_text(
        "Förvaltningen har skickat tillbaka resultatdialogen till dig."
    )
    thread = head.get_by_role("region", name="Kommentarer")
    expect(thread).to_contain_text("Återsänd med kommentar")
    expect(thread).to_contain_text(RETURN_REASON)
    expect(head.get_by_label(ANALYSIS)).to_have_value(TEXT[ANALYSIS])
    shoot(head, "dialogue-14-returned-unit-head")

    revised = TEXT[ANALYSIS] + " Flickorna i årskurs 8 har haft fler vikarier i matematik."
    head.get_by_label(ANALYSIS).fill(revised)
    head.get_by_role("button", name="Spara utkast").click()
    expect(message(head)).to_contain_text("Utkastet sparades.")
    assert shown_status(head) == STATUS_LABEL[DialogueStatus.RETURNED]  # still with the unit
    head.get_by_role("button", name="Skicka in till förvaltningen").click()
    expect(message(head)).to_contain_text("skickades in")
    assert shown_status(head) == STATUS_LABEL[DialogueStatus.SUBMITTED]

    admin.reload()
    assert board_status(admin, "Norrskolan") == STATUS_LABEL[DialogueStatus.SUBMITTED]
    admin.get_by_role("link", name="Norrskolan").click()
    expect(admin.locator("main")).to_contain_text("Flickorna i årskurs 8")
    admin.get_by_role("button", name="Markera som diskuterad").click()
    expect(message(admin)).to_contain_text("Resultatdialogen markerades som diskuterad.")
    assert shown_status(admin) == STATUS_LABEL[DialogueStatus.DISCUSSED]
    expect(admin.get_by_role("button", name="Markera som diskuterad")).to_have_count(0)
    expect(admin.get_by_role("button", name="Skicka tillbaka till rektor")).to_have_count(0)
    shoot(admin, "dialogue-15-discussed-organiser")

    open_board(admin)
    assert board_status(admin, "Norrskolan") == STATUS_LABEL[DialogueStatus.DISCUSSED]
    counts = admin.locator(".status-counts")
    expect(counts).to_contain_text("Diskuterad 1")
    expect(counts).to_contain_text("Inte påbörjad 3")
    shoot(admin, "dialogue-16-board-discussed")
    final = stored(org, point)
    assert (final.status, final.analysis) == (DialogueStatus.DISCUSSED, revised)
    assert [c.kind for c in final.comments.all()] == ["return"]

    head.reload()
    assert shown_status(head) == STATUS_LABEL[DialogueStatus.DISCUSSED]
    expect(head.get_by_role("button", name="Skicka in till förvaltningen")).to_have_count(0)


def test_a_comment_is_added_without_leaving_the_page_and_the_keyboard_keeps_its_place(
    log_in, live_server, org, people, point
):
    actions.dialogue_submit(unit=org.unit_n1, point=point, by=people.unit_head, **_texts())
    admin = log_in(people.organiser_admin)
    admin.goto(dialogue_url(live_server, point, org.unit_n1))
    admin.get_by_label(COMMENT).focus()
    admin.keyboard.type("Bra analys, vi tar den på mötet.")
    admin.keyboard.press("Tab")
    assert focused_name(admin) == "Lägg till kommentar"
    admin.keyboard.press("Enter")

    thread = admin.get_by_role("region", name="Kommentarer")
    expect(thread).to_contain_text("Bra analys, vi tar den på mötet.")
    # The outcome is announced in the live region, and the focus stays on the button.
    expect(admin.locator("#comment-status")).to_have_text("Din kommentar har lagts till.")
    expect(admin.get_by_role("button", name="Lägg till kommentar")).to_be_focused()
    expect(admin.get_by_label(COMMENT)).to_be_empty()
    assert admin.url == dialogue_url(live_server, point, org.unit_n1)  # no page load
    assert stored(org, point).status == DialogueStatus.SUBMITTED  # a comment changes no status
    shoot(admin, "dialogue-17-comment-added")

    head = log_in(people.unit_head)
    head.goto(dialogue_url(live_server, point, org.unit_n1))
    expect(head.get_by_role("region", name="Kommentarer")).to_contain_text("Bra analys")


# -- 3. who else sees what -------------------------------------------------------------------


def test_the_board_reads_the_dialogue_only_once_it_is_handed_in_and_changes_nothing(
    log_in, live_server, org, people, point
):
    actions.dialogue_save_draft(
        unit=org.unit_n1, point=point, by=people.unit_head, analysis=TEXT[ANALYSIS]
    )
    board = log_in(people.board)
    expect(board.get_by_role("region", name="Dina resultatdialoger")).to_have_count(0)
    open_board(board)
    assert board_status(board, "Norrskolan") == STATUS_LABEL[DialogueStatus.DRAFT]
    expect(board.get_by_role("link", name="Norrskolan")).to_have_count(0)  # a draft: no link
    url = dialogue_url(live_server, point, org.unit_n1)
    assert board.goto(url).status == 403
    board.goto(f"{live_server.url}/uppfoljning/")

    actions.dialogue_submit(unit=org.unit_n1, point=point, by=people.unit_head, **_texts())
    board.reload()
    board.get_by_role("link", name="Norrskolan").click()
    board.wait_for_url(url)
    main = board.locator("main")
    expect(main).to_contain_text(TEXT[ANALYSIS])
    expect(main.locator("form")).to_have_count(0)
    expect(main.get_by_role("textbox")).to_have_count(0)
    expect(main.get_by_role("button")).to_have_count(0)
    shoot(board, "dialogue-20-board-member-reads")

    for action, form in (
        ("", {**_texts(), "intent": "draft"}),
        ("kommentar/", {"text": "Nämnden tycker till."}),
        ("returnera/", {"comment": "Nämnden vill ha mer."}),
        ("diskuterad/", {}),
    ):
        target = dialogue_url(live_server, point, org.unit_n1, action)
        assert forged_post(board, target, form) == 403, action
    after = stored(org, point)
    assert after.status == DialogueStatus.SUBMITTED and after.comments.count() == 0


def test_a_teacher_finds_no_dialogue_and_reaches_none(log_in, live_server, org, people, point):
    actions.dialogue_submit(unit=org.unit_n1, point=point, by=people.unit_head, **_texts())
    teacher = log_in(people.teacher)
    nav = teacher.get_by_role("navigation", name="Konto")
    expect(nav.get_by_role("link", name="Resultatdialoger")).to_have_count(0)
    expect(teacher.get_by_role("region", name="Dina resultatdialoger")).to_have_count(0)

    assert teacher.goto(f"{live_server.url}/uppfoljning/").status == 403
    shoot(teacher, "dialogue-21-teacher-board-forbidden")
    teacher.goto(f"{live_server.url}/")
    # The group grant does not reach the unit: as if the dialogue did not exist.
    assert teacher.goto(dialogue_url(live_server, point, org.unit_n1)).status == 404
    teacher.goto(f"{live_server.url}/")
    comment = dialogue_url(live_server, point, org.unit_n1, "kommentar/")
    assert forged_post(teacher, comment, {"text": "Hej"}) == 404
    assert stored(org, point).comments.count() == 0


def test_the_head_of_another_unit_reaches_only_their_own_dialogue(
    log_in, live_server, org, people, point
):
    actions.dialogue_save_draft(
        unit=org.unit_n1, point=point, by=people.unit_head, analysis=TEXT[ANALYSIS]
    )
    sara = log_in(people.other_unit_head)
    mine = sara.get_by_role("region", name="Dina resultatdialoger")
    expect(mine.get_by_role("link")).to_have_text(["Resultatdialog för Söderskolan"])
    open_board(sara)
    assert sara.locator("tbody th[scope=row]").all_inner_texts() == ["Söderskolan"]

    norrskolan = dialogue_url(live_server, point, org.unit_n1)
    assert sara.goto(norrskolan).status == 404
    sara.goto(f"{live_server.url}/")
    # The same forged request reaches her own unit, but not Norrskolan's dialogue.
    draft = {"analysis": "Söderskolans analys.", "intent": "draft"}
    assert forged_post(sara, dialogue_url(live_server, point, org.unit_s1), draft) == 302
    assert forged_post(sara, norrskolan, {**draft, "intent": "submit"}) == 404
    assert forged_post(sara, norrskolan + "kommentar/", {"text": "Hej"}) == 404
    untouched = stored(org, point)
    assert (untouched.status, untouched.analysis) == (DialogueStatus.DRAFT, TEXT[ANALYSIS])
    assert untouched.comments.count() == 0


# -- 4. accessibility and the keyboard -------------------------------------------------------


def test_the_form_and_the_board_have_no_serious_accessibility_violation(
    log_in, live_server, org, people, point
):
    head = log_in(people.unit_head)
    head.goto(dialogue_url(live_server, point, org.unit_n1))
    assert serious_violations(head) == []
    head.get_by_role("button", name="Skicka in till förvaltningen").click()
    expect(head.get_by_label(ANALYSIS)).to_have_attribute("aria-invalid", "true")
    assert serious_violations(head) == []  # with errors shown
    open_board(head)
    assert serious_violations(head) == []

    actions.dialogue_submit(unit=org.unit_n1, point=point, by=people.unit_head, **_texts())
    admin = log_in(people.organiser_admin)
    open_board(admin)
    assert serious_violations(admin) == []
    admin.get_by_role("link", name="Norrskolan").click()
    expect(admin.get_by_role("button", name="Markera som diskuterad")).to_be_visible()
    assert serious_violations(admin) == []  # the organiser's response forms


def tab_to(page: Page, name: str, limit: int = 25) -> None:
    """Press Tab until the focused element has the accessible name `name`."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if focused_name(page) == name:
            return
    raise AssertionError(f"{name!r} not reached with Tab; focus is on {focused_name(page)!r}")


def focused_name(page: Page) -> str:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (el.labels && el.labels.length) return el.labels[0].textContent.trim();
            return (el.getAttribute('aria-label') || el.textContent || '').trim();
        }"""
    )


def focus_ring(page: Page) -> str:
    """The focused element's outline, e.g. 'solid 3px rgb(255, 191, 71)'."""
    return page.evaluate(
        """() => {
            const s = getComputedStyle(document.activeElement);
            return `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`;
        }"""
    )


def test_the_dialogue_is_written_and_submitted_with_the_keyboard_alone(
    log_in, live_server, org, people, point
):
    head = log_in(people.unit_head)
    head.goto(dialogue_url(live_server, point, org.unit_n1))

    head.keyboard.press("Tab")
    assert focused_name(head) == "Hoppa till innehållet"
    assert focus_ring(head).startswith("solid 3px")
    head.keyboard.press("Enter")  # to the main content, past the header's links
    tab_to(head, "Tillbaka till resultatdialogerna")
    assert focus_ring(head).startswith("solid 3px")

    # Past the links of the figures above the form (the result page, the dialogues before
    # and after, the plan) to the first field; then field after field.
    for _press in range(25):
        head.keyboard.press("Tab")
        if focused_name(head).startswith(ANALYSIS):
            break
    order = []
    for number, label in enumerate((ANALYSIS, WHAT_WORKS, ACTIONS, SUPPORT)):
        if number:
            head.keyboard.press("Tab")
        order.append(focused_name(head).split(" (")[0])
        assert focus_ring(head).startswith("solid 3px"), label
        head.keyboard.type(TEXT[label])
        if label == ANALYSIS:
            shoot(head, "dialogue-29-keyboard-focus-in-analysis")
    assert order == [ANALYSIS, WHAT_WORKS, ACTIONS, SUPPORT]

    head.keyboard.press("Tab")
    assert focused_name(head) == "Spara utkast"
    assert focus_ring(head).startswith("solid 3px")
    head.keyboard.press("Tab")
    assert focused_name(head) == "Skicka in till förvaltningen"
    assert focus_ring(head).startswith("solid 3px")
    shoot(head, "dialogue-30-keyboard-focus-on-submit")
    head.keyboard.press("Enter")

    expect(message(head)).to_contain_text("skickades in")
    assert stored(org, point).status == DialogueStatus.SUBMITTED
    assert stored(org, point).analysis == TEXT[ANALYSIS]
