"""The one registry of indicators: every figure a page, report or analysis shows is one of these.

docs/indicators.md is generated from this module (`skolkvalitet indicators --doc`), and a test
checks that the committed file matches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from skolkvalitet.results.subjects import SUBJECTS


class Unit(StrEnum):
    PERCENT = "percent"
    POINTS = "points"
    RATIO = "ratio"
    COUNT = "count"


class Aggregation(StrEnum):
    SHARE = "share"  # numerator = pupils meeting the measure, denominator = pupils measured
    MEAN = "mean"  # numerator = sum of the pupils' values, denominator = pupils counted
    RATIO = "ratio"  # numerator / denominator of summed unit-level facts


class PeriodKind(StrEnum):
    YEAR = "year"  # academic year
    TERM = "term"
    POINT = "point"  # follow-up point


class Family(StrEnum):
    """Which facts an indicator is computed from (one engine function per family)."""

    FINAL_GRADES = "final_grades"
    TERM_GRADES = "term_grades"
    ASSESSMENTS = "assessments"
    NATIONAL_TESTS = "national_tests"
    ABSENCE = "absence"
    SURVEYS = "surveys"
    STAFF = "staff"
    PRESCHOOL = "preschool"


# Breakdown dimensions: the pupil attributes an aggregate may be split by.
GENDER, NEWLY_ARRIVED, SVA, PARENTS_EDUCATION, YEAR_GROUP = (
    "gender",
    "newly_arrived",
    "sva",
    "parents_education",
    "year_group",
)
PUPIL_BREAKDOWNS = (GENDER, NEWLY_ARRIVED, SVA, PARENTS_EDUCATION)
BREAKDOWN_DIMENSIONS = (*PUPIL_BREAKDOWNS, YEAR_GROUP)

SKOLVERKET_MERIT = "Skolverket, “17 ämnen ger nytt meritvärde” (skolverket.se, statistik)"
SKOLVERKET_GRADES = (
    "Skolverket, Betyg och prov i grundskolan, definitioner (skolverket.se, statistik)"
)
SKOLLAGEN_ELIGIBILITY = "Skollagen (2010:800) 16 kap. 29–31 §§; Skolverket"
SKOLVERKET_TESTS = (
    "Skolverket, Jämförelse mellan provbetyg och slutbetyg/terminsbetyg (skolverket.se)"
)
SKOLVERKET_ABSENCE = (
    "Skolverket, Frånvaro i grundskolan (what counts as absence); the 15 % limit is the "
    "organisers' own follow-up threshold, not a national statistic"
)
SKOLVERKET_STAFF = "Skolverket, Personalstatistik (skolverket.se, statistik)"
SKOLVERKET_PRESCHOOL = "Skolverket, Barn och personal i förskolan (skolverket.se, statistik)"
ORGANISER_SURVEY = "The organiser's own pupil and guardian surveys (share answering agree)"


# --- Suppression: the rules each indicator is published by (suppression.py applies them) ---


class Level(StrEnum):
    """The publication levels of Skolverket's small-number rule."""

    UNIT = "unit"  # a school unit, and the groups (classes) within it: skolenhetsnivå
    SUMMARY = "summary"  # a sum of units: an area and the organiser (huvudman-, kommunnivå)


# Node kinds (organisation.models.NodeKind) → level. A group is part of one unit and smaller
# than it, so it is protected at least as much as its unit (Skolverket publishes nothing
# below the unit). An area (förvaltningsområde) sums the units of part of one organiser, as
# the municipal and organiser levels sum units: Skolverket's summary levels. Where an area's
# or organiser's figure rests on one unit only, it is that unit's figure, and complementary
# suppression hides it whenever the unit's is hidden (suppression.py). A kind not listed
# counts as unit level (the stricter).
LEVEL_OF_KIND = {
    "group": Level.UNIT,
    "unit": Level.UNIT,
    "area": Level.SUMMARY,
    "organizer": Level.SUMMARY,
}

