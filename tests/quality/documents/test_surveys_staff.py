"""The documents' chapters on trygghet and studiero from the surveys and on staff and teacher
certification: the stored yearly figures of the survey, staff and preschool indicators over
the years, per school form, as the board sees them; beside the report's year what each
figure rests on (the respondents of those invited, the teachers, the children) and the
nation's published figure where there is one; every unit's figure in the
kvalitetsredovisning; the node's own in a unit's report. Facts are imported here, with
hand-computed figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.organisation import actions
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind, Role, SchoolForm
from skolkvalitet.organisation.school_forms import school_forms_label as forms_label
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.publishing.documents.check import publication_problems
from skolkvalitet.publishing.documents.model import (
    BulletList,
    Chart,
    FigureCell,
    Heading,
    Note,
    Paragraph,
    Table,
)
from skolkvalitet.quality.documents.annual_report import annual_report_document
from skolkvalitet.quality.documents.surveys_staff import (
    ChapterFigures,
    FrozenFigure,
    Setting,
    chapter_figures_frozen,
    chapter_rows,
    years_up_to,
)
from skolkvalitet.quality.documents.unit_report import unit_report_document
from skolkvalitet.quality.reports.actions import report_return, report_start, report_submit
from skolkvalitet.quality.reports.export import report_data, report_figures, template_of
from skolkvalitet.quality.reports.figures import CHAPTER_KINDS, figures_with_charts_live
from skolkvalitet.reference.actions import reference_values_store
from skolkvalitet.reference.comparison import Basis
from skolkvalitet.reference.records import AreaKind, ReferenceRecord, Source

pytestmark = pytest.mark.django_db

SAFETY = REGISTRY["survey_pupil_safety"].name_sv
STUDY_CALM = REGISTRY["survey_pupil_study_calm"].name_sv
CERTIFIED = REGISTRY["certified_teachers_share"].name_sv
PER_TEACHER = REGISTRY["pupils_per_teacher_fte"].name_sv

SURVEY_HEADER = "skolenhetskod;läsår;enkät;index;respondentgrupp;inbjudna;svarande;instämmer\n"
STAFF_HEADER = (
    "skolenhetskod;läsår;lärare;lärare heltidstjänster;legitimerade lärare heltidstjänster;elever\n"
)


def survey_rows(rows: list[tuple[str, str, str, int, int, int]]) -> bytes:
    """(unit code, year, index, invited, respondents, agreeing) of the pupil survey, åk 8."""
    lines = [
        f"{code};{year};pupil;{index};åk 8;{invited};{answered};{agreeing}\n"
        for code, year, index, invited, answered, agreeing in rows
    ]
    return (SURVEY_HEADER + "".join(lines)).encode()


@pytest.fixture
def facts(org):
    n1, n2 = org.unit_n1.code, org.unit_n2.code
    # Trygghet. 2023/24: Norrskolan 11 of 22 respondents agree, Björkskolan 9 of 18:
    # the organiser 20 / 40 = 50,0 %. 2024/25: 20 of 25 and 18 of 20: 38 / 45 = 84,4 %,
    # of 30 + 24 = 54 invited. Studiero 2024/25: 10 of 25 and 17 of 20: 27 / 45 = 60,0 %.
    facts_import_bytes(
        "surveys",
        survey_rows(
            [
                (n1, "2023/24", "safety", 26, 22, 11),
                (n2, "2023/24", "safety", 20, 18, 9),
                (n1, "2024/25", "safety", 30, 25, 20),
                (n2, "2024/25", "safety", 24, 20, 18),
                (n1, "2024/25", "study_calm", 30, 25, 10),
                (n2, "2024/25", "study_calm", 24, 20, 17),
            ]
        ),
        "enkät.csv",
    )
    # Staff 2024/25: Norrskolan 15 of 18 teacher FTEs certified (83,3 %), 216 pupils (12,0
    # per FTE), 20 teachers; Björkskolan 6 of 9 (66,7 %), 108 pupils (12,0), 10 teachers.
    # The organiser: 21 / 27 = 77,8 %, 324 / 27 = 12,0 pupils per FTE, 30 teachers.
    staff = STAFF_HEADER + f"{n1};2024/25;20;18,0;15,0;216\n{n2};2024/25;10;9,0;6,0;108\n"
    facts_import_bytes("staff", staff.encode(), "personal.csv")
    return org


def row_named(document, name: str, caption_has: str = "") -> tuple:
    """The row whose first cell is `name` in the first table (whose caption holds
    `caption_has`) that has one."""
    for block in document.blocks:
        if isinstance(block, Table) and caption_has in block.caption:
            for row in block.rows:
                if row[0] == name:
                    return row
    raise AssertionError(f"no row {name!r}")


def table_with_row(document, name: str) -> Table:
    return next(
        b for b in document.blocks if isinstance(b, Table) and any(r[0] == name for r in b.rows)
    )


def test_the_years_are_the_report_year_and_those_before_it(facts) -> None:
    years = years_up_to(facts.year, 5)
    assert [y.code for y in years] == ["2023/24", "2024/25"]  # only two are known
    AcademicYear.objects.create(
        code="2025/26", start_date=dt.date(2025, 8, 18), end_date=dt.date(2026, 6, 12)
    )
    assert [y.code for y in years_up_to(facts.year, 1)] == ["2024/25"]


def test_the_organisers_survey_figures_are_the_stored_ones_with_respondents_of_invited(
    facts,
) -> None:
    document = annual_report_document(facts.organiser, facts.year)
    stored = IndicatorValue.objects.get(
        node=facts.organiser,
        indicator="survey_pupil_safety",
        period_kind="year",
        period_id=facts.year.pk,
        breakdown="",
    )
    assert (stored.numerator, stored.denominator, stored.n) == (38, 45, 45)
    table = table_with_row(document, SAFETY)
    assert table.columns[1:3] == ("2023/24", "2024/25")
    _name, before, now, respondents, invited, nation = row_named(document, SAFETY)
    assert isinstance(before, FigureCell) and before.shown == 50.0 and before.n == 40
    assert isinstance(now, FigureCell) and now.shown == pytest.approx(84.444, abs=1e-3)
    assert now.text == "84,4\u00a0%" and now.n == 45 and now.min_n == 5  # organiser, 2024/25
    assert (respondents.shown, invited.shown) == (45, 54)  # 25 + 20 of 30 + 24
    assert isinstance(nation, FigureCell) and nation.shown == "."
    study_calm = row_named(document, STUDY_CALM)
    assert study_calm[1].shown == "." and study_calm[2].shown == 60.0
    assert publication_problems(document) == []
    assert table.columns[3:5] == ("Svarande 2024/25", "Inbjudna 2024/25")  # waits for sv


def test_the_organisers_staff_figures_rest_on_teachers(facts) -> None:
    document = annual_report_document(facts.organiser, facts.year)
    _name, before, now, rests_on, _nation = row_named(document, CERTIFIED)
    assert before.shown == "."  # no staff facts for 2023/24
    assert now.shown == pytest.approx(77.778, abs=1e-3) and now.text == "77,8\u00a0%"
    assert now.min_n == 0  # staff figures count staff, not pupils: never ..
    assert rests_on.shown == 30 and rests_on.text == "30"  # teachers, headcount
    per_teacher = row_named(document, PER_TEACHER)
    assert per_teacher[2].shown == 12.0 and per_teacher[2].text == "12,0"


def staff_units_table(document, unit_name: str) -> Table:
    return next(
        b
        for b in document.blocks
        if isinstance(b, Table)
        and CERTIFIED in b.columns
        and any(r[0] == unit_name for r in b.rows)
    )


def test_every_unit_with_figures_is_listed(facts) -> None:
    document = annual_report_document(facts.organiser, facts.year)
    units = staff_units_table(document, facts.unit_n1.name)
    rows = {r[0]: r for r in units.rows}
    assert set(rows) == {facts.unit_n1.name, facts.unit_n2.name}  # the two with staff facts
    # Every unit is a grundskola: no column of school forms.
    assert units.columns[1:] == (CERTIFIED, PER_TEACHER)
    assert rows[facts.unit_n1.name][1].text == "83,3\u00a0%"
    assert rows[facts.unit_n2.name][1].text == "66,7\u00a0%"
    assert rows[facts.unit_n2.name][2].shown == 12.0


def test_units_of_several_school_forms_are_listed_with_theirs(facts) -> None:
    gymnasium = actions.node_create(
        kind=NodeKind.UNIT,
        name="Ekbacka gymnasium",
        parent=facts.area_south,
        code="40000001",
        school_forms=[SchoolForm.GY],
    )
    # 40 of 50 teacher FTEs certified (80,0 %); the organiser: 61 / 77 = 79,2 %.
    staff = STAFF_HEADER + f"{gymnasium.code};2024/25;55;50,0;40,0;600\n"
    facts_import_bytes("staff", staff.encode(), "gymnasiet.csv")
    document = annual_report_document(facts.organiser, facts.year)
    units = staff_units_table(document, gymnasium.name)
    rows = {r[0]: r for r in units.rows}
    with translation.override("sv"):
        assert units.columns[1] == str(_("School form"))
        assert rows[gymnasium.name][1] == forms_label(["GY"]) == "Gymnasieskola"
        assert rows[facts.unit_n1.name][1] == forms_label(["GR"]) == "Grundskola"
        headings = [b.text for b in document.blocks if isinstance(b, Heading)]
        # The organiser's figures cover both forms, and the heading says so.
        assert forms_label(["GR", "GY"]) in headings
    assert rows[gymnasium.name][2].text == "80,0\u00a0%"
    assert row_named(document, CERTIFIED)[2].text == "79,2\u00a0%"


def test_a_unit_with_few_respondents_is_hidden_and_its_n_never_shown(facts, report_of) -> None:
    # Söderskolan: 8 respondents, below the unit-level limit of 10.
    facts_import_bytes(
        "surveys",
        survey_rows([(facts.unit_s1.code, "2024/25", "safety", 9, 8, 8)]),
        "söder.csv",
    )
    document = annual_report_document(facts.organiser, facts.year)
    stored = IndicatorValue.objects.get(
        node=facts.unit_s1,
        indicator="survey_pupil_safety",
        period_kind="year",
        period_id=facts.year.pk,
        breakdown="",
    )
    assert stored.suppression == ".." and stored.value == 100.0
    hidden = row_named(document, facts.unit_s1.name)
    assert hidden[1].shown == ".." and hidden[1].n is None
    assert publication_problems(document) == []
    # The unit's own report shows the marker, and '–' for what it rests on.
    document = unit_report_document(report_of(facts.unit_s1))
    *_cells, now, respondents, invited, _nation = row_named(document, SAFETY, "2024/25")
    assert now.shown == ".." and respondents == "–" and invited == "–"
    assert publication_problems(document) == []


@pytest.fixture
def report_of(make_user):
    """report_of(unit) → the unit's report for 2024/25, started by a head of that unit."""

    def start(unit):
        head = make_user(f"rektor-{unit.code}")
        actions.role_grant(user=head, node=unit, role=Role.UNIT_HEAD)
        return report_start(
            node=unit, year=unit_year(), school_form="grundskola", scope=scope_for(head), by=head
        )

    return start


