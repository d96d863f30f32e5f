"""The survey and staff sections of the unit page and the overview
(dashboards/selectors/year_facts.py), and the overview's reference line following the
school-form and area filters (overview.py). Survey, staff and preschool files are imported
here, with hand-computed figures:

Trygghet (pupil survey), respondents who agree of the respondents, of those invited:
    2023/24  Norrskolan (GR)   11 of 22, 26 invited              → 50,0 %
    2024/25  Norrskolan (GR)   20 of 25, 30 invited              → 80,0 %
             Björkskolan (GR)  18 of 20, 24 invited              → 90,0 %
             Ekskolan (GY)      6 of  8, 12 invited              → 75,0 % (n 8 < 10: `..`)
    the organiser 2024/25: 44 of 53 = 83,02 %; its grundskolor 38 of 45 = 84,44 % (54 invited);
    its gymnasium 6 of 8 = 75,0 %.
Staff 2024/25: Norrskolan 15 of 18 teacher FTEs certified = 83,33 %, 216 pupils / 18 = 12,0,
20 teachers.
Preschool Solen (FS): the guardians, 9 of 12 respondents agree (20 invited) = 75,0 %; two
groups of 16 and 14 children, 3,0 staff FTEs each: 15,0 children per group.
"""

from __future__ import annotations

import pytest

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.dashboards.selectors.overview import overview_for_year
from skolkvalitet.dashboards.selectors.year_facts import overview_facts, unit_fact_sections
from skolkvalitet.indicators.markers import HIDDEN
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.organisation import actions
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind, SchoolForm
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.reference.actions import reference_values_store
from skolkvalitet.reference.comparison import Basis
from skolkvalitet.reference.records import AreaKind, ReferenceRecord, Source

pytestmark = pytest.mark.django_db

SURVEY_HEADER = "skolenhetskod;läsår;enkät;index;respondentgrupp;inbjudna;svarande;instämmer\n"
STAFF_HEADER = (
    "skolenhetskod;läsår;lärare;lärare heltidstjänster;legitimerade lärare heltidstjänster;elever\n"
)
PRESCHOOL_HEADER = (
    "skolenhetskod;avdelning;läsår;räknedatum;barn;personal heltidstjänster;"
    "förskollärare heltidstjänster\n"
)


@pytest.fixture
def facts(org):
    Node.objects.filter(pk=org.unit_s2.pk).update(school_forms=[SchoolForm.GY], year_groups=[])
    org.unit_s2.refresh_from_db()
    org.preschool = actions.node_create(
        kind=NodeKind.UNIT,
        name="Förskolan Solen",
        parent=org.area_south,
        code="20000003",
        school_forms=[SchoolForm.FS],
        year_groups=[],
    )
    n1, n2, s2, fs = org.unit_n1.code, org.unit_n2.code, org.unit_s2.code, org.preschool.code
    rows = [
        (n1, "2023/24", "pupil", "safety", "åk 8", 26, 22, 11),
        (n1, "2024/25", "pupil", "safety", "åk 8", 30, 25, 20),
        (n2, "2024/25", "pupil", "safety", "åk 8", 24, 20, 18),
        (s2, "2024/25", "pupil", "safety", "åk 2", 12, 8, 6),
        (fs, "2024/25", "guardian_preschool", "safety", "vårdnadshavare", 20, 12, 9),
    ]
    survey = SURVEY_HEADER + "".join(";".join(map(str, r)) + "\n" for r in rows)
    facts_import_bytes("surveys", survey.encode(), "enkät.csv")
    staff = STAFF_HEADER + f"{n1};2024/25;20;18,0;15,0;216\n"
    facts_import_bytes("staff", staff.encode(), "personal.csv")
    groups = (
        PRESCHOOL_HEADER
        + f"{fs};Blåbäret;2024/25;2024-10-15;16;3,0;1,5\n"
        + f"{fs};Lingonet;2024/25;2024-10-15;14;3,0;1,0\n"
    )
    facts_import_bytes("preschool", groups.encode(), "förskola.csv")
    return org


def row_of(section, key):
    return next(r for r in section.rows if r.indicator.key == key)


def cell(data, node, key):
    rows = [*data.rows, *([data.organiser] if data.organiser else [])]
    row = next(r for r in rows if r.node == node)
    return next(c for c in row.cells if c.indicator.key == key)


def table_of(facts_overview, form, key="surveys"):
    return next(t for t in facts_overview.tables if form in t.forms and t.key == key)


