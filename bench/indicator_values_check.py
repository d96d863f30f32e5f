"""Dump the materialised indicator values of a database, or compare two dumps bit for bit.

    DATABASE_URL=postgres://… uv run python bench/indicator_values_check.py dump before.parquet
    DATABASE_URL=postgres://… uv run python bench/indicator_values_check.py dump after.parquet
    uv run python bench/indicator_values_check.py compare before.parquet after.parquet

A check for changes to the materialisation (indicators/materialise.py, engine.py, loading.py):
materialise with the code before, dump; materialise with the code after, dump; compare. The
dump holds every column of the values table but the row id (which a rewrite changes), sorted
by (indicator, node, period, breakdown), and the record of materialised periods (without
computed_at). `compare` fails unless both are equal value for value: floats compared by their
bits (so 0.1 + 0.2 against 0.3 is a difference), nulls as nulls. Without DATABASE_URL the
dump reads the SQLite database under SKOLKVALITET_VAR_DIR, as the settings do.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

KEY = ["indicator", "node_id", "period_kind", "period_id", "breakdown"]
VALUE_COLUMNS = [
    "indicator",
    "family",
    "node_id",
    "period_kind",
    "period_id",
    "breakdown",
    "value",
    "n",
    "numerator",
    "denominator",
    "suppression",
    "data_version",
]
PERIOD_COLUMNS = ["family", "period_kind", "period_id", "rows", "data_version"]


def dump(path: Path) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skolkvalitet.config.settings")
    django.setup()
    import polars as pl

    from skolkvalitet.indicators.models import IndicatorValue, MaterialisedPeriod

    values = pl.DataFrame(
        list(IndicatorValue.objects.values_list(*VALUE_COLUMNS).iterator(chunk_size=50_000)),
        schema={
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
            "data_version": pl.Int64,
        },
        orient="row",
    ).sort(KEY)
    periods = pl.DataFrame(
        list(MaterialisedPeriod.objects.values_list(*PERIOD_COLUMNS)),
        schema={
            "family": pl.String,
            "period_kind": pl.String,
            "period_id": pl.Int64,
            "rows": pl.Int64,
            "data_version": pl.Int64,
        },
        orient="row",
    ).sort("family", "period_kind", "period_id")
    values.write_parquet(path)
    periods.write_parquet(path.with_suffix(".periods.parquet"))
    print(f"{values.height:,} values, {periods.height:,} materialised periods → {path}")


def _bits(frame):
    """Floats as their 64-bit patterns (nulls stay null), so that equality is bit for bit:
    -0.0 is not 0.0, and NaN equals only the same NaN."""
    import polars as pl

    from skolkvalitet.indicators.engine import float_bits

    return frame.with_columns(
        float_bits(frame[c]).alias(c) for c, t in frame.schema.items() if t == pl.Float64
    )


def _explain(a, b, only_a) -> None:
    """Which indicators and columns differ, and by how much (relative, for floats)."""
    import polars as pl

    print(only_a["indicator"].value_counts().sort("count", descending=True).head(10))
    paired = a.join(b, on=KEY, how="inner", suffix="_after", nulls_equal=True).join(
        only_a.select(KEY), on=KEY, how="semi", nulls_equal=True
    )
    for column in VALUE_COLUMNS:
        if column in KEY:
            continue
        left, right = pl.col(column), pl.col(f"{column}_after")
        differs = paired.filter(~left.eq_missing(right))
        if differs.is_empty():
            continue
        detail = ""
        if a.schema[column] == pl.Float64:
            worst = differs.select(((left - right).abs() / left.abs()).max()).item()
            detail = f", largest relative difference {worst:.3g}"
        print(f"  {column}: {differs.height:,} rows differ{detail}")


def compare(before: Path, after: Path) -> bool:
    import polars as pl

    ok = True
    for suffix in ("", ".periods"):
        a = pl.read_parquet(before.with_suffix(suffix + ".parquet") if suffix else before)
        b = pl.read_parquet(after.with_suffix(suffix + ".parquet") if suffix else after)
        label = "materialised periods" if suffix else "values"
        if a.schema != b.schema:
            print(f"{label}: schemas differ: {a.schema} / {b.schema}")
            ok = False
            continue
        if _bits(a).equals(_bits(b), null_equal=True):
            print(f"{label}: {a.height:,} rows, identical")
            continue
        ok = False
        only_a = _bits(a).join(_bits(b), on=a.columns, how="anti", nulls_equal=True)
        only_b = _bits(b).join(_bits(a), on=a.columns, how="anti", nulls_equal=True)
        print(
            f"{label}: {a.height:,} / {b.height:,} rows; {only_a.height:,} only before, "
            f"{only_b.height:,} only after"
        )
        if not suffix:
            _explain(a, b, only_a)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("dump").add_argument("path", type=Path)
    compared = sub.add_parser("compare")
    compared.add_argument("before", type=Path)
    compared.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.path)
    elif not compare(args.before, args.after):
        sys.exit(1)


if __name__ == "__main__":
    main()