SKOLVERKET_SMALL_NUMBERS_QUOTE = (
    "Observera att uppgifter från och med läsåret 2023/24 dubbelprickas om de baseras på färre "
    "än 10 elever på skolenhetsnivå respektive färre än 5 elever på riks-, läns, kommun- eller "
    "huvudmannanivå. Då visas två prickar (..) i stället för utfall. Tidigare läsår "
    "dubbelprickas uppgifter på alla summeringsnivåer om de baseras på färre än 10 elever."
)
SKOLVERKET_SMALL_NUMBERS_SOURCE = (
    "Skolverket, Grundskola - Jämförelse av betygsresultat över tid, läsår 2024/25, sheet "
    "“Rapportbeskrivning och def.” (the same footnote closes the year 6 grade and year 9 "
    f"national test exports): “{SKOLVERKET_SMALL_NUMBERS_QUOTE}”"
)


@dataclass(frozen=True)
class SmallNumbers:
    """The fewest pupils a published figure may rest on (`..` below), per level and year.

    `unit` holds at unit level in every year and at summary level before `summary_from`;
    from the academic year starting in `summary_from`, summary levels use `summary`."""

    unit: int
    summary: int
    summary_from: int  # start year of the first academic year with the summary limit
    source: str

    def min_n(self, level: Level, year: int | None) -> int:
        """The limit at `level` in the academic year starting in `year` (None: unknown, the
        stricter limit)."""
        if level == Level.SUMMARY and year is not None and year >= self.summary_from:
            return self.summary
        return self.unit

    def describe(self) -> str:
        if not self.unit and not self.summary:
            return "never `..`"
        if self.unit == self.summary:
            return f"`..` below {self.unit} at every level"
        first = f"{self.summary_from}/{(self.summary_from + 1) % 100:02d}"
        return (
            f"`..` below {self.unit} at unit and group level; at area and organiser level "
            f"below {self.summary} from {first}, below {self.unit} before"
        )


SKOLVERKET_SMALL_NUMBERS = SmallNumbers(
    unit=10, summary=5, summary_from=2023, source=SKOLVERKET_SMALL_NUMBERS_SOURCE
)
NOT_PUPILS = SmallNumbers(
    unit=0,
    summary=0,
    summary_from=0,
    source="Unit-level facts about staff, groups and full-time equivalents, not figures about "
    "pupils: shown as they are (Skolverket publishes its staff and preschool statistics per "
    "unit without a minimum).",
)


@dataclass(frozen=True)
class NearFull:
    """Whether a share that 1–4 pupils miss is published as `~100` instead of its value."""

    applies: bool
    label: str  # a short name for the rule (docs/indicators.md)
    source: str


NEAR_FULL_ELIGIBILITY = NearFull(
    True,
    "~100 (eligibility)",
    "Skolverket, Grundskola - Jämförelse av betygsresultat över tid, läsår 2024/25, sheet "
    "“Rapportbeskrivning och def.”, Andel (%) behöriga till yrkesprogram: “Observera att om "
    "antalet EJ behöriga är 1-4, så visas andelen behöriga som ~100.”",
)
NEAR_FULL_YEAR_6 = NearFull(
    True,
    "~100 (year 6, all subjects)",
    "Skolverket, Grundskola - Betyg årskurs 6, andel som fått godkänt betyg (A-E), läsår "
    "2024/25: “Om antalet som ej fått godkänt betyg (A-E) är färre än 5 elever, så visas "
    "andelen som fått A-E som ~100.” Skolverket publishes term grades for year 6 only; its "
    "rule is followed for the term figure of every year group.",
)
NEAR_FULL_TESTS = NearFull(
    True,
    "~100 (national tests, A–E)",
    "Skolverket, Grundskola - Resultat nationella prov årskurs 9, provbetyg per kön, läsår "
    "2023/24: “Observera att om antalet elever med provbetyg F är 1-4, så visas andelen med "
    "A-E som ~100.” Followed for year 3's share meeting the required level, the pass share "
    "of that test.",
)
NUMBER_YEAR_9_ALL_SUBJECTS = NearFull(
    False,
    "number (year 9, all subjects)",
    "Skolverket, Grundskola - Slutbetyg årskurs 9, samtliga elever, läsår 2024/25, per "
    "school unit: the share that met the grade criteria in all subjects is published as a "
    "number (165 of its 1 601 units have 1–4 pupils missing it, e.g. 93,5 of 31; no `~100` in "
    "that column); `~100` only in its eligibility column.",
)
NUMBER_SUBJECT = NearFull(
    False,
    "number (subject pass share)",
    "Skolverket, Grundskola - Jämförelse av ämnesbetyg över tid, läsår 2024/25: the share "
    "with a passing grade per subject is published as a number (no `~100` in the file).",
)
NUMBER_OWN = NearFull(
    False,
    "number (organiser's own measure)",
    "Not a Skolverket statistic: the share is shown as a number, as Skolverket shows year "
    "9's all-subjects and subject pass shares, the shares it is closest to.",
)
NUMBER_PART_OF_TESTS = NearFull(
    False,
    "number (part of the test results)",
    "Skolverket uses `~100` for the tests' A–E share only. The shares of each test grade, "
    "and of grades against test grades, are shown as numbers; being parts of one whole, they "
    "are hidden together (see “linked” in the suppression rules).",
)


