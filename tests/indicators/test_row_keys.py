"""Packed row keys: one Int64 equal exactly where the key columns are all equal."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.indicators.row_keys import MAX_BITS, packed_key


def test_each_column_takes_the_bits_of_its_range_above_the_previous_ones():
    frame = pl.DataFrame({"pupil": [100, 101, 103], "year": [7, 7, 8]})
    # pupil: 100..103 is codes 1..4 (null 0): 3 bits; year: codes 1..2 above them.
    assert packed_key(frame, ["pupil", "year"]).to_list() == [
        1 + 1 * 8,
        2 + 1 * 8,
        4 + 2 * 8,
    ]


def test_a_null_has_a_code_of_its_own():
    frame = pl.DataFrame({"group": [None, 5, 5, None]}, schema={"group": pl.Int64})
    assert packed_key(frame, ["group"]).to_list() == [0, 1, 1, 0]


def test_an_all_null_column_packs_as_one_code():
    frame = pl.DataFrame({"a": [1, 2], "b": [None, None]}, schema={"a": pl.Int64, "b": pl.Int64})
    assert packed_key(frame, ["a", "b"]).to_list() == [1, 2]


def test_enums_pack_by_their_code_and_booleans_as_0_or_1():
    frame = pl.DataFrame(
        {"kind": ["term", "year", "term"], "sva": [True, False, None]},
        schema={"kind": pl.Enum(["point", "term", "year"]), "sva": pl.Boolean},
    )
    # kind: codes 1..2 -> 2 bits, so sva starts at bit 2: false 1, true 2, null 0.
    assert packed_key(frame, ["kind", "sva"]).to_list() == [1 + 2 * 4, 2 + 1 * 4, 1]


def test_columns_that_need_more_than_63_bits_together_have_no_packed_key():
    frame = pl.DataFrame({"a": [0, 2**40], "b": [0, 2**30]})
    assert packed_key(frame, ["a"]) is not None
    assert packed_key(frame, ["a", "b"]) is None


def test_the_largest_ranges_still_fit_exactly():
    # 2^62 - 1 values take 62 bits with the null code; with a boolean (2 bits) too many.
    frame = pl.DataFrame({"a": [0, 2**62 - 2], "flag": [True, False]})
    key = packed_key(frame, ["a"])
    assert key is not None and key.to_list() == [1, 2**62 - 1]
    assert key.dtype == pl.Int64 and MAX_BITS == 63
    assert packed_key(frame, ["a", "flag"]) is None


def test_other_types_are_refused():
    with pytest.raises(TypeError, match="only integer"):
        packed_key(pl.DataFrame({"s": ["a"]}), ["s"])


small_ints = st.one_of(st.none(), st.integers(min_value=-3, max_value=3))
wide_ints = st.one_of(st.none(), st.integers(min_value=-(2**30), max_value=2**30))
mid_ints = st.one_of(st.none(), st.integers(min_value=-(2**20), max_value=2**20))


@given(
    st.lists(
        st.tuples(wide_ints, small_ints, st.one_of(st.none(), st.booleans()), mid_ints),
        min_size=1,
        max_size=40,
    )
)
def test_two_rows_share_a_key_exactly_where_all_their_columns_are_equal(rows):
    frame = pl.DataFrame(
        rows,
        schema={"a": pl.Int64, "b": pl.Int8, "c": pl.Boolean, "d": pl.Int32},
        orient="row",
    )
    key = packed_key(frame, ["a", "b", "c", "d"])
    assert key is not None  # 32 + 3 + 2 + 22 bits at most
    keys = key.to_list()
    for i, left in enumerate(rows):
        for j, right in enumerate(rows):
            assert (keys[i] == keys[j]) == (left == right)
    assert min(keys) >= 0
