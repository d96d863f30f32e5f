"""Several integer key columns packed into one Int64, for joins and uniques on millions of rows.

Polars joins and de-duplicates on one Int64 column several times faster than on four or five
(measured at the benchmark's 100 000-pupil organiser: the join of 5 M measure rows with their
breakdown attributes took 1.6-4 s on the five columns, 0.2-0.4 s on one packed column;
docs/benchmarks.md). The packing is exact, not a hash: each column is shifted into its own
bits by the range of its values in the frame at hand, so two rows get the same packed key
exactly where every column is equal (a null equal only to a null). Where the columns' ranges
need more than 63 bits together, there is no packed key and the caller keeps its columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

# Bits a packed key may use: an Int64 without its sign bit.
MAX_BITS = 63


def _as_integer(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The column as Int64: an enum or categorical by its code, a boolean as 0 or 1."""
    dtype = frame.schema[column]
    expr = pl.col(column)
    if isinstance(dtype, pl.Enum | pl.Categorical):
        expr = expr.to_physical()
    elif not (dtype.is_integer() or dtype == pl.Boolean):
        raise TypeError(f"{column} is {dtype}: only integer, boolean and enum keys are packed")
    return expr.cast(pl.Int64)


def packed_key(frame: pl.DataFrame, columns: Sequence[str]) -> pl.Series | None:
    """One Int64 per row of `frame`, equal for two rows exactly where all of `columns` are
    equal (nulls equal to nulls), or None where their ranges need more than MAX_BITS.

    Each column becomes its value minus the column's minimum plus one (0 for a null), in
    as many bits as its range needs, above the previous column's bits. The key is only
    comparable within the frame it was computed on (the ranges are this frame's)."""
    as_integers = [_as_integer(frame, c).alias(c) for c in columns]
    bounds = frame.select(
        *(e.min().name.suffix("__lo") for e in as_integers),
        *(e.max().name.suffix("__hi") for e in as_integers),
    ).row(0, named=True)
    key = pl.lit(0, dtype=pl.Int64)
    shift = 0
    for column, expr in zip(columns, as_integers, strict=True):
        low, high = bounds[f"{column}__lo"], bounds[f"{column}__hi"]
        if low is None:  # every value null: one code, 0
            low = high = 0
        # The codes are 1..high-low+1, and 0 for a null.
        bits = (high - low + 1).bit_length()
        if shift + bits > MAX_BITS:
            return None
        key = key + (expr - low + 1).fill_null(0) * (1 << shift)
        shift += bits
    return frame.select(key.alias("key")).to_series()
