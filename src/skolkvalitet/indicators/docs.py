"""docs/indicators.md, generated from the registry (`skolkvalitet indicators --doc`)."""

from __future__ import annotations

from skolkvalitet.indicators.registry import REGISTRY, Family

FAMILY_TITLES = {
    Family.FINAL_GRADES: "Final grades, year 9 (slutbetyg)",
    Family.TERM_GRADES: "Term grades, years 6–9 (terminsbetyg)",
    Family.ASSESSMENTS: "Assessments at follow-up points (bedömningar)",
    Family.NATIONAL_TESTS: "National tests (nationella prov)",
    Family.ABSENCE: "Absence (frånvaro)",
    Family.SURVEYS: "Surveys (enkäter)",
    Family.STAFF: "Staff (personal)",
    Family.PRESCHOOL: "Preschool (förskola)",
}

HEADER = """# Indicators: definitions and sources

Generated from `src/skolkvalitet/indicators/registry.py` by
`uv run skolkvalitet indicators --doc > docs/indicators.md`; a test checks that this file matches
the registry. Every figure a page, report or analysis shows is one of these indicators, but for
the grade distribution described after them.

**How values are computed.** Per-pupil measures (indicators/measures.py) are summed per node:
each group, school unit, area and the organiser (a pupil counts at the unit that reported the
fact, and in that unit's group of the year), per period (academic year, term or follow-up point),
for all pupils and broken down by legal gender, newly arrived (came to Sweden less than four
years before the academic year began), svenska som andraspråk, parents' highest education
(1 förgymnasial, 2 gymnasial, 3 eftergymnasial, unknown) and, where listed, year group. Groups
get totals only. *share*: 100 × pupils meeting the measure / pupils measured. *mean*: the sum of
the pupils' values / the pupils counted. *ratio*: the summed numerators / the summed denominators
of unit facts (× 100 for percentages).

**Suppression** (indicators/suppression.py; Skolverket's publication rules, DESIGN.md §4): for
roles without pupil access a value resting on fewer pupils than the indicator's minimum n is
shown as `..`; a share where 1–4 pupils miss the measure is shown as `~100`, whatever the share
itself (Skolverket's footnotes: "Observera att om antalet EJ behöriga är 1-4, så visas andelen
behöriga som ~100"); and wherever exactly one member of a *partition* — a total and the cells that
add up to it: the categories of a breakdown, the child nodes of a node, or the groups of a
year group under their unit's figure for that year group — is hidden (`..` or
`~100`), the shown cell with the smallest n is hidden too (or the total, if no cell is left),
until no hidden value can be recomputed from the shown ones (Skolverket: "Om en andelsuppgift
för antingen pojkar eller flickor redovisas med ~100 kommer andelsuppgiften för det andra könet
att sekretessprickas"). The stored row always keeps value, n, numerator and denominator.

**National reference points** (DESIGN.md §4): riket 2017/18: 110 583 pupils in year 9, 75.6 %
passed all subjects, 84.4 % eligible for a vocational programme, meritvärde (17) 228.7. Kolada
N15419 (all subjects, municipal schools), riket 2019: 73.4 % (girls 76.6, boys 70.4).
"""

FOOTER = """
## Grade distribution (betygsfördelning)

Not a registry indicator: the unit page counts it from the grade facts when it is asked for
(indicators/distribution.py, dashboards.selectors.grade_distribution). For a unit and an
academic year, per subject: the share of each final grade A, B, C, D, E, F and "-" (no basis)
among the year 9 pupils with a final grade in the subject, in percent of those pupils, with n
and the share A–E. For roles without pupil access a subject graded for fewer than 10 pupils is
hidden whole (`..` for every grade), since the shares of a 100 % whole would give a hidden one
away, and so is a subject whose materialised share passed (`passed_<subject>`) is suppressed
(`~100`, or `..` as a complement), with its n. Source: Skolverket, Betyg och prov i
grundskolan, definitioner (skolverket.se, statistik: betygsfördelning per ämne).
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def indicators_markdown() -> str:
    lines = [HEADER]
    for family in Family:
        members = [i for i in REGISTRY.values() if i.family == family]
        lines.append(f"\n## {FAMILY_TITLES[family]}\n")
        first = members[0]
        lines.append(
            f"Period: {first.period.value}. School forms: {', '.join(first.school_forms)}. "
            + (
                f"Year groups: {', '.join(map(str, first.year_groups))}. "
                if first.year_groups
                else ""
            )
            + (
                f"Breakdowns: {', '.join(first.breakdowns)}. "
                if first.breakdowns
                else "No breakdowns (unit-level facts). "
            )
            + f"Source: {first.source}.\n"
        )
        lines.append("| key | name (sv) | definition | unit | aggregation | better | min n |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- |")
        for i in members:
            better = {True: "higher", False: "lower", None: "–"}[i.higher_is_better]
            source = "" if i.source == first.source else f" Source: {i.source}."
            lines.append(
                f"| `{i.key}` | {_cell(i.name_sv)} | {_cell(i.definition)}{_cell(source)} | "
                f"{i.unit.value} | {i.aggregation.value} | {better} | {i.min_n or '–'} |"
            )
    lines.append(FOOTER)
    return "\n".join(lines)
