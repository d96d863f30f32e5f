"""The publication check refuses a document with a figure shown for a small group, a hidden
figure shown as a number, a personnummer or a pupil's name — and lets a correct one pass."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.publishing.documents.check import (
    PublicationRefused,
    _luhn_ok,
    publication_checked,
    publication_problems,
)
from skolkvalitet.publishing.documents.model import (
    BulletList,
    Chart,
    Document,
    FigureCell,
    Heading,
    Paragraph,
    Table,
)


def merit(shown, n, suppression="", min_n=10) -> FigureCell:
    return FigureCell(
        shown=shown,
        unit="points",
        indicator="merit_value_17",
        n=n,
        suppression=suppression,
        min_n=min_n,
    )


def document(*rows, text: str = "Resultaten förbättrades.") -> Document:
    doc = Document(title="Kvalitetsredovisning 2024/25", organiser="Exempelstads kommun")
    doc.add(
        Heading("Kunskapsresultat"),
        Paragraph(text),
        Table(caption="Meritvärde per enhet", columns=("Enhet", "Meritvärde"), rows=tuple(rows)),
    )
    return doc


def test_a_document_that_follows_the_rules_passes() -> None:
    ok = document(("Norrskolan", merit(225.5, 40)), ("Söderskolan", merit("..", None, "..")))
    assert publication_problems(ok, pupil_names=["Anna Svensson"]) == []
    assert publication_checked(ok) is ok


def test_a_planted_small_group_figure_is_refused_and_named() -> None:
    planted = document(("Norrskolan", merit(225.5, 40)), ("Lillskolan", merit(190.0, 4)))
    with pytest.raises(PublicationRefused) as refused:
        publication_checked(planted)
    [problem] = refused.value.problems
    assert "Meritvärde per enhet" in problem.where and "2" in problem.where
    assert "4" in problem.what and "10" in problem.what


def test_a_hidden_figure_shown_as_a_number_is_refused() -> None:
    # Complementary suppression hid it (`..`) though it rests on enough pupils.
    planted = document(("Norrskolan", merit(225.5, 40, suppression="..")))
    [problem] = publication_problems(planted)
    assert ".." in problem.what


def test_a_figure_without_its_n_is_refused_where_a_limit_applies() -> None:
    assert publication_problems(document(("Norrskolan", merit(225.5, None))))


def test_a_planted_pupil_list_is_refused() -> None:
    pupil = make_personal_number(dt.date(2010, 5, 17), 123)
    planted = document(("Norrskolan", merit(225.5, 40)))
    planted.add(BulletList((f"{pupil} Anna Svensson", "Erik  Lind")))
    problems = publication_problems(planted, pupil_names=["Anna Svensson", "Erik Lind", "Bo"])
    whats = [p.what for p in problems]
    assert len(problems) == 3  # the number, and two names
    assert any("personnummer" in w or "identity" in w or "person" in w for w in whats)


def test_a_name_in_running_text_and_a_samordningsnummer_are_found() -> None:
    text = "Vi pratade med anna svensson om frånvaron."
    assert publication_problems(document(text=text), pupil_names=["Anna Svensson"])
    coordination = make_personal_number(dt.date(2010, 5, 17), 123).replace("-", "")
    # Day + 60: a samordningsnummer of the same date, its check digit recomputed.
    body = coordination[:6] + str(int(coordination[6:8]) + 60) + coordination[8:11]
    check = next(d for d in range(10) if _luhn_ok(f"{body[2:]}{d}"))
    assert publication_problems(document(text=f"Elev {body[2:]}{check}"))


def test_a_given_name_alone_and_ordinary_numbers_pass() -> None:
    text = "Anna och Erik ledde 2024 års arbete; 120 elever, telefon 08-123 456 78."
    assert publication_problems(document(text=text), pupil_names=["Anna Svensson"]) == []


def test_a_chart_figure_is_checked_too() -> None:
    doc = document()
    doc.add(Chart({"title": "Meritvärde", "data": {"values": []}}, figures=(merit(190.0, 3),)))
    [problem] = publication_problems(doc)
    assert "Meritvärde" in problem.where


@given(
    n=st.integers(min_value=0, max_value=200),
    min_n=st.integers(min_value=1, max_value=20),
    marker=st.sampled_from(["", "..", "~100"]),
    value=st.floats(min_value=0, max_value=340, allow_nan=False),
)
def test_a_number_passes_exactly_when_it_rests_on_enough_pupils_and_is_not_hidden(
    n, min_n, marker, value
) -> None:
    shown = marker if marker else value  # as `present` shows it to the board
    problems = publication_problems(document(("Enhet", merit(shown, n, marker, min_n))))
    assert (problems == []) == (bool(marker) or n >= min_n)
    # and a number shown where a marker belongs is always refused
    assert publication_problems(document(("Enhet", merit(value, n, "..", min_n))))


def survey(shown, n, suppression="", min_n=10) -> FigureCell:
    return FigureCell(
        shown=shown,
        unit="percent",
        indicator="survey_pupil_safety",
        n=n,
        suppression=suppression,
        min_n=min_n,
    )


def teachers(shown, n) -> FigureCell:
    # Staff figures count staff, not pupils (registry: NOT_PUPILS): the limit is 0.
    return FigureCell(
        shown=shown, unit="percent", indicator="certified_teachers_share", n=n, min_n=0
    )


def test_a_survey_figure_resting_on_too_few_respondents_is_refused() -> None:
    # 8 of 8 respondents agree at a unit: 100 %, below the unit-level limit of 10.
    planted = document(("Söderskolan", survey(100.0, 8)))
    [problem] = publication_problems(planted)
    assert "survey_pupil_safety" in problem.what and "8" in problem.what
    assert publication_problems(document(("Söderskolan", survey("..", None, "..")))) == []
    assert publication_problems(document(("Norrskolan", survey(80.0, 25)))) == []
    # A survey figure hidden by complementary suppression is refused when shown as a number.
    assert publication_problems(document(("Norrskolan", survey(80.0, 25, ".."))))


def test_a_staff_figure_of_few_teachers_passes_as_published() -> None:
    assert publication_problems(document(("Lillskolan", teachers(66.7, 3)))) == []


def test_a_chart_of_survey_figures_names_its_title_in_the_problem() -> None:
    from skolkvalitet.publishing.charts.trend import trend_chart

    doc = document()
    spec = trend_chart([("2024/25", 100.0)], title="Trygghet (elevenkät)", unit="percent")
    doc.add(Chart(spec, figures=(survey(100.0, 8),)))
    [problem] = publication_problems(doc)
    assert "Trygghet (elevenkät)" in problem.where and "{" not in problem.where
