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
of them. Each partition is one equation, total = sum of cells, in pupils and in pupils
missing the measure; a reader who knows the rules sees each member's marker, a shown
member's value and n, and that a `~100` member misses 1-4. Wherever that lets a reader
work out a hidden figure, its n, or a `..` that is a `~100` in effect (its misses confined to
1-4), the shown cell with the smallest n is hidden too, else the `~100` cell with the smallest
n, else the total (_unsafe_partitions lists the cases). So a partition never has exactly one
hidden cell under a shown total (a `~100` counts as hidden there), nor one `..` cell under
a `~100` total (the total's 1-4 misses would be that cell's). Since the limit differs by
level (from 2023/24 an area or organiser figure of 5-9 pupils is shown where a unit's is
not), a parent whose only child is hidden is itself hidden by the same rule: it would be
the child's figure. What the rules do not hide: where the shown figures say that the hidden
pupils of a partition all met the measure or none did (a total of 100 %, or shown cells
that hold all of a total's misses), every hidden share is 100 % or 0 %; Skolverket's rules
publish these too.

Linked indicators (the `linked` column: the same pupils, values that make one whole, such as
the shares of each test grade and the share A–E) are hidden together: where one of them is
hidden in a cell (node, period, breakdown), the others are too.

This repeats until no partition gives a hidden figure away. The child-node
partitions are settled from the top down: in each academic-year family (indicator, period,
breakdown) only the partitions of the highest level that needs a complement get one in a
round, and the levels below are looked at again after it. A complement chosen higher up
often already protects the level below (the organiser's areas: hiding the area Söder as
Norr's complement also protects Söder's small unit), so no unit is hidden that did not need
to be. The highest level is each organiser's own (the root of its tree): several organisers
computed together get exactly the markers each gets alone.

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


# What a reader knows of a `~100` share: 1 to this many pupils miss the measure.
NEAR_FULL_MAX_MISSING = 4


def _unsafe_partitions(
    cells: pl.DataFrame, totals: pl.DataFrame, keys: list[str], total_keys: list[str]
) -> pl.DataFrame:
    """Partitions (by `keys`) whose cells add up to their total and that would give a hidden
    figure away to a reader who sees the markers, the shown values and their n. The reader
    knows: a shown member's n and how many of them miss the measure; a `~100` member's
    missing count is 1-4 (its n is not shown); a `..` member nothing. A partition is unsafe
    where

    (a) the total is not `..` and exactly one cell is hidden (`..`, or `~100` under a shown
        total): the cell is the total minus the shown cells, or a `~100` total's 1-4
        missing fall on it (a `~100` cell under a `~100` total tells no more than the two
        `~100` do, unless (d));
    (b) the total is `..` and no cell is: the total is the sum of the cells (or, with
        `~100` cells, its missing count is known to be 1-4: a `~100` in effect);
    (c) the total is shown and a hidden cell's n follows: the hidden cells have no more
        pupils than they must (one for each `..` and no fewer than the `..` cells miss,
        the limit for each `~100`);
    (d) a `~100` member's missing count follows exactly from the others;
    (e) the one `..` cell beside `~100` cells has its missing count confined to 1-4 (a
        `~100` in effect) or known exactly.
    """
    missing = (pl.col("denominator") - pl.col("numerator")).fill_null(0)
    shown = pl.col("suppression") == ""
    top = NEAR_FULL_MAX_MISSING
    stats = cells.group_by(keys).agg(
        n_sum=pl.col("n").sum(),
        dots=(pl.col("suppression") == HIDDEN).sum().cast(pl.Int64),
        near=(pl.col("suppression") == NEAR_FULL).sum().cast(pl.Int64),
        shown_n=pl.col("n").filter(shown).sum(),
        shown_missing=missing.filter(shown).sum(),
        # The fewest pupils the `~100` cells can have: the limit each is shown at.
        near_n_lo=pl.when(pl.col("suppression") == NEAR_FULL)
        .then(pl.max_horizontal(pl.col("min_n"), pl.lit(1)))
        .otherwise(0)
        .sum(),
    )
    t_dots = pl.col("total_suppression") == HIDDEN
    t_near = pl.col("total_suppression") == NEAR_FULL
    t_shown = pl.col("total_suppression") == ""
    dots, near, ms = pl.col("dots"), pl.col("near"), pl.col("shown_missing")
    # The missing count of the hidden cells together: exact under a shown total, 1-4 under
    # a `~100` one, less what the shown cells miss.
    r_lo = pl.when(t_near).then(1 - ms).otherwise(pl.col("total_missing") - ms)
    r_hi = pl.when(t_near).then(top - ms).otherwise(pl.col("total_missing") - ms)
    near_hi = top * near  # the `~100` cells together miss near..4·near
    # The `..` cells together: under a shown total, at most the pupils not in the shown
    # cells nor in the `~100` cells at their fewest; else no bound the reader knows.
    big = 1 << 40
    cap = pl.col("total_n") - pl.col("shown_n") - pl.col("near_n_lo")
    dots_cap = pl.when(dots == 0).then(0).when(t_shown).then(cap).otherwise(big)
    # (c) The fewest pupils the `..` cells can have together: one each, and no fewer than
    # they must miss; what is left over is all that the hidden n can vary by.
    # Counted in pupils only where a `~100` is in the partition: elsewhere numerator and
    # denominator may be points or hours.
    counted = (near >= 1) | t_near
    dots_m_lo = pl.when(counted).then(pl.max_horizontal(pl.lit(0), r_lo - near_hi)).otherwise(0)
    need = pl.when(dots >= 1).then(pl.max_horizontal(dots, dots_m_lo)).otherwise(0)
    n_follow = t_shown & (
        (((near >= 1) | (dots == 1)) & (cap - need <= 0)) | ((dots >= 2) & (cap <= dots))
    )
    # (d) A `~100` cell's range given the others, and a `~100` total's.
    cell_lo = pl.max_horizontal(pl.lit(1), r_lo - (near_hi - top) - dots_cap)
    cell_hi = pl.min_horizontal(pl.lit(top), r_hi - (near - 1))
    total_lo = pl.max_horizontal(pl.lit(1), ms + near)
    total_hi = pl.min_horizontal(pl.lit(top), ms + near_hi + dots_cap)
    # (e) The one `..` cell's missing count (no more than its pupils).
    dot_lo = dots_m_lo
    dot_hi = pl.min_horizontal(r_hi - near, dots_cap)
    unsafe = (
        (~t_dots & (dots + near == 1) & ~(t_near & (near == 1)))
        | (t_dots & (dots == 0) & ((near == 0) | ((ms + near >= 1) & (ms + near_hi <= top))))
        | n_follow
        | (~t_dots & (near >= 1) & (cell_hi - cell_lo < 1))
        | (t_near & (total_hi - total_lo < 1))
        | (
            ~t_dots
            & (dots == 1)
            & (near >= 1)
            & (((dot_lo >= 1) & (dot_hi <= top)) | (dot_hi - dot_lo < 1))
        )
    )
    return (
        stats.join(totals, on=total_keys, how="inner")
        .filter(pl.col("n_sum") == pl.col("total_n"))
        .filter(unsafe)
    )


def _victims(
    cells: pl.DataFrame, partitions: pl.DataFrame, keys: list[str]
) -> tuple[list[int], list[int]]:
    """For each unsafe partition: the shown cell with the smallest n, else the `~100` cell
    with the smallest n (row ids), else the partition's total unless it is `..` already."""
    candidates = cells.join(partitions.select(keys), on=keys, how="inner").filter(
        pl.col("suppression") != HIDDEN
    )
    chosen = (
        candidates.with_columns(near_first=pl.col("suppression") == NEAR_FULL)
        .sort(["near_first", "n", "rid"])
        .group_by(keys)
        .first()
    )
    without = partitions.join(chosen.select(keys), on=keys, how="anti").filter(
        pl.col("total_suppression") != HIDDEN
    )
    return chosen["rid"].to_list(), without["total_rid"].to_list()


def _roots(nodes: pl.DataFrame) -> pl.DataFrame:
    """Each node's organiser: the root of its tree among `nodes` (node_id, root_id)."""
    parent = dict(zip(nodes["node_id"].to_list(), nodes["parent_id"].to_list(), strict=True))
    roots = []
    for node in parent:
        root, steps = node, 0
        while parent.get(root) is not None and steps <= len(parent):
            root, steps = parent[root], steps + 1
        roots.append(root)
    dtype = nodes["node_id"].dtype
    return pl.DataFrame(
        {"node_id": list(parent), "root_id": roots}, schema={"node_id": dtype, "root_id": dtype}
    )


def suppress(values: pl.DataFrame, nodes: pl.DataFrame) -> pl.DataFrame:
    """Add the `suppression` column. `values` needs indicator, node_id, period_kind,
    period_id, breakdown, n, numerator, denominator, min_n (the row's own limit), near_full,
    and optionally linked ("" for none); `nodes` node_id, parent_id, and optionally
    year_group (a group's year group; null for other nodes)."""
    group_year = (
        pl.col("year_group").cast(pl.Int64) if "year_group" in nodes.columns else pl.lit(None)
    )
    linked = pl.col("linked") if "linked" in values.columns else pl.lit("")
    # Only the columns the rules read, and the string keys as integer codes (enums whose
    # order is the strings'), while the rounds sort, join and group on them.
    frame = values.select(
        "indicator",
        "period_kind",
        "period_id",
        "breakdown",
        "node_id",
        "n",
        "numerator",
        "denominator",
        "min_n",
        linked.alias("linked"),
        suppression=primary(values),
        dimension=pl.col("breakdown").str.split("=").list.first(),
        family_key=pl.when(linked != "")
        .then(pl.lit("linked:") + linked)
        .otherwise(pl.col("indicator")),
    )
    strings = ["indicator", "period_kind", "breakdown", "dimension", "linked", "family_key"]
    # Row ids in a fixed order of the cells, not the order the values came in (a group-by's,
    # which differs from run to run): a tie between complements of equal n goes to the first
    # cell in this order, so the same data give the same markers every time. Otherwise two
    # computations could hide different complements of one cell, and a reader who kept both
    # publications would see every cell of the partition.
    frame = (
        frame.with_columns(pl.col(c).cast(_enum_of(frame[c], KNOWN_KEYS)) for c in strings)
        .with_row_index("input_order")
        .sort(["indicator", "period_kind", "period_id", "breakdown", "node_id"])
        .with_row_index("rid")
        .join(
            nodes.select("node_id", "parent_id", group_year.cast(pl.Int64).alias("group_year")),
            on="node_id",
            how="left",
        )
    )
    levels = (
        _roots(nodes)
        .join(nodes, on="node_id", how="left")
        .select(
            "node_id",
            "root_id",
            (
                pl.col("kind").replace_strict(LEVELS, default=len(LEVELS))
                if "kind" in nodes.columns
                else pl.lit(len(LEVELS))
            )
            .cast(pl.Int64)
            .alias("level"),
        )
    )
    work = frame
    hidden: list[int] = []
    for _ in range(MAX_ROUNDS):
        new = _complements(work, levels)
        if not new:
            break
        hidden.extend(new)
        work = _families_of(work, new).with_columns(
            suppression=pl.when(pl.col("rid").is_in(new))
            .then(pl.lit(HIDDEN))
            .otherwise(pl.col("suppression"))
        )
    markers = frame.select(
        "input_order",
        suppression=pl.when(pl.col("rid").is_in(hidden))
        .then(pl.lit(HIDDEN))
        .otherwise(pl.col("suppression")),
    ).sort("input_order")
    return values.with_columns(markers["suppression"])


# A family: an indicator's period, or a linked set's (family_key names the set).
FAMILY = ["family_key", "period_kind", "period_id"]


def _families_of(frame: pl.DataFrame, rids: list[int]) -> pl.DataFrame:
    """The rows of the families the rows `rids` belong to. Each round looks only at the
    families whose markers the last round changed: every partition and linked set lies
    within one family, so a family the last round left alone gives no new complement."""
    changed = frame.filter(pl.col("rid").is_in(rids)).select(FAMILY).unique()
    return frame.join(changed, on=FAMILY, how="semi")


# The values the rounds compare the coded keys with, whether or not the frame holds them
# (Polars may refuse to compare an enum with a value that is not one of its categories).
KNOWN_KEYS = ("", "year_group")


def _enum_of(column: pl.Series, known: tuple[str, ...]) -> pl.Enum:
    """An enum of the column's values and `known`, in the strings' order, for coding it."""
    return pl.Enum(sorted({*known, *column.unique().drop_nulls().to_list()}))


def _complements(frame: pl.DataFrame, levels: pl.DataFrame) -> list[int]:
    """One round: the row ids (`rid`) of the figures hidden as complements, given the
    markers of `frame` so far."""
    new: set[int] = set()
    # Breakdown categories under the node's total.
    totals = frame.filter(pl.col("breakdown") == "").select(
        *PERIOD,
        "node_id",
        total_rid="rid",
        total_n="n",
        total_suppression="suppression",
        total_missing=(pl.col("denominator") - pl.col("numerator")).fill_null(0),
    )
    cells = frame.filter(pl.col("breakdown") != "")
    keys = [*PERIOD, "node_id", "dimension"]
    partitions = _unsafe_partitions(cells, totals, keys, [*PERIOD, "node_id"])
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
        total_missing=(pl.col("denominator") - pl.col("numerator")).fill_null(0),
        total_level="level",
        total_root="root_id",
    )
    cells = frame.filter(pl.col("parent_id").is_not_null())
    keys = [*PERIOD, "breakdown", "parent_id"]
    partitions = _unsafe_partitions(cells, totals, keys, keys)
    partitions = partitions.filter(
        pl.col("total_level")
        == pl.col("total_level").min().over([*PERIOD, "breakdown", "total_root"])
    )
    cells_hidden, totals_hidden = _victims(cells, partitions, keys)
    new.update(cells_hidden, totals_hidden)
    # The groups of one year group under their unit's figure for that year group.
    totals = frame.filter(pl.col("dimension") == "year_group").select(
        *PERIOD,
        parent_id="node_id",
        group_year=pl.col("breakdown")
        .cast(pl.String)
        .str.split("=")
        .list.last()
        .cast(pl.Int64, strict=False),
        total_rid="rid",
        total_n="n",
        total_suppression="suppression",
        total_missing=(pl.col("denominator") - pl.col("numerator")).fill_null(0),
    )
    cells = frame.filter(pl.col("group_year").is_not_null() & (pl.col("breakdown") == ""))
    keys = [*PERIOD, "parent_id", "group_year"]
    partitions = _unsafe_partitions(cells, totals, keys, keys)
    cells_hidden, totals_hidden = _victims(cells, partitions, keys)
    new.update(cells_hidden, totals_hidden)
    # Linked indicators: one hidden, all hidden.
    new.update(_linked_victims(frame))
    return sorted(new)


def present(value: float | None, suppression: str, *, pupil_access: bool) -> str | float | None:
    """What a user is shown: the value itself with pupil access, else the marker or value."""
    if pupil_access or not suppression:
        return value
    return suppression


def present_n(n: int | None, suppression: str, *, pupil_access: bool) -> int | None:
    """The n a user is shown beside a figure: with pupil access always, else only beside a
    figure shown as a number, never beside `..` or `~100` (a `~100`'s n with the shown
    cells' n would give a hidden cell's n away). Pages, downloads, documents and the API
    all ask this."""
    if pupil_access or not suppression:
        return n
    return None