def unit_year() -> AcademicYear:
    return AcademicYear.objects.get(code="2024/25")


def test_the_nation_stands_beside_the_organiser_where_published(facts) -> None:
    reference_values_store(
        [
            ReferenceRecord(
                source=Source.SKOLVERKET,
                dataset="Grundskola - Personalstatistik med lärarlegitimation och behörighet",
                measure="Heltidstjänster, Andel med lärarlegitimation och behörighet",
                area_kind=AreaKind.NATION,
                area_code="0000",
                area_name="Riket",
                period="2024/25",
                value=70.5,
                organiser_type="Samtliga",
                indicator_key="certified_teachers_share",
            )
        ],
        ImportBatch.objects.create(kind="skolverket", source_name="personal.csv"),
    )
    document = annual_report_document(facts.organiser, facts.year)
    nation = row_named(document, CERTIFIED)[-1]
    assert nation.shown == 70.5 and nation.text == "70,5\u00a0%"
    assert row_named(document, PER_TEACHER)[-1].shown == "."  # none published
    chart = next(
        b for b in document.blocks if isinstance(b, Chart) and b.spec["title"]["text"] == CERTIFIED
    )
    drawn = {(d["series"], d["period"]): d["value"] for d in chart.spec["data"]["values"]}
    assert drawn[("Riket", "2024/25")] == 70.5
    assert drawn[(facts.organiser.name, "2024/25")] == pytest.approx(77.778, abs=1e-3)
    assert publication_problems(document) == []