@dataclass(frozen=True)
class Indicator:
    key: str
    name_sv: str
    name_en: str
    definition: str
    source: str
    unit: Unit
    aggregation: Aggregation
    family: Family
    period: PeriodKind
    school_forms: tuple[str, ...]
    year_groups: tuple[int, ...]
    breakdowns: tuple[str, ...]
    higher_is_better: bool | None = True  # None: neither (e.g. a distribution share)
    small_numbers: SmallNumbers = SKOLVERKET_SMALL_NUMBERS
    near_full: NearFull | None = None  # shares only: is 1–4 pupils missing shown as ~100?
    subject: str = ""  # for per-subject indicators: the Skolverket subject code
    # Indicators over the same pupils whose values together make one whole (the shares of
    # each test grade and the share A–E): one of them hidden, all are hidden.
    linked: str = ""

    @property
    def is_percent(self) -> bool:
        return self.unit == Unit.PERCENT

    @property
    def min_n(self) -> int:
        """The fewest pupils at unit level (every year): the strictest limit of the rule."""
        return self.small_numbers.unit

    def min_n_at(self, level: Level, year: int | None) -> int:
        """The fewest pupils at `level` in the academic year starting in `year`."""
        return self.small_numbers.min_n(level, year)

    @property
    def shows_near_full(self) -> bool:
        return self.near_full is not None and self.near_full.applies


REGISTRY: dict[str, Indicator] = {}


def _add(indicator: Indicator) -> None:
    if indicator.key in REGISTRY:
        raise ValueError(f"duplicate indicator key {indicator.key}")
    REGISTRY[indicator.key] = indicator


GRADED_SUBJECTS = tuple(s.code for s in SUBJECTS if s.code != "TN")
TESTED_SUBJECTS = ("SV", "SVA", "EN", "MA")
TEST_GRADES = ("A", "B", "C", "D", "E", "F")
YEAR9 = (9,)
YEARS_6_9 = (6, 7, 8, 9)
GR = ("GR",)


# What every final-grade indicator counts (measures.leaving_certificates).
LEAVING_CERTIFICATE = (
    "The final grades are the pupil's leaving certificate (slutbetyg): the year-9 final "
    "grades and those of subjects ended in an earlier year group (avslutade ämnen), counted "
    "with the year-9 unit and year. Svenska and svenska som andraspråk are alternatives and "
    "count once: the one given last, and SVA when both were given in the same term "
    "(skolförordningen (2011:185) 5 kap. 15 §: svenska som andraspråk replaces svenska; "
    "Skolverket: 'svenska eller svenska som andraspråk')."
)


