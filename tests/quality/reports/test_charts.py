"""The charts of a quality report's sections (the common model's `charts`): a trend of an
indicator over the academic years and the year's grade distribution, drawn with the result
pages' chart functions from the report's chart figures — live while it is written, frozen
with its table figures when it is submitted — and suppressed for the reader's role."""

from __future__ import annotations

import datetime as dt

import pytest

from skolkvalitet.indicators.markers import HIDDEN
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.organisation.models import AcademicYear
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.reports.actions import report_start, report_submit
from skolkvalitet.quality.reports.charts import section_charts
from skolkvalitet.quality.reports.export import report_data, report_figures, template_of
from skolkvalitet.quality.reports.figures import GRADES, TREND, chart_figures_live

pytestmark = pytest.mark.django_db

SUBJECTS = ("SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI")
HEADER = "personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"


def grades_file(unit_code: str, year: str, grade: str, pupils: int, first: int = 1) -> bytes:
    """`pupils` year-9 pupils with `grade` in each of eight subjects, final grades of VT."""
    born = int(year[:4]) - 15
    rows = []
    for serial in range(first, first + pupils):
        pupil = make_personal_number(dt.date(born, 3, serial), 100 + serial)
        rows += [f"{pupil};{unit_code};{year};VT;9;{s};{grade};slutbetyg\n" for s in SUBJECTS]
    return (HEADER + "".join(rows)).encode()


@pytest.fixture
def two_years(org):
    # Norrskolan: 2023/24 twelve pupils with E in eight subjects (merit value 8 × 10 = 80),
    # 2024/25 twelve others with C (8 × 15 = 120).
    facts_import_bytes("grades", grades_file(org.unit_n1.code, "2023/24", "E", 12), "a.csv")
    facts_import_bytes("grades", grades_file(org.unit_n1.code, "2024/25", "C", 12, 13), "b.csv")
    return org


@pytest.fixture
def report(two_years, users):
    return report_start(
        node=two_years.unit_n1,
        year=two_years.year,
        school_form="grundskola",
        scope=scope_for(users.unit_head),
        by=users.unit_head,
    )


def datums(spec: dict) -> list[dict]:
    return spec["data"]["values"]


def test_the_knowledge_section_charts_the_merit_value_over_the_years(report, two_years) -> None:
    template = template_of(report.template)
    figures = chart_figures_live(node=two_years.unit_n1, year=two_years.year, template=template)
    trend = [(f.period_label, f.value, f.n) for f in figures if f.kind == TREND]
    assert trend == [("2023/24", 80.0, 12), ("2024/25", 120.0, 12)]
    counts = {(f.indicator, f.period_label): f.value for f in figures if f.kind == GRADES}
    assert counts == {(s, "C"): 12.0 for s in SUBJECTS}  # the report's year only

    charts = section_charts(figures, template=template, year=two_years.year, pupil_access=False)
    trend_chart, grades_chart = charts["kunskaper"]
    assert trend_chart.id == "chart-kunskaper-trend-merit-value-17"
    points = [(d["period"], d["value"]) for d in datums(trend_chart.spec) if d["series"]]
    assert points == [("2023/24", 80.0), ("2024/25", 120.0)]
    mathematics = {
        d["grade"]: d["value"] for d in datums(grades_chart.spec) if d["group"] == "Matematik"
    }
    assert mathematics["C"] == 100.0 and mathematics["A"] == 0.0


def test_a_small_unit_charts_markers_for_roles_without_pupil_access(org, users) -> None:
    # Five pupils: below the merit value's and the grade distribution's limit (10) at unit level.
    facts_import_bytes("grades", grades_file(org.unit_n1.code, "2023/24", "E", 5), "a.csv")
    facts_import_bytes("grades", grades_file(org.unit_n1.code, "2024/25", "C", 5, 13), "b.csv")
    report = report_start(
        node=org.unit_n1,
        year=org.year,
        school_form="grundskola",
        scope=scope_for(users.unit_head),
        by=users.unit_head,
    )
    template = template_of(report.template)
    figures = report_figures(report, template)

    hidden = section_charts(figures, template=template, year=org.year, pupil_access=False)
    trend, grades = hidden["kunskaper"]
    assert {(d["value"], d["label"]) for d in datums(trend.spec)} == {(None, HIDDEN)}
    assert {d["value"] for d in datums(grades.spec)} == {None}
    assert 100.0 not in {d["value"] for d in datums(grades.spec)}

    seen = section_charts(figures, template=template, year=org.year, pupil_access=True)
    trend, grades = seen["kunskaper"]
    assert [d["value"] for d in datums(trend.spec)] == [80.0, 120.0]


def test_a_trend_needs_two_years_with_a_figure(org, users) -> None:
    facts_import_bytes("grades", grades_file(org.unit_n1.code, "2024/25", "C", 12), "b.csv")
    report = report_start(
        node=org.unit_n1,
        year=org.year,
        school_form="grundskola",
        scope=scope_for(users.unit_head),
        by=users.unit_head,
    )
    template = template_of(report.template)
    charts = section_charts(
        report_figures(report, template), template=template, year=org.year, pupil_access=True
    )
    assert [c.id for c in charts["kunskaper"]] == ["chart-kunskaper-grades"]


def test_a_trend_reaches_back_five_academic_years(org, users) -> None:
    for start in range(2018, 2025):  # seven years of grades, 2018/19 … 2024/25
        year = f"{start}/{str(start + 1)[2:]}"
        file = grades_file(org.unit_n1.code, year, "E", 12)  # born in another year each
        facts_import_bytes("grades", file, f"{start}.csv")
    report = report_start(
        node=org.unit_n1,
        year=AcademicYear.objects.get(code="2024/25"),
        school_form="grundskola",
        scope=scope_for(users.unit_head),
        by=users.unit_head,
    )
    figures = chart_figures_live(
        node=org.unit_n1, year=report.academic_year, template=template_of(report.template)
    )
    periods = [f.period_label for f in figures if f.kind == TREND]
    assert periods == ["2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]


def test_submission_freezes_the_charts_and_a_later_import_does_not_change_them(
    report, two_years, users
) -> None:
    report_submit(report=report, scope=scope_for(users.unit_head), by=users.unit_head)
    # A corrected file for 2024/25: the same twelve pupils now have A (8 × 20 = 160).
    corrected = grades_file(two_years.unit_n1.code, "2024/25", "A", 12, 13)
    facts_import_bytes("grades", corrected, "rattad.csv")

    data = report_data(node=two_years.unit_n1, year=two_years.year, school_form="grundskola")
    [knowledge] = [s for s in data["sections"] if s["key"] == "kunskaper"]
    trend, grades = knowledge["charts"]
    assert trend["kind"] == "trend" and trend["indicator"] == "merit_value_17"
    assert [(p["period"], p["value"], p["n"]) for p in trend["points"]] == [
        ("2023/24", 80.0, 12),
        ("2024/25", 120.0, 12),
    ]
    assert {(c["subject"], c["grade"], c["pupils"]) for c in grades["counts"]} == {
        (s, "C", 12) for s in SUBJECTS
    }
    assert data["figures_frozen"] and data["newer_data"]

    live = chart_figures_live(
        node=two_years.unit_n1, year=two_years.year, template=template_of(report.template)
    )
    assert [f.value for f in live if f.kind == TREND] == [80.0, 160.0]