def test_preschool_has_its_own_section_where_the_organiser_runs_preschools(facts) -> None:
    org = facts
    headings = [
        b.text
        for b in annual_report_document(org.organiser, org.year).blocks
        if isinstance(b, Heading)
    ]
    with translation.override("sv"):
        assert forms_label(["FS"]) not in headings  # every unit is a grundskola
    preschool = actions.node_create(
        kind=NodeKind.UNIT,
        name="Förskolan Solen",
        parent=org.area_north,
        code="30000001",
        school_forms=[SchoolForm.FS],
    )
    # Two groups: 16 and 14 children, 3,0 staff FTEs each, 1,5 and 1,0 preschool teachers:
    # 30 / 2 = 15,0 children per group, 30 / 6,0 = 5,0 per FTE, 2,5 / 6,0 = 41,7 %.
    groups = (
        "skolenhetskod;avdelning;läsår;räknedatum;barn;personal heltidstjänster;"
        "förskollärare heltidstjänster\n"
        f"{preschool.code};Blåbäret;2024/25;2024-10-15;16;3,0;1,5\n"
        f"{preschool.code};Lingonet;2024/25;2024-10-15;14;3,0;1,0\n"
    )
    facts_import_bytes("preschool", groups.encode(), "förskola.csv")
    document = annual_report_document(org.organiser, org.year)
    with translation.override("sv"):
        assert forms_label(["FS"]) in [b.text for b in document.blocks if isinstance(b, Heading)]
    per_group = row_named(document, REGISTRY["children_per_group"].name_sv)
    per_fte = row_named(document, REGISTRY["children_per_staff_fte"].name_sv)
    share = row_named(document, REGISTRY["preschool_teacher_share"].name_sv)
    assert per_group[2].shown == 15.0 and per_fte[2].shown == 5.0
    assert share[2].text == "41,7\u00a0%"
    assert per_fte[3].shown == 30  # children
    assert publication_problems(document) == []


