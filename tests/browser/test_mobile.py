"""Phones and tablets (issue 14 item 8): at 390 px (a phone) and 768 px (an iPad held upright)
every page a role reaches fits the screen. Nothing makes the page wider than the viewport;
the header's links are all on the screen; a table wider than the screen scrolls inside its own
wrapper with its first column (the row's name) kept in view; a chart is drawn within the
screen. Each page is photographed at both widths (test-artifacts/mobile-*.png) and checked
with axe-core."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page
from tests.browser.axe import serious_violations
from tests.indicators.test_materialise import facts  # noqa: F401
from tests.indicators.test_materialise_pipeline import seeded_subjects_and_scales  # noqa: F401

from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.actions import dialogue_submit
from skolkvalitet.quality.publication.actions import key_figures_show

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "ett-långt-demolösenord"
PHONE, TABLET = 390, 768
WIDTHS = (PHONE, TABLET)
# Full names as long as real ones: the header shows the user's name beside the links.
NAMES = {
    "organiser_admin": ("Agnes", "Lindqvist-Johansson"),
    "unit_head": ("Rut", "Haddad Andersson"),
    "teacher": ("Lars", "Ek"),
    "board": ("Birgitta", "Holm Sundberg"),
}

# What overflows the viewport outside a scrolling wrapper, and how the page's tables, header
# and charts sit at this width; read in the page.
LAYOUT = """() => {
  const width = window.innerWidth;
  const scrollsX = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === 'auto' || x === 'scroll' || x === 'hidden') return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const overflowing = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1 && !scrollsX(el)) {
      overflowing.push(name(el) + ' ' + Math.round(box.right) + 'px');
    }
  }
  const header = [...document.querySelectorAll('.site-header a, .site-header button')]
    .filter((el) => {
      const box = el.getBoundingClientRect();
      return box.left < 0 || box.right > width + 1;
    })
    .map((el) => el.textContent.trim());
  const tables = [...document.querySelectorAll('main table')]
    .filter((t) => !t.closest('.visually-hidden'))
    .map((t) => {
      const wrapper = t.parentElement;
      const wrapped = wrapper.classList.contains('table-scroll');
      const scrolls = wrapped && wrapper.scrollWidth > wrapper.clientWidth;
      const firsts = [...t.querySelectorAll('tbody tr')].map((r) => r.cells[0]).filter(Boolean);
      return {
        table: t.id || (t.caption ? t.caption.textContent.trim() : name(t)),
        wrapped, scrolls,
        sticky: firsts.every((c) => getComputedStyle(c).position === 'sticky'),
      };
    });
  const charts = [...document.querySelectorAll('figure.chart .chart-view svg')]
    .map((svg) => {
      const b = svg.getBoundingClientRect();
      return { chart: svg.closest('figure').id, left: b.left, right: b.right };
    });
  return {
    scrollWidth: document.documentElement.scrollWidth, width,
    overflowing: overflowing.slice(0, 10), header, tables, charts,
  };
}"""


@pytest.fixture
def walk(seeded_subjects_and_scales, facts, users, browser, live_server):  # noqa: F811
    """Facts for the pages, a dialogue handed in, the key figures public; walk(role, pages)
    opens each page at both widths as that role and returns its layout per width and page."""
    indicators_materialise()
    org = facts.org
    for role, (first, last) in NAMES.items():
        user = getattr(users, role)
        user.first_name, user.last_name = first, last
        user.set_password(PASSWORD)
        user.save()
    dialogue_submit(
        unit=org.unit_n1,
        point=facts.p2,
        by=users.unit_head,
        analysis="Fler elever än förra året når målen i matematik tack vare extra lektioner.",
        actions="Vi fortsätter med studiestöd två eftermiddagar i veckan.",
    )
    key_figures_show(
        organiser=org.organiser,
        shown=True,
        scope=scope_for(users.organiser_admin),
        by=users.organiser_admin,
    )
    contexts = []

    def open_pages(role: str | None, pages: dict[str, str]) -> dict[int, dict[str, dict]]:
        context = browser.new_context(locale="sv-SE", viewport={"width": PHONE, "height": 844})
        contexts.append(context)
        page = context.new_page()
        if role is not None:
            page.goto(f"{live_server.url}/login/")
            page.get_by_label("Användarnamn").fill(getattr(users, role).username)
            page.get_by_label("Lösenord").fill(PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            page.wait_for_url(f"{live_server.url}/")
        seen: dict[int, dict[str, dict]] = {}
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 844 if width == PHONE else 1024})
            seen[width] = {}
            for label, path in pages.items():
                response = page.goto(f"{live_server.url}{path}")
                assert response is not None and response.status == 200, (label, path)
                settle(page)
                seen[width][label] = page.evaluate(LAYOUT)
                seen[width][label]["axe"] = serious_violations(page)
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(
                    path=str(ARTIFACTS / f"mobile-{role or 'public'}-{width}-{label}.png"),
                    full_page=True,
                )
        return seen

    yield facts, open_pages
    for context in contexts:
        context.close()


def settle(page: Page) -> None:
    """htmx fragments loaded and every chart drawn (or failed to its table)."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart-spec]')]"
        ".every((el) => el.getAttribute('data-chart-rendered') === 'true')"
    )