def _final(key, sv, en, definition, unit, aggregation, source=SKOLVERKET_GRADES, **kw):
    _add(
        Indicator(
            key,
            sv,
            en,
            f"{definition} {LEAVING_CERTIFICATE}",
            source,
            unit,
            aggregation,
            Family.FINAL_GRADES,
            PeriodKind.YEAR,
            GR,
            YEAR9,
            PUPIL_BREAKDOWNS,
            **kw,
        )
    )


_final(
    "merit_value_17",
    "Genomsnittligt meritvärde (17 ämnen)",
    "Mean merit value (17 subjects)",
    "The grade in moderna språk as språkval (M1) plus the 16 best of the pupil's other final "
    "grades, A=20, B=17.5, C=15, D=12.5, E=10, F and '-'=0 (max 340); mean over pupils with at "
    "least one grade A–E. M2 (elevens val) and ML (modersmål) compete among the 16 best but are "
    "never the 17th.",
    Unit.POINTS,
    Aggregation.MEAN,
    source=SKOLVERKET_MERIT,
)
_final(
    "merit_value_16",
    "Genomsnittligt meritvärde (16 ämnen)",
    "Mean merit value (16 subjects)",
    "The 16 best final grades, M1 among the candidates (max 320); mean over pupils with at "
    "least one grade A–E.",
    Unit.POINTS,
    Aggregation.MEAN,
    source=SKOLVERKET_MERIT,
)
_final(
    "passed_all_subjects",
    "Uppnått kunskapskraven i alla ämnen",
    "Passed all subjects",
    "Share of pupils with a final grade A–E in every subject they were graded in.",
    Unit.PERCENT,
    Aggregation.SHARE,
    near_full=NUMBER_YEAR_9_ALL_SUBJECTS,
)
_final(
    "eligible_vocational",
    "Behöriga till yrkesprogram",
    "Eligible for a vocational programme",
    "Share of pupils with A–E in svenska or svenska som andraspråk, engelska, matematik and at "
    "least five other subjects (eight in all).",
    Unit.PERCENT,
    Aggregation.SHARE,
    source=SKOLLAGEN_ELIGIBILITY,
    near_full=NEAR_FULL_ELIGIBILITY,
)
_final(
    "eligible_academic_natural_science",
    "Behöriga till naturvetenskaps- och teknikprogrammet",
    "Eligible for the natural science and technology programmes (NA, TE)",
    "Share of pupils with A–E in svenska or svenska som andraspråk, engelska, matematik and at "
    "least nine other subjects among which biologi, fysik and kemi (twelve in all).",
    Unit.PERCENT,
    Aggregation.SHARE,
    source=SKOLLAGEN_ELIGIBILITY,
    near_full=NEAR_FULL_ELIGIBILITY,
)
_final(
    "eligible_academic_economics",
    "Behöriga till ekonomi-, humanistiska och samhällsvetenskapsprogrammet",
    "Eligible for the economics, humanities and social science programmes (EK, HU, SA)",
    "Share of pupils with A–E in svenska or svenska som andraspråk, engelska, matematik and at "
    "least nine other subjects among which geografi, historia, religionskunskap and "
    "samhällskunskap (twelve in all).",
    Unit.PERCENT,
    Aggregation.SHARE,
    source=SKOLLAGEN_ELIGIBILITY,
    near_full=NEAR_FULL_ELIGIBILITY,
)
_final(
    "eligible_academic_arts",
    "Behöriga till estetiska programmet",
    "Eligible for the arts programme (ES)",
    "Share of pupils with A–E in svenska or svenska som andraspråk, engelska, matematik and at "
    "least nine other subjects (twelve in all).",
    Unit.PERCENT,
    Aggregation.SHARE,
    source=SKOLLAGEN_ELIGIBILITY,
    near_full=NEAR_FULL_ELIGIBILITY,
)
for _s in SUBJECTS:
    if _s.code not in GRADED_SUBJECTS:
        continue
    _final(
        f"grade_points_{_s.code}",
        f"Genomsnittlig betygspoäng, {_s.name_sv.lower()}",
        f"Mean grade points, {_s.name_en.lower()}",
        f"Mean grade points (A=20 … E=10, F and '-'=0) of the final grades in {_s.code}, over "
        "the pupils graded in it.",
        Unit.POINTS,
        Aggregation.MEAN,
        subject=_s.code,
    )
    _final(
        f"passed_{_s.code}",
        f"Andel med lägst E, {_s.name_sv.lower()}",
        f"Passed (A–E), {_s.name_en.lower()}",
        f"Share of the pupils with a final grade in {_s.code} who got A–E.",
        Unit.PERCENT,
        Aggregation.SHARE,
        subject=_s.code,
        near_full=NUMBER_SUBJECT,
    )


