"""Importing pupil-data files: a valid file is written whole, once; a bad one not at all."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from skolkvalitet.batches.models import BatchStatus, ImportBatch
from skolkvalitet.batches.problems import ImportRejected
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.ingest.writing.rollback import import_rollback
from skolkvalitet.organisation.identity import (
    make_personal_number,
    parse_personal_number,
    pseudonym_for,
)
from skolkvalitet.organisation.models import Enrolment, FollowUpPoint, Node, Pupil
from skolkvalitet.results.models import Absence, Assessment, Grade, NationalTest, UnitStaffFact

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English here; the Swedish catalogue is checked elsewhere."""
    with translation.override("en"):
        yield


NEW_PUPIL = make_personal_number(dt.date(2010, 4, 2), 246)  # a girl born 2010, not yet known
HEADER = "personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp"


def pnr(org, name: str) -> str:
    """The personnummer the fixture gave a pupil (the fixture stores only the pseudonym)."""
    from tests.conftest import PUPILS

    for given, birth, serial, _node in PUPILS:
        if given == name:
            return make_personal_number(birth, serial)
    raise KeyError(name)


def grades_csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def problems_of(call) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        call()
    return [str(problem) for problem in rejected.value.problems]


def test_a_grades_file_alone_creates_unknown_pupils_and_their_grades(org):
    data = grades_csv(
        f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg",
        f"{NEW_PUPIL};20000002;2024/25;VT;9;SV;B;slutbetyg",
    )
    outcome = facts_import_bytes("grades", data, "betyg.csv")

    pupil = Pupil.objects.get(pseudonym=pseudonym_for(parse_personal_number(NEW_PUPIL)))
    assert (pupil.birth_year, pupil.legal_gender) == (2010, "F")
    grades = Grade.objects.filter(pupil=pupil).order_by("subject__code")
    assert [(g.subject.code, g.value, g.grade_type, g.year_group) for g in grades] == [
        ("MA", "C", "final", 9),
        ("SV", "B", "final", 9),
    ]
    assert grades[0].term.code == "VT2025"
    assert outcome.rows == 2 and not outcome.unchanged
    assert outcome.batch.kind == "grades" and outcome.batch.rows == 2


