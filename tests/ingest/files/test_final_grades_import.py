"""Final grades at import: one per pupil and subject, SV and SVA as alternatives, ended
subjects on the leaving certificate, and the missing-grade codes of the school systems.

The materialised figures are computed by hand: A=20, B=17.5, C=15, D=12.5, E=10.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.batches.problems import ImportRejected
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.ingest.writing.rollback import import_rollback
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.results.models import Grade

pytestmark = pytest.mark.django_db

HEADER = "personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp"
PUPIL = make_personal_number(dt.date(2010, 4, 2), 246)  # a pupil not yet known
UNIT = "20000002"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def grades_csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def row(subject: str, grade: str, *, year="2024/25", term="VT", year_group=9, kind="slutbetyg"):
    return f"{PUPIL};{UNIT};{year};{term};{year_group};{subject};{grade};{kind}"


def problems_of(data: bytes, name: str = "g.csv") -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        facts_import_bytes("grades", data, name)
    return [str(problem) for problem in rejected.value.problems]


def year_value(org, indicator: str) -> float:
    return IndicatorValue.objects.get(
        indicator=indicator, node_id=org.unit_s2.pk, period_kind="year", breakdown=""
    ).value


# --- SV and SVA --------------------------------------------------------------------------


def test_final_grades_in_both_sv_and_sva_are_imported_with_a_warning_and_count_once(org):
    data = grades_csv(row("SV", "A"), row("SVA", "C"), row("MA", "E"))

    outcome = facts_import_bytes("grades", data, "betyg.csv")

    assert Grade.objects.count() == 3  # both stored, as the school system gave them
    warnings = [note for note in outcome.notes if "both SV and SVA" in note]
    assert len(warnings) == 1
    assert warnings[0].startswith("betyg.csv:3:ämne: The pupil has final grades in both SV and")
    assert "(the other on line 2)" in warnings[0]
    # SVA replaces SV: 15 (SVA C) + 10 (MA E), not 20 + 15 + 10.
    assert year_value(org, "merit_value_17") == 25
    assert year_value(org, "passed_SVA") == 100
    assert not IndicatorValue.objects.filter(indicator="passed_SV", node_id=org.unit_s2.pk)


def test_an_sva_grade_beside_a_stored_sv_grade_is_warned_of_too(org):
    facts_import_bytes("grades", grades_csv(row("SV", "A"), row("MA", "E")), "a.csv")

    outcome = facts_import_bytes("grades", grades_csv(row("SVA", "D")), "b.csv")

    assert any(
        note.startswith("b.csv:2:ämne: The pupil has final grades in both SV and SVA (the other")
        and "already imported" in note
        for note in outcome.notes
    ), outcome.notes
    assert year_value(org, "merit_value_17") == 12.5 + 10


def test_a_corrected_sv_grade_replaces_the_stored_one_without_a_warning(org):
    facts_import_bytes("grades", grades_csv(row("SV", "A")), "a.csv")
    outcome = facts_import_bytes("grades", grades_csv(row("SV", "B")), "b.csv")
    assert not [note for note in outcome.notes if "SVA" in note]
    assert list(Grade.objects.values_list("value", flat=True)) == ["B"]


# --- Ended subjects and conflicting final grades -------------------------------------------


def test_a_subject_ended_in_year_8_counts_on_the_year_9_leaving_certificate(org):
    ended = grades_csv(row("HKK", "A", year="2023/24", year_group=8))
    facts_import_bytes("grades", ended, "ak8.csv")
    facts_import_bytes("grades", grades_csv(row("MA", "C"), row("SV", "B")), "ak9.csv")

    # 2024/25: MA C 15 + SV B 17.5 + HKK A 20 (ended in year 8, 2023/24).
    assert year_value(org, "merit_value_17") == 52.5
    assert year_value(org, "grade_points_HKK") == 20


def test_an_ended_subject_imported_later_recomputes_the_year_9_figures_and_rolls_back(org):
    facts_import_bytes("grades", grades_csv(row("MA", "C"), row("SV", "B")), "ak9.csv")
    assert year_value(org, "merit_value_17") == 32.5

    ended = facts_import_bytes(
        "grades", grades_csv(row("HKK", "A", year="2023/24", year_group=8)), "ak8.csv"
    )
    assert year_value(org, "merit_value_17") == 52.5

    import_rollback(ended.batch)
    assert year_value(org, "merit_value_17") == 32.5


def test_an_ended_subject_in_the_same_file_and_term_as_year_9_counts_too(org):
    data = grades_csv(row("MA", "C"), row("HKK", "E", year_group=8))
    facts_import_bytes("grades", data, "slutbetyg.csv")
    assert year_value(org, "merit_value_17") == 25
    assert year_value(org, "passed_HKK") == 100


def test_a_year_8_final_grade_never_replaces_the_stored_year_9_one(org):
    facts_import_bytes("grades", grades_csv(row("HKK", "B"), row("MA", "C")), "ak9.csv")

    messages = problems_of(grades_csv(row("HKK", "A", year_group=8)), "ak8.csv")

    assert messages == [
        "ak8.csv:2:ämne: The pupil already has a final grade in HKK (2024/25 VT, year group 9, "
        "imported from ak9.csv): a pupil has one final grade per subject. Correct that grade "
        "with its own term and year group, or roll its import back first."
    ]
    grade = Grade.objects.get(subject__code="HKK")
    assert (grade.value, grade.year_group) == ("B", 9)
    assert year_value(org, "merit_value_17") == 17.5 + 15


def test_a_final_grade_of_another_year_beside_a_stored_one_is_a_conflict(org):
    facts_import_bytes("grades", grades_csv(row("HKK", "C", year="2023/24", year_group=8)), "a.csv")
    messages = problems_of(grades_csv(row("HKK", "A")), "b.csv")
    assert messages[0].startswith(
        "b.csv:2:ämne: The pupil already has a final grade in HKK (2023/24 VT, year group 8"
    )
    assert ImportBatch.objects.count() == 1


def test_two_final_grades_in_a_subject_in_one_file_are_a_conflict(org):
    data = grades_csv(row("HKK", "C", year="2023/24", year_group=8), row("HKK", "A"))
    messages = problems_of(data)
    assert messages == [
        "g.csv:3:ämne: A second final grade in HKK for the pupil (line 2: 2023/24 VT, year "
        "group 8): a pupil has one final grade per subject, given in the year group the subject "
        "ended."
    ]
    assert Grade.objects.count() == 0


def test_the_same_subject_in_year_8_and_9_of_one_term_is_a_conflicting_row(org):
    messages = problems_of(grades_csv(row("HKK", "B"), row("HKK", "A", year_group=8)))
    assert messages[0].startswith("g.csv:3: The row conflicts with line 2")


def test_term_grades_of_a_subject_in_several_terms_are_no_conflict(org):
    data = grades_csv(
        row("MA", "C", term="HT", kind="terminsbetyg"),
        row("MA", "B", kind="terminsbetyg"),
        row("MA", "B"),
    )
    facts_import_bytes("grades", data, "g.csv")
    assert Grade.objects.count() == 3


# --- The missing-grade codes ---------------------------------------------------------------


@pytest.mark.parametrize("written", ["9", "-", "–", "streck", "Streck"])
def test_no_basis_for_a_grade_is_read_as_a_dash_however_written(org, written):
    facts_import_bytes("grades", grades_csv(row("MA", written), row("SV", "C")), "g.csv")
    assert Grade.objects.get(subject__code="MA").value == "-"
    assert year_value(org, "passed_MA") == 0


def test_code_3_anpassad_studiegang_leaves_the_row_out_and_says_so(org):
    data = grades_csv(row("MA", "C"), row("M1", "3"), row("BL", "3"))

    outcome = facts_import_bytes("grades", data, "g.csv")

    assert list(Grade.objects.values_list("subject__code", flat=True)) == ["MA"]
    assert (
        "2 rows with the code 3 (anpassad studiegång: the subject was not read) were left out: "
        "the pupil has no grade in those subjects." in outcome.notes
    )
    assert year_value(org, "passed_all_subjects") == 100  # not failed in an unread subject


def test_another_grade_is_refused_with_how_to_write_the_codes(org):
    messages = problems_of(grades_csv(row("MA", "G")))
    assert messages[0].startswith("g.csv:2:betyg: A grade is A, B, C, D, E, F or -")
    assert "code 9 is read as -" in messages[0] and "code 3 (anpassad studiegång)" in messages[0]