def _term(key, sv, en, definition, unit, aggregation, **kw):
    _add(
        Indicator(
            key,
            sv,
            en,
            definition,
            SKOLVERKET_GRADES,
            unit,
            aggregation,
            Family.TERM_GRADES,
            PeriodKind.TERM,
            GR,
            YEARS_6_9,
            (*PUPIL_BREAKDOWNS, YEAR_GROUP),
            **kw,
        )
    )


_term(
    "term_merit_value",
    "Genomsnittligt meritvärde, terminsbetyg",
    "Mean merit value, term grades",
    "The merit value (17) computed on the term's grades in years 6–9 (the year 9 spring term "
    "uses the final grades); mean over pupils with at least one grade A–E.",
    Unit.POINTS,
    Aggregation.MEAN,
)
_term(
    "term_passed_all_subjects",
    "Lägst E i alla ämnen, terminsbetyg",
    "Passed all subjects, term grades",
    "Share of pupils in years 6–9 with A–E in every subject graded that term.",
    Unit.PERCENT,
    Aggregation.SHARE,
    near_full=NEAR_FULL_YEAR_6,
)
for _s in SUBJECTS:
    if _s.code not in GRADED_SUBJECTS:
        continue
    _term(
        f"term_grade_points_{_s.code}",
        f"Genomsnittlig betygspoäng, {_s.name_sv.lower()}, terminsbetyg",
        f"Mean grade points, {_s.name_en.lower()}, term grades",
        f"Mean grade points of the term's grades in {_s.code}, years 6–9.",
        Unit.POINTS,
        Aggregation.MEAN,
        subject=_s.code,
    )
    _term(
        f"term_passed_{_s.code}",
        f"Andel med lägst E, {_s.name_sv.lower()}, terminsbetyg",
        f"Passed (A–E), {_s.name_en.lower()}, term grades",
        f"Share of the pupils with a term grade in {_s.code} who got A–E.",
        Unit.PERCENT,
        Aggregation.SHARE,
        subject=_s.code,
        near_full=NUMBER_SUBJECT,
    )


def _assess(key, sv, en, definition, unit, aggregation, **kw):
    _add(
        Indicator(
            key,
            sv,
            en,
            definition,
            "The organiser's assessments at its follow-up points",
            unit,
            aggregation,
            Family.ASSESSMENTS,
            PeriodKind.POINT,
            GR,
            tuple(range(1, 10)),
            (*PUPIL_BREAKDOWNS, YEAR_GROUP),
            **kw,
        )
    )


_assess(
    "on_track_all_subjects",
    "Bedöms nå kunskapskraven i alla ämnen",
    "On track to pass all subjects",
    "Share of the assessed pupils whose assessment is on track (a passing forecast A–E, or "
    "'reaches') in every subject assessed at the follow-up point.",
    Unit.PERCENT,
    Aggregation.SHARE,
    near_full=NUMBER_OWN,
)
for _s in SUBJECTS:
    if _s.code not in GRADED_SUBJECTS:
        continue
    _assess(
        f"on_track_{_s.code}",
        f"Bedöms nå kunskapskraven, {_s.name_sv.lower()}",
        f"On track to pass, {_s.name_en.lower()}",
        f"Share of the pupils assessed in {_s.code} whose assessment is on track.",
        Unit.PERCENT,
        Aggregation.SHARE,
        subject=_s.code,
        near_full=NUMBER_OWN,
    )
    _assess(
        f"forecast_points_{_s.code}",
        f"Prognos, genomsnittlig betygspoäng, {_s.name_sv.lower()}",
        f"Forecast mean grade points, {_s.name_en.lower()}",
        f"Mean grade points of the A–F forecasts in {_s.code}.",
        Unit.POINTS,
        Aggregation.MEAN,
        subject=_s.code,
    )