def test_a_unit_report_has_the_chapters_for_its_own_figures(facts, report_of) -> None:
    document = unit_report_document(report_of(facts.unit_n1))
    _name, before, now, respondents, invited, _nation = row_named(document, SAFETY, "2023/24")
    assert (before.shown, before.n) == (50.0, 22)  # 11 of 22
    assert (now.shown, now.n, now.min_n) == (80.0, 25, 10)  # 20 of 25, unit level
    assert (respondents.shown, invited.shown) == (25, 30)
    certified = row_named(document, CERTIFIED, "2023/24")
    assert certified[2].text == "83,3\u00a0%" and certified[3].shown == 20
    # No table of units in a unit's report.
    assert not any(
        isinstance(b, Table) and any(r[0] == facts.unit_n2.name for r in b.rows)
        for b in document.blocks
    )
    assert publication_problems(document) == []


def test_the_chapters_are_headed_in_swedish(facts) -> None:
    # Waits for the catalogue: the headings are new message ids.
    document = annual_report_document(facts.organiser, facts.year)
    chapters = document.chapters()
    assert "Trygghet och studiero" in chapters
    assert "Personal och lärarbehörighet" in chapters
    assert chapters.index("Trygghet och studiero") < chapters.index("Likvärdighet")


def test_the_pdf_and_the_word_file_carry_the_chapters_and_their_figures(facts, tmp_path) -> None:
    import io

    import docx
    from django.core.management import call_command
    from pypdf import PdfReader

    pdf, word = tmp_path / "kr.pdf", tmp_path / "kr.docx"
    call_command("report", "annual", year="2024/25", format="pdf", out=str(pdf))
    call_command("report", "annual", year="2024/25", format="docx", out=str(word))
    pages = PdfReader(io.BytesIO(pdf.read_bytes())).pages
    pdf_text = " ".join(" ".join(p.extract_text().split()) for p in pages).replace("\xa0", " ")
    opened = docx.Document(str(word))
    cells = [c.text.replace("\xa0", " ") for t in opened.tables for r in t.rows for c in r.cells]
    headings = [p.text for p in opened.paragraphs if p.style.name.startswith("Heading 1")]
    # Hand-computed: trygghet 38 / 45 = 84,4 %, of 54 invited; certified 21 / 27 = 77,8 %.
    for figure in ("84,4 %", "77,8 %", "54"):
        assert figure in pdf_text
        assert figure in cells
    assert SAFETY in cells and CERTIFIED in cells
    assert "Trygghet (elevenkät)" in pdf_text
    # The chapters' headings (wait for the catalogue).
    for heading in ("Trygghet och studiero", "Personal och lärarbehörighet"):
        assert heading in headings
        assert heading in pdf_text


