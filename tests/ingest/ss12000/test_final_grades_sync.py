"""Final grades from an SS 12000 server follow the file import's rule
(validation.final_grades_checked): a pupil has one final grade per subject, so a final grade
from the school system never silently replaces another or sits beside it; the same grade
again (same term and year group) is a correction; SV and SVA together are accepted with a
warning. A conflict rejects the whole sync, as `grades/<id>: ...`, and changes nothing.

The syncs run on midsummer's day 2026, after the spring term of 2025/26: Karl and Ida are in
year 9 and have their leaving certificates. The data set (data.py) has Karl's grade in MA
from the spring of 2025, when he was in year 8, as a term grade.
"""

from __future__ import annotations

import datetime as dt

import pytest
from tests.ingest.ss12000.data import CREATED, grade, grade_name, uid
from tests.ingest.ss12000.test_sync import pupil, snapshot

from skolkvalitet.batches.problems import ImportRejected
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.ingest.models import Ss12000SyncState
from skolkvalitet.ingest.ss12000.sync import ss12000_sync
from skolkvalitet.results.models import Grade

pytestmark = pytest.mark.django_db

MIDSUMMER = dt.date(2026, 6, 20)  # the academic year 2025/26, after its spring term

ONE_PER_SUBJECT = (
    "a pupil has one final grade per subject. Correct that grade with its own term and year "
    "group, or roll its import back first."
)
ALTERNATIVES = (
    "They are alternatives: the indicators count one, the one given last, and SVA when both "
    "were given in the same term (skolförordningen 5 kap. 15 §)."
)


def sync(client, **options):
    return ss12000_sync(client=client, today=MIDSUMMER, **options)


def year_8_grade(data) -> str:
    """The id of Karl's grade in MA from the spring of 2025 (year 8): a term grade."""
    return uid(grade_name("Karl", "MA", "VT", data.year))


def add_final_grade(data, name: str, subject: str, value: str, *, later: bool = False) -> str:
    """A final grade of the spring term of 2025/26 (year 9) on the server; its id. `later`:
    added after a sync (modified now, so that the next, incremental sync reads it)."""
    spring = data.year + 1
    modified = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds") if later else CREATED
    item = grade(
        grade_name(name, subject, "VT", spring),
        name,
        "Åsskolan",
        subject,
        value,
        semester="VT",
        year=spring,
        final=True,
        modified=modified,
    )
    data.resources["grades"].append(item)
    return item["id"]


def add_sva_syllabus(data) -> str:
    sv = data.find("syllabuses", "syllabus SV")
    sva = {
        **sv,
        "id": uid("syllabus SVA"),
        "subjectName": "Svenska som andraspråk",
        "subjectDesignation": "SVA",
        "subjectCode": "GRGRSVA01",
    }
    data.resources["syllabuses"].append(sva)
    return sva["id"]


def final_grades(name_pupil) -> list[tuple[str, str, str, int]]:
    return sorted(
        (g.subject.code, g.value, g.term.code, g.year_group)
        for g in Grade.objects.filter(pupil=name_pupil, grade_type="final").select_related(
            "subject", "term"
        )
    )


def rejected(client) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        sync(client)
    return [str(problem) for problem in caught.value.problems]


def sync_states() -> list[tuple]:
    return list(Ss12000SyncState.objects.order_by("resource").values_list())


# --- One final grade per subject -----------------------------------------------------------


def test_a_year_8_final_grade_beside_a_stored_year_9_one_is_refused_and_changes_nothing(
    client, server, data
):
    add_final_grade(data, "Karl", "MA", "C")
    sync(client)
    karl = pupil(data, "Karl")
    assert final_grades(karl) == [("MA", "C", "VT2026", 9)]
    before, states = snapshot(), sync_states()
    # The school system now marks Karl's year-8 grade in MA as a final grade too.
    server.modify("grades", year_8_grade(data), finalGrade=True)

    problems = rejected(client)

    assert problems == [
        f"grades/{year_8_grade(data)}: The pupil already has a final grade in MA (2025/26 VT, "
        f"year group 9, imported from {client.base_url}): {ONE_PER_SUBJECT}"
    ]
    assert snapshot() == before and sync_states() == states
    assert final_grades(karl) == [("MA", "C", "VT2026", 9)]