def _test(key, sv, en, definition, **kw):
    _add(
        Indicator(
            key,
            sv,
            en,
            definition,
            SKOLVERKET_TESTS,
            Unit.PERCENT,
            Aggregation.SHARE,
            Family.NATIONAL_TESTS,
            PeriodKind.YEAR,
            GR,
            (3, 6, 9),
            (*PUPIL_BREAKDOWNS, YEAR_GROUP),
            **kw,
        )
    )


for _code in TESTED_SUBJECTS:
    for _grade in TEST_GRADES:
        _test(
            f"test_grade_{_grade}_{_code}",
            f"Provbetyg {_grade}, {_code}",
            f"Test grade {_grade}, {_code}",
            f"Share of the pupils tested in {_code} (years 6 and 9) with test grade {_grade}.",
            subject=_code,
            higher_is_better=None,
            near_full=NUMBER_PART_OF_TESTS,
            linked=f"test_grades_{_code}",
        )
    _test(
        f"test_passed_{_code}",
        f"Provbetyg A–E, {_code}",
        f"Test grade A–E, {_code}",
        f"Share of the pupils tested in {_code} (years 6 and 9) with test grade A–E.",
        subject=_code,
        near_full=NEAR_FULL_TESTS,
        linked=f"test_grades_{_code}",
    )
    for _cmp, _sv, _en in (
        ("same", "samma", "the same as"),
        ("lower", "lägre", "lower than"),
        ("higher", "högre", "higher than"),
    ):
        _test(
            f"test_vs_grade_{_cmp}_{_code}",
            f"Betyg {_sv} än provbetyg, {_code}"
            if _cmp != "same"
            else f"Betyg samma som provbetyg, {_code}",
            f"Grade {_en} the test grade, {_code}",
            f"Share of the pupils with both a test grade and a grade in {_code} in the spring "
            f"term (term grade in year 6, final grade in year 9) whose grade is {_en} the "
            "test grade.",
            subject=_code,
            higher_is_better=None,
            near_full=NUMBER_PART_OF_TESTS,
            linked=f"test_vs_grade_{_code}",
        )
for _code in ("SV", "SVA", "MA"):
    _test(
        f"test_requirement_met_{_code}",
        f"Klarat kravnivån på nationella prov i åk 3, {_code}",
        f"Met the required level in the year 3 national test, {_code}",
        f"Share of the pupils tested in {_code} in year 3 who met the required level.",
        subject=_code,
        near_full=NEAR_FULL_TESTS,
    )


def _absence(key, sv, en, definition, unit, aggregation, higher_is_better, period):
    _add(
        Indicator(
            key,
            sv,
            en,
            definition,
            SKOLVERKET_ABSENCE,
            unit,
            aggregation,
            Family.ABSENCE,
            period,
            ("FKLASS", "GR", "GY"),
            tuple(range(0, 10)),
            (*PUPIL_BREAKDOWNS, YEAR_GROUP),
            higher_is_better=higher_is_better,
            near_full=NUMBER_OWN if aggregation == Aggregation.SHARE else None,
        )
    )


