"""What the published reference figures mean in the indicator registry's terms.

One readable table per source. A published measure is mapped to a registry indicator only when
it is the same figure computed on the same pupils; docs/reference-data.md prints these tables
(a test checks that it matches). Everything here is plain data and pure functions.

`year_group`: the indicator covers several year groups but the published figure only one; it
then equals the organiser's figure of that indicator with the breakdown "year_group=N".
"""

from __future__ import annotations

from dataclasses import dataclass

from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.results.subjects import SUBJECTS


@dataclass(frozen=True)
class IndicatorMatch:
    indicator_key: str  # a registry key; "{subject}" is replaced by the row's subject code
    year_group: int | None = None  # compare with the organiser's "year_group=N" figure

    def key_for(self, subject: str = "") -> str:
        """The registry key for a row of `subject`; "" when the registry has none."""
        key = self.indicator_key.replace("{subject}", subject)
        return key if key in REGISTRY else ""


# Skolverket "Sök statistik": (export title, measure heading) → indicator. The headings are
# matched after collapsing whitespace. Year 9 final grades are the registry's final-grade
# indicators (years 9 only). Year 6 grades are term grades of one year group in one term, which
# no registry indicator of academic-year period means, so they stay unmapped.
SLUTBETYG_9 = "Grundskola - Slutbetyg årskurs 9, samtliga elever"
BETYG_OVER_TIME_9 = "Grundskola - Jämförelse av betygsresultat över tid"
SUBJECT_GRADES_OVER_TIME_9 = "Grundskola - Jämförelse av ämnesbetyg över tid"
ELIGIBILITY_9 = "Grundskola - Behörighet till gymnasieskolan, fr.o.m. 2011"
NATIONAL_TESTS_9 = (
    "Grundskola - Resultat nationella prov årskurs 9, provbetyg per kön - Engelska, "
    "Matematik och Svenska/svenska som andraspråk"
)
TEACHERS = "Grundskola - Personalstatistik med lärarlegitimation och behörighet"
GRADES_6_ALL = "Grundskola - Betyg årskurs 6, andel som fått godkänt betyg (A-E), samtliga elever"
GRADES_6_GENDER = "Grundskola - Betyg årskurs 6, andel som fått godkänt betyg (A-E), per kön"