def test_the_summary_gives_trygghet_studiero_and_certified_teachers_with_their_change(
    facts,
) -> None:

    document = annual_report_document(facts.organiser, facts.year)
    summary = next(b for b in document.blocks if isinstance(b, BulletList))
    items = [i.replace("\xa0", " ") for i in summary.items]
    # Trygghet 50,0 % → 84,4 %: +34,4 percentage points; studiero and the certified share
    # have no figure the year before, so no change.
    assert f"{SAFETY} 2024/25: 84,4 %, +34,4 procentenheter sedan 2023/24" in items
    assert f"{STUDY_CALM} 2024/25: 60,0 %" in items
    assert f"{CERTIFIED} 2024/25: 77,8 %" in items
    assert publication_problems(document) == []


def test_a_unit_report_draws_no_chart_twice_and_gives_staff_as_tables(facts, report_of) -> None:
    def titles(document) -> list[str]:
        return [b.spec["title"]["text"] for b in document.blocks if isinstance(b, Chart)]

    unit = titles(unit_report_document(report_of(facts.unit_n1)))
    # The grundskola template charts trygghet in its section Normer och värden already.
    assert unit.count(SAFETY) == 1
    assert unit.count(STUDY_CALM) == 1
    assert CERTIFIED not in unit and PER_TEACHER not in unit
    annual = titles(annual_report_document(facts.organiser, facts.year))
    assert {SAFETY, STUDY_CALM, CERTIFIED, PER_TEACHER} <= set(annual)


def test_the_sources_name_each_survey_and_the_staff_statistics() -> None:
    from skolkvalitet.quality.documents.surveys_staff import source_sv

    assert source_sv("survey_pupil_safety").startswith("Huvudmannens egen elevenkät")
    assert "vårdnadshavare i förskolan" in source_sv("survey_guardian_preschool_satisfaction")
    assert "personalstatistik" in source_sv("pupils_per_teacher_fte")
    assert "Barn och personal i förskolan" in source_sv("children_per_staff_fte")


def test_figures_of_units_without_recorded_school_forms_are_not_left_out(facts) -> None:
    from skolkvalitet.organisation.models import Node

    Node.objects.filter(kind=NodeKind.UNIT).update(school_forms=[])
    document = annual_report_document(facts.organiser, facts.year)
    assert row_named(document, CERTIFIED)[2].text == "77,8\u00a0%"
    with translation.override("sv"):
        headings = [b.text for b in document.blocks if isinstance(b, Heading)]
        assert forms_label(["GR", "GY"]) in headings  # the forms the figures are kept for
        assert forms_label(["FS"]) not in headings  # no preschool figures


def test_a_unit_of_no_such_school_form_says_so(facts, report_of) -> None:
    from skolkvalitet.publishing.documents.model import Paragraph

    facts.unit_n2.school_forms = [SchoolForm.FTH]
    facts.unit_n2.save(update_fields=["school_forms"])
    # Björkskolan as a fritidshem only, its figures removed: nothing to show, and it says so.
    IndicatorValue.objects.filter(node=facts.unit_n2).delete()
    document = unit_report_document(report_of(facts.unit_n2))
    texts = [b.text for b in document.blocks if isinstance(b, Paragraph)]
    line = f"{facts.unit_n2.name} driver ingen av de skolformer som uppgifterna gäller."
    assert texts.count(line) == 2  # one in each chapter
    assert not any(
        isinstance(b, Table) and any(r[0] in (SAFETY, CERTIFIED) for r in b.rows)
        for b in document.blocks
    )


@given(
    shown=st.one_of(
        st.floats(min_value=0, max_value=100, allow_nan=False),
        st.sampled_from(["..", "~100", ".", None]),
    ),
    n=st.one_of(st.none(), st.integers(min_value=0, max_value=5000)),
    count=st.one_of(st.none(), st.integers(min_value=0, max_value=5000)),
)
def test_a_count_stands_only_beside_a_shown_figure(shown, n, count) -> None:
    from skolkvalitet.quality.documents.surveys_staff import count_cell

    figure = FigureCell(shown=shown, unit="percent", indicator="survey_pupil_safety", n=n)
    cell = count_cell(figure, count)
    beside_a_number = isinstance(shown, float) and n is not None and count is not None
    assert (cell != "–") == beside_a_number
    if beside_a_number:
        assert isinstance(cell, FigureCell) and cell.shown == count and not cell.indicator