for _period, _suffix, _sv_suffix in (
    (PeriodKind.TERM, "", ""),
    (PeriodKind.YEAR, "_year", ", läsår"),
):
    _absence(
        f"absence_mean{_suffix}",
        f"Genomsnittlig frånvaro{_sv_suffix}",
        "Mean absence",
        "Mean over pupils of their absent minutes (valid and invalid) as a percentage of their "
        "scheduled minutes.",
        Unit.PERCENT,
        Aggregation.MEAN,
        False,
        _period,
    )
    _absence(
        f"absence_15_percent_or_more{_suffix}",
        f"Frånvaro 15 % eller mer{_sv_suffix}",
        "Absence of 15 % or more",
        "Share of pupils absent 15 % or more of their scheduled time.",
        Unit.PERCENT,
        Aggregation.SHARE,
        False,
        _period,
    )
    _absence(
        f"unexcused_absence_mean{_suffix}",
        f"Genomsnittlig ogiltig frånvaro{_sv_suffix}",
        "Mean unexcused absence",
        "Mean over pupils of their unexcused minutes as a percentage of scheduled minutes.",
        Unit.PERCENT,
        Aggregation.MEAN,
        False,
        _period,
    )

SURVEY_INDICES = (
    ("pupil", "safety", "Trygghet (elevenkät)", "Safety (pupil survey)"),
    ("pupil", "study_calm", "Studiero (elevenkät)", "Study calm (pupil survey)"),
    ("pupil", "stimulation", "Stimulans (elevenkät)", "Stimulation (pupil survey)"),
    ("pupil", "support", "Stöd (elevenkät)", "Support (pupil survey)"),
    (
        "guardian_preschool",
        "safety",
        "Trygghet (vårdnadshavare, förskola)",
        "Safety (guardian survey, preschool)",
    ),
    (
        "guardian_preschool",
        "development",
        "Utveckling och lärande (vårdnadshavare, förskola)",
        "Development and learning (guardian survey, preschool)",
    ),
    (
        "guardian_preschool",
        "satisfaction",
        "Nöjdhet (vårdnadshavare, förskola)",
        "Satisfaction (guardian survey, preschool)",
    ),
)
for _survey, _index, _sv, _en in SURVEY_INDICES:
    _add(
        Indicator(
            f"survey_{_survey}_{_index}",
            _sv,
            _en,
            "Share of the respondents who agree (stämmer helt och hållet / ganska bra), "
            "summed over the unit's respondent groups.",
            ORGANISER_SURVEY,
            Unit.PERCENT,
            Aggregation.RATIO,
            Family.SURVEYS,
            PeriodKind.YEAR,
            ("FS",) if _survey.startswith("guardian_preschool") else ("GR", "GY"),
            (),
            (),
        )
    )

_add(
    Indicator(
        "certified_teachers_share",
        "Andel lärare med legitimation och behörighet",
        "Share of teachers certified for the subject",
        "Teacher full-time equivalents with legitimation and behörighet in at least one subject, "
        "as a share of all teacher full-time equivalents.",
        SKOLVERKET_STAFF,
        Unit.PERCENT,
        Aggregation.RATIO,
        Family.STAFF,
        PeriodKind.YEAR,
        ("GR", "GY"),
        (),
        (),
        small_numbers=NOT_PUPILS,
    )
)
_add(
    Indicator(
        "pupils_per_teacher_fte",
        "Antal elever per lärare (heltidstjänst)",
        "Pupils per teacher full-time equivalent",
        "Pupils divided by teacher full-time equivalents.",
        SKOLVERKET_STAFF,
        Unit.RATIO,
        Aggregation.RATIO,
        Family.STAFF,
        PeriodKind.YEAR,
        ("GR", "GY"),
        (),
        (),
        higher_is_better=False,
        small_numbers=NOT_PUPILS,
    )
)
_add(
    Indicator(
        "children_per_group",
        "Antal barn per barngrupp",
        "Children per group",
        "Children enrolled on the count date divided by the number of barngrupper.",
        SKOLVERKET_PRESCHOOL,
        Unit.RATIO,
        Aggregation.RATIO,
        Family.PRESCHOOL,
        PeriodKind.YEAR,
        ("FS",),
        (),
        (),
        higher_is_better=False,
        small_numbers=NOT_PUPILS,
    )
)
_add(
    Indicator(
        "children_per_staff_fte",
        "Antal barn per årsarbetare",
        "Children per staff FTE",
        "Children divided by staff full-time equivalents.",
        SKOLVERKET_PRESCHOOL,
        Unit.RATIO,
        Aggregation.RATIO,
        Family.PRESCHOOL,
        PeriodKind.YEAR,
        ("FS",),
        (),
        (),
        higher_is_better=False,
        small_numbers=NOT_PUPILS,
    )
)
_add(
    Indicator(
        "preschool_teacher_share",
        "Andel förskollärare",
        "Share of preschool teachers",
        "Preschool teacher full-time equivalents as a share of all staff full-time equivalents.",
        SKOLVERKET_PRESCHOOL,
        Unit.PERCENT,
        Aggregation.RATIO,
        Family.PRESCHOOL,
        PeriodKind.YEAR,
        ("FS",),
        (),
        (),
        small_numbers=NOT_PUPILS,
    )
)


