"""docs/indicators.md, generated from the registry (`skolkvalitet indicators --doc`)."""

from __future__ import annotations

from skolkvalitet.indicators.registry import (
    LEVEL_OF_KIND,
    REGISTRY,
    SKOLVERKET_SMALL_NUMBERS,
    Aggregation,
    Family,
    Indicator,
    Level,
)

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

# What a family's table cannot say, printed after it.
FAMILY_NOTES = {
    Family.ABSENCE: """
**Periods, terms and years.** Absence is stored per pupil, unit and period of a term: a
calendar month, a week or the whole term, as the school's system exports it (the absence file's
`från`/`till` columns, docs/formats.md; SS 12000's aggregatedAttendance per month,
docs/ss12000.md). A term's absence is the sum of its periods, an academic year's the sum of its
terms: the share is always the absent minutes (valid and invalid) over the scheduled minutes of
the same time, as Skolverket measures absence (Frånvaro i grundskolan).

**So far this term, at each follow-up point.** `absence_mean`, `absence_15_percent_or_more` and
`unexcused_absence_mean` are also computed at every follow-up point, over the periods of the
point's term that end on or before the point's date (its assessment date): whole periods only,
so a month still running on that day is left out whole, and the figure is the absence *so far
this term* as it was known on that day. A pupil counts at a point when such periods hold
scheduled time; the 15 % limit (the organisers' own follow-up threshold, above) applies to the
share so far. Example: a pupil scheduled 6 000 minutes in September and absent 600 (10 %), and
scheduled 6 000 in October and absent 1 500 (25 %), is at 600 / 6 000 = 10 % at a point of 30
September (under the limit) and at 2 100 / 12 000 = 17.5 % at a point of 31 October (over it).
A term stored as one period (a file without `från`/`till`, or absence imported before periods
existed) gives a figure only at points on or after the term's last day; before a term's first
period has ended its points have none.

**A running term is followed so far, not yet summed.** A term's figure is given only once the
stored periods reach the term's last day (the latest period of the data read ends on or after
it), and an academic year's only once they reach the last day of the year's last term. Until
then the months of the running term are shown as absence so far at its follow-up points and
nowhere as the term's or the year's absence: August to October is not the autumn term.
""",
}

HEADER = """# Indicators: definitions and sources

Generated from `src/skolkvalitet/indicators/registry.py` by
`uv run skolkvalitet indicators --doc > docs/indicators.md`; a test checks that this file matches
the registry. Every figure a page, report or analysis shows is one of these indicators, but for
the grade distribution described after them.

**How values are computed.** Per-pupil measures (indicators/measures.py) are summed per node:
each group, school unit, area and the organiser (a pupil counts at the unit that reported the
fact, and in that unit's group of the year), per period (academic year, term or follow-up point),
for all pupils and broken down by legal gender, newly arrived (Skolverket's nyinvandrad:
immigrated in one of the last four calendar years, born abroad with both parents born abroad,
folkbokförd; unknown where that cannot be told: organisation/background.py), svenska som
andraspråk, parents' highest education
(1 förgymnasial, 2 gymnasial, 3 eftergymnasial, unknown) and, where listed, year group. Groups
get totals only. *share*: 100 × pupils meeting the measure / pupils measured. *mean*: the sum of
the pupils' values / the pupils counted. *ratio*: the summed numerators / the summed denominators
of unit facts (× 100 for percentages).

**Which pupils count: school forms.** Each indicator counts only the pupils of its school
forms (given per family below). A pupil's school form is the one of their enrolment at the
fact's unit in its academic year (the pupils file's `skolform`, SS 12000's `schoolType`). So the
final-grade indicators count grundskola (GR) only, as Skolverket's grundskola statistics do,
and leave out pupils in anpassad grundskola (GRS), which Skolverket publishes separately, also
at a unit that runs both school forms; absence counts förskoleklass, grundskola and
gymnasieskola. A fact whose pupil has no enrolment at its unit in its academic year (grades
imported without a pupils file) counts as the unit's school form if the unit runs exactly one
(its school forms from Skolenhetsregistret, SS 12000 or the organiser: a unit of anpassad
grundskola only gives GRS), and as grundskola (GR) otherwise, as an empty `skolform` in the
pupils file does (indicators/engine.py, `assumed_school_form`). An enrolment without a school
form counts the same way. Indicators over unit facts (surveys, staff, preschool groups) take
the unit's figures whole: those facts name no pupils.

**Suppression**: see [the section below](#suppression-small-numbers-and-100); the
rule of each indicator is in its table's last two columns.

**Published figures beside the organiser's** are compared like for like: of the same type of
organiser's schools (Skolverket's typ av huvudman: Kommunal, Enskild, Samtliga), the same
academic year and the same pupils, each named with its source; a year or type that is not
published shows no figure rather than another's (docs/reference-data.md). The nation's published
values ship with Skolkvalitet, each row citing its source (src/skolkvalitet/reference/data/),
e.g. Skolverket, SIRIS, riket 2017/18, year 9: all schools (samtliga huvudmän) 110 583 pupils,
75.6 % passed all subjects, 84.4 % eligible for a vocational programme, meritvärde (17) 228.7;
municipal schools (kommunal huvudman) 89 604 pupils, 73.5 %, 82.7 %, 223.3. Kolada N15419 (all
subjects, municipal schools), riket 2019: 73.4 % (girls 76.6, boys 70.4).
"""

