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
    min_n: int = 10
    subject: str = ""  # for per-subject indicators: the Skolverket subject code

    @property
    def is_percent(self) -> bool:
        return self.unit == Unit.PERCENT


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


def _final(key, sv, en, definition, unit, aggregation, source=SKOLVERKET_GRADES, **kw):
    _add(
        Indicator(
            key,
            sv,
            en,
            definition,
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
        )
    _test(
        f"test_passed_{_code}",
        f"Provbetyg A–E, {_code}",
        f"Test grade A–E, {_code}",
        f"Share of the pupils tested in {_code} (years 6 and 9) with test grade A–E.",
        subject=_code,
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
        )
for _code in ("SV", "SVA", "MA"):
    _test(
        f"test_requirement_met_{_code}",
        f"Klarat kravnivån på nationella prov i åk 3, {_code}",
        f"Met the required level in the year 3 national test, {_code}",
        f"Share of the pupils tested in {_code} in year 3 who met the required level.",
        subject=_code,
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
        min_n=0,
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
        min_n=0,
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
        min_n=0,
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
        min_n=0,
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
        min_n=0,
    )
)


def indicators_of(family: Family) -> list[Indicator]:
    return [i for i in REGISTRY.values() if i.family == family]