def indicators_of(family: Family) -> list[Indicator]:
    return [i for i in REGISTRY.values() if i.family == family]


# -- What the result pages show -------------------------------------------------------------


@dataclass(frozen=True)
class PageIndicators:
    """The indicators each result page shows, in the order it shows them
    (dashboards/selectors/): the pages name no keys of their own, so an indicator reaches a
    page by an entry here. Every key is checked against the registry."""

    overview_at_point: tuple[str, ...]  # the overview at a follow-up point
    overview_for_year: tuple[str, ...]  # the overview for an academic year
    unit_points: tuple[str, ...]  # the unit and group pages: follow-up points (assessments)
    unit_terms: tuple[str, ...]  # ... terms (term grades and absence)
    unit_years: tuple[str, ...]  # ... academic years (final grades and absence)
    unit_groups: tuple[str, ...]  # the unit's groups at the latest follow-up point
    unit_tests: tuple[str, ...]  # the national tests compared with the final grades
    # The subjects the unit and group pages list (on_track_{code} at the point, passed_{code}
    # in the year) and whose grade distribution the unit page draws, in that order.
    subjects: tuple[str, ...]

    def __post_init__(self) -> None:
        per_subject = [
            f"{family}_{code}" for code in self.subjects for family in ("on_track", "passed")
        ]
        unknown = [
            key
            for key in (*self.shown, *self.unit_groups, *self.unit_tests, *per_subject)
            if key not in REGISTRY
        ]
        if unknown:
            raise ValueError(f"pages show indicators not in the registry: {unknown}")

    @property
    def shown(self) -> tuple[str, ...]:
        """The indicators of the pages' series and overviews, each once, in page order (the
        indicators a target may be set for)."""
        return tuple(
            dict.fromkeys(
                (
                    *self.unit_points,
                    *self.overview_at_point,
                    *self.unit_terms,
                    *self.unit_years,
                    *self.overview_for_year,
                )
            )
        )


PAGES = PageIndicators(
    overview_at_point=(
        "on_track_all_subjects",
        "on_track_SV",
        "on_track_EN",
        "on_track_MA",
        "absence_15_percent_or_more",
    ),
    overview_for_year=(
        "merit_value_17",
        "passed_all_subjects",
        "eligible_vocational",
        "absence_mean_year",
    ),
    unit_points=(
        "on_track_all_subjects",
        "on_track_SV",
        "on_track_SVA",
        "on_track_EN",
        "on_track_MA",
    ),
    unit_terms=(
        "term_passed_all_subjects",
        "absence_mean",
        "absence_15_percent_or_more",
        "unexcused_absence_mean",
    ),
    unit_years=(
        "merit_value_17",
        "merit_value_16",
        "passed_all_subjects",
        "eligible_vocational",
        "absence_mean_year",
    ),
    unit_groups=("on_track_all_subjects", "on_track_MA"),
    unit_tests=tuple(
        f"test_vs_grade_{outcome}_{code}"
        for code in TESTED_SUBJECTS
        for outcome in ("lower", "same", "higher")
        if f"test_vs_grade_{outcome}_{code}" in REGISTRY
    ),
    # The subjects of the merit value, without modersmål (ML).
    subjects=tuple(code for code in GRADED_SUBJECTS if code != "ML"),
)