SKOLVERKET_MEASURES: dict[tuple[str, str], IndicatorMatch] = {
    # Slutbetyg årskurs 9 per school unit; old and new wording of "all subjects".
    (SLUTBETYG_9, "Andel (%) elever som uppfyllt betygskriterierna i alla ämnen"): IndicatorMatch(
        "passed_all_subjects"
    ),
    (SLUTBETYG_9, "Andel (%) elever som uppnått kunskapskraven i alla ämnen"): IndicatorMatch(
        "passed_all_subjects"
    ),
    (SLUTBETYG_9, "Andel (%) elever behöriga till yrkesprog."): IndicatorMatch(
        "eligible_vocational"
    ),
    (SLUTBETYG_9, "Genomsnittligt meritvärde (17 ämnen)"): IndicatorMatch("merit_value_17"),
    (SLUTBETYG_9, "Genomsnittligt meritvärde (16 ämnen)"): IndicatorMatch("merit_value_16"),
    # Year 9 results over time (XLSX, one sheet per type of organiser).
    (BETYG_OVER_TIME_9, "Genomsnittligt meritvärde (17 ämnen)"): IndicatorMatch("merit_value_17"),
    (BETYG_OVER_TIME_9, "Genomsnittligt meritvärde (16 ämnen)"): IndicatorMatch("merit_value_16"),
    (BETYG_OVER_TIME_9, "Andel (%) behöriga till yrkesprogram"): IndicatorMatch(
        "eligible_vocational"
    ),
    (BETYG_OVER_TIME_9, "Andel (%) som fått godkänt betyg i alla ämnen"): IndicatorMatch(
        "passed_all_subjects"
    ),
    (BETYG_OVER_TIME_9, "Andel (%) som uppnått kunskapskraven i alla ämnen"): IndicatorMatch(
        "passed_all_subjects"
    ),
    (BETYG_OVER_TIME_9, "Andel (%) som uppfyllt betygskriterierna i alla ämnen"): IndicatorMatch(
        "passed_all_subjects"
    ),
    # Eligibility for upper secondary programmes, year 9.
    (ELIGIBILITY_9, "Andel (%) elever behöriga till yrkesprog."): IndicatorMatch(
        "eligible_vocational"
    ),
    (ELIGIBILITY_9, "Andel elever (%) behöriga till estetiskt program"): IndicatorMatch(
        "eligible_academic_arts"
    ),
    (
        ELIGIBILITY_9,
        "Andel elever (%) behöriga till Ekonomi-, humanistiska och samhällsvetenskaps- program",
    ): IndicatorMatch("eligible_academic_economics"),
    (
        ELIGIBILITY_9,
        "Andel elever (%) behöriga till Naturvetenskapligt och tekniskt program",
    ): IndicatorMatch("eligible_academic_natural_science"),
    # Per subject (the row's subject code fills in {subject}; TN has no registry indicator).
    (
        SUBJECT_GRADES_OVER_TIME_9,
        "Andel (%) elever som fått godkänt betyg i respektive ämne",
    ): IndicatorMatch("passed_{subject}"),
    # National tests, year 9: the registry's test indicators cover years 6 and 9.
    (NATIONAL_TESTS_9, "Andel (%) med provbetyg A-E"): IndicatorMatch(
        "test_passed_{subject}", year_group=9
    ),
    # Teachers (15 October): full-time equivalents certified in at least one subject.
    (TEACHERS, "Heltidstjänster, Andel med lärarlegitimation och behörighet"): IndicatorMatch(
        "certified_teachers_share"
    ),
}

# When two Skolverket exports publish the same figure for the same area, type of organiser and
# year (they should agree; Skolverket revises older years only in its newer exports), the one
# earlier here is shown: the export of that year's final grades first, then the exports that
# compare years. Kolada comes after Skolverket whatever its dataset (comparison.SOURCE_PRIORITY).
DATASET_PRIORITY: tuple[str, ...] = (
    SLUTBETYG_9,
    ELIGIBILITY_9,
    NATIONAL_TESTS_9,
    TEACHERS,
    GRADES_6_ALL,
    GRADES_6_GENDER,
    BETYG_OVER_TIME_9,
    SUBJECT_GRADES_OVER_TIME_9,
)


def dataset_rank(point) -> int:
    """A point's place in DATASET_PRIORITY (a dataset not listed, e.g. a Kolada KPI, comes
    after every listed one)."""
    dataset = getattr(point, "dataset", "")
    return DATASET_PRIORITY.index(dataset) if dataset in DATASET_PRIORITY else len(DATASET_PRIORITY)


# Which pupil count of a row is the base (n) of which of its measures, in the same breakdown.
# Year 9 "Antal elever" also counts pupils graded in other systems, so it is the base of none.
PUPIL_COUNT_BASES: dict[tuple[str, str], tuple[str, ...]] = {
    (GRADES_6_ALL, "Antal elever"): (
        "Andel (%) elever som fått godkänt betyg i alla ämnen",
        "Andel (%) elever som ej fått godkänt betyg i ett ämne",
        "Andel (%) elever som ej fått godkänt betyg i fler, alternativt alla ämnen",
        "Antal ämnesbetyg (genomsnitt)",
    ),
    (GRADES_6_GENDER, "Antal elever"): (
        "Andel (%) elever som fått godkänt betyg i alla ämnen",
        "Andel (%) elever som ej fått godkänt betyg i ett ämne",
        "Andel (%) elever som ej fått godkänt betyg i fler, alternativt alla ämnen",
        "Antal ämnesbetyg (genomsnitt)",
    ),
    (NATIONAL_TESTS_9, "Antal elever med provbetyg A-F"): (
        "Andel (%) med provbetyg A-E",
        "Genomsnittlig betygspoäng",
    ),
}