# Frozen with a handed-in report: report_submit stores what the chapters show (the node's
# stored figures, in the organiser's report also its units', the nation's, those invited),
# and the documents of a handed-in report read those back; a draft's read the figures now.


def remarks(document) -> list[str]:
    return [b.text for b in document.blocks if isinstance(b, Note)]


NEWER = (
    "Newer data have been imported since; the unit's result pages show the figures as they are now."
)
NEWER_ORGANISER = (
    "Newer data have been imported since; the result pages show the figures as they are now."
)


def certified_nation(value: float) -> None:
    """The nation's published share of certified teachers in 2024/25."""
    reference_values_store(
        [
            ReferenceRecord(
                source=Source.SKOLVERKET,
                dataset="Grundskola - Personalstatistik med lärarlegitimation och behörighet",
                measure="Heltidstjänster, Andel med lärarlegitimation och behörighet",
                area_kind=AreaKind.NATION,
                area_code="0000",
                area_name="Riket",
                period="2024/25",
                value=value,
                organiser_type="Samtliga",
                indicator_key="certified_teachers_share",
            )
        ],
        ImportBatch.objects.create(kind="skolverket", source_name="personal.csv"),
    )


def resurvey(facts) -> None:
    """Trygghet 2024/25 imported anew: Norrskolan 15 of 25 respondents agree (60,0 %), of 40
    invited; Björkskolan 10 of 20 (50,0 %): the organiser 25 / 45 = 55,6 %, of 64 invited."""
    facts_import_bytes(
        "surveys",
        survey_rows(
            [
                (facts.unit_n1.code, "2024/25", "safety", 40, 25, 15),
                (facts.unit_n2.code, "2024/25", "safety", 24, 20, 10),
            ]
        ),
        "enkät-ny.csv",
    )
    # Staff anew: Norrskolan 9 of 18 teacher FTEs certified (50,0 %).
    staff = STAFF_HEADER + f"{facts.unit_n1.code};2024/25;20;18,0;9,0;216\n"
    facts_import_bytes("staff", staff.encode(), "personal-ny.csv")


def test_a_handed_in_unit_report_keeps_the_chapters_figures_of_its_submission(
    facts, report_of, users
) -> None:
    head = users.unit_head  # of Norrskolan
    report = report_of(facts.unit_n1)
    report = report_submit(report=report, scope=scope_for(head), by=head)
    draft = report_of(facts.unit_n2)
    certified_nation(70.5)  # reference data only: not newer data of the unit
    document = unit_report_document(report)
    assert _(NEWER) not in " ".join(remarks(document))
    frozen_version = document.data_version
    assert frozen_version is not None
    resurvey(facts)
    stored = IndicatorValue.objects.get(
        node=facts.unit_n1,
        indicator="survey_pupil_safety",
        period_kind="year",
        period_id=facts.year.pk,
        breakdown="",
    )
    assert stored.value == 60.0  # the figure now: 15 of 25

    document = unit_report_document(report)
    _name, before, now, respondents, invited, _nation = row_named(document, SAFETY, "2023/24")
    assert (before.shown, before.n) == (50.0, 22)  # 11 of 22, as before
    assert (now.shown, now.n) == (80.0, 25)  # 20 of 25 when submitted, not 60,0
    assert (respondents.shown, invited.shown) == (25, 30)  # not the 40 invited since
    certified = row_named(document, CERTIFIED, "2023/24")
    assert certified[2].text == "83,3\u00a0%"  # 15 of 18 when submitted, not 9 of 18
    assert certified[-1].shown == "."  # the nation's figure was published after submission
    assert any(_(NEWER) in remark for remark in remarks(document))
    assert document.data_version == frozen_version  # the title page's, too
    assert publication_problems(document) == []

    # A draft shows the figures as they are now: Björkskolan 10 of 20.
    document = unit_report_document(draft)
    assert row_named(document, SAFETY, "2023/24")[2].shown == 50.0
    assert row_named(document, CERTIFIED, "2023/24")[-1].shown == 70.5
    assert (document.data_version or 0) > frozen_version  # the surveys imported since
    assert not any(_(NEWER) in remark for remark in remarks(document))

    # Returned, the report is live again; submitted anew, it freezes the figures of then.
    reviewer = users.organiser_admin
    report = report_return(
        report=report, comment="Komplettera.", scope=scope_for(reviewer), by=reviewer
    )
    assert row_named(unit_report_document(report), SAFETY, "2023/24")[2].shown == 60.0
    report = report_submit(report=report, scope=scope_for(head), by=head)
    document = unit_report_document(report)
    now, respondents, invited = row_named(document, SAFETY, "2023/24")[2:5]
    assert (now.shown, respondents.shown, invited.shown) == (60.0, 25, 40)
    assert not any(_(NEWER) in remark for remark in remarks(document))