def test_the_unit_page_shows_the_surveys_over_the_years_with_respondents_of_invited(
    facts, users
) -> None:
    sections = unit_fact_sections(scope_for(users.unit_head), facts.unit_n1)
    assert [s.key for s in sections] == ["surveys", "staff"]
    surveys, staff = sections
    assert [p.label for p in surveys.periods] == ["2023/24", "2024/25"]
    safety = row_of(surveys, "survey_pupil_safety")
    assert safety.values == [(50.0, 22), (80.0, 25)]
    assert safety.counts == [(50.0, 22, 26), (80.0, 25, 30)]
    # Only the indicators that have figures; none of the preschool's (not a grundskola's).
    assert [r.indicator.key for r in surveys.rows] == ["survey_pupil_safety"]
    certified = row_of(staff, "certified_teachers_share")
    assert certified.values[-1][0] == pytest.approx(250 / 3)  # 15 / 18
    assert certified.values[-1][1] == 20  # teachers
    assert row_of(staff, "pupils_per_teacher_fte").values[-1][0] == pytest.approx(12.0)


def test_a_preschool_shows_the_guardians_survey_and_its_groups_only(facts, users) -> None:
    sections = unit_fact_sections(scope_for(users.organiser_admin), facts.preschool)
    keys = {s.key: [r.indicator.key for r in s.rows] for s in sections}
    assert keys == {
        "surveys": ["survey_guardian_preschool_safety"],
        "staff": ["children_per_group", "children_per_staff_fte", "preschool_teacher_share"],
    }
    safety = row_of(sections[0], "survey_guardian_preschool_safety")
    assert safety.counts[-1] == (75.0, 12, 20)
    assert row_of(sections[1], "children_per_group").values[-1] == (15.0, 30)


def test_the_board_sees_a_survey_of_too_few_respondents_hidden_without_n(facts, users) -> None:
    [surveys] = unit_fact_sections(scope_for(users.board), facts.unit_s2)
    safety = row_of(surveys, "survey_pupil_safety")
    assert safety.values[-1] == (HIDDEN, None)  # 8 respondents: below 10 at unit level
    assert safety.counts[-1] == (HIDDEN, None, None)  # nor those invited
    [surveys] = unit_fact_sections(scope_for(users.organiser_admin), facts.unit_s2)
    assert row_of(surveys, "survey_pupil_safety").counts[-1] == (75.0, 8, 12)


def test_the_nation_stands_beside_the_staff_figure_where_published(facts, users) -> None:
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
    surveys, staff = unit_fact_sections(scope_for(users.unit_head), facts.unit_n1)
    assert row_of(staff, "certified_teachers_share").references == [70.5]  # staff: 2024/25 only
    assert row_of(staff, "certified_teachers_share").reference == 70.5
    # The organiser's type is not recorded and it has no municipality code: all schools.
    assert staff.reference.basis == Basis.ALL and staff.reference.year == "2024/25"
    assert staff.reference.missing == [REGISTRY_NAME["pupils_per_teacher_fte"]]
    assert surveys.reference.missing == [REGISTRY_NAME["survey_pupil_safety"]]

    data = overview_facts(scope_for(users.organiser_admin), facts.year)
    table = table_of(data, "GR", "staff").overview
    nation = next(r for r in table.references if r.area == "nation")
    keys = [i.key for i in table.indicators]
    assert nation.values[keys.index("certified_teachers_share")] == 70.5
    assert cell(table, facts.unit_n1, "certified_teachers_share").above_reference is True


def test_the_overview_has_a_table_per_school_form_with_the_organisers_figure(facts, users) -> None:
    data = overview_facts(scope_for(users.organiser_admin), facts.year)
    assert [(t.key, t.forms, t.year.label) for t in data.tables] == [
        ("surveys", ("GR", "GY"), "2024/25"),
        ("surveys", ("FS",), "2024/25"),
        ("staff", ("GR", "GY"), "2024/25"),
        ("staff", ("FS",), "2024/25"),
    ]
    pupils = table_of(data, "GR").overview
    assert [r.node for r in pupils.rows] == [facts.unit_n2, facts.unit_n1, facts.unit_s2]
    n1 = cell(pupils, facts.unit_n1, "survey_pupil_safety")
    assert (n1.shown, n1.n, n1.invited) == (80.0, 25, 30)
    assert n1.change_previous == pytest.approx(30.0)  # 50,0 → 80,0
    organiser = cell(pupils, facts.organiser, "survey_pupil_safety")
    assert organiser.shown == pytest.approx(100 * 44 / 53)
    assert (organiser.n, organiser.invited) == (53, 66)
    preschool = table_of(data, "FS", "staff").overview
    assert [r.node for r in preschool.rows] == [facts.preschool]
    assert cell(preschool, facts.preschool, "children_per_group").shown == 15.0