def assert_fits(seen: dict[int, dict[str, dict]]) -> None:
    for width, pages in seen.items():
        for label, layout in pages.items():
            where = f"{label} at {width} px"
            assert layout["width"] == width
            assert layout["scrollWidth"] <= width, (where, layout["overflowing"])
            assert layout["overflowing"] == [], where
            assert layout["header"] == [], where
            for table in layout["tables"]:
                assert table["wrapped"], (where, table["table"])
                if table["scrolls"]:
                    assert table["sticky"], (where, table["table"])
            for chart in layout["charts"]:
                assert chart["left"] >= 0 and chart["right"] <= width, (where, chart)
            assert layout["axe"] == [], where


def test_the_forvaltning_reads_every_page_on_a_phone_and_a_tablet(walk) -> None:
    data, open_pages = walk
    org, year = data.org, data.year.start_year
    unit = org.unit_n1.pk
    seen = open_pages(
        "organiser_admin",
        {
            "start": "/",
            "overview": "/resultat/",
            "unit": f"/resultat/enhet/{unit}/",
            "group": f"/resultat/grupp/{org.group_n1a.pk}/",
            "pupils": f"/resultat/enhet/{unit}/elever-i-behov/",
            "board": "/uppfoljning/",
            "dialogue": f"/uppfoljning/{data.p2.pk}/{unit}/",
            "reports": f"/uppfoljning/rapporter/{year}/",
            "report": f"/uppfoljning/rapporter/{year}/{unit}/grundskola/",
            "plan": f"/uppfoljning/plan/{unit}/{year}/",
            "documents": "/uppfoljning/dokument/",
            "practices": "/uppfoljning/arbetssatt/",
        },
    )
    assert_fits(seen)
    # The overview's table of units is wider than a phone: it scrolls in its wrapper, with
    # the units' names kept in view.
    overview = {t["table"]: t for t in seen[PHONE]["overview"]["tables"]}
    assert any(t["scrolls"] and t["sticky"] for t in overview.values())
    # The unit page draws its charts within the phone's screen.
    assert len(seen[PHONE]["unit"]["charts"]) >= 1


def test_the_unit_head_reads_the_own_unit_on_a_phone(walk) -> None:
    data, open_pages = walk
    org, year = data.org, data.year.start_year
    unit = org.unit_n1.pk
    seen = open_pages(
        "unit_head",
        {
            "start": "/",
            "overview": "/resultat/",
            "unit": f"/resultat/enhet/{unit}/",
            "pupils": f"/resultat/enhet/{unit}/elever-i-behov/",
            "board": "/uppfoljning/",
            "dialogue": f"/uppfoljning/{data.p2.pk}/{unit}/",
            "report": f"/uppfoljning/rapporter/{year}/{unit}/grundskola/",
            "plan": f"/uppfoljning/plan/{unit}/{year}/",
            "practices": "/uppfoljning/arbetssatt/",
        },
    )
    assert_fits(seen)


def test_the_teacher_reads_the_own_group_on_a_phone(walk) -> None:
    data, open_pages = walk
    org = data.org
    seen = open_pages(
        "teacher",
        {
            "start": "/",
            "overview": "/resultat/",
            "group": f"/resultat/grupp/{org.group_n1a.pk}/",
            "practices": "/uppfoljning/arbetssatt/",
        },
    )
    assert_fits(seen)


def test_the_board_reads_on_an_ipad_and_a_phone(walk) -> None:
    data, open_pages = walk
    org, year = data.org, data.year.start_year
    unit = org.unit_n1.pk
    seen = open_pages(
        "board",
        {
            "start": "/",
            "overview": "/resultat/",
            "unit": f"/resultat/enhet/{unit}/",
            "board": "/uppfoljning/",
            "dialogue": f"/uppfoljning/{data.p2.pk}/{unit}/",
            "reports": f"/uppfoljning/rapporter/{year}/",
        },
    )
    assert_fits(seen)


def test_anyone_reads_the_public_pages_on_a_phone(walk) -> None:
    data, open_pages = walk
    org = data.org
    seen = open_pages(
        None,
        {
            "index": "/offentlig/",
            "organiser": f"/offentlig/huvudman/{org.organiser.pk}/",
            "unit": f"/offentlig/enhet/{org.unit_n1.pk}/",
        },
    )
    assert_fits(seen)