def test_the_frozen_chapter_rows_are_not_figures_of_the_reports_sections(
    facts, report_of, users
) -> None:
    report = report_of(facts.unit_n1)
    template = template_of(report.template)
    sections = figures_with_charts_live(
        node=report.node, year=report.academic_year, template=template
    )
    head = users.unit_head
    report = report_submit(report=report, scope=scope_for(head), by=head)
    chapter_rows = report.figures.filter(kind__in=CHAPTER_KINDS)
    # Norrskolan's stored figures of the chapters: trygghet 2023/24 and 2024/25, studiero
    # 2024/25 and its staff figures of 2024/25; the nation's; those invited to both surveys.
    assert chapter_rows.filter(kind="chapter", indicator="survey_pupil_safety").count() == 2
    assert set(chapter_rows.filter(kind="invited").values_list("indicator", "n")) == {
        ("survey_pupil_safety", 30),
        ("survey_pupil_study_calm", 30),
    }
    assert set(chapter_rows.values_list("node_ref", flat=True)) <= {facts.unit_n1.pk, None}
    shown = report_figures(report, template)
    assert len(shown) == len(sections)
    assert not any(f.kind in CHAPTER_KINDS for f in shown)
    data = report_data(node=facts.unit_n1, year=facts.year, school_form="grundskola")
    assert data["figures_frozen"] and not data["newer_data"]


def organiser_report(facts, users):
    analyst = users.analyst
    scope = scope_for(analyst)
    report = report_start(
        node=facts.organiser, year=facts.year, school_form="huvudman", scope=scope, by=analyst
    )
    return report, scope, analyst


def test_the_kvalitetsredovisning_keeps_the_chapters_of_the_organisers_handed_in_report(
    facts, users
) -> None:
    report, scope, analyst = organiser_report(facts, users)
    resurvey_before = annual_report_document(facts.organiser, facts.year)
    # A draft: the figures now, frozen when the organiser's report is submitted.
    assert row_named(resurvey_before, SAFETY)[2].text == "84,4\u00a0%"
    report_submit(report=report, scope=scope, by=analyst)
    resurvey(facts)

    document = annual_report_document(facts.organiser, facts.year)
    _name, before, now, respondents, invited, _nation = row_named(document, SAFETY)
    assert before.shown == 50.0  # 20 of 40
    assert now.text == "84,4\u00a0%" and now.n == 45  # 38 of 45 when submitted, not 55,6 %
    assert (respondents.shown, invited.shown) == (45, 54)  # not the 64 invited since
    # Every unit's figure of the year as frozen: Norrskolan 20 of 25, Björkskolan 18 of 20.
    assert row_named(document, facts.unit_n1.name)[1].shown == 80.0
    staff = {r[0]: r for r in staff_units_table(document, facts.unit_n1.name).rows}
    assert staff[facts.unit_n1.name][1].text == "83,3\u00a0%"  # 15 of 18, not 9 of 18
    summary = next(b for b in document.blocks if isinstance(b, BulletList))
    items = [i.replace("\xa0", " ") for i in summary.items]
    assert f"{SAFETY} 2024/25: 84,4 %, +34,4 procentenheter sedan 2023/24" in items
    # The summary's key figures are as stored now, its survey and staff figures as frozen:
    # the paragraph after it says which is which, with the day of the submission.
    after_summary = document.blocks[document.blocks.index(summary) + 1]
    assert isinstance(after_summary, Paragraph)
    report.refresh_from_db()
    submitted = timezone.localdate(report.submitted_at).isoformat()
    assert after_summary.text == (
        f"{SAFETY}, {STUDY_CALM} och {CERTIFIED}: siffrorna som frystes med huvudmannens "
        f"kvalitetsrapport när den lämnades in {submitted}, som i deras kapitel. Övriga "
        "siffror är som de var lagrade när dokumentet togs fram."
    )
    assert any(_(NEWER_ORGANISER) in remark for remark in remarks(document))
    assert publication_problems(document) == []