def test_filtering_on_a_school_form_sums_the_reference_line_over_its_units(facts, users) -> None:
    """The organiser's stored figure covers its grundskolor and its gymnasium: filtered on
    grundskola, the reference line is the sum of the grundskolor's figures, named so."""
    data = overview_facts(scope_for(users.organiser_admin), facts.year, school_form="GR")
    pupils = table_of(data, "GR").overview
    assert [r.node for r in pupils.rows] == [facts.unit_n2, facts.unit_n1]
    organiser = cell(pupils, facts.organiser, "survey_pupil_safety")
    assert organiser.shown == pytest.approx(100 * 38 / 45)
    assert (organiser.n, organiser.invited) == (45, 54)
    assert pupils.organiser.name == "Exempelstads kommun, grundskola"
    assert "survey_pupil_safety" in pupils.summed
    # Staff: only Norrskolan has staff figures, so the organiser's own figure is its alone.
    assert "certified_teachers_share" not in table_of(data, "GR", "staff").overview.summed

    gymnasium = overview_facts(scope_for(users.organiser_admin), facts.year, school_form="GY")
    assert [t.key for t in gymnasium.tables] == ["surveys"]  # no staff figures of Ekskolan
    assert gymnasium.tables[0].forms == ("GY",)  # named by the form filtered on
    organiser = cell(gymnasium.tables[0].overview, facts.organiser, "survey_pupil_safety")
    assert (organiser.shown, organiser.n) == (75.0, 8)

    preschool = overview_facts(scope_for(users.organiser_admin), facts.year, school_form="FS")
    assert [(t.key, t.forms) for t in preschool.tables] == [
        ("surveys", ("FS",)),
        ("staff", ("FS",)),
    ]


def test_the_board_sees_a_summed_line_hidden_where_a_unit_in_it_is(facts, users) -> None:
    """A sum over units of which one is hidden would give that unit away (the sum less the
    shown units). Ekskolan's 8 respondents are `..`; so are Söder (Ekskolan alone) and, as
    their complements, Norr and Björkskolan (the smaller of Norr's units). For the board the
    grundskolor's line (Norrskolan + Björkskolan = Norr's figure) and the gymnasium's are
    `..`; the organiser's own figure of all its units stays shown, as stored."""
    board = scope_for(users.board)
    everything = overview_facts(board, facts.year).tables[0].overview
    assert cell(everything, facts.unit_n2, "survey_pupil_safety").shown == HIDDEN
    assert cell(everything, facts.unit_n1, "survey_pupil_safety").shown == 80.0
    assert cell(everything, facts.organiser, "survey_pupil_safety").shown == pytest.approx(
        100 * 44 / 53
    )
    for form in ("GR", "GY"):
        table = overview_facts(board, facts.year, school_form=form).tables[0].overview
        line = cell(table, facts.organiser, "survey_pupil_safety")
        assert (line.shown, line.n, line.invited) == (HIDDEN, None, None)
    # With pupil access the same lines are shown.
    admin = overview_facts(scope_for(users.organiser_admin), facts.year, school_form="GR")
    line = cell(admin.tables[0].overview, facts.organiser, "survey_pupil_safety")
    assert line.shown == pytest.approx(100 * 38 / 45)


def test_the_area_filter_puts_the_areas_own_figure_under_its_units(facts, users) -> None:
    data = overview_facts(scope_for(users.organiser_admin), facts.year, area_id=facts.area_north.pk)
    pupils = table_of(data, "GR").overview
    assert pupils.organiser.node == facts.area_north
    line = cell(pupils, facts.area_north, "survey_pupil_safety")
    assert (line.shown, line.n, line.invited) == (pytest.approx(100 * 38 / 45), 45, 54)


def test_the_year_overview_keeps_the_columns_of_the_school_form_filtered_on(facts, users) -> None:
    scope = scope_for(users.organiser_admin)
    year = AcademicYear.objects.get(code="2024/25")
    keys = [i.key for i in overview_for_year(scope, year).indicators]
    assert keys == [
        "merit_value_17",
        "passed_all_subjects",
        "eligible_vocational",
        "absence_mean_year",
    ]
    gymnasium = [i.key for i in overview_for_year(scope, year, school_form="GY").indicators]
    assert gymnasium == ["absence_mean_year"]  # no year 9 figures on a gymnasium
    assert overview_for_year(scope, year, school_form="FS").indicators == []


REGISTRY_NAME = {
    key: name
    for key, name in (
        ("pupils_per_teacher_fte", "Antal elever per lärare (heltidstjänst)"),
        ("survey_pupil_safety", "Trygghet (elevenkät)"),
    )
}
