"""The kinds of pupil-data file, each declared once: its columns (heading, how a cell is read,
the database field it fills), the table its rows are stored in (ingest/writing/tables.py), its
rules beyond single cells (ingest/files/rules.py) and the group column it creates groups from.

Read by the checks (validation.py), the importer (importer.py), the templates and
docs/formats.md (templates.py; the doc is generated from here and checked by a test), the
import command and the Import page. Adding a kind is one entry here plus its tests. A column is
found by its heading, Swedish or English, in any case, with or without å/ä/ö, spaces or
underscores.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from skolkvalitet.ingest.files import final_grades, rules
from skolkvalitet.ingest.files.checked import Checked, Problems
from skolkvalitet.ingest.writing import tables
from skolkvalitet.ingest.writing.tables import StoredTable

# A rule of a kind: reads the checked rows, adds problems, may complete the frame.
Rule = Callable[[Checked, dict[str, str], Problems], None]


class Parse(StrEnum):
    """How a column's text is read (see ingest/files/importer.py for each parser)."""

    PERSONAL_NUMBER = "personal_number"  # personnummer or samordningsnummer, Luhn-checked
    PSEUDONYM = "pseudonym"  # a pupil id this system gave (64 hex digits)
    UNIT_CODE = "unit_code"  # 8-digit skolenhetskod of a known unit
    ACADEMIC_YEAR = "academic_year"  # 2024/25
    TERM = "term"  # HT / VT
    YEAR_GROUP = "year_group"  # 0 (F) – 9
    SUBJECT = "subject"  # Skolverket subject code
    GRADE = "grade"  # A–F or -
    GRADE_TYPE = "grade_type"  # terminsbetyg / slutbetyg
    TEST_RESULT = "test_result"  # A–F, or uppnått / ej uppnått (year 3)
    SCALE = "scale"  # an assessment scale's code
    TEXT = "text"
    COUNT = "count"  # whole number ≥ 0
    DECIMAL = "decimal"  # number ≥ 0, decimal comma or point
    DATE = "date"  # 2024-10-15
    YES_NO = "yes_no"  # ja / nej
    EDUCATION = "education"  # 1–3, Skolverket's three levels
    SCHOOL_FORM = "school_form"  # GR, GRS, FKLASS, ...
    ORDINAL = "ordinal"  # 1, 2, ... (follow-up point within the term)
    LANGUAGE = "language"  # ISO 639-2 code, three letters


@dataclass(frozen=True)
class Column:
    name: str  # the heading in the templates (Swedish)
    english: str  # the English heading, also accepted
    parse: Parse
    required: bool = True
    description: str = ""
    example: str = ""
    aliases: tuple[str, ...] = ()
    field: str = ""  # the column of the kind's stored table this column fills
    pupil_field: str = ""  # or the attribute of the pupil it sets (pupils file)


@dataclass(frozen=True)
class FileKind:
    key: str  # "grades"
    name: str  # for the user
    columns: tuple[Column, ...]
    description: str
    # Columns that together identify one fact: a second row with the same key is a conflict
    # within the file, and a stored fact with the same key is replaced by the file's.
    key_columns: tuple[str, ...]
    stored: StoredTable  # where the rows go
    rules: tuple[Rule, ...] = ()  # run after the cells are parsed
    rules_after_duplicates: tuple[Rule, ...] = ()  # run on rows without conflicts
    group_column: str = ""  # the column whose groups (class, avdelning) are created if new

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