def test_the_kvalitetsredovisning_of_a_draft_organiser_report_reads_the_figures_now(
    facts, users
) -> None:
    organiser_report(facts, users)
    resurvey(facts)
    document = annual_report_document(facts.organiser, facts.year)
    now = row_named(document, SAFETY)[2]
    assert now.text == "55,6\u00a0%" and now.n == 45  # 25 of 45
    assert row_named(document, facts.unit_n1.name)[1].shown == 60.0
    assert not any(_(NEWER_ORGANISER) in remark for remark in remarks(document))
    # Every figure of the summary is as stored now: nothing to tell apart.
    assert not any(
        isinstance(b, Paragraph) and "siffrorna som frystes" in b.text for b in document.blocks
    )


def test_a_report_handed_in_before_the_chapters_were_frozen_shows_them_now_and_says_so(
    facts, report_of, users
) -> None:
    head = users.unit_head
    report = report_submit(report=report_of(facts.unit_n1), scope=scope_for(head), by=head)
    report.figures.filter(kind__in=CHAPTER_KINDS).delete()  # as submitted before they were
    resurvey(facts)
    document = unit_report_document(report)
    assert row_named(document, SAFETY, "2023/24")[2].shown == 60.0  # 15 of 25, now
    before_frozen = _(
        "The figures of this chapter are the unit's stored figures when the document was "
        "produced, over five years: the report was submitted before these chapters were frozen "
        "with it."
    )
    assert before_frozen in remarks(document)


FIGURES = st.builds(
    FrozenFigure,
    value=st.one_of(st.none(), st.floats(0, 100, allow_nan=False)),
    n=st.one_of(st.none(), st.integers(0, 10_000)),
    suppression=st.sampled_from(["", "..", "~100", "."]),
    data_version=st.one_of(st.none(), st.integers(1, 10_000)),
)


@given(
    stored=st.dictionaries(
        st.tuples(
            st.sampled_from([3, 4, 5]),
            st.sampled_from(["survey_pupil_safety", "certified_teachers_share"]),
            st.sampled_from([6, 7]),
        ),
        FIGURES,
    ),
    nation=st.dictionaries(
        st.tuples(
            st.sampled_from(["survey_pupil_safety", "certified_teachers_share"]),
            st.sampled_from([6, 7]),
        ),
        st.one_of(st.floats(0, 100, allow_nan=False), st.sampled_from([".", ".."])),
    ),
    invited=st.dictionaries(
        st.sampled_from(["survey_pupil_safety", "survey_pupil_study_calm"]), st.integers(0, 5000)
    ),
)
def test_frozen_rows_give_back_any_figures_they_froze(stored, nation, invited) -> None:
    years = [AcademicYear(pk=6, code="2023/24"), AcademicYear(pk=7, code="2024/25")]
    setting = Setting(
        node=Node(pk=3, kind=NodeKind.ORGANISER),
        years=years,
        units=[Node(pk=4, kind=NodeKind.UNIT), Node(pk=5, kind=NodeKind.UNIT)],
        basis=Basis.ALL,
        municipality_code="0180",
    )
    figures = ChapterFigures(stored=stored, nation=nation, invited=invited)
    back = chapter_figures_frozen(chapter_rows(setting, figures))
    assert back.stored == figures.stored
    assert back.nation == figures.nation
    assert back.invited == figures.invited
    assert back.data_version == figures.data_version
    assert (back.frozen_at_version or None) == figures.data_version


def test_frozen_rows_give_back_the_figures_they_froze() -> None:
    year = AcademicYear(pk=7, code="2024/25")
    node = Node(pk=3, kind=NodeKind.ORGANISER)
    unit = Node(pk=4, kind=NodeKind.UNIT)
    figures = ChapterFigures(
        stored={
            (3, "survey_pupil_safety", 7): FrozenFigure(84.4, 45, "", 12),
            (4, "survey_pupil_safety", 7): FrozenFigure(100.0, 8, "..", 11),
        },
        nation={("certified_teachers_share", 7): 70.5, ("survey_pupil_safety", 7): "."},
        invited={"survey_pupil_safety": 54},
    )
    setting = Setting(
        node=node, years=[year], units=[unit], basis=Basis.ALL, municipality_code="0180"
    )
    back = chapter_figures_frozen(chapter_rows(setting, figures))
    assert back.stored == figures.stored
    assert back.nation == figures.nation
    assert back.invited == figures.invited
    assert back.frozen_at_version == 12 == back.data_version
