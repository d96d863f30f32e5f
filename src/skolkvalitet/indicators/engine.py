"""The indicator engine: pure, vectorised (Polars), database-free.

compute() takes the facts of some periods and the organisation, and returns one row per
(indicator, node, period, breakdown) with value, n, numerator, denominator and the
suppression marker. materialise.py loads the frames from the database and stores the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import polars as pl

from skolkvalitet.indicators import measures as m
from skolkvalitet.indicators.registry import (
    BREAKDOWN_DIMENSIONS,
    LEVEL_OF_KIND,
    REGISTRY,
    Aggregation,
    Family,
    Level,
    PeriodKind,
    Unit,
)
from skolkvalitet.indicators.row_keys import packed_key
from skolkvalitet.indicators.suppression import suppress
from skolkvalitet.organisation.background import NEWLY_ARRIVED_CALENDAR_YEARS

# A Polars data type as schemas and casts take it: a class (pl.Int64) or an instance
# (pl.List(pl.String)).
DataTypeLike = pl.DataType | type[pl.DataType]

VALUE_SCHEMA = {
    "indicator": pl.String,
    "family": pl.String,
    "node_id": pl.Int64,
    "period_kind": pl.String,
    "period_id": pl.Int64,
    "breakdown": pl.String,
    "value": pl.Float64,
    "n": pl.Int64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "suppression": pl.String,
}
GROUP_KEYS = ["indicator", "node_id", "period_kind", "period_id"]


@dataclass
class Organisation:
    """The organisation the facts are aggregated over.

    nodes: node_id, parent_id, kind ("organiser", "area", "unit", "group"), and optionally
        year_group (a group's year group, null for other nodes: for suppression) and
        school_forms (a unit's school forms, a list of SS 12000 codes: for assumed_school_form)
    unit_ancestors: unit_id, ancestor_id: every area and organiser above each unit
    enrolments: pupil_id, academic_year_id, unit_id, group_id, sva, and optionally
        school_form (GR, GRS, FKLASS, ...: an indicator counts only the pupils of its
        school forms, counted_in_school_forms)
    pupils: pupil_id, gender, arrival_date (the immigration date), born_abroad,
        parents_born_abroad (both parents; booleans, null when not known), coordination_number
        (known by a samordningsnummer: not folkbokförd), parents_education (1–3 or null)
    years: academic_year_id, start_date
    periods: period_kind, period_id, reference_year: the calendar year "newly arrived" counts
        back from (periods_frame); a period not listed counts from its academic year's spring
    """

    nodes: pl.DataFrame
    unit_ancestors: pl.DataFrame
    enrolments: pl.DataFrame
    pupils: pl.DataFrame
    years: pl.DataFrame
    periods: pl.DataFrame = field(default_factory=lambda: periods_frame({}))


@dataclass
class Facts:
    """Fact frames of the periods to compute (any may be empty); see measures.py."""

    grades: pl.DataFrame = field(default_factory=pl.DataFrame)
    assessments: pl.DataFrame = field(default_factory=pl.DataFrame)
    national_tests: pl.DataFrame = field(default_factory=pl.DataFrame)
    absences: pl.DataFrame = field(default_factory=pl.DataFrame)
    # The follow-up points absence is computed at, so far in their term (point_id, term_id,
    # assessed_on): measures.absence_so_far.
    points: pl.DataFrame = field(default_factory=pl.DataFrame)
    surveys: pl.DataFrame = field(default_factory=pl.DataFrame)
    staff: pl.DataFrame = field(default_factory=pl.DataFrame)
    preschool: pl.DataFrame = field(default_factory=pl.DataFrame)


def measures_of(family: Family, facts: Facts) -> pl.DataFrame:
    """The measure frame of one family of indicators."""
    match family:
        case Family.FINAL_GRADES:
            return m.final_grade_measures(facts.grades) if facts.grades.height else m.empty()
        case Family.TERM_GRADES:
            return m.term_grade_measures(facts.grades) if facts.grades.height else m.empty()
        case Family.ASSESSMENTS:
            return m.assessment_measures(facts.assessments)
        case Family.NATIONAL_TESTS:
            return m.national_test_measures(facts.national_tests, facts.grades)
        case Family.ABSENCE:
            return m.absence_measures(facts.absences, facts.points)
        case Family.SURVEYS:
            return m.survey_measures(facts.surveys)
        case Family.STAFF:
            return m.staff_measures(facts.staff)
        case Family.PRESCHOOL:
            return m.preschool_measures(facts.preschool)
    raise ValueError(family)


@cache
def _registry_frame() -> pl.DataFrame:
    """What aggregation and suppression need to know of each indicator (built once)."""
    rows = [
        {
            "indicator": i.key,
            "family": i.family.value,
            "scale": 100.0
            if i.aggregation == Aggregation.SHARE
            or (i.aggregation == Aggregation.RATIO and i.unit == Unit.PERCENT)
            else 1.0,
            "near_full": i.shows_near_full,
            "linked": i.linked,
            "breakdowns": list(i.breakdowns),
        }
        for i in REGISTRY.values()
    ]
    return pl.DataFrame(rows)


def with_breakdown_attributes(
    measures: pl.DataFrame, org: Organisation, *, school_forms: Collection[str] | None = None
) -> pl.DataFrame:
    """Attach group, the breakdown attributes and the pupil's school form (`school_form`: the
    enrolment's at the row's unit and academic year, else assumed_school_form) to
    pupil-level measure rows; with `school_forms`, keep only the rows of pupils of those
    school forms (filtered on the small frame of attributes, so the large join does it).

    The attributes stay compact here (booleans, integers, an enum) because these frames have
    millions of rows; they become the breakdown labels ("gender=F", "sva=no") only after the
    rows are summed into cells (BREAKDOWN_LABELS)."""
    keys = ["pupil_id", "academic_year_id", "unit_id"]
    period = ["period_kind", "period_id"]
    enrolled = org.enrolments.select(
        *keys,
        pl.col("group_id").alias("enrolled_group_id"),
        "sva",
        _column_or_null(org.enrolments, "school_form", pl.String),
    )
    units = org.nodes.select(
        pl.col("node_id").alias("unit_id"),
        _column_or_null(org.nodes, "school_forms", pl.List(pl.String)).alias("unit_forms"),
    )
    background = ["arrival_date", "born_abroad", "parents_born_abroad", "coordination_number"]
    pupils = org.pupils.select(
        "pupil_id",
        pl.col("gender").cast(GENDER_ENUM),
        *background,
        pl.col("parents_education").cast(pl.Int8),
    )
    # The attributes of each (pupil, year, unit, period) the measures name: a small frame, so
    # that the millions of measure rows take part in one join only. Newly arrived depends on
    # the period (a term's calendar year, a follow-up point's), the rest on the year.
    reference_year = pl.coalesce(
        pl.col("reference_year"), pl.col("start_date").dt.year().cast(pl.Int32) + 1
    )
    # The rows' keys packed into one column where they fit (row_keys.py): the unique and
    # the large join below are several times faster on it than on the five columns.
    row_key = packed_key(
        measures.select(*keys, *period).with_columns(pl.col("period_kind").cast(PERIOD_KIND_ENUM)),
        [*keys, *period],
    )
    if row_key is None:
        join_on = [*keys, *period]
        distinct = measures.select(*keys, *period).unique()
    else:
        join_on = [ROW_KEY]
        measures = measures.with_columns(row_key.alias(ROW_KEY))
        distinct = measures.select(ROW_KEY, *keys, *period).unique(subset=ROW_KEY)
    attributes = (
        distinct.join(enrolled, on=keys, how="left")
        .join(units, on="unit_id", how="left")
        .join(pupils, on="pupil_id", how="left")
        .join(org.years, on="academic_year_id", how="left")
        .join(org.periods, on=period, how="left")
        .with_columns(
            newly_arrived=newly_arrived(reference_year),
            sva=pl.col("sva").fill_null(False),
            # An enrolment's empty or unknown school form counts as none.
            school_form=pl.coalesce(
                pl.col("school_form").cast(SCHOOL_FORM_ENUM, strict=False),
                assumed_school_form(pl.col("unit_forms")).cast(SCHOOL_FORM_ENUM, strict=False),
            ),
        )
        .drop(*background, "start_date", "reference_year", "unit_forms")
    )
    if school_forms is not None:
        attributes = attributes.filter(pl.col("school_form").is_in(list(school_forms)))
    if row_key is not None:
        attributes = attributes.drop(*keys, *period)
    return (
        measures.join(attributes, on=join_on, how="left" if school_forms is None else "inner")
        .drop(ROW_KEY, strict=False)
        .with_columns(
            group_id=pl.coalesce("group_id", "enrolled_group_id"),
            year_group=pl.col("year_group").cast(pl.Int8),
        )
        .drop("enrolled_group_id")
    )


GENDER_ENUM = pl.Enum(["F", "M"])
# The column with_breakdown_attributes joins the measure rows and their attributes on.
ROW_KEY = "_row_key"


def _column_or_null(frame: pl.DataFrame, column: str, dtype: DataTypeLike) -> pl.Expr:
    """`column` of `frame`, or a null column of `dtype` where the frame has none."""
    if column in frame.columns:
        return pl.col(column).cast(dtype)
    return pl.lit(None, dtype=dtype).alias(column)


# SS 12000's SchoolTypesEnum codes that Skolkvalitet keeps (organisation's SchoolForm; a
# test checks they agree), compact in the engine's frames.
SCHOOL_FORM_ENUM = pl.Enum(["FS", "FKLASS", "FTH", "GR", "GRS", "GY", "GYS", "VUX"])

# The school form a pupil fact without an enrolment counts as when its unit runs several
# school forms (or none is known): grundskola, as the pupils file reads an empty skolform.
DEFAULT_SCHOOL_FORM = "GR"


def assumed_school_form(unit_forms: pl.Expr) -> pl.Expr:
    """The school form of a pupil fact (grade, test, assessment, absence) whose pupil has no
    enrolment at the fact's unit in its academic year, e.g. grades imported without a pupils
    file: the unit's school form if the unit runs exactly one (`unit_forms`, the unit's
    school forms from Skolenhetsregistret or SS 12000: a unit of anpassad grundskola only
    gives GRS), otherwise DEFAULT_SCHOOL_FORM (GR), as an empty skolform in the pupils file.
    Vectorised over a List(String) column; a null list (forms not known) gives GR."""
    return (
        pl.when(unit_forms.list.len() == 1)
        .then(unit_forms.list.first())
        .otherwise(pl.lit(DEFAULT_SCHOOL_FORM))
    )


def indicators_by_school_forms(measures: pl.DataFrame) -> dict[tuple[str, ...], list[str]]:
    """The indicators of the measure rows grouped by their school forms (registry)."""
    by_forms: dict[tuple[str, ...], list[str]] = {}
    for key in measures.get_column("indicator").unique().sort().to_list():
        by_forms.setdefault(REGISTRY[key].school_forms, []).append(key)
    return by_forms


def counted_in_school_forms(frame: pl.DataFrame) -> pl.DataFrame:
    """The measure rows whose pupil's school form (`school_form`: the enrolment's at the row's
    unit and academic year, or assumed_school_form) is one of the indicator's school forms
    (registry `school_forms`): the year-9 final-grade indicators count grundskola's pupils
    only, as Skolverket, which publishes anpassad grundskola apart."""
    by_forms = indicators_by_school_forms(frame)
    if len(by_forms) == 1:
        (forms,) = by_forms
        return frame.filter(pl.col("school_form").is_in(list(forms)))
    allowed = pl.DataFrame(
        [(key, form) for forms, keys in by_forms.items() for key in keys for form in forms],
        schema={"indicator": pl.String, "school_form": SCHOOL_FORM_ENUM},
        orient="row",
    )
    return frame.join(allowed, on=["indicator", "school_form"], how="semi")


def newly_arrived(reference_year: pl.Expr) -> pl.Expr:
    """Skolverket's nyinvandrad, vectorised: organisation/background.py's newly_arrived
    over the columns arrival_date, born_abroad, parents_born_abroad and coordination_number.
    True, false, or null when it cannot be told (uppgift saknas: the breakdown's
    "newly_arrived=unknown")."""
    year = pl.col("arrival_date").dt.year()
    recent = (year > reference_year - NEWLY_ARRIVED_CALENDAR_YEARS) & (year <= reference_year)
    return (
        pl.when(pl.col("coordination_number").fill_null(False))
        .then(None)
        .when(pl.col("arrival_date").is_null() | ~recent.fill_null(False))
        .then(False)
        .when(pl.col("born_abroad").not_() | pl.col("parents_born_abroad").not_())
        .then(False)
        .when(pl.col("born_abroad") & pl.col("parents_born_abroad"))
        .then(True)
        .otherwise(None)
    )


def _yes_no(column: str) -> pl.Expr:
    return pl.when(pl.col(column)).then(pl.lit("yes")).otherwise(pl.lit("no"))


def _or_unknown(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).fill_null("unknown")


def _yes_no_or_unknown(column: str) -> pl.Expr:
    return pl.when(pl.col(column).is_null()).then(pl.lit("unknown")).otherwise(_yes_no(column))


# A breakdown attribute's category as it is written in the stored `breakdown` ("gender=F").
BREAKDOWN_LABELS: dict[str, pl.Expr] = {
    "gender": _or_unknown("gender"),
    "newly_arrived": _yes_no_or_unknown("newly_arrived"),
    "sva": _yes_no("sva"),
    "parents_education": _or_unknown("parents_education"),
    "year_group": _or_unknown("year_group"),
}


def _sum(column: str, *, ordered: bool) -> pl.Expr:
    """The sum of a float column per group; `ordered`: of its values sorted first, so that
    the sum does not depend on the order the rows come in (joins and group-bys give them in
    an order that differs from run to run, and floats' sums depend on their order)."""
    return (pl.col(column).sort() if ordered else pl.col(column)).sum()


def _order_matters(frame: pl.DataFrame) -> bool:
    """Whether the float sums of `num` and `den` can depend on the order of the rows: not
    where every value is a multiple of 1/8 below 2^40 (counts, grade points, merit values:
    their sums are exact), as the absence shares are not."""
    return bool(
        frame.select(
            pl.any_horizontal(
                (((pl.col(c) * 8).floor() != pl.col(c) * 8) | (pl.col(c).abs() >= 2.0**40))
                .fill_null(False)
                .any()
                for c in ("num", "den")
            )
        ).item()
    )


# The indicator and period kind as integer codes while rows are grouped and summed (Polars
# groups on a u32 code faster than on a string); strings again before suppression.
INDICATOR_ENUM = pl.Enum(sorted(REGISTRY))
PERIOD_KIND_ENUM = pl.Enum(sorted(kind.value for kind in PeriodKind))


def _coded(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("indicator").cast(INDICATOR_ENUM), pl.col("period_kind").cast(PERIOD_KIND_ENUM)
    )


def _decoded(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("indicator").cast(pl.String), pl.col("period_kind").cast(pl.String)
    )


def _cell_sums(*, ordered: bool) -> tuple[pl.Expr, ...]:
    """The sums of cells (numerator, denominator, n) into larger cells."""
    return (
        _sum("numerator", ordered=ordered),
        _sum("denominator", ordered=ordered),
        pl.col("n").sum(),
    )


def _aggregate(cells: pl.DataFrame, dimension: str | None, *, ordered: bool) -> pl.DataFrame:
    keys = [*GROUP_KEYS, "academic_year_id"] + ([dimension] if dimension else [])
    out = cells.group_by(keys).agg(*_cell_sums(ordered=ordered))
    if dimension:
        return out.with_columns(
            breakdown=pl.lit(f"{dimension}=") + BREAKDOWN_LABELS[dimension]
        ).drop(dimension)
    return out.with_columns(breakdown=pl.lit(""))


# Sums of multiples of 1/8 below this are exact in a float64 (53 bits, 3 of them fractional).
EXACT_SUM_LIMIT = 2.0**49


def _sums_exact(frame: pl.DataFrame) -> bool:
    """Whether every sum of `num` and `den` over any rows of the frame is exact, whatever
    the order and grouping: every value a multiple of 1/8 (_order_matters) and the sum of
    their magnitudes below EXACT_SUM_LIMIT."""
    if frame.is_empty() or _order_matters(frame):
        return False
    magnitude = frame.select(pl.col("num").abs().sum() + pl.col("den").abs().sum()).item()
    return bool(magnitude < EXACT_SUM_LIMIT)


def _at_nodes(cells: pl.DataFrame, org: Organisation) -> pl.DataFrame:
    """Rows per unit (`unit_id`) as rows of the unit and of each area and organiser above it
    (`node_id`)."""
    return pl.concat(
        [
            cells.with_columns(node_id=pl.col("unit_id")),
            cells.join(org.unit_ancestors, on="unit_id", how="inner")
            .with_columns(node_id=pl.col("ancestor_id"))
            .drop("ancestor_id"),
        ]
    )


def aggregate(measures: pl.DataFrame, org: Organisation) -> pl.DataFrame:
    """Sum measure rows per node (group, unit and every ancestor) and breakdown.

    Two passes over the (large) measure rows: one per group, and one into *cells* per unit
    and combination of breakdown categories. Every unit, area and organiser figure, with or
    without a breakdown, is then a sum over the (small) cells."""
    if measures.is_empty():
        return pl.DataFrame(schema=VALUE_SCHEMA)
    pupil_level = measures["pupil_id"].is_not_null().any()
    frame = measures
    if pupil_level:
        # Only the pupils of each indicator's school forms count.
        by_forms = indicators_by_school_forms(measures)
        if len(by_forms) == 1:  # the usual case: one family, one set of school forms
            (forms,) = by_forms
            frame = with_breakdown_attributes(measures, org, school_forms=forms)
        else:
            frame = counted_in_school_forms(with_breakdown_attributes(measures, org))
        frame = frame.drop("school_form")
    frame = _coded(frame)
    dimensions = list(BREAKDOWN_DIMENSIONS) if pupil_level else []
    # Pupil-level shares (absence) are summed in a fixed order: the same facts give the same
    # figures, bit for bit, every time.
    ordered = pupil_level and _order_matters(frame)
    sums = (
        _sum("num", ordered=ordered).alias("numerator"),
        _sum("den", ordered=ordered).alias("denominator"),
        pl.col("n").sum().alias("n"),
    )
    # The academic year goes along with the period (for the suppression rule of its year).
    period = ["indicator", "period_kind", "period_id", "academic_year_id"]
    in_group = pl.col("group_id").is_not_null()
    group_keys, cell_keys = [*period, "group_id"], [*period, "unit_id", *dimensions]
    if ordered:
        # One after the other, as eager frames: collected together, the sums of sorted
        # values came out different in the last bit (a float's sum depends on the order),
        # and these must be the same, bit for bit, every time.
        at_group = frame.filter(in_group).group_by(group_keys).agg(*sums)
        cells = frame.group_by(cell_keys).agg(*sums)
    else:
        # The two passes over the measure rows together: Polars splits the two cores
        # between them (0.5 s instead of 0.8 s on 5 M assessment rows).
        at_group, cells = pl.collect_all(
            [
                frame.lazy().filter(in_group).group_by(group_keys).agg(*sums),
                frame.lazy().group_by(cell_keys).agg(*sums),
            ]
        )
    at_group = at_group.rename({"group_id": "node_id"}).with_columns(breakdown=pl.lit(""))
    parts = [at_group]
    if _sums_exact(frame):
        # Every partial sum is exact: each breakdown is summed per unit first (small), and
        # those sums per area and organiser, the same figures as from the cells directly.
        for dimension in [None, *dimensions]:
            at_units = cells.group_by([*period, "unit_id", *([dimension] if dimension else [])])
            parts.append(
                _aggregate(
                    _at_nodes(at_units.agg(*_cell_sums(ordered=False)), org),
                    dimension,
                    ordered=False,
                )
            )
    else:
        at_nodes = _at_nodes(cells, org)
        parts += [_aggregate(at_nodes, d, ordered=ordered) for d in [None, *dimensions]]
    values = _decoded(pl.concat(parts, how="diagonal_relaxed"))
    registry = _registry_frame()
    values = values.join(registry, on="indicator", how="inner")
    # Keep only the breakdowns each indicator allows.
    allowed = pl.col("breakdowns").list.contains(pl.col("breakdown").str.split("=").list.first())
    values = values.filter((pl.col("breakdown") == "") | allowed)
    return values.with_columns(
        value=pl.when(pl.col("denominator") > 0)
        .then(pl.col("scale") * pl.col("numerator") / pl.col("denominator"))
        .otherwise(None),
    )


def compute(
    facts: Facts, org: Organisation, *, families: tuple[Family, ...] = tuple(Family)
) -> pl.DataFrame:
    """Every indicator of `families` over `facts`, per node, period and breakdown, with
    Skolverket's suppression decided (suppression.py)."""
    parts = []
    for family in families:
        values = aggregate(measures_of(family, facts), org)
        if values.height:
            parts.append(values)
    if not parts:
        return pl.DataFrame(schema=VALUE_SCHEMA)
    values = pl.concat(parts, how="diagonal_relaxed")
    values = suppress(with_min_n(values, org), org.nodes)
    return values.select([pl.col(c).cast(t) for c, t in VALUE_SCHEMA.items()])


UNKNOWN_YEAR = 0  # an academic year not in Organisation.years: the stricter limit


def float_bits(column: pl.Series) -> pl.Series:
    """A float column as its 64-bit patterns (nulls stay null): equal only where bit for bit
    equal, so -0.0 is not 0.0 and a last-bit difference is a difference."""
    bits = pl.Series(column.name, column.fill_null(0.0).to_numpy().view(np.int64))
    return pl.select(pl.when(column.is_null()).then(None).otherwise(bits)).to_series()


def with_min_n(values: pl.DataFrame, org: Organisation) -> pl.DataFrame:
    """Add `min_n`: the fewest pupils each row may rest on, by its indicator's rule
    (registry.SmallNumbers) at its node's level (LEVEL_OF_KIND; unit level if not known) in
    its academic year (the year it starts; the stricter limit if not known)."""
    years = org.years.select("academic_year_id", year=pl.col("start_date").dt.year().cast(pl.Int64))
    known = sorted(set(years["year"].drop_nulls().to_list()))
    rules = pl.DataFrame(
        [
            (i.key, level.value, year, i.min_n_at(level, year))
            for i in REGISTRY.values()
            for level in Level
            for year in [UNKNOWN_YEAR, *known]
        ],
        schema={"indicator": pl.String, "level": pl.String, "year": pl.Int64, "min_n": pl.Int64},
        orient="row",
    )
    kind = pl.col("kind") if "kind" in org.nodes.columns else pl.lit(None, dtype=pl.String)
    kinds = org.nodes.select(
        "node_id",
        level=kind.replace_strict(
            {k: v.value for k, v in LEVEL_OF_KIND.items()},
            default=Level.UNIT.value,
            return_dtype=pl.String,
        ),
    )
    return (
        values.join(kinds, on="node_id", how="left")
        .join(years, on="academic_year_id", how="left")
        .with_columns(
            level=pl.col("level").fill_null(Level.UNIT.value),
            year=pl.col("year").fill_null(UNKNOWN_YEAR),
        )
        .join(rules, on=["indicator", "level", "year"], how="left")
        .drop("level", "year")
    )


def years_frame(years: dict[int, dt.date]) -> pl.DataFrame:
    return pl.DataFrame(
        {"academic_year_id": list(years), "start_date": list(years.values())},
        schema={"academic_year_id": pl.Int64, "start_date": pl.Date},
    )


def periods_frame(reference_days: dict[tuple[str, int], dt.date]) -> pl.DataFrame:
    """Organisation.periods from each period's reference day, {(period_kind, period_id):
    day}: an academic year's end date, a term's start date, a follow-up point's assessment
    date. "Newly arrived" counts back from the day's calendar year (organisation/background.py)."""
    return pl.DataFrame(
        {
            "period_kind": [kind for kind, _id in reference_days],
            "period_id": [period_id for _kind, period_id in reference_days],
            "reference_year": [day.year for day in reference_days.values()],
        },
        schema={"period_kind": pl.String, "period_id": pl.Int64, "reference_year": pl.Int32},
    )