# Skolverket's subject names → the subject codes of results/subjects.py.
SUBJECT_CODES: dict[str, str] = {s.name_sv.lower(): s.code for s in SUBJECTS} | {
    "hem och konsumentkunskap": "HKK",
    "moderna språk, språkval": "M1",
    "moderna språk, elevens val": "M2",
    "teckenspråk": "TN",
}


def subject_code(name: str) -> str:
    """The subject code of a published subject name; "" when it has none ("Moderna språk,
    skolans val", the name before 2011)."""
    return SUBJECT_CODES.get(" ".join(name.split()).lower(), "")


def skolverket_indicator(dataset: str, measure: str, subject: str = "") -> str:
    match = SKOLVERKET_MEASURES.get((dataset, measure))
    return match.key_for(subject) if match else ""


@dataclass(frozen=True)
class KoladaKpi:
    title: str  # as Nyckeltal.txt gives it
    organiser_type: str  # "Kommunal" when the KPI counts the municipality's own schools only
    match: IndicatorMatch | None = None


# Kolada KPIs of the school set (Nyckeltal.txt). Mapped: those that are the registry's figure
# for the municipality's own schools. Every mapped KPI is a spring-term result: Kolada's year Y
# is the academic year (Y-1)/Y (N15505 Ale 2019 = 219.7 = Skolverket's 2018/19 for Ale's
# municipal schools). Unmapped on purpose: year 6 subject shares (term grades, see above),
# U15461 (a model residual), N15814 (teachers: the dating of Kolada's year is not confirmed
# against Skolverket's 15 October count), N15034 (årsarbetare, not heltidstjänster), costs and
# pupil background shares (no registry indicator).
KOLADA_KPIS: dict[str, KoladaKpi] = {
    "N15419": KoladaKpi(
        "Elever i år 9 som uppnått kunskapskraven i alla ämnen, kommunala skolor, andel (%)",
        "Kommunal",
        IndicatorMatch("passed_all_subjects"),
    ),
    "N15505": KoladaKpi(
        "Elever i åk. 9, meritvärde kommunala skolor, genomsnitt (17 ämnen)",
        "Kommunal",
        IndicatorMatch("merit_value_17"),
    ),
    "N15436": KoladaKpi(
        "Elever i åk 9 som är behöriga till yrkesprogram, kommunala skolor, andel (%)",
        "Kommunal",
        IndicatorMatch("eligible_vocational"),
    ),
    "U15461": KoladaKpi(
        "Elever i år 9 som är behöriga till yrkespr. avvikelse från modellberäknat värde "
        "kommunala skolor, procentenheter",
        "Kommunal",
    ),
    "N15485": KoladaKpi(
        "Elever i åk 6 med lägst betyget E i matematik, kommunala skolor, andel (%)", "Kommunal"
    ),
    "N15488": KoladaKpi(
        "Elever i åk 6 med lägst betyget E i svenska, kommunala skolor, andel (%)", "Kommunal"
    ),
    "N15574": KoladaKpi(
        "Elever i år 9 som fått ett högre betyg än provbetyg för ämnesprov i engelska, "
        "kommunala skolor, andel (%)",
        "Kommunal",
        IndicatorMatch("test_vs_grade_higher_EN", year_group=9),
    ),
    "N15573": KoladaKpi(
        "Elever i år 9 som fått ett lägre betyg än provbetyg för ämnesprov i engelska, "
        "kommunala skolor, andel (%)",
        "Kommunal",
        IndicatorMatch("test_vs_grade_lower_EN", year_group=9),
    ),
    "N15572": KoladaKpi(
        "Elever i år 9 som fått ett högre betyg än provbetyg för ämnesprov i matematik, "
        "kommunala skolor, andel (%)",
        "Kommunal",
        IndicatorMatch("test_vs_grade_higher_MA", year_group=9),
    ),
    "N15571": KoladaKpi(
        "Elever i år 9 som fått ett lägre betyg än provbetyg för ämnesprov i matematik, "
        "kommunala skolor, andel (%)",
        "Kommunal",
        IndicatorMatch("test_vs_grade_lower_MA", year_group=9),
    ),
    "N15570": KoladaKpi(
        "Elever i år 9 som fått ett högre betyg än provbetyg för ämnesprov i svenska, "
        "kommunala skolor, andel (%)",
        "Kommunal",
        IndicatorMatch("test_vs_grade_higher_SV", year_group=9),
    ),
    "N15569": KoladaKpi(
        "Elever i år 9 som fått ett lägre betyg än provbetyg för ämnesprov i svenska, "
        "kommunala skolor, andel (%)",
        "Kommunal",
        IndicatorMatch("test_vs_grade_lower_SV", year_group=9),
    ),
    "N15814": KoladaKpi(
        "Lärare (heltidstjänster) med lärarlegitimation och behörighet i minst ett ämne i "
        "grundskola åk 1-9, kommunala skolor, andel (%)",
        "Kommunal",
    ),
    "N15034": KoladaKpi(
        "Elever/lärare (årsarbetare) i kommunal grundskola åk 1-9, lägeskommun, antal", "Kommunal"
    ),
    "N15008": KoladaKpi("Kostnad för kommunal grundskola åk 1-9, kr/elev", "Kommunal"),
    "N15902": KoladaKpi(
        "Nyinvandrade och elever med okänd bakgrund i kommunal grundskola åk. 1-9, andel (%)",
        "Kommunal",
    ),
    "N15823": KoladaKpi(
        "Nyinvandrade och elever med okänd bakgrund i år 9, kommunala skolor, andel (%)",
        "Kommunal",
    ),
    "N15820": KoladaKpi(
        "Elever vars föräldrar har eftergymnasial utbildning, åk 1-9 i kommunal grundskola, "
        "lägeskommun, andel (%)",
        "Kommunal",
    ),
}