SUPPRESSION = """
## Suppression: small numbers and `~100`

Roles without pupil access (indicators/suppression.py decides, at materialisation; the pages,
downloads and the API show the stored marker) see `..` instead of a figure that rests on too few
pupils, and `~100` instead of a share that 1–4 pupils miss, where the indicator publishes it so.
The stored row always keeps value, n, numerator and denominator. Each indicator's rule is in
the registry (`small_numbers`, `near_full`, `linked`), with its source; the tables above give
it in the columns *`..` below* (unit and group level · area and organiser level) and *1–4
missing*. Skolverket publishes no value resting on fewer pupils than the rule's limit,
and neither does this product.

**The limit per level and year.** {small_numbers_source}

So `..` below {unit} pupils at school-unit level in every year; at the summary levels below
{summary} from {first} on and below {unit} before. The academic year is the figure's own
(a term's or follow-up point's year). The organiser's own measures (assessments, absence,
surveys) follow the same rule: they are figures about the same pupils. The levels here:

{levels}

Where an area or organiser rests on a single unit (an organiser with one school), its figure
*is* that unit's, and it is hidden whenever the unit's is, by the complementary rule below, even
with 5–9 pupils. Skolverket's national level is not computed here (the nation's values are
published reference data).

**`~100` only where Skolverket uses it.** A share that 1–4 pupils miss is shown as `~100`
for these rules, and as its number for the others:

{near_full}

**Complementary suppression.** A *partition* is a total and the cells that add up to it: the
categories of a breakdown, the child nodes of a node, or the groups of a year group under their
unit's figure for that year group. It is two sums, of pupils and of pupils missing the measure,
and a reader who knows these rules sees each member's marker, a shown member's value and n, and
that a `~100` member has 1–4 pupils missing (Skolverket's meaning of `~100`, quoted above; n is
not shown beside it). Wherever that would let the reader work out a hidden value, a hidden n,
or that a `..` group has 1–4 pupils missing (a `~100` in effect, for a group too small to be
shown even so), the shown cell with the smallest n is hidden too, else the `~100` cell with the
smallest n, else the total, until nothing hidden follows. Of cells with equal n, the first
in the order of node and breakdown is taken, so the same data give the same markers at every
computation (two computations hiding different cells of one partition would, read together,
show them all). In practice:

- under a shown total, never exactly one hidden cell, `..` or `~100` (the old rule);
- under a `~100` total, never exactly one `..` cell: with the other categories shown, the
  total's 1–4 missing would all be that group's (a total of 50 at `~100`, 42 girls at 100 %
  and 8 boys at `..` tells that 1–4 of the 8 boys missed; the girls are hidden too). One `~100`
  cell under a `~100` total tells no more than the two `~100` and stays;
- a `..` cell beside `~100` cells whose missing count the shown figures confine to 1–4 (a total
  of 38 with 5 missing, 30 girls at `~100`: the 8 boys miss 1–4) gets a complement too; one
  they leave wide stays, as Skolverket's rule for genders leaves it (22 of 50 missing, 20 girls
  at `~100`, 30 boys at `..`: the boys miss 18–21);
- `~100` members whose missing counts add up only one way (two `~100` halves of a total with 8
  missing: 4 each) lose one `~100`;
- hidden cells with no more pupils than they must have (two `..` categories of one pupil each
  beside shown ones) get one more hidden beside them, since their n would follow.

The child nodes are settled from the top of the tree down, so that a complement chosen higher
up (an area hidden beside another hidden area under the organiser) protects the units below it
before any unit is hidden for them. The top is each organiser's own: organisers computed
together (one installation, many organisers) get exactly the markers each would get alone.
Skolverket: "Om enbart en av andelsuppgifterna
dubbelprickas, prickas även den andelsuppgift som baseras på näst lägst antal elever. Detta för
att det inte ska vara möjligt att räkna fram ett värde utifrån övriga värden" (Betyg årskurs 6,
2024/25) and "Om en andelsuppgift för antingen pojkar eller flickor redovisas med ~100 kommer
andelsuppgiften för det andra könet att sekretessprickas (..)" (nationella prov årskurs 9,
2023/24): a `~100` is hidden information, and its complement is hidden too. What these rules
do not hide, as Skolverket's do not: where the shown figures tell that every hidden pupil of a
partition met the measure, or that none did (a total of 100 %), each hidden share is 100 % or
0 %.

**n.** Roles without pupil access see n beside a figure shown as a number and never beside
`..` or `~100`, on every page, download, document and in the API
(indicators/suppression.py's `present_n`); with the rules above no hidden n follows from the
ns shown. tests/indicators/test_suppression_reader.py lists every world a reader cannot rule
out for random partitions (limits 10 and 5) and checks that no hidden value, n or `~100` in
effect follows. *Linked* indicators (same pupils, values that make one whole: {linked}) are hidden
together in a cell: a hidden share A–E would otherwise follow from the share with F.
"""

