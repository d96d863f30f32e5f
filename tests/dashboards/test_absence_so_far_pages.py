"""Absence so far this term on the result pages, on the facts of tests/results/test_selectors.py
(Norrskolan, HT2024, one period 15 August–30 September: David 30 %, Elsa 15 %, Cesar 10 %):
at point 1 (15 October) 2 of the 3 pupils are at 15 % or more. The overview's column, its
download and the unit page's points table name the figure "so far this term"."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from tests.indicators.test_materialise import facts  # noqa: F401
from tests.results.test_selectors import more  # noqa: F401

from skolkvalitet.indicators.materialise import indicators_materialise

pytestmark = pytest.mark.django_db

LABEL = "Frånvaro 15 % eller mer, hittills denna termin"


@pytest.fixture
def computed(more):  # noqa: F811
    indicators_materialise()
    return more


def test_the_overview_at_a_point_shows_the_absence_so_far(computed, users, client):
    client.force_login(users.organiser_admin)
    html = client.get(reverse("overview"), {"punkt": computed.p1.pk}).content.decode()
    assert "66,7" in html
    csv = client.get(reverse("overview"), {"punkt": computed.p1.pk, "format": "csv"})
    lines = csv.content.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    norrskolan = next(line for line in lines if ";Norrskolan;" in line).split(";")
    column = next(i for i, h in enumerate(header) if h.startswith("Frånvaro 15 % eller mer"))
    assert norrskolan[column] in ("66,7", "66.7")
    assert norrskolan[column + 1] == "3"  # n


def test_the_so_far_figures_are_named_so(computed, users, client):
    """Waits for the lead's catalogue merge (tools/translations/absence.json)."""
    client.force_login(users.organiser_admin)
    csv = client.get(reverse("overview"), {"punkt": computed.p1.pk, "format": "csv"})
    assert LABEL in csv.content.decode("utf-8-sig").splitlines()[0].split(";")
    unit = client.get(reverse("unit", args=[computed.org.unit_n1.pk])).content.decode()
    assert LABEL in re.sub(r"<[^>]+>", "", unit)  # the label's "so far" is a span of its own


def test_the_board_sees_the_small_so_far_figure_hidden(computed, users, client):
    """3 pupils are fewer than the unit-level limit of 10: the board (no pupil access) gets
    Skolverket's marker, never the figure."""
    client.force_login(users.board)
    csv = client.get(reverse("overview"), {"punkt": computed.p1.pk, "format": "csv"})
    lines = csv.content.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    column = next(i for i, h in enumerate(header) if h.startswith("Frånvaro 15 % eller mer"))
    norrskolan = next(line for line in lines if ";Norrskolan;" in line).split(";")
    assert norrskolan[column] == ".."
