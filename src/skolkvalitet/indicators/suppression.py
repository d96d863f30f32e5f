"""Suppression of small numbers, as Skolverket publishes (docs/indicators.md). Decided here, once.

The rules belong to each indicator (registry.py: `small_numbers`, `near_full`, `linked`); the
engine resolves them per row into the columns this module reads: `min_n`, the fewest pupils at
the row's level (unit and group, or area and organiser) in the row's academic year, and
`near_full`, whether the indicator publishes a share that 1–4 pupils miss as `~100`.

Markers:
    ".."    the figure rests on fewer pupils than its `min_n`, or is suppressed as the
            complement of a hidden figure;
    "~100"  a share of an indicator that uses it, where 1–4 pupils miss the measure;
    ""      shown as it is.

Complementary (secondary) suppression: a *partition* is a total with cells that add up to it
exactly: the breakdown categories of one dimension under the node's total (girls and boys
under all pupils), the child nodes under their parent (the units of an area) when their n
add up to the parent's, or the groups of one year group under their unit's figure for that
year group (7A and 7B under the unit's "year_group=7") when every pupil of the year is in one
of them. Each partition is one equation, total = sum of cells; a single hidden
member, cell or total, could be recomputed from the others. So wherever exactly one member of
a partition is hidden, the shown cell with the smallest n is hidden too (or the total, if no
cell is left). A `~100` counts as hidden. Since the limit differs by level (from 2023/24 an
area or organiser figure of 5–9 pupils is shown where a unit's is not), a parent whose only
child is hidden is itself hidden by the same rule: it would be the child's figure.

Linked indicators (the `linked` column: the same pupils, values that make one whole, such as
the shares of each test grade and the share A–E) are hidden together: where one of them is
hidden in a cell (node, period, breakdown), the others are too.

This repeats until every partition has none or at least two hidden members. The child-node
partitions are settled from the top down: in each academic-year family (indicator, period,
breakdown) only the partitions of the highest level that needs a complement get one in a
round, and the levels below are looked at again after it. A complement chosen higher up
often already protects the level below (the organiser's areas: hiding the area Söder as
Norr's complement also protects Söder's small unit), so no unit is hidden that did not need
to be.

The stored row keeps the real value, n, numerator and denominator; the marker decides what a
role without pupil access is shown (present()).
"""

from __future__ import annotations

import polars as pl

from skolkvalitet.indicators.markers import HIDDEN, NEAR_FULL

__all__ = ["HIDDEN", "NEAR_FULL"]  # the markers' spelling lives in markers.py
# The levels of the tree, top first (nested areas share a level).
LEVELS = {"organiser": 0, "area": 1, "unit": 2, "group": 3}
MAX_ROUNDS = 50
PERIOD = ["indicator", "period_kind", "period_id"]


def primary(values: pl.DataFrame) -> pl.Expr:
    """The marker of each row on its own: `..` below its min n, `~100` where the indicator
    publishes a share that 1–4 pupils miss so."""
    missing = pl.col("denominator") - pl.col("numerator")
    return (
        pl.when((pl.col("min_n") > 0) & (pl.col("n") < pl.col("min_n")))
        .then(pl.lit(HIDDEN))
        .when(pl.col("near_full") & (missing >= 0.5) & (missing < 4.5))
        .then(pl.lit(NEAR_FULL))
        .otherwise(pl.lit(""))
    )


def _linked_victims(frame: pl.DataFrame) -> list[int]:
    """Shown rows of a linked set of indicators whose cell has a hidden member."""
    keys = ["linked", "period_kind", "period_id", "node_id", "breakdown"]
    linked = frame.filter(pl.col("linked") != "")
    hidden_cells = linked.filter(pl.col("suppression") != "").select(keys).unique()
    return (
        linked.filter(pl.col("suppression") == "")
        .join(hidden_cells, on=keys, how="semi")["rid"]
        .to_list()
    )


def _single_hidden_partitions(
    cells: pl.DataFrame, totals: pl.DataFrame, keys: list[str], total_keys: list[str]
) -> pl.DataFrame:
    """Partitions (by `keys`) whose cells add up to their total and that have exactly one
    hidden member, counting the total."""
    stats = cells.group_by(keys).agg(
        hidden=(pl.col("suppression") != "").sum(), n_sum=pl.col("n").sum()
    )
    return stats.join(totals, on=total_keys, how="inner").filter(
        (pl.col("n_sum") == pl.col("total_n"))
        & (pl.col("hidden") + (pl.col("total_suppression") != "").cast(pl.UInt32) == 1)
    )