FOOTER = """
## Grade distribution (betygsfördelning)

Not a registry indicator: the unit page counts it from the grade facts when it is asked for
(indicators/distribution.py, dashboards/selectors/distribution.py). For a unit and an
academic year, per subject: the share of each final grade A, B, C, D, E, F and "-" (no basis)
among the year 9 pupils with a final grade in the subject, in percent of those pupils, with n
and the share A–E. The grades counted are those the final-grade indicators count: the pupils'
leaving certificates (subjects ended before year 9 included, SV or SVA once) and grundskola's
pupils only (the enrolment's school form, or the rule without one above), so its n is the n of
`passed_<subject>` beside it. For roles without pupil access a subject graded for fewer than 10
pupils (the unit-level limit of the final grades' rule, in every year) is hidden whole (`..` for
every grade), since the shares of a 100 % whole would give a hidden one away, and so is a
subject whose materialised share passed (`passed_<subject>`) is suppressed (`..` as the
complement of another figure), with its n. Source: Skolverket, Betyg och prov i grundskolan,
definitioner (skolverket.se, statistik: betygsfördelning per ämne).
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _limits(i: Indicator) -> str:
    """'10 · 5 from 2023/24' (unit level · summary level), '10' or '–'."""
    rule = i.small_numbers
    if not rule.unit and not rule.summary:
        return "–"
    if rule.unit == rule.summary:
        return str(rule.unit)
    return f"{rule.unit} · {rule.summary} from {_year(rule.summary_from)}"


def _year(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def _near_full(i: Indicator) -> str:
    if i.near_full is None:
        return "–" if i.aggregation != Aggregation.SHARE else "number"
    return "`~100`" if i.near_full.applies else "number"


def suppression_markdown() -> str:
    rule = SKOLVERKET_SMALL_NUMBERS
    kinds = {
        Level.UNIT: "school units, and groups (a class is part of one unit and smaller than it, "
        "so it is protected as much as its unit; Skolverket publishes nothing below the unit)",
        Level.SUMMARY: "areas (förvaltningsområden: sums of units of one organiser, as "
        "Skolverket's municipal and organiser levels are sums of units) and the organiser",
    }
    assert set(kinds) == set(LEVEL_OF_KIND.values())
    levels = "\n".join(f"- *{level.value} level*: {kinds[level]}." for level in Level)
    rules: dict[str, tuple[str, list[str]]] = {}
    for i in REGISTRY.values():
        if i.near_full is not None:
            _label, keys = rules.setdefault(i.near_full.source, (i.near_full.label, []))
            keys.append(i.key)
    near_full = "\n".join(
        f"- **{label}** ({_keys(keys)}): {source}" for source, (label, keys) in rules.items()
    )
    linked: dict[str, list[str]] = {}
    for i in REGISTRY.values():
        if i.linked:
            linked.setdefault(i.linked, []).append(i.key)
    examples = ", ".join(f"`{name}`" for name in linked)
    return SUPPRESSION.format(
        small_numbers_source=rule.source,
        unit=rule.unit,
        summary=rule.summary,
        first=_year(rule.summary_from),
        levels=levels,
        near_full=near_full,
        linked=f"the shares of each test grade with the share A–E, and the shares of grades "
        f"the same as, lower and higher than the test grade, per subject: {examples}",
    )


def _keys(keys: list[str]) -> str:
    if len(keys) <= 3:
        return ", ".join(f"`{k}`" for k in keys)
    return f"`{keys[0]}`, `{keys[1]}` and {len(keys) - 2} more"


def _school_forms(members: list[Indicator]) -> str:
    """The family's school forms: 'GR', or per indicator where they differ."""
    by_forms: dict[tuple[str, ...], list[str]] = {}
    for i in members:
        by_forms.setdefault(i.school_forms, []).append(i.key)
    if len(by_forms) == 1:
        return ", ".join(members[0].school_forms)
    return "; ".join(f"{', '.join(forms)} ({_keys(keys)})" for forms, keys in by_forms.items())


def indicators_markdown() -> str:
    lines = [HEADER]
    for family in Family:
        members = [i for i in REGISTRY.values() if i.family == family]
        lines.append(f"\n## {FAMILY_TITLES[family]}\n")
        first = members[0]
        lines.append(
            f"Period: {first.period.value}"
            + (
                " (the term indicators also at each follow-up point, so far in its term: below)"
                if any(i.at_points for i in members)
                else ""
            )
            + f". School forms: {_school_forms(members)}. "
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
        lines.append(
            "| key | name (sv) | definition | unit | aggregation | better | `..` below "
            "| 1–4 missing |"
        )
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for i in members:
            better = {True: "higher", False: "lower", None: "–"}[i.higher_is_better]
            source = "" if i.source == first.source else f" Source: {i.source}."
            lines.append(
                f"| `{i.key}` | {_cell(i.name_sv)} | {_cell(i.definition)}{_cell(source)} | "
                f"{i.unit.value} | {i.aggregation.value} | {better} | {_limits(i)} | "
                f"{_near_full(i)} |"
            )
        if family in FAMILY_NOTES:
            lines.append(FAMILY_NOTES[family])
    lines.append(suppression_markdown())
    lines.append(FOOTER)
    return "\n".join(lines)
