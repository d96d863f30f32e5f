"""The resultatdialog's figures (quality/dialogue_figures.py) from hand-made IndicatorValue
rows: the unit's value as each role may see it (markers for the board and the coach), n only
with pupil access, the change since the previous point (or term), the organiser's value for
every reader (as published), the target; and the page's links to the result page and the
dialogues before and after."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from skolkvalitet.dashboards.actions import target_set
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality import actions
from skolkvalitet.quality.dialogue_figures import dialogue_figures, neighbour_points

from .conftest import DIALOGUE_TEXT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def value(node, indicator, kind, period_id, v, n, suppression="", family="assessments"):
    IndicatorValue.objects.create(
        indicator=indicator,
        family=family,
        node=node,
        period_kind=kind,
        period_id=period_id,
        breakdown="",
        value=v,
        n=n,
        numerator=v * n / 100,
        denominator=n,
        suppression=suppression,
        data_version=1,
    )


@pytest.fixture
def figures(org, points):
    """Söderskolan (unit_s1, the coach's area) at HT2024 1 and 2 and VT2025 1; the organiser
    at HT2024 2; absence in both terms; a target for the year."""
    unit, p0, p1, p2 = org.unit_s1, points[0], points[1], points[2]
    value(unit, "on_track_all_subjects", "point", p0.pk, 80.0, 20)
    value(unit, "on_track_all_subjects", "point", p1.pk, 85.0, 20)
    value(unit, "on_track_MA", "point", p0.pk, 40.0, 20)
    value(unit, "on_track_MA", "point", p1.pk, 50.0, 4, suppression="..")
    value(org.organiser, "on_track_all_subjects", "point", p1.pk, 78.0, 200)
    value(unit, "absence_mean", "term", p0.term_id, 6.5, 20, family="absence")
    value(unit, "absence_mean", "term", p2.term_id, 5.0, 20, family="absence")
    target_set(node=unit, indicator="on_track_all_subjects", value=90.0, academic_year=org.year)
    return org


def rows(table) -> dict[str, object]:
    return {row.indicator.key: row for row in table.rows}


def test_with_pupil_access_every_figure_is_shown_with_n_change_organiser_and_target(
    figures, users, points
):
    shown = dialogue_figures(scope_for(users.analyst), unit=figures.unit_s1, point=points[1])
    assert shown.points.period.label == points[1].name
    assert shown.points.previous.label == points[0].name
    assert shown.organiser == figures.organiser
    all_subjects, maths = (
        rows(shown.points)["on_track_all_subjects"],
        rows(shown.points)["on_track_MA"],
    )
    assert (all_subjects.shown, all_subjects.n) == (85.0, 20)
    assert all_subjects.change == pytest.approx(5.0)
    assert (all_subjects.organiser, all_subjects.target) == (78.0, 90.0)
    assert (maths.shown, maths.n, maths.organiser, maths.target) == (50.0, 4, None, None)
    assert maths.change == pytest.approx(10.0)
    assert "on_track_EN" not in rows(shown.points)  # no value at either point


def test_the_board_sees_markers_without_n_and_no_change_from_a_suppressed_figure(
    figures, users, points
):
    shown = dialogue_figures(scope_for(users.board), unit=figures.unit_s1, point=points[1])
    all_subjects, maths = (
        rows(shown.points)["on_track_all_subjects"],
        rows(shown.points)["on_track_MA"],
    )
    assert shown.pupil_access is False
    # n beside a shown value, as the API gives it; never beside a marker.
    assert (all_subjects.shown, all_subjects.n, all_subjects.organiser) == (85.0, 20, 78.0)
    assert all_subjects.change == pytest.approx(5.0)
    assert (maths.shown, maths.n, maths.change) == ("..", None, None)


def test_the_coach_sees_markers_and_the_organisers_figure_as_published(figures, users, points):
    shown = dialogue_figures(scope_for(users.coach), unit=figures.unit_s1, point=points[1])
    maths = rows(shown.points)["on_track_MA"]
    assert shown.organiser == figures.organiser
    assert (maths.shown, maths.n) == ("..", None)
    # The organiser's figure (200 pupils) is published as it is; the coach's scope does not
    # reach the organiser, but an aggregate of the whole organiser reveals no pupil.
    assert rows(shown.points)["on_track_all_subjects"].organiser == 78.0


def test_the_terms_figures_change_since_the_term_before(figures, users, points):
    shown = dialogue_figures(scope_for(users.analyst), unit=figures.unit_s1, point=points[2])
    assert (shown.terms.period.label, shown.terms.previous.label) == ("VT2025", "HT2024")
    absence = rows(shown.terms)["absence_mean"]
    assert (absence.shown, absence.n) == (5.0, 20)
    assert absence.change == pytest.approx(-1.5)
    # VT2025 1 has no assessments: the point's rows keep the figures of the point before,
    # without a value of their own now and so without a change.
    all_subjects = rows(shown.points)["on_track_all_subjects"]
    assert (all_subjects.shown, all_subjects.change) == (None, None)


def test_the_neighbouring_dialogues_are_linked_only_where_the_reader_may_read_them(
    figures, users, points
):
    unit = figures.unit_s1
    coach = neighbour_points(scope_for(users.coach), unit=unit, point=points[1])
    assert (coach.previous, coach.next) == (points[0], points[2])
    assert (coach.previous_readable, coach.next_readable) == (False, False)
    analyst = neighbour_points(scope_for(users.analyst), unit=unit, point=points[1])
    assert (analyst.previous_readable, analyst.next_readable) == (True, True)
    first = neighbour_points(scope_for(users.analyst), unit=unit, point=points[0])
    assert first.previous is None


# -- the page -----------------------------------------------------------------------------


def page(client, point, unit):
    url = reverse("quality_dialogue", kwargs={"point_id": point.pk, "unit_id": unit.pk})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def section_of(html: str) -> str:
    match = re.search(r'<section aria-labelledby="figures-heading".*?</section>', html, re.S)
    assert match
    return match.group(0)


def test_the_page_shows_the_figures_and_links_for_the_analyst(figures, client_for, points):
    unit = figures.unit_s1
    html = section_of(page(client_for("analyst"), points[1], unit))
    assert "85,0" in html and "n=20" in html  # the unit's value with n
    assert "78,0" in html and figures.organiser.name in html  # the organiser's
    assert "90,0" in html  # the target
    assert re.search(r"\+5[.,]0", html)  # the change since HT2024 1 (in the locale's format)
    assert reverse("unit", args=[unit.pk]) in html
    for other in (points[0], points[2]):
        url = reverse("quality_dialogue", kwargs={"point_id": other.pk, "unit_id": unit.pk})
        assert f'href="{url}"' in html


def test_the_page_shows_the_board_markers_and_no_n(figures, client_for, points, users):
    unit = figures.unit_s1
    actions.dialogue_submit(unit=unit, point=points[1], by=users.organiser_admin, **DIALOGUE_TEXT)
    html = section_of(page(client_for("board"), points[1], unit))
    assert ">..</abbr>" in html
    assert "85,0" in html and "n=20" in html and "n=4" not in html


def test_the_coach_reaches_the_previous_dialogue_once_it_is_handed_in(
    figures, client_for, points, users
):
    unit = figures.unit_s1
    previous = reverse("quality_dialogue", kwargs={"point_id": points[0].pk, "unit_id": unit.pk})
    actions.dialogue_submit(unit=unit, point=points[1], by=users.organiser_admin, **DIALOGUE_TEXT)
    assert f'href="{previous}"' not in section_of(page(client_for("coach"), points[1], unit))
    actions.dialogue_submit(unit=unit, point=points[0], by=users.organiser_admin, **DIALOGUE_TEXT)
    assert f'href="{previous}"' in section_of(page(client_for("coach"), points[1], unit))


def test_a_point_without_figures_says_so(org, client_for, points):
    html = section_of(page(client_for("unit_head"), points[0], org.unit_n1))
    assert "There are no figures for this follow-up point yet." in html