def _victims(
    cells: pl.DataFrame, partitions: pl.DataFrame, keys: list[str]
) -> tuple[list[int], list[int]]:
    """For each partition: the shown cell with the smallest n (row ids), or, if no cell is
    shown, the partition's total (row ids)."""
    shown = cells.join(partitions.select(keys), on=keys, how="inner").filter(
        pl.col("suppression") == ""
    )
    chosen = shown.sort(["n", "rid"]).group_by(keys).first()
    without = partitions.join(chosen.select(keys), on=keys, how="anti")
    return chosen["rid"].to_list(), without["total_rid"].to_list()


def suppress(values: pl.DataFrame, nodes: pl.DataFrame) -> pl.DataFrame:
    """Add the `suppression` column. `values` needs indicator, node_id, period_kind,
    period_id, breakdown, n, numerator, denominator, min_n (the row's own limit), near_full,
    and optionally linked ("" for none); `nodes` node_id, parent_id, and optionally
    year_group (a group's year group; null for other nodes)."""
    group_year = (
        pl.col("year_group").cast(pl.Int64) if "year_group" in nodes.columns else pl.lit(None)
    )
    added = [] if "linked" in values.columns else ["linked"]
    frame = (
        values.with_row_index("rid")
        .with_columns(
            *([pl.lit("").alias("linked")] if added else []),
            suppression=primary(values),
            dimension=pl.col("breakdown").str.split("=").list.first(),
        )
        .join(
            nodes.select("node_id", "parent_id", group_year.cast(pl.Int64).alias("group_year")),
            on="node_id",
            how="left",
        )
    )
    levels = nodes.select(
        "node_id",
        (
            pl.col("kind").replace_strict(LEVELS, default=len(LEVELS))
            if "kind" in nodes.columns
            else pl.lit(len(LEVELS))
        )
        .cast(pl.Int64)
        .alias("level"),
    )
    for _ in range(MAX_ROUNDS):
        new: set[int] = set()
        # Breakdown categories under the node's total.
        totals = frame.filter(pl.col("breakdown") == "").select(
            *PERIOD,
            "node_id",
            total_rid="rid",
            total_n="n",
            total_suppression="suppression",
        )
        cells = frame.filter(pl.col("breakdown") != "")
        keys = [*PERIOD, "node_id", "dimension"]
        partitions = _single_hidden_partitions(cells, totals, keys, [*PERIOD, "node_id"])
        cells_hidden, totals_hidden = _victims(cells, partitions, keys)
        new.update(cells_hidden, totals_hidden)
        # Child nodes under their parent, breakdown by breakdown, the highest level first.
        totals = frame.join(levels, on="node_id", how="left").select(
            *PERIOD,
            "breakdown",
            parent_id="node_id",
            total_rid="rid",
            total_n="n",
            total_suppression="suppression",
            total_level="level",
        )
        cells = frame.filter(pl.col("parent_id").is_not_null())
        keys = [*PERIOD, "breakdown", "parent_id"]
        partitions = _single_hidden_partitions(cells, totals, keys, keys)
        partitions = partitions.filter(
            pl.col("total_level") == pl.col("total_level").min().over([*PERIOD, "breakdown"])
        )
        cells_hidden, totals_hidden = _victims(cells, partitions, keys)
        new.update(cells_hidden, totals_hidden)
        # The groups of one year group under their unit's figure for that year group.
        totals = frame.filter(pl.col("dimension") == "year_group").select(
            *PERIOD,
            parent_id="node_id",
            group_year=pl.col("breakdown").str.split("=").list.last().cast(pl.Int64, strict=False),
            total_rid="rid",
            total_n="n",
            total_suppression="suppression",
        )
        cells = frame.filter(pl.col("group_year").is_not_null() & (pl.col("breakdown") == ""))
        keys = [*PERIOD, "parent_id", "group_year"]
        partitions = _single_hidden_partitions(cells, totals, keys, keys)
        cells_hidden, totals_hidden = _victims(cells, partitions, keys)
        new.update(cells_hidden, totals_hidden)
        # Linked indicators: one hidden, all hidden.
        new.update(_linked_victims(frame))
        if not new:
            break
        frame = frame.with_columns(
            suppression=pl.when(pl.col("rid").is_in(list(new)))
            .then(pl.lit(HIDDEN))
            .otherwise(pl.col("suppression"))
        )
    return frame.drop("rid", "dimension", "parent_id", "group_year", *added)


def present(value: float | None, suppression: str, *, pupil_access: bool) -> str | float | None:
    """What a user is shown: the value itself with pupil access, else the marker or value."""
    if pupil_access or not suppression:
        return value
    return suppression