def kolada_indicator(kpi: str) -> str:
    known = KOLADA_KPIS.get(kpi)
    return known.match.key_for() if known and known.match else ""


def kolada_year_of(academic_year: str) -> str:
    """Kolada's year for the spring term of an academic year: "2018/19" → "2019"."""
    start = int(academic_year[:4])
    return str(start + 1)


def match_for(source: str, dataset: str, measure: str, kpi: str = "") -> IndicatorMatch | None:
    """The mapping entry behind a stored value (for the year-group qualifier)."""
    if source == "kolada":
        known = KOLADA_KPIS.get(kpi)
        return known.match if known else None
    return SKOLVERKET_MEASURES.get((dataset, measure))


def mapping_markdown() -> str:
    """The mapping tables as Markdown, for docs/reference-data.md (a test compares them)."""
    lines = [
        "| Skolverket export | measure | indicator | compare with |",
        "|---|---|---|---|",
    ]
    for (dataset, measure), match in SKOLVERKET_MEASURES.items():
        lines.append(f"| {dataset} | {measure} | `{match.indicator_key}` | {_compare(match)} |")
    lines += ["", "| Kolada KPI | title | organiser type | indicator | compare with |"]
    lines.append("|---|---|---|---|---|")
    for kpi, known in KOLADA_KPIS.items():
        key = f"`{known.match.indicator_key}`" if known.match else "–"
        compare = _compare(known.match) if known.match else "–"
        lines.append(f"| {kpi} | {known.title} | {known.organiser_type} | {key} | {compare} |")
    return "\n".join(lines) + "\n"


def _compare(match: IndicatorMatch) -> str:
    return f"year_group={match.year_group}" if match.year_group else "the same breakdown"
