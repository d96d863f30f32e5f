"""Reading the shared practices (quality/practices/selectors.py): everyone with a role in the
organiser reads every practice published there and nothing of another organiser; drafts and
withdrawn practices only the node's writers and reviewers; the search by words, area, school
form, indicator and year; the year's practices for the annual report."""

from __future__ import annotations

import datetime as dt

import pytest

from skolkvalitet.organisation.models import AcademicYear
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.practices import actions, selectors
from skolkvalitet.quality.practices.selectors import PracticeSearch

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(org, users, head_s1, neighbour, share, plan_action):
    """Published in Exempelstad: two of Norrskolan's (2024/25), one of Söderskolan's
    (2024/25) and one of Norrskolan's of 2023/24; a draft and a withdrawn one of Norrskolan;
    one published in Grannby."""
    earlier = AcademicYear.objects.create(
        code="2023/24", start_date=dt.date(2023, 8, 21), end_date=dt.date(2024, 6, 14)
    )
    ns = {
        "matte": share(
            "Matteverkstad",
            what="Lärarna planerar matteverkstaden tillsammans varje vecka.",
            area="Matematik",
            indicators=["merit_value_17", "passed_all_subjects"],
            plan_actions=[plan_action],
        ),
        "franvaro": share(
            "Tidig kontakt vid frånvaro",
            what="Mentorn ringer hem samma dag.",
            for_whom="Elever med upprepad frånvaro",
            area="Närvaro",
            indicators=["absence_15_percent_or_more"],
        ),
        "las": share(
            "Läsfadder",
            node=org.unit_s1,
            by=head_s1,
            what="Äldre elever läser med yngre varje fredag i matte och svenska.",
            area="matematik",  # the same area, in another case
            indicators=["passed_all_subjects"],
        ),
        "forra": share(
            "Lugna raster", what="Rastvärdar i gula västar.", area="Trygghet", year=earlier
        ),
        "utkast": share("Utkast om matte", publish=False, area="Matematik"),
        "granne": share(
            "Grannbys matteverkstad", node=neighbour.unit, by=neighbour.head, area="Matematik"
        ),
    }
    withdrawn = share("Indragen", area="Matematik")
    actions.practice_withdraw(
        practice=withdrawn,
        reason="Dubblett.",
        scope=scope_for(users.analyst),
        by=users.analyst,
    )
    ns["indragen"] = withdrawn
    ns["earlier"] = earlier
    return ns


def titles(practices) -> set[str]:
    return {p.title for p in practices}


PUBLISHED_HERE = {"Matteverkstad", "Tidig kontakt vid frånvaro", "Läsfadder", "Lugna raster"}


def test_every_role_in_the_organiser_reads_its_published_practices(
    org, users, head_s1, neighbour, shared
) -> None:
    for role in ("organiser_admin", "analyst", "unit_head", "teacher", "board", "coach"):
        scope = scope_for(getattr(users, role))
        assert titles(selectors.practices_search(scope, PracticeSearch())) == PUBLISHED_HERE, role
    # A neighbour reads its own organiser's only.
    assert titles(selectors.practices_search(scope_for(neighbour.head), PracticeSearch())) == {
        "Grannbys matteverkstad"
    }


def test_a_draft_or_withdrawn_practice_is_read_by_its_writers_and_reviewers(
    org, users, head_s1, neighbour, shared
) -> None:
    for key in ("utkast", "indragen"):
        pk = shared[key].pk
        for user in (users.unit_head, users.analyst, users.organiser_admin):
            assert selectors.practice_find(scope_for(user), pk) is not None, (key, user)
        for user in (head_s1, users.board, users.teacher, users.coach, neighbour.head):
            assert selectors.practice_find(scope_for(user), pk) is None, (key, user)
    granne = shared["granne"].pk
    assert selectors.practice_find(scope_for(users.board), granne) is None
    assert selectors.practice_find(scope_for(users.coach), shared["matte"].pk) is not None


def test_the_search(org, users, shared) -> None:
    teacher = scope_for(users.teacher)

    def found(**search) -> set[str]:
        return titles(selectors.practices_search(teacher, PracticeSearch(**search)))

    # Every word must occur, in the title, what was done or for whom, in any case.
    assert found(text="MATTE") == {"Matteverkstad", "Läsfadder"}
    assert found(text="matte fredag") == {"Läsfadder"}
    assert found(text="upprepad") == {"Tidig kontakt vid frånvaro"}
    assert found(text="ingenting sådant") == set()
    # The area whole, in any case.
    assert found(area="MATEMATIK") == {"Matteverkstad", "Läsfadder"}
    assert found(area="Mate") == set()
    assert found(indicator="passed_all_subjects") == {"Matteverkstad", "Läsfadder"}
    assert found(indicator="absence_15_percent_or_more") == {"Tidig kontakt vid frånvaro"}
    assert found(school_form="GR") == PUBLISHED_HERE
    assert found(school_form="FS") == set()
    assert found(year=shared["earlier"]) == {"Lugna raster"}
    assert found(year=org.year, area="matematik", indicator="merit_value_17") == {"Matteverkstad"}


def test_the_facets_are_what_the_published_practices_carry(org, users, shared) -> None:
    facets = selectors.practice_facets(scope_for(users.board))
    # "Matematik" and "matematik" are one area (once each: the first sorted); the draft's,
    # the withdrawn one's and Grannby's add nothing.
    assert facets.areas == ["Matematik", "Närvaro", "Trygghet"]
    assert facets.school_forms == [("GR", "Grundskola")]
    assert [key for key, _name in facets.indicators] == [
        "absence_15_percent_or_more",  # Frånvaro 15 % eller mer
        "merit_value_17",  # Genomsnittligt meritvärde (17 ämnen)
        "passed_all_subjects",  # Uppfyllt betygskriterierna i alla ämnen
    ]
    assert [y.code for y in facets.years] == ["2024/25", "2023/24"]


def test_the_practices_of_the_year_for_the_annual_report(org, users, shared, plan_action) -> None:
    year = selectors.practices_of_year(org.organiser, org.year)
    # By unit (Norrskolan before Söderskolan), then title; no draft, withdrawn, other year
    # or other organiser.
    assert [(p.node.name, p.title) for p in year] == [
        ("Norrskolan", "Matteverkstad"),
        ("Norrskolan", "Tidig kontakt vid frånvaro"),
        ("Söderskolan", "Läsfadder"),
    ]
    (link,) = selectors.practice_links(year[0])
    assert link.action == plan_action
    assert link.goal.title == "Fler elever når E i matematik"
    assert link.evaluation is not None and link.evaluation.verdict == "partly"
    assert [p.title for p in selectors.practices_of_year(org.organiser, shared["earlier"])] == [
        "Lugna raster"
    ]


def test_the_practices_a_user_writes(org, users, head_s1, shared) -> None:
    assert titles(selectors.practices_to_write(scope_for(users.unit_head))) == {
        "Matteverkstad",
        "Tidig kontakt vid frånvaro",
        "Lugna raster",
        "Utkast om matte",
        "Indragen",
    }
    assert titles(selectors.practices_to_write(scope_for(head_s1))) == {"Läsfadder"}
    assert selectors.practices_to_write(scope_for(users.board)) == []
    # The analyst writes the organiser's own practices only, not the units'.
    assert selectors.practices_to_write(scope_for(users.analyst)) == []