def test_the_personnummer_is_never_stored(org):
    facts_import_bytes(
        "grades", grades_csv(f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg"), "b.csv"
    )
    digits = NEW_PUPIL.replace("-", "")
    for pupil in Pupil.objects.all():
        assert digits not in " ".join(str(v) for v in vars(pupil).values())


def test_an_import_materialises_the_indicators_of_its_year(org):
    facts_import_bytes(
        "grades",
        grades_csv(f"{pnr(org, 'Josef')};20000002;2024/25;VT;9;MA;C;slutbetyg"),
        "b.csv",
    )
    value = IndicatorValue.objects.get(
        indicator="grade_points_MA", node_id=org.unit_s2.pk, period_kind="year", breakdown=""
    )
    assert (value.value, value.n) == (15.0, 1)


def test_importing_the_same_file_again_changes_nothing(org):
    data = grades_csv(f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg")
    first = facts_import_bytes("grades", data, "b.csv")
    second = facts_import_bytes("grades", data, "b.csv")
    assert second.unchanged and second.batch == first.batch
    assert Grade.objects.count() == 1 and ImportBatch.objects.count() == 1


def test_the_same_rows_in_another_file_write_nothing_new(org):
    facts_import_bytes(
        "grades", grades_csv(f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg"), "a.csv"
    )
    stored = Grade.objects.get()
    outcome = facts_import_bytes(
        "grades",
        grades_csv(f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg", header=HEADER + ";"),
        "a-again.csv",
    )
    assert Grade.objects.get().pk == stored.pk  # not deleted and written again
    assert "1 rows were already stored" in " ".join(outcome.notes)


def test_a_corrected_grade_replaces_the_stored_one_and_rollback_restores_it(org):
    facts_import_bytes(
        "grades", grades_csv(f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg"), "a.csv"
    )
    corrected = facts_import_bytes(
        "grades", grades_csv(f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;B;slutbetyg"), "b.csv"
    )
    assert list(Grade.objects.values_list("value", flat=True)) == ["B"]

    import_rollback(corrected.batch)

    assert list(Grade.objects.values_list("value", flat=True)) == ["C"]
    corrected.batch.refresh_from_db()
    assert corrected.batch.status == BatchStatus.ROLLED_BACK


def test_rolling_back_the_first_import_removes_its_grades_and_new_pupils(org):
    pupils_before = Pupil.objects.count()
    outcome = facts_import_bytes(
        "grades", grades_csv(f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg"), "a.csv"
    )
    import_rollback(outcome.batch)
    assert Grade.objects.count() == 0
    assert Pupil.objects.count() == pupils_before


def test_an_import_cannot_be_rolled_back_under_a_later_one_that_replaced_its_rows(org):
    first = facts_import_bytes(
        "grades", grades_csv(f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg"), "a.csv"
    )
    facts_import_bytes(
        "grades", grades_csv(f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;A;slutbetyg"), "b.csv"
    )
    messages = problems_of(lambda: import_rollback(first.batch))
    assert "b.csv" in messages[0] and "roll that back first" in messages[0]
    assert list(Grade.objects.values_list("value", flat=True)) == ["A"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "{wrong};20000002;2024/25;VT;9;MA;C;slutbetyg",
            "g.csv:2:personnummer: The check digit of the personal identity number is wrong.",
        ),
        (
            "{new};99999999;2024/25;VT;9;MA;C;slutbetyg",
            "g.csv:2:skolenhetskod: No school unit with this skolenhetskod",
        ),
        ("{new};20000002;2024/25;VT;9;XX;C;slutbetyg", "g.csv:2:ämne: Unknown subject code"),
        ("{new};20000002;2024/25;VT;9;MA;G;slutbetyg", "g.csv:2:betyg: A grade is A, B, C"),
        ("{new};20000002;2024-25;VT;9;MA;C;slutbetyg", "g.csv:2:läsår: Write the academic year"),
        ("{new};20000002;2024/25;ST;9;MA;C;slutbetyg", "g.csv:2:termin: The term is HT or VT"),
        ("{new};20000002;2024/25;VT;12;MA;C;slutbetyg", "g.csv:2:årskurs: The year group is"),
        ("{new};20000002;2024/25;VT;4;MA;C;slutbetyg", "g.csv:2:årskurs: The unit Ekskolan"),
        ("{new};20000002;2024/25;VT;9;MA;C;betyg", "g.csv:2:betygstyp: The grade type is"),
        ("{new};20000002;2024/25;VT;9;MA;;slutbetyg", "g.csv:2:betyg: The cell is empty."),
    ],
)
def test_a_bad_cell_is_reported_with_file_line_and_column_and_nothing_is_written(
    org, row, expected
):
    good = f"{pnr(org, 'Josef')};20000002;2024/25;VT;9;SV;C;slutbetyg"
    wrong = NEW_PUPIL[:-1] + str((int(NEW_PUPIL[-1]) + 1) % 10)
    data = grades_csv(good, row.format(new=NEW_PUPIL, wrong=wrong))
    pupils = Pupil.objects.count()

    messages = problems_of(lambda: facts_import_bytes("grades", data, "g.csv"))

    assert any(message.startswith(expected.replace(":2:", ":3:")) for message in messages), messages
    assert Grade.objects.count() == 0 and Pupil.objects.count() == pupils
    assert ImportBatch.objects.count() == 0


def test_a_missing_column_is_reported_at_the_header(org):
    data = grades_csv(
        f"{NEW_PUPIL};20000002;2024/25;VT;9;MA",
        header="personnummer;skolenhetskod;läsår;termin;årskurs;ämne",
    )
    messages = problems_of(lambda: facts_import_bytes("grades", data, "g.csv"))
    assert "g.csv:1: The column betyg is missing." in messages
    assert "g.csv:1: The column betygstyp is missing." in messages


def test_duplicate_and_conflicting_rows_are_both_rejected(org):
    row = f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg"
    conflict = f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;D;slutbetyg"
    messages = problems_of(
        lambda: facts_import_bytes("grades", grades_csv(row, row, conflict), "g.csv")
    )
    assert "g.csv:3: The row repeats line 2." in messages
    assert any(m.startswith("g.csv:4: The row conflicts with line 2") for m in messages)


def test_english_headers_windows_1252_and_commas_are_read(org):
    text = (
        "personal_number,school_unit_code,academic_year,term,year_group,subject,grade,"
        "grade_type\n"
        f"{NEW_PUPIL},20000002,2024/25,vt,9,ma,c,Slutbetyg\n"
    )
    facts_import_bytes("grades", text.encode("cp1252"), "grades.csv")
    assert Grade.objects.get().value == "C"


def test_an_xlsx_file_is_read_and_a_formula_cell_is_refused(org):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    sheet.append([NEW_PUPIL, "20000002", "2024/25", "VT", 9, "MA", "C", "slutbetyg"])
    buffer = io.BytesIO()
    book.save(buffer)
    facts_import_bytes("grades", buffer.getvalue(), "betyg.xlsx")
    assert Grade.objects.get().year_group == 9

    sheet.append([NEW_PUPIL, "20000002", "2024/25", "VT", 9, "SV", '=HYPERLINK("x")', "slutbetyg"])
    buffer = io.BytesIO()
    book.save(buffer)
    messages = problems_of(lambda: facts_import_bytes("grades", buffer.getvalue(), "b2.xlsx"))
    assert messages == [
        "b2.xlsx [Sheet]:3:G: The cell holds a formula; save the sheet with values only."
    ]


def test_pupils_file_creates_pupils_enrolments_and_groups(org):
    data = (
        "personnummer;skolenhetskod;läsår;årskurs;klass;förnamn;svenska som andraspråk;"
        "föräldrars utbildning\n"
        f"{NEW_PUPIL};20000002;2024/25;9;9C;Tove;ja;2\n"
    ).encode()
    outcome = facts_import_bytes("pupils", data, "elever.csv")
    pupil = Pupil.objects.get(given_name="Tove")
    enrolment = Enrolment.objects.get(pupil=pupil)
    assert (enrolment.unit, enrolment.year_group, enrolment.reads_sva) == (org.unit_s2, 9, True)
    assert enrolment.group.name == "9C" and enrolment.group.parent == org.unit_s2
    assert pupil.parents_highest_education == 2

    import_rollback(outcome.batch)
    assert not Pupil.objects.filter(given_name="Tove").exists()
    assert not Node.objects.filter(name="9C").exists()


def test_assessments_national_tests_absence_and_staff_are_imported(org):
    josef = pnr(org, "Josef")
    facts_import_bytes(
        "assessments",
        f"personnummer;skolenhetskod;läsår;termin;uppföljning;årskurs;ämne;bedömning\n"
        f"{josef};20000002;2024/25;HT;1;9;MA;F\n".encode(),
        "bedomning.csv",
    )
    assessment = Assessment.objects.get()
    assert (assessment.value, assessment.scale.code) == ("F", "forecast_af")
    point = assessment.follow_up_point  # the default calendar's first point of HT2024
    assert (point.term.code, point.ordinal) == ("HT2024", 1)
    assert FollowUpPoint.objects.filter(term=point.term).count() == 2

    facts_import_bytes(
        "national_tests",
        f"personnummer;skolenhetskod;läsår;termin;årskurs;ämne;provbetyg\n"
        f"{josef};20000002;2024/25;VT;9;EN;B\n".encode(),
        "np.csv",
    )
    assert NationalTest.objects.values_list("scale", "value").get() == ("grade", "B")

    facts_import_bytes(
        "absence",
        "personnummer;skolenhetskod;läsår;termin;årskurs;schemalagd tid;frånvaro\n"
        f"{josef};20000002;2024/25;HT;9;21600;3240\n".encode(),
        "franvaro.csv",
    )
    absence = Absence.objects.get()
    assert (absence.absent_minutes, absence.unexcused_minutes) == (3240, 0)

    facts_import_bytes(
        "staff",
        "skolenhetskod;läsår;lärare;lärare heltidstjänster;legitimerade lärare "
        "heltidstjänster;elever\n20000002;2024/25;24;21,5;18,25;310\n".encode(),
        "personal.csv",
    )
    staff = UnitStaffFact.objects.get()
    assert (float(staff.teacher_fte), float(staff.certified_teacher_fte)) == (21.5, 18.25)


def test_absence_longer_than_the_schedule_is_rejected(org):
    data = (
        "personnummer;skolenhetskod;läsår;termin;årskurs;schemalagd tid;frånvaro\n"
        f"{pnr(org, 'Josef')};20000002;2024/25;HT;9;100;101\n"
    ).encode()
    messages = problems_of(lambda: facts_import_bytes("absence", data, "f.csv"))
    assert messages == ["f.csv:2:frånvaro: The absence is longer than the scheduled time."]


def test_formats_doc_matches_the_formats_module():
    from pathlib import Path

    from skolkvalitet.ingest.files.templates import formats_markdown

    doc = Path(__file__).resolve().parents[3] / "docs" / "formats.md"
    assert doc.read_text(encoding="utf-8") == formats_markdown(), (
        "docs/formats.md is out of date: uv run skolkvalitet import formats > docs/formats.md"
    )


def test_every_template_imports_once_its_example_unit_exists(org):
    """The templates' example rows are valid: a user can try a template as it is."""
    from skolkvalitet.ingest.files.kinds import FILE_KINDS
    from skolkvalitet.ingest.files.templates import template_csv, template_xlsx

    Node.objects.filter(pk=org.unit_s2.pk).update(code="52293921", year_groups=[7, 8, 9])
    for key in FILE_KINDS:
        facts_import_bytes(key, template_csv(key), f"mall-{key}.csv")
        again = facts_import_bytes(key, template_xlsx(key), f"mall-{key}.xlsx")
        assert "0 rows written" in again.notes[0], (key, again.notes)


@pytest.mark.parametrize("digits", ["٢٠٠٠٠٠٠٢", "２０００００００２"[:8]])
def test_look_alike_digits_are_not_a_skolenhetskod(digits):
    from skolkvalitet.ingest.files.cells import CellError, unit_code

    with pytest.raises(CellError):
        unit_code(digits)


def test_a_follow_up_point_the_calendar_lacks_is_a_problem(org):
    data = (
        "personnummer;skolenhetskod;läsår;termin;uppföljning;årskurs;ämne;bedömning\n"
        f"{pnr(org, 'Josef')};20000002;2024/25;HT;3;9;MA;F\n"
    ).encode()
    messages = problems_of(lambda: facts_import_bytes("assessments", data, "b.csv"))
    assert messages == [
        "b.csv:2:uppföljning: The calendar has no follow-up point 3 in that term; add it on "
        "the calendar page first."
    ]
    assert Assessment.objects.count() == 0


# -- the pupils file's background: Skolverket's nyinvandrad (organisation/background.py) ----
BACKGROUND_HEADER = (
    "personnummer;skolenhetskod;läsår;årskurs;ankomstdatum;född utomlands;"
    "båda föräldrarna födda utomlands"
)


def test_a_pupils_file_gives_immigration_birth_country_and_parents_that_decide_the_breakdown(
    org,
):
    data = f"{BACKGROUND_HEADER}\n{NEW_PUPIL};20000002;2024/25;9;2022-01-10;ja;ja\n".encode()
    facts_import_bytes("pupils", data, "elever.csv")
    pupil = Pupil.objects.get(pseudonym=pseudonym_for(parse_personal_number(NEW_PUPIL)))
    assert (pupil.arrival_date, pupil.born_abroad, pupil.parents_born_abroad) == (
        dt.date(2022, 1, 10),
        True,
        True,
    )
    # 2024/25's leaving grades count immigration in 2022–2025.
    assert pupil.is_newly_arrived_on(dt.date(2025, 6, 14)) is True

    facts_import_bytes(
        "grades", grades_csv(f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg"), "b.csv"
    )
    newly_arrived = IndicatorValue.objects.get(
        indicator="grade_points_MA",
        node_id=org.unit_s2.pk,
        period_kind="year",
        breakdown="newly_arrived=yes",
    )
    assert (newly_arrived.value, newly_arrived.n) == (15.0, 1)


def test_a_known_pupil_keeps_stored_background_where_the_file_is_empty(org):
    josef = pnr(org, "Josef")
    facts_import_bytes(
        "pupils",
        f"{BACKGROUND_HEADER}\n{josef};20000002;2024/25;9;2023-03-01;ja;ja\n".encode(),
        "a.csv",
    )
    second = facts_import_bytes(
        "pupils", f"{BACKGROUND_HEADER}\n{josef};20000002;2024/25;9;;;nej\n".encode(), "b.csv"
    )
    pupil = Pupil.objects.get(pseudonym=pseudonym_for(parse_personal_number(josef)))
    assert (pupil.arrival_date, pupil.born_abroad, pupil.parents_born_abroad) == (
        dt.date(2023, 3, 1),
        True,
        False,
    )
    assert pupil.is_newly_arrived_on(dt.date(2025, 6, 14)) is False  # a parent born here

    import_rollback(second.batch)
    pupil.refresh_from_db()
    assert pupil.parents_born_abroad is True


def test_the_background_columns_are_read_under_their_english_and_other_names(org):
    data = (
        "personal_number;school_unit_code;academic_year;year_group;immigration_date;"
        "foreign_born;both_parents_born_abroad\n"
        f"{NEW_PUPIL};20000002;2024/25;9;2021-12-31;yes;no\n"
    ).encode()
    facts_import_bytes("pupils", data, "pupils.csv")
    pupil = Pupil.objects.get(pseudonym=pseudonym_for(parse_personal_number(NEW_PUPIL)))
    assert (pupil.arrival_date, pupil.born_abroad, pupil.parents_born_abroad) == (
        dt.date(2021, 12, 31),
        True,
        False,
    )


def test_a_birth_country_answer_other_than_ja_or_nej_is_a_problem(org):
    data = f"{BACKGROUND_HEADER}\n{NEW_PUPIL};20000002;2024/25;9;2024-02-01;kanske;ja\n".encode()
    messages = problems_of(lambda: facts_import_bytes("pupils", data, "elever.csv"))
    assert messages == ["elever.csv:2:född utomlands: Write ja or nej."]
    assert not Pupil.objects.filter(
        pseudonym=pseudonym_for(parse_personal_number(NEW_PUPIL))
    ).exists()


def test_a_pupil_created_from_a_samordningsnummer_is_never_newly_arrived(org):
    number = make_personal_number(dt.date(2010, 5, 6), 244, coordination=True)
    data = f"{BACKGROUND_HEADER}\n{number};20000002;2024/25;9;2024-02-01;ja;ja\n".encode()
    facts_import_bytes("pupils", data, "elever.csv")
    pupil = Pupil.objects.get(pseudonym=pseudonym_for(parse_personal_number(number)))
    assert pupil.coordination_number is True
    assert pupil.is_newly_arrived_on(dt.date(2025, 6, 14)) is None  # okänd bakgrund


def test_a_file_imported_by_someone_else_while_it_was_checked_is_not_written_twice(
    org, monkeypatch
):
    """Two people importing the same export at once: the second finds, once it may write,
    that the first has written it, and writes nothing."""
    from skolkvalitet.ingest.files import importer

    data = grades_csv(f"{NEW_PUPIL};20000002;2024/25;VT;9;SV;A;slutbetyg")
    first = facts_import_bytes("grades", data, "betyg.csv", materialise=False)
    # The second import's early look finds nothing (the first had not committed yet).
    real = importer._same_file_imported
    calls = []

    def not_yet(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(importer, "_same_file_imported", not_yet)
    second = facts_import_bytes("grades", data, "betyg.csv", materialise=False)
    assert len(calls) == 2
    assert second.unchanged and second.batch == first.batch
    assert ImportBatch.objects.filter(kind="grades").count() == 1
    assert Grade.objects.count() == 1