def test_a_year_8_final_grade_from_the_server_beside_a_year_9_one_from_a_file_is_refused(
    client, server, data
):
    sync(client)  # the organisation, Karl and his term grades
    karl = next(p for p in data.pupils if p.name == "Karl")
    facts_import_bytes(
        "grades",
        (
            "personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"
            f"{karl.civic_no};30000002;2025/26;VT;9;MA;C;slutbetyg\n"
        ).encode(),
        "slutbetyg.csv",
    )
    before = snapshot()
    server.modify("grades", year_8_grade(data), finalGrade=True)

    problems = rejected(client)

    assert problems == [
        f"grades/{year_8_grade(data)}: The pupil already has a final grade in MA (2025/26 VT, "
        f"year group 9, imported from slutbetyg.csv): {ONE_PER_SUBJECT}"
    ]
    assert snapshot() == before
    assert final_grades(pupil(data, "Karl")) == [("MA", "C", "VT2026", 9)]


def test_two_final_grades_in_a_subject_on_the_server_are_refused_together(client, server, data):
    data.find("grades", grade_name("Karl", "MA", "VT", data.year))["finalGrade"] = True
    year_9 = add_final_grade(data, "Karl", "MA", "C")

    problems = rejected(client)

    # Read in this order: the year-8 grade first, so the year-9 one is the second.
    assert problems == [
        f"grades/{year_9}: A second final grade in MA for the pupil (grades/"
        f"{year_8_grade(data)}: 2024/25 VT, year group 8): a pupil has one final grade per "
        "subject, given in the year group the subject ended."
    ]
    assert all(rows == [] for rows in snapshot().values())
    assert not Ss12000SyncState.objects.exists()


def test_the_same_final_grade_again_with_a_new_value_is_a_correction(client, server, data):
    year_9 = add_final_grade(data, "Karl", "MA", "C")
    first = sync(client)
    count = Grade.objects.count()
    server.modify("grades", year_9, gradeValue="B")

    second = sync(client)

    karl = pupil(data, "Karl")
    assert final_grades(karl) == [("MA", "B", "VT2026", 9)]
    assert Grade.objects.count() == count
    assert Grade.objects.get(pupil=karl, grade_type="final").batch == second.batch != first.batch
    assert "Grades: 1 written, 1 of them replacing stored ones; 0 already stored as they are." in (
        second.notes
    )


def test_a_final_grade_of_a_subject_ended_in_year_8_alone_is_accepted(client, server, data):
    server.modify("grades", year_8_grade(data), finalGrade=True)

    sync(client)

    assert final_grades(pupil(data, "Karl")) == [("MA", "E", "VT2025", 8)]


# --- SV and SVA ----------------------------------------------------------------------------


def test_final_grades_in_both_sv_and_sva_are_accepted_with_a_warning(client, server, data):
    add_sva_syllabus(data)
    sv = add_final_grade(data, "Ida", "SV", "B")
    sva = add_final_grade(data, "Ida", "SVA", "C")

    outcome = sync(client)

    assert final_grades(pupil(data, "Ida")) == [
        ("SV", "B", "VT2026", 9),
        ("SVA", "C", "VT2026", 9),
    ]
    warnings = [note for note in outcome.notes if "both SV and SVA" in note]
    assert warnings == [
        f"grades/{sva}: The pupil has final grades in both SV and SVA (the other is "
        f"grades/{sv}). {ALTERNATIVES}"
    ]


def test_an_sva_final_grade_beside_a_stored_sv_one_is_warned_of_too(client, server, data):
    add_sva_syllabus(data)
    add_final_grade(data, "Ida", "SV", "B")
    first = sync(client)
    assert not [note for note in first.notes if "SVA" in note]
    sva = add_final_grade(data, "Ida", "SVA", "C", later=True)

    outcome = sync(client)

    warnings = [note for note in outcome.notes if "both SV and SVA" in note]
    assert warnings == [
        f"grades/{sva}: The pupil has final grades in both SV and SVA (the other already "
        f"imported). {ALTERNATIVES}"
    ]
    assert len(final_grades(pupil(data, "Ida"))) == 2