def fold(heading: str) -> str:
    """A heading reduced for matching: lower case, no diacritics, no spaces or punctuation."""
    text = unicodedata.normalize("NFKD", heading.strip().lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return "".join(char for char in text if char.isalnum())


PUPIL = Column(
    "personnummer",
    "personal_number",
    Parse.PERSONAL_NUMBER,
    required=False,
    description="Personnummer or samordningsnummer, 12 digits (10 accepted). Replaced by a "
    "pseudonym at import; never stored.",
    example="20100315-2384",
    aliases=("personnr", "civic_no", "civicno"),
)
PUPIL_ID = Column(
    "elev_id",
    "pupil_id",
    Parse.PSEUDONYM,
    required=False,
    description="Instead of personnummer: the pupil's pseudonym in this system (from an "
    "export). One of the two is required.",
    example="",
)
UNIT = Column(
    "skolenhetskod",
    "school_unit_code",
    Parse.UNIT_CODE,
    description="Skolverket's 8-digit code of a school unit already in the system.",
    example="52293921",
)
YEAR = Column(
    "läsår", "academic_year", Parse.ACADEMIC_YEAR, description="Academic year.", example="2024/25"
)
TERM = Column("termin", "term", Parse.TERM, description="HT or VT.", example="VT")
YEAR_GROUP = Column(
    "årskurs",
    "year_group",
    Parse.YEAR_GROUP,
    field="year_group",
    description="Year group, 0 (förskoleklass, also F) to 9.",
    example="9",
)
SUBJECT = Column(
    "ämne",
    "subject",
    Parse.SUBJECT,
    description="Skolverket's subject code (SV, SVA, EN, MA, BI, ..., M1, M2, ML).",
    example="MA",
)

# A kind whose pupil columns are optional needs one of the two on each row.
PUPIL_PARSES = frozenset({Parse.PERSONAL_NUMBER, Parse.PSEUDONYM})

FILE_KINDS: dict[str, FileKind] = {}


def _kind(kind: FileKind) -> None:
    FILE_KINDS[kind.key] = kind


_kind(
    FileKind(
        "pupils",
        "Elever och placeringar",
        (
            Column(
                "personnummer",
                "personal_number",
                Parse.PERSONAL_NUMBER,
                description=PUPIL.description,
                example=PUPIL.example,
                aliases=PUPIL.aliases,
            ),
            UNIT,
            YEAR,
            Column(
                "skolform",
                "school_form",
                Parse.SCHOOL_FORM,
                field="school_form",
                required=False,
                description="SS 12000 school form code; GR when empty.",
                example="GR",
            ),
            Column(
                "årskurs",
                "year_group",
                Parse.YEAR_GROUP,
                field="year_group",
                required=False,
                description=YEAR_GROUP.description + " Empty in förskola.",
                example="7",
            ),
            Column(
                "klass",
                "group",
                Parse.TEXT,
                required=False,
                description="The pupil's class or group at the unit; created if new.",
                example="7A",
            ),
            Column(
                "förnamn",
                "given_name",
                Parse.TEXT,
                pupil_field="given_name",
                required=False,
                example="Alva",
            ),
            Column(
                "efternamn",
                "family_name",
                Parse.TEXT,
                pupil_field="family_name",
                required=False,
                example="Berg",
            ),
            Column(
                "svenska som andraspråk",
                "reads_sva",
                Parse.YES_NO,
                field="reads_sva",
                required=False,
                description="ja if the pupil reads svenska som andraspråk.",
                example="nej",
            ),
            Column(
                "ankomstdatum",
                "arrival_date",
                Parse.DATE,
                pupil_field="arrival_date",
                required=False,
                description="The date the pupil immigrated to Sweden (invandringsdatum), for "
                "every pupil who did; empty for a pupil who never lived abroad. With the two "
                "columns below it decides newly arrived (nyinvandrad) as Skolverket does: "
                "immigrated in the figure's calendar year or one of the three before, born "
                "abroad, both parents born abroad.",
                example="",
                aliases=("invandringsdatum", "immigration_date"),
            ),
            Column(
                "född utomlands",
                "born_abroad",
                Parse.YES_NO,
                pupil_field="born_abroad",
                required=False,
                description="ja if the pupil was born outside Sweden, nej if born in Sweden; "
                "empty when not known (a pupil who immigrated recently then counts as "
                '"uppgift saknas", neither newly arrived nor not).',
                example="nej",
                aliases=("utrikes född", "foreign_born"),
            ),
            Column(
                "båda föräldrarna födda utomlands",
                "parents_born_abroad",
                Parse.YES_NO,
                pupil_field="parents_born_abroad",
                required=False,
                description="ja if both parents were born outside Sweden, nej if at least one "
                "was born in Sweden; empty when not known (as född utomlands).",
                example="nej",
                aliases=("föräldrar födda utomlands", "both_parents_born_abroad"),
            ),
            Column(
                "föräldrars utbildning",
                "parents_education",
                Parse.EDUCATION,
                pupil_field="parents_highest_education",
                required=False,
                description="Parents' highest education: 1 below upper secondary, "
                "2 upper secondary, 3 post-secondary.",
                example="3",
            ),
            Column(
                "särskilt stöd",
                "special_support",
                Parse.YES_NO,
                field="special_support",
                required=False,
                description="ja if the pupil has an åtgärdsprogram.",
                example="nej",
            ),
        ),
        "One row per pupil and unit for an academic year: creates pupils and their placements.",
        ("personnummer", "läsår", "skolenhetskod"),
        stored=tables.ENROLMENTS,
        rules=(rules.pupils,),
        group_column="klass",
    )
)

_kind(
    FileKind(
        "grades",
        "Betyg",
        (
            PUPIL,
            PUPIL_ID,
            UNIT,
            YEAR,
            TERM,
            YEAR_GROUP,
            SUBJECT,
            Column(
                "betyg",
                "grade",
                Parse.GRADE,
                field="value",
                description="A–F, or - (no basis for a grade; also written 9, Skolverket's code, "
                "or streck). A row with 3 (anpassad studiegång: the subject was not read) is "
                "left out.",
                example="C",
            ),
            Column(
                "betygstyp",
                "grade_type",
                Parse.GRADE_TYPE,
                field="grade_type",
                description="terminsbetyg or slutbetyg.",
                example="slutbetyg",
            ),
            Column(
                "språk",
                "language",
                Parse.LANGUAGE,
                field="language",
                required=False,
                description="For M1, M2 and ML: the language, ISO 639-2 (SPA, TYS, FRA, ARA).",
                example="",
            ),
        ),
        "One row per grade. A pupil not yet known is created from the personnummer. A pupil "
        "has one final grade (slutbetyg) per subject: a subject ended before year 9 is written "
        "once, with the term and year group it ended in, and counts on the year-9 leaving "
        "certificate; a second final grade in a subject is refused (the same term and year "
        "group again is a correction). Final grades in both SV and SVA are imported with a "
        "warning: they are alternatives and the indicators count one.",
        ("pupil", "läsår", "termin", "ämne", "betygstyp"),
        stored=tables.GRADES,
        rules=(rules.grades,),
        rules_after_duplicates=(final_grades.grades_final,),
    )
)

_kind(
    FileKind(
        "assessments",
        "Bedömningar vid uppföljning",
        (
            PUPIL,
            PUPIL_ID,
            UNIT,
            YEAR,
            TERM,
            Column(
                "uppföljning",
                "follow_up_point",
                Parse.ORDINAL,
                description="Which follow-up point of the term (1, 2, ...), as in the organiser's "
                "calendar; a year without a calendar gets the default one (two per term).",
                example="1",
            ),
            YEAR_GROUP,
            SUBJECT,
            Column(
                "skala",
                "scale",
                Parse.SCALE,
                required=False,
                description="The assessment scale's code; forecast_af (A–F forecast) when "
                "empty, or on_track (reaches / at_risk).",
                example="forecast_af",
            ),
            Column(
                "bedömning",
                "assessment",
                Parse.TEXT,
                description="A value of the scale: A–F for forecast_af; reaches or at_risk "
                "(also når / riskerar) for on_track.",
                example="D",
            ),
        ),
        "Teachers' assessments of each pupil and subject at a follow-up point.",
        ("pupil", "läsår", "termin", "uppföljning", "ämne"),
        stored=tables.ASSESSMENTS,
        rules=(rules.assessments,),
    )
)

_kind(
    FileKind(
        "national_tests",
        "Nationella prov",
        (
            PUPIL,
            PUPIL_ID,
            UNIT,
            YEAR,
            TERM,
            YEAR_GROUP,
            SUBJECT,
            Column(
                "provbetyg",
                "test_result",
                Parse.TEST_RESULT,
                description="A–F (years 6 and 9), or uppnått / ej uppnått (year 3).",
                example="B",
            ),
        ),
        "One row per pupil and test (the test's total result).",
        ("pupil", "läsår", "termin", "ämne"),
        stored=tables.NATIONAL_TESTS,
        rules=(rules.national_tests,),
    )
)

_kind(
    FileKind(
        "absence",
        "Frånvaro",
        (
            PUPIL,
            PUPIL_ID,
            UNIT,
            YEAR,
            TERM,
            Column(
                "från",
                "from",
                Parse.DATE,
                field="starts_on",
                required=False,
                description="The period's first day, inside the term (a month: 2025-02-01). "
                "Empty, with till empty: the whole term.",
                example="2025-02-01",
                aliases=("från datum", "startdatum", "start_date", "startdate"),
            ),
            Column(
                "till",
                "to",
                Parse.DATE,
                field="ends_on",
                required=False,
                description="The period's last day, inside the term (2025-02-28). Periods of "
                "a pupil and unit may not overlap.",
                example="2025-02-28",
                aliases=("till datum", "slutdatum", "end_date", "enddate"),
            ),
            YEAR_GROUP,
            Column(
                "schemalagd tid",
                "scheduled_minutes",
                Parse.COUNT,
                field="scheduled_minutes",
                description="Scheduled teaching in the period, minutes.",
                example="6480",
                aliases=("schemalagd tid minuter", "schemalagda minuter"),
            ),
            Column(
                "frånvaro",
                "absent_minutes",
                Parse.COUNT,
                field="absent_minutes",
                description="All absence, valid and invalid, minutes.",
                example="420",
                aliases=("frånvaro minuter", "total frånvaro"),
            ),
            Column(
                "ogiltig frånvaro",
                "unexcused_minutes",
                Parse.COUNT,
                field="unexcused_minutes",
                required=False,
                description="Of which invalid (ogiltig) absence, minutes; 0 when empty.",
                example="60",
                aliases=("ogiltig frånvaro minuter",),
            ),
        ),
        "One row per pupil, unit and period of a term: a calendar month or a week, as the "
        "school's system exports it; without från and till, the whole term (files of one "
        "row per term import as before). Each period lies inside its term (the organiser's "
        "term dates, or HT 15 Aug–22 Dec and VT 8 Jan–14 Jun for a year not yet stored), and "
        "the periods of a pupil and unit in a term do not overlap, in the file or with what "
        "is stored: a row replaces every stored period of its pupil, unit and term that "
        "overlaps it (a month replaces the whole term stored before, the whole term replaces "
        "its months). Absence at a follow-up point counts the periods of its term that end "
        "on or before the point's date (docs/indicators.md), so monthly rows give a figure "
        "at every point.",
        ("pupil", "läsår", "termin", "skolenhetskod", "från"),
        stored=tables.ABSENCE,
        rules=(rules.absence,),
    )
)

_kind(
    FileKind(
        "surveys",
        "Enkätresultat",
        (
            UNIT,
            YEAR,
            Column(
                "enkät",
                "survey",
                Parse.TEXT,
                field="survey",
                description="The survey: pupil, guardian_preschool, ...",
                example="pupil",
            ),
            Column(
                "index",
                "index",
                Parse.TEXT,
                field="index",
                description="The index: safety (trygghet), study_calm (studiero), ...",
                example="safety",
            ),
            Column(
                "respondentgrupp",
                "respondent_group",
                Parse.TEXT,
                field="respondent_group",
                required=False,
                description="Who answered, e.g. åk 5.",
                example="åk 5",
            ),
            Column("inbjudna", "invited", Parse.COUNT, field="invited", example="48"),
            Column("svarande", "respondents", Parse.COUNT, field="respondents", example="41"),
            Column(
                "instämmer",
                "agreeing",
                Parse.COUNT,
                field="agreeing",
                description="Respondents who agreed (stämmer helt / ganska bra).",
                example="35",
            ),
        ),
        "One row per unit, survey, index and respondent group.",
        ("skolenhetskod", "läsår", "enkät", "index", "respondentgrupp"),
        stored=tables.SURVEYS,
        rules=(rules.surveys,),
    )
)

_kind(
    FileKind(
        "staff",
        "Personal",
        (
            UNIT,
            YEAR,
            Column(
                "lärare",
                "teachers",
                Parse.COUNT,
                field="teachers",
                description="Headcount.",
                example="24",
            ),
            Column(
                "lärare heltidstjänster",
                "teacher_fte",
                Parse.DECIMAL,
                field="teacher_fte",
                description="Teachers in full-time equivalents.",
                example="21,5",
            ),
            Column(
                "legitimerade lärare heltidstjänster",
                "certified_teacher_fte",
                Parse.DECIMAL,
                field="certified_teacher_fte",
                description="Of which teachers with legitimation (full-time equivalents).",
                example="18,2",
            ),
            Column("elever", "pupils", Parse.COUNT, field="pupils", example="310"),
        ),
        "One row per unit and academic year (as in Skolverket's personalstatistik).",
        ("skolenhetskod", "läsår"),
        stored=tables.STAFF,
        rules=(rules.staff,),
    )
)

_kind(
    FileKind(
        "preschool",
        "Förskolans barngrupper",
        (
            UNIT,
            Column(
                "avdelning",
                "group",
                Parse.TEXT,
                required=False,
                description="The group (avdelning); empty for the whole unit.",
                example="Blåbäret",
            ),
            YEAR,
            Column(
                "räknedatum",
                "counted_on",
                Parse.DATE,
                field="counted_on",
                description="Day of the count (Skolverket counts on 15 October).",
                example="2024-10-15",
            ),
            Column("barn", "children", Parse.COUNT, field="children", example="16"),
            Column(
                "personal heltidstjänster",
                "staff_fte",
                Parse.DECIMAL,
                field="staff_fte",
                example="3,0",
            ),
            Column(
                "förskollärare heltidstjänster",
                "preschool_teacher_fte",
                Parse.DECIMAL,
                field="preschool_teacher_fte",
                example="1,5",
            ),
        ),
        "One row per preschool group (or unit) and academic year.",
        ("skolenhetskod", "avdelning", "läsår"),
        stored=tables.PRESCHOOL,
        rules=(rules.preschool,),
        group_column="avdelning",
    )
)
