"""The one registry of indicators: every figure a page, report or analysis shows is one of these.

docs/indicators.md is generated from this module (`skolkvalitet indicators --doc`), and a test
checks that the committed file matches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from skolkvalitet.results.subjects import NATIONAL_TEST_SUBJECTS, SUBJECTS


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
    "organiser": Level.SUMMARY,
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


@dataclass(frozen=True, kw_only=True)
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
    # A term indicator also computed at each follow-up point of its term, over what is known
    # by the point's date (absence so far this term: measures.absence_so_far).
    at_points: bool = False

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
TESTED_SUBJECTS = NATIONAL_TEST_SUBJECTS
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

# Each family's helper below fixes what its indicators share and takes the rest as
# keywords: the Indicator fields that differ, and optionally higher_is_better,
# small_numbers, near_full, subject and linked (**options).


def _final(
    *,
    key: str,
    name_sv: str,
    name_en: str,
    definition: str,
    unit: Unit,
    aggregation: Aggregation,
    source: str = SKOLVERKET_GRADES,
    **options: Any,
) -> None:
    _add(
        Indicator(
            key=key,
            name_sv=name_sv,
            name_en=name_en,
            definition=f"{definition} {LEAVING_CERTIFICATE}",
            source=source,
            unit=unit,
            aggregation=aggregation,
            family=Family.FINAL_GRADES,
            period=PeriodKind.YEAR,
            school_forms=GR,
            year_groups=YEAR9,
            breakdowns=PUPIL_BREAKDOWNS,
            **options,
        )
    )


_final(
    key="merit_value_17",
    name_sv="Genomsnittligt meritvärde (17 ämnen)",
    name_en="Mean merit value (17 subjects)",
    definition="The grade in moderna språk as språkval (M1) plus the 16 best of the pupil's "
    "other final grades, A=20, B=17.5, C=15, D=12.5, E=10, F and '-'=0 (max 340); mean over "
    "pupils with at least one grade A–E. M2 (elevens val) and ML (modersmål) compete among "
    "the 16 best but are never the 17th.",
    unit=Unit.POINTS,
    aggregation=Aggregation.MEAN,
    source=SKOLVERKET_MERIT,
)
_final(
    key="merit_value_16",
    name_sv="Genomsnittligt meritvärde (16 ämnen)",
    name_en="Mean merit value (16 subjects)",
    definition="The 16 best final grades, M1 among the candidates (max 320); mean over pupils "
    "with at least one grade A–E.",
    unit=Unit.POINTS,
    aggregation=Aggregation.MEAN,
    source=SKOLVERKET_MERIT,
)
# Skolverket's wording since the grade criteria (betygskriterier) of 2022 replaced the
# knowledge requirements: "Andel (%) elever som uppfyllt betygskriterierna i alla ämnen"
# (Grundskola - Slutbetyg årskurs 9, 2024/25; reference/mapping.py keeps both headings).
_final(
    key="passed_all_subjects",
    name_sv="Uppfyllt betygskriterierna i alla ämnen",
    name_en="Passed all subjects",
    definition="Share of pupils with a final grade A–E in every subject they were graded in.",
    unit=Unit.PERCENT,
    aggregation=Aggregation.SHARE,
    near_full=NUMBER_YEAR_9_ALL_SUBJECTS,
)
_final(
    key="eligible_vocational",
    name_sv="Behöriga till yrkesprogram",
    name_en="Eligible for a vocational programme",
    definition="Share of pupils with A–E in svenska or svenska som andraspråk, engelska, "
    "matematik and at least five other subjects (eight in all).",
    unit=Unit.PERCENT,
    aggregation=Aggregation.SHARE,
    source=SKOLLAGEN_ELIGIBILITY,
    near_full=NEAR_FULL_ELIGIBILITY,
)
_final(
    key="eligible_academic_natural_science",
    name_sv="Behöriga till naturvetenskaps- och teknikprogrammet",
    name_en="Eligible for the natural science and technology programmes (NA, TE)",
    definition="Share of pupils with A–E in svenska or svenska som andraspråk, engelska, "
    "matematik and at least nine other subjects among which biologi, fysik and kemi (twelve "
    "in all).",
    unit=Unit.PERCENT,
    aggregation=Aggregation.SHARE,
    source=SKOLLAGEN_ELIGIBILITY,
    near_full=NEAR_FULL_ELIGIBILITY,
)
_final(
    key="eligible_academic_economics",
    name_sv="Behöriga till ekonomi-, humanistiska och samhällsvetenskapsprogrammet",
    name_en="Eligible for the economics, humanities and social science programmes (EK, HU, SA)",
    definition="Share of pupils with A–E in svenska or svenska som andraspråk, engelska, "
    "matematik and at least nine other subjects among which geografi, historia, "
    "religionskunskap and samhällskunskap (twelve in all).",
    unit=Unit.PERCENT,
    aggregation=Aggregation.SHARE,
    source=SKOLLAGEN_ELIGIBILITY,
    near_full=NEAR_FULL_ELIGIBILITY,
)
_final(
    key="eligible_academic_arts",
    name_sv="Behöriga till estetiska programmet",
    name_en="Eligible for the arts programme (ES)",
    definition="Share of pupils with A–E in svenska or svenska som andraspråk, engelska, "
    "matematik and at least nine other subjects (twelve in all).",
    unit=Unit.PERCENT,
    aggregation=Aggregation.SHARE,
    source=SKOLLAGEN_ELIGIBILITY,
    near_full=NEAR_FULL_ELIGIBILITY,
)
for _s in SUBJECTS:
    if _s.code not in GRADED_SUBJECTS:
        continue
    _final(
        key=f"grade_points_{_s.code}",
        name_sv=f"Genomsnittlig betygspoäng, {_s.name_sv.lower()}",
        name_en=f"Mean grade points, {_s.name_en.lower()}",
        definition=f"Mean grade points (A=20 … E=10, F and '-'=0) of the final grades in "
        f"{_s.code}, over the pupils graded in it.",
        unit=Unit.POINTS,
        aggregation=Aggregation.MEAN,
        subject=_s.code,
    )
    _final(
        key=f"passed_{_s.code}",
        name_sv=f"Andel med lägst E, {_s.name_sv.lower()}",
        name_en=f"Passed (A–E), {_s.name_en.lower()}",
        definition=f"Share of the pupils with a final grade in {_s.code} who got A–E.",
        unit=Unit.PERCENT,
        aggregation=Aggregation.SHARE,
        subject=_s.code,
        near_full=NUMBER_SUBJECT,
    )


def _term(
    *,
    key: str,
    name_sv: str,
    name_en: str,
    definition: str,
    unit: Unit,
    aggregation: Aggregation,
    **options: Any,
) -> None:
    _add(
        Indicator(
            key=key,
            name_sv=name_sv,
            name_en=name_en,
            definition=definition,
            source=SKOLVERKET_GRADES,
            unit=unit,
            aggregation=aggregation,
            family=Family.TERM_GRADES,
            period=PeriodKind.TERM,
            school_forms=GR,
            year_groups=YEARS_6_9,
            breakdowns=(*PUPIL_BREAKDOWNS, YEAR_GROUP),
            **options,
        )
    )


_term(
    key="term_merit_value",
    name_sv="Genomsnittligt meritvärde, terminsbetyg",
    name_en="Mean merit value, term grades",
    definition="The merit value (17) computed on the term's grades in years 6–9 (the year 9 "
    "spring term uses the final grades); mean over pupils with at least one grade A–E.",
    unit=Unit.POINTS,
    aggregation=Aggregation.MEAN,
)
_term(
    key="term_passed_all_subjects",
    name_sv="Lägst E i alla ämnen, terminsbetyg",
    name_en="Passed all subjects, term grades",
    definition="Share of pupils in years 6–9 with A–E in every subject graded that term.",
    unit=Unit.PERCENT,
    aggregation=Aggregation.SHARE,
    near_full=NEAR_FULL_YEAR_6,
)
for _s in SUBJECTS:
    if _s.code not in GRADED_SUBJECTS:
        continue
    _term(
        key=f"term_grade_points_{_s.code}",
        name_sv=f"Genomsnittlig betygspoäng, {_s.name_sv.lower()}, terminsbetyg",
        name_en=f"Mean grade points, {_s.name_en.lower()}, term grades",
        definition=f"Mean grade points of the term's grades in {_s.code}, years 6–9.",
        unit=Unit.POINTS,
        aggregation=Aggregation.MEAN,
        subject=_s.code,
    )
    _term(
        key=f"term_passed_{_s.code}",
        name_sv=f"Andel med lägst E, {_s.name_sv.lower()}, terminsbetyg",
        name_en=f"Passed (A–E), {_s.name_en.lower()}, term grades",
        definition=f"Share of the pupils with a term grade in {_s.code} who got A–E.",
        unit=Unit.PERCENT,
        aggregation=Aggregation.SHARE,
        subject=_s.code,
        near_full=NUMBER_SUBJECT,
    )


def _assess(
    *,
    key: str,
    name_sv: str,
    name_en: str,
    definition: str,
    unit: Unit,
    aggregation: Aggregation,
    **options: Any,
) -> None:
    _add(
        Indicator(
            key=key,
            name_sv=name_sv,
            name_en=name_en,
            definition=definition,
            source="The organiser's assessments at its follow-up points",
            unit=unit,
            aggregation=aggregation,
            family=Family.ASSESSMENTS,
            period=PeriodKind.POINT,
            school_forms=GR,
            year_groups=tuple(range(1, 10)),
            breakdowns=(*PUPIL_BREAKDOWNS, YEAR_GROUP),
            **options,
        )
    )


_assess(
    key="on_track_all_subjects",
    name_sv="Bedöms uppfylla betygskriterierna i alla ämnen",
    name_en="On track to pass all subjects",
    definition="Share of the assessed pupils whose assessment is on track (a passing forecast "
    "A–E, or 'reaches') in every subject assessed at the follow-up point.",
    unit=Unit.PERCENT,
    aggregation=Aggregation.SHARE,
    near_full=NUMBER_OWN,
)
for _s in SUBJECTS:
    if _s.code not in GRADED_SUBJECTS:
        continue
    _assess(
        key=f"on_track_{_s.code}",
        name_sv=f"Bedöms uppfylla betygskriterierna, {_s.name_sv.lower()}",
        name_en=f"On track to pass, {_s.name_en.lower()}",
        definition=f"Share of the pupils assessed in {_s.code} whose assessment is on track.",
        unit=Unit.PERCENT,
        aggregation=Aggregation.SHARE,
        subject=_s.code,
        near_full=NUMBER_OWN,
    )
    _assess(
        key=f"forecast_points_{_s.code}",
        name_sv=f"Prognos, genomsnittlig betygspoäng, {_s.name_sv.lower()}",
        name_en=f"Forecast mean grade points, {_s.name_en.lower()}",
        definition=f"Mean grade points of the A–F forecasts in {_s.code}.",
        unit=Unit.POINTS,
        aggregation=Aggregation.MEAN,
        subject=_s.code,
    )


def _test(*, key: str, name_sv: str, name_en: str, definition: str, **options: Any) -> None:
    _add(
        Indicator(
            key=key,
            name_sv=name_sv,
            name_en=name_en,
            definition=definition,
            source=SKOLVERKET_TESTS,
            unit=Unit.PERCENT,
            aggregation=Aggregation.SHARE,
            family=Family.NATIONAL_TESTS,
            period=PeriodKind.YEAR,
            school_forms=GR,
            year_groups=(3, 6, 9),
            breakdowns=(*PUPIL_BREAKDOWNS, YEAR_GROUP),
            **options,
        )
    )


for _code in TESTED_SUBJECTS:
    for _grade in TEST_GRADES:
        _test(
            key=f"test_grade_{_grade}_{_code}",
            name_sv=f"Provbetyg {_grade}, {_code}",
            name_en=f"Test grade {_grade}, {_code}",
            definition=f"Share of the pupils tested in {_code} (years 6 and 9) with test grade "
            f"{_grade}.",
            subject=_code,
            higher_is_better=None,
            near_full=NUMBER_PART_OF_TESTS,
            linked=f"test_grades_{_code}",
        )
    _test(
        key=f"test_passed_{_code}",
        name_sv=f"Provbetyg A–E, {_code}",
        name_en=f"Test grade A–E, {_code}",
        definition=f"Share of the pupils tested in {_code} (years 6 and 9) with test grade A–E.",
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
            key=f"test_vs_grade_{_cmp}_{_code}",
            name_sv=f"Betyg {_sv} än provbetyg, {_code}"
            if _cmp != "same"
            else f"Betyg samma som provbetyg, {_code}",
            name_en=f"Grade {_en} the test grade, {_code}",
            definition=f"Share of the pupils with both a test grade and a grade in {_code} in "
            "the spring term (term grade in year 6, final grade in year 9) whose grade is "
            f"{_en} the test grade.",
            subject=_code,
            higher_is_better=None,
            near_full=NUMBER_PART_OF_TESTS,
            linked=f"test_vs_grade_{_code}",
        )
for _code in ("SV", "SVA", "MA"):
    _test(
        key=f"test_requirement_met_{_code}",
        name_sv=f"Klarat kravnivån på nationella prov i åk 3, {_code}",
        name_en=f"Met the required level in the year 3 national test, {_code}",
        definition=f"Share of the pupils tested in {_code} in year 3 who met the required level.",
        subject=_code,
        near_full=NEAR_FULL_TESTS,
    )


def _absence(
    *,
    key: str,
    name_sv: str,
    name_en: str,
    definition: str,
    aggregation: Aggregation,
    period: PeriodKind,
) -> None:
    """Absence is lower-is-better, in percent of scheduled time."""
    _add(
        Indicator(
            key=key,
            name_sv=name_sv,
            name_en=name_en,
            definition=definition,
            source=SKOLVERKET_ABSENCE,
            unit=Unit.PERCENT,
            aggregation=aggregation,
            family=Family.ABSENCE,
            period=period,
            school_forms=("FKLASS", "GR", "GY"),
            year_groups=tuple(range(0, 10)),
            breakdowns=(*PUPIL_BREAKDOWNS, YEAR_GROUP),
            higher_is_better=False,
            near_full=NUMBER_OWN if aggregation == Aggregation.SHARE else None,
            at_points=period == PeriodKind.TERM,
        )
    )


for _period, _suffix, _sv_suffix in (
    (PeriodKind.TERM, "", ""),
    (PeriodKind.YEAR, "_year", ", läsår"),
):
    _absence(
        key=f"absence_mean{_suffix}",
        name_sv=f"Genomsnittlig frånvaro{_sv_suffix}",
        name_en="Mean absence",
        definition="Mean over pupils of their absent minutes (valid and invalid) as a "
        "percentage of their scheduled minutes.",
        aggregation=Aggregation.MEAN,
        period=_period,
    )
    _absence(
        key=f"absence_15_percent_or_more{_suffix}",
        name_sv=f"Frånvaro 15 % eller mer{_sv_suffix}",
        name_en="Absence of 15 % or more",
        definition="Share of pupils absent 15 % or more of their scheduled time.",
        aggregation=Aggregation.SHARE,
        period=_period,
    )
    _absence(
        key=f"unexcused_absence_mean{_suffix}",
        name_sv=f"Genomsnittlig ogiltig frånvaro{_sv_suffix}",
        name_en="Mean unexcused absence",
        definition="Mean over pupils of their unexcused minutes as a percentage of scheduled "
        "minutes.",
        aggregation=Aggregation.MEAN,
        period=_period,
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
            key=f"survey_{_survey}_{_index}",
            name_sv=_sv,
            name_en=_en,
            definition="Share of the respondents who agree (stämmer helt och hållet / ganska "
            "bra), summed over the unit's respondent groups.",
            source=ORGANISER_SURVEY,
            unit=Unit.PERCENT,
            aggregation=Aggregation.RATIO,
            family=Family.SURVEYS,
            period=PeriodKind.YEAR,
            school_forms=("FS",) if _survey.startswith("guardian_preschool") else ("GR", "GY"),
            year_groups=(),
            breakdowns=(),
        )
    )


def _unit_fact(
    *,
    key: str,
    name_sv: str,
    name_en: str,
    definition: str,
    source: str,
    unit: Unit,
    family: Family,
    school_forms: tuple[str, ...],
    higher_is_better: bool | None = True,
) -> None:
    """A yearly ratio of summed unit-level facts about staff and groups (not pupils)."""
    _add(
        Indicator(
            key=key,
            name_sv=name_sv,
            name_en=name_en,
            definition=definition,
            source=source,
            unit=unit,
            aggregation=Aggregation.RATIO,
            family=family,
            period=PeriodKind.YEAR,
            school_forms=school_forms,
            year_groups=(),
            breakdowns=(),
            higher_is_better=higher_is_better,
            small_numbers=NOT_PUPILS,
        )
    )


_unit_fact(
    key="certified_teachers_share",
    name_sv="Andel lärare med legitimation och behörighet",
    name_en="Share of teachers certified for the subject",
    definition="Teacher full-time equivalents with legitimation and behörighet in at least "
    "one subject, as a share of all teacher full-time equivalents.",
    source=SKOLVERKET_STAFF,
    unit=Unit.PERCENT,
    family=Family.STAFF,
    school_forms=("GR", "GY"),
)
_unit_fact(
    key="pupils_per_teacher_fte",
    name_sv="Antal elever per lärare (heltidstjänst)",
    name_en="Pupils per teacher full-time equivalent",
    definition="Pupils divided by teacher full-time equivalents.",
    source=SKOLVERKET_STAFF,
    unit=Unit.RATIO,
    family=Family.STAFF,
    school_forms=("GR", "GY"),
    higher_is_better=False,
)
_unit_fact(
    key="children_per_group",
    name_sv="Antal barn per barngrupp",
    name_en="Children per group",
    definition="Children enrolled on the count date divided by the number of barngrupper.",
    source=SKOLVERKET_PRESCHOOL,
    unit=Unit.RATIO,
    family=Family.PRESCHOOL,
    school_forms=("FS",),
    higher_is_better=False,
)
_unit_fact(
    key="children_per_staff_fte",
    name_sv="Antal barn per årsarbetare",
    name_en="Children per staff FTE",
    definition="Children divided by staff full-time equivalents.",
    source=SKOLVERKET_PRESCHOOL,
    unit=Unit.RATIO,
    family=Family.PRESCHOOL,
    school_forms=("FS",),
    higher_is_better=False,
)
_unit_fact(
    key="preschool_teacher_share",
    name_sv="Andel förskollärare",
    name_en="Share of preschool teachers",
    definition="Preschool teacher full-time equivalents as a share of all staff full-time "
    "equivalents.",
    source=SKOLVERKET_PRESCHOOL,
    unit=Unit.PERCENT,
    family=Family.PRESCHOOL,
    school_forms=("FS",),
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
    # The yearly survey and staff figures (SurveyResult, UnitStaffFact, PreschoolGroupFact),
    # in their own sections of the overview and the unit page. A page shows those of the
    # school forms it is about: the indicator's `school_forms` against the unit's or the
    # overview's filter (dashboards/selectors/year_facts.py), never a list of keys per form.
    surveys: tuple[str, ...]
    staff: tuple[str, ...]
    # The subjects the unit and group pages list (on_track_{code} at the point, passed_{code}
    # in the year) and whose grade distribution the unit page draws, in that order.
    subjects: tuple[str, ...]

    def __post_init__(self) -> None:
        per_subject = [
            f"{family}_{code}" for code in self.subjects for family in ("on_track", "passed")
        ]
        unknown = [
            key
            for key in (
                *self.shown,
                *self.unit_groups,
                *self.unit_tests,
                *self.surveys,
                *self.staff,
                *per_subject,
            )
            if key not in REGISTRY
        ]
        if unknown:
            raise ValueError(f"pages show indicators not in the registry: {unknown}")
        wrong = [k for k in self.surveys if REGISTRY[k].family != Family.SURVEYS] + [
            k for k in self.staff if REGISTRY[k].family not in (Family.STAFF, Family.PRESCHOOL)
        ]
        if wrong:
            raise ValueError(f"survey or staff sections list other indicators: {wrong}")

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
    surveys=tuple(i.key for i in indicators_of(Family.SURVEYS)),
    staff=tuple(i.key for i in (*indicators_of(Family.STAFF), *indicators_of(Family.PRESCHOOL))),
    # The subjects of the merit value, without modersmål (ML).
    subjects=tuple(code for code in GRADED_SUBJECTS if code != "ML"),
)
