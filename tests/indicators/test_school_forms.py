"""Each indicator counts only the pupils of its school forms (registry `school_forms`): the
year-9 final grades of grundskola (GR) without anpassad grundskola (GRS), as Skolverket
publishes them. A pupil's school form is the enrolment's at the fact's unit and academic
year; without an enrolment, engine.assumed_school_form decides (the unit's only school form,
else GR).

The unit below runs both school forms, as units in Skolenhetsregistret do::

    organiser 1
    └── area 2
        └── unit 10 (GR and GRS) ── group 100: pupils 1–10, GR
                                  └── group 200: pupils 11–13, GRS
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from skolkvalitet.indicators.engine import (
    DEFAULT_SCHOOL_FORM,
    SCHOOL_FORM_ENUM,
    Facts,
    Organisation,
    assumed_school_form,
    compute,
    counted_in_school_forms,
    years_frame,
)
from skolkvalitet.indicators.registry import REGISTRY, Family

from .conftest import _grade_rows

YEAR = 1
ORGANISER, AREA, UNIT, GR_GROUP, GRS_GROUP = 1, 2, 10, 100, 200
GR_PUPILS = range(1, 11)
GRS_PUPILS = range(11, 14)
UNENROLLED = 14

OTHER_13 = ["BI", "FY", "KE", "TK", "GE", "HI", "RE", "SH", "BL", "HKK", "IDH", "MU", "SL"]


def sixteen(grade: str) -> dict[str, str]:
    return {"SV": grade, "EN": grade, "MA": grade, **dict.fromkeys(OTHER_13, grade)}


def organisation(unit_forms: list[str] | None = None) -> Organisation:
    pupils = [*GR_PUPILS, *GRS_PUPILS, UNENROLLED]
    return Organisation(
        nodes=pl.DataFrame(
            {
                "node_id": [ORGANISER, AREA, UNIT, GR_GROUP, GRS_GROUP],
                "parent_id": [None, ORGANISER, AREA, UNIT, UNIT],
                "kind": ["organiser", "area", "unit", "group", "group"],
                "school_forms": [None, None, unit_forms or ["GR", "GRS"], None, None],
            },
            schema={
                "node_id": pl.Int64,
                "parent_id": pl.Int64,
                "kind": pl.String,
                "school_forms": pl.List(pl.String),
            },
        ),
        unit_ancestors=pl.DataFrame({"unit_id": [UNIT, UNIT], "ancestor_id": [AREA, ORGANISER]}),
        enrolments=pl.DataFrame(
            {
                "pupil_id": [*GR_PUPILS, *GRS_PUPILS],
                "academic_year_id": [YEAR] * 13,
                "unit_id": [UNIT] * 13,
                "group_id": [GR_GROUP] * 10 + [GRS_GROUP] * 3,
                "sva": [False] * 13,
                "school_form": ["GR"] * 10 + ["GRS"] * 3,
            }
        ),
        pupils=pl.DataFrame(
            {
                "pupil_id": pupils,
                "gender": ["F", "M"] * 7,
                "arrival_date": [None] * 14,
                "born_abroad": [False] * 14,
                "parents_born_abroad": [False] * 14,
                "coordination_number": [False] * 14,
                "parents_education": [2] * 14,
            },
            schema_overrides={"arrival_date": pl.Date},
        ),
        years=years_frame({YEAR: dt.date(2024, 8, 19)}),
    )


def final_grades(*, unenrolled: bool = False) -> pl.DataFrame:
    """GR pupils 1–8: C in all 16 subjects (merit 16 × 15 = 240). GR pupils 9–10: C but F in
    MA (225; not all passed, not eligible). GRS pupils 11–13: A in all 16 and M1 (340): were
    they counted, every figure would rise. Pupil 14 (without enrolment): as pupils 1–8."""
    rows = []
    for pupil in GR_PUPILS:
        rows += _grade_rows(pupil, UNIT, sixteen("C") | ({"MA": "F"} if pupil >= 9 else {}))
    for pupil in GRS_PUPILS:
        rows += _grade_rows(pupil, UNIT, {**sixteen("A"), "M1": "A"})
    if unenrolled:
        rows += _grade_rows(UNENROLLED, UNIT, sixteen("C"))
    return pl.DataFrame(rows)


def value(values: pl.DataFrame, indicator: str, node: int, breakdown: str = "") -> dict:
    row = values.filter(
        (pl.col("indicator") == indicator)
        & (pl.col("node_id") == node)
        & (pl.col("breakdown") == breakdown)
    )
    assert row.height == 1, (indicator, node, breakdown, row)
    return row.row(0, named=True)


def final_values(org: Organisation, grades: pl.DataFrame) -> pl.DataFrame:
    return compute(Facts(grades=grades), org, families=(Family.FINAL_GRADES,))


def test_the_final_grade_indicators_are_of_grundskola_only():
    assert {i.school_forms for i in REGISTRY.values() if i.family == Family.FINAL_GRADES} == {
        ("GR",)
    }


@pytest.mark.parametrize("node", [UNIT, AREA, ORGANISER])
def test_grs_pupils_final_grades_do_not_count_at_the_unit_or_above(node):
    values = final_values(organisation(), final_grades())
    # Counted, the three GRS pupils would give (8·240 + 2·225 + 3·340) / 13 = 260.8.
    merit = value(values, "merit_value_17", node)
    assert (merit["n"], merit["value"]) == (10, pytest.approx((8 * 240 + 2 * 225) / 10))
    assert value(values, "merit_value_16", node)["value"] == pytest.approx(237.0)
    for share in ("passed_all_subjects", "eligible_vocational", "passed_MA"):
        row = value(values, share, node)
        assert (row["n"], row["numerator"], row["value"]) == (10, 8, pytest.approx(80.0))
    assert value(values, "passed_EN", node)["value"] == pytest.approx(100.0)
    assert value(values, "grade_points_MA", node)["value"] == pytest.approx(8 * 15 / 10)


def test_the_grs_group_gets_no_final_grade_figures():
    values = final_values(organisation(), final_grades())
    assert values.filter(pl.col("node_id") == GRS_GROUP).is_empty()
    assert value(values, "merit_value_17", GR_GROUP)["n"] == 10


def test_breakdowns_count_the_same_ten_pupils():
    values = final_values(organisation(), final_grades())
    by_gender = [value(values, "passed_all_subjects", UNIT, f"gender={g}")["n"] for g in "FM"]
    assert by_gender == [5, 5]  # pupils 1–10 alternate F, M; 11–13 left out


def test_a_pupil_without_enrolment_counts_as_grundskola():
    # The unit runs GR and GRS: pupil 14's grades (no pupils file) count as GR's.
    values = final_values(organisation(), final_grades(unenrolled=True))
    merit = value(values, "merit_value_17", UNIT)
    assert (merit["n"], merit["value"]) == (11, pytest.approx((9 * 240 + 2 * 225) / 11))
    assert value(values, "passed_all_subjects", ORGANISER)["numerator"] == 9


def test_a_pupil_without_enrolment_at_a_unit_of_anpassad_grundskola_only_is_not_counted():
    values = final_values(organisation(["GRS"]), final_grades(unenrolled=True))
    # Pupil 14 counts as GRS (the unit's only school form); pupils 1–13 by their enrolments.
    assert value(values, "merit_value_17", UNIT)["n"] == 10


@pytest.mark.parametrize(
    ("unit_forms", "assumed"),
    [
        (None, "GR"),  # school forms not known
        ([], "GR"),
        (["GR"], "GR"),
        (["GRS"], "GRS"),
        (["GY"], "GY"),
        (["GR", "GRS"], "GR"),
        (["FKLASS", "GR", "FTH"], "GR"),
        (["FKLASS", "GRS"], "GR"),  # several: the pupils file's default
    ],
)
def test_assumed_school_form(unit_forms, assumed):
    frame = pl.DataFrame({"forms": [unit_forms]}, schema={"forms": pl.List(pl.String)})
    assert frame.select(assumed_school_form(pl.col("forms"))).item() == assumed
    assert DEFAULT_SCHOOL_FORM == "GR"


def test_an_empty_school_form_in_an_enrolment_is_assumed_from_the_unit():
    org = organisation(["GRS"])
    org.enrolments = org.enrolments.with_columns(
        school_form=pl.when(pl.col("pupil_id") == 1).then(pl.lit("")).otherwise("school_form")
    )
    # Pupil 1 (enrolled with no school form) counts as GRS, the unit's only form.
    assert value(final_values(org, final_grades()), "merit_value_17", UNIT)["n"] == 9


def test_frames_without_school_forms_count_every_pupil_as_grundskola(org_frames, grade_rows):
    # Frames built without the optional columns (as before) keep their figures.
    assert "school_form" not in org_frames.enrolments.columns
    grades = pl.DataFrame(grade_rows(1, 10, sixteen("C")) + grade_rows(4, 11, sixteen("E")))
    values = final_values(org_frames, grades)
    assert value(values, "merit_value_17", 1)["n"] == 2


def test_term_grades_of_grs_pupils_do_not_count():
    term = pl.DataFrame(
        [
            {**row, "grade_type": "term", "year_group": 8}
            for row in final_grades().iter_rows(named=True)
        ]
    )
    values = compute(Facts(grades=term), organisation(), families=(Family.TERM_GRADES,))
    assert value(values, "term_merit_value", UNIT)["n"] == 10
    assert value(values, "term_passed_all_subjects", UNIT)["value"] == pytest.approx(80.0)


def test_absence_counts_its_school_forms_preschool_class_and_grundskola():
    org = organisation(["FKLASS", "GR", "GRS"])
    org.enrolments = org.enrolments.with_columns(
        school_form=pl.when(pl.col("pupil_id") == 1).then(pl.lit("FKLASS")).otherwise("school_form")
    )
    absences = pl.DataFrame(
        {
            "pupil_id": [1, 2, 11],  # FKLASS, GR, GRS
            "unit_id": [UNIT] * 3,
            "academic_year_id": [YEAR] * 3,
            "term_id": [2] * 3,
            "year_group": [0, 8, 8],
            "scheduled": [1000] * 3,
            "absent": [100, 300, 900],
            "unexcused": [0] * 3,
        }
    )
    values = compute(Facts(absences=absences), org, families=(Family.ABSENCE,))
    mean = value(values, "absence_mean", UNIT)
    assert (mean["n"], mean["value"]) == (2, pytest.approx((10 + 30) / 2))


def test_counted_in_school_forms_with_indicators_of_several_school_forms():
    rows = pl.DataFrame(
        {
            "indicator": ["merit_value_17", "merit_value_17", "absence_mean", "absence_mean"],
            "school_form": ["GR", "FKLASS", "FKLASS", "GRS"],
        },
        schema={"indicator": pl.String, "school_form": SCHOOL_FORM_ENUM},
    )
    kept = counted_in_school_forms(rows).rows()
    assert sorted(kept) == [("absence_mean", "FKLASS"), ("merit_value_17", "GR")]


def test_the_engine_knows_every_school_form_of_the_organisation():
    from skolkvalitet.organisation.models import SchoolForm

    assert list(SCHOOL_FORM_ENUM.categories) == list(SchoolForm.values)
    for indicator in REGISTRY.values():
        assert set(indicator.school_forms) <= set(SchoolForm.values), indicator.key
