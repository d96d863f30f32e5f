"""Skolverket's suppression rules (docs/indicators.md) on small hand-built value frames.

Every hand case is one sentence of the rules; the property tests check the invariants on
random organisations whose figures add up exactly, as the engine's do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from unittest.mock import patch

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from skolkvalitet.indicators.engine import Facts, Organisation, compute, with_min_n, years_frame
from skolkvalitet.indicators.registry import REGISTRY, Family
from skolkvalitet.indicators.suppression import HIDDEN, NEAR_FULL, present, primary, suppress

SCHEMA = {
    "indicator": pl.String,
    "node_id": pl.Int64,
    "period_kind": pl.String,
    "period_id": pl.Int64,
    "breakdown": pl.String,
    "value": pl.Float64,
    "n": pl.Int64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "min_n": pl.Int64,
    "near_full": pl.Boolean,
}
NODE_SCHEMA = {"node_id": pl.Int64, "parent_id": pl.Int64}

# The hand-built tree of most cases:  organiser 1 ── area 2 ── units 10, 11, 12
#                                                             unit 10 ── groups 100, 101
TREE = {1: None, 2: 1, 10: 2, 11: 2, 12: 2, 100: 10, 101: 10}


def mean_row(node, n, breakdown="", *, points=12.5, indicator="merit", min_n=10, period=1):
    """A mean (never ~100): n pupils with `points` each."""
    return {
        "indicator": indicator,
        "node_id": node,
        "period_kind": "year",
        "period_id": period,
        "breakdown": breakdown,
        "value": points,
        "n": n,
        "numerator": points * n,
        "denominator": float(n),
        "min_n": min_n,
        "near_full": False,
    }


def share_row(
    node, n, missing, breakdown="", *, indicator="passed", min_n=10, period=1, near_full=True
):
    """A share of n pupils of whom `missing` do not meet the measure; `near_full`: the
    indicator publishes 1–4 missing as ~100."""
    return {
        "indicator": indicator,
        "node_id": node,
        "period_kind": "year",
        "period_id": period,
        "breakdown": breakdown,
        "value": 100.0 * (n - missing) / n if n else None,
        "n": n,
        "numerator": float(n - missing),
        "denominator": float(n),
        "min_n": min_n,
        "near_full": near_full,
    }


def values_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA)


def nodes_frame(tree: dict[int, int | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"node_id": list(tree), "parent_id": list(tree.values())}, schema=NODE_SCHEMA
    )


def run(rows: list[dict], tree=TREE) -> dict[tuple, str]:
    """suppress() on the rows of one indicator and period → {(node, breakdown): marker}."""
    result = suppress(values_frame(rows), nodes_frame(tree))
    assert result.select("indicator", "period_id").n_unique() <= 1
    return {(r["node_id"], r["breakdown"]): r["suppression"] for r in result.iter_rows(named=True)}


def gender(node, n_f, n_m, **kw) -> list[dict]:
    """A node's total and its girls and boys (means)."""
    return [
        mean_row(node, n_f + n_m, **kw),
        mean_row(node, n_f, "gender=F", **kw),
        mean_row(node, n_m, "gender=M", **kw),
    ]


# --- Primary suppression -------------------------------------------------------------------


def test_a_figure_resting_on_fewer_pupils_than_the_minimum_n_is_hidden():
    assert run([mean_row(10, 9)]) == {(10, ""): HIDDEN}
    assert run([share_row(10, 1, 0)]) == {(10, ""): HIDDEN}


def test_a_figure_resting_on_exactly_the_minimum_n_is_shown():
    assert run([mean_row(10, 10)]) == {(10, ""): ""}
    assert run([share_row(10, 10, 5)]) == {(10, ""): ""}


@pytest.mark.parametrize("missing", [1, 2, 3, 4])
def test_a_share_with_one_to_four_pupils_missing_the_measure_is_shown_as_near_full(missing):
    assert run([share_row(10, 40, missing)]) == {(10, ""): NEAR_FULL}


@pytest.mark.parametrize("missing", [0, 5, 20])
def test_a_share_with_no_pupil_or_five_or_more_missing_the_measure_is_shown(missing):
    assert run([share_row(10, 40, missing)]) == {(10, ""): ""}


@pytest.mark.parametrize("missing", [1, 2, 3, 4])
def test_a_share_whose_indicator_publishes_numbers_is_shown_with_one_to_four_missing(missing):
    # Skolverket publishes year 9's all-subjects and subject pass shares as numbers.
    assert run([share_row(10, 40, missing, near_full=False)]) == {(10, ""): ""}


def test_a_share_on_fewer_than_the_minimum_n_is_hidden_rather_than_near_full():
    assert run([share_row(10, 9, 2)]) == {(10, ""): HIDDEN}


@pytest.mark.parametrize("short", [1, 2, 4])
def test_a_mean_is_never_shown_as_near_full(short):
    row = mean_row(10, 40)
    row["numerator"] = row["denominator"] - short  # as if `short` pupils lacked one point
    assert run([row]) == {(10, ""): ""}


def test_an_indicator_with_minimum_n_zero_and_no_near_full_rule_is_never_suppressed():
    rows = [
        share_row(10, 3, 2, min_n=0, near_full=False),
        share_row(10, 1, 0, "gender=F", min_n=0, near_full=False),
        share_row(10, 2, 2, "gender=M", min_n=0, near_full=False),
        share_row(11, 0, 0, min_n=0, near_full=False),
    ]
    assert set(run(rows).values()) == {""}


def test_primary_marks_each_row_on_its_own():
    frame = values_frame(
        [
            mean_row(10, 9),
            mean_row(10, 10),
            share_row(10, 30, 3),
            share_row(10, 30, 0),
            share_row(10, 30, 5),
            share_row(10, 3, 2, min_n=0, near_full=False),
            share_row(10, 30, 3, near_full=False),
        ]
    )
    assert frame.select(primary(frame))[:, 0].to_list() == [
        HIDDEN,
        "",
        NEAR_FULL,
        "",
        "",
        "",
        "",
    ]


def test_present_shows_the_value_to_pupil_access_and_the_marker_to_others():
    assert present(71.4, HIDDEN, pupil_access=True) == 71.4
    assert present(71.4, HIDDEN, pupil_access=False) == HIDDEN
    assert present(97.5, NEAR_FULL, pupil_access=False) == NEAR_FULL
    assert present(71.4, "", pupil_access=False) == 71.4
    assert present(None, "", pupil_access=False) is None


# --- Complementary suppression within a breakdown ----------------------------------------


def test_one_small_gender_hides_the_other_gender_too():
    assert run(gender(10, 4, 21)) == {
        (10, ""): "",
        (10, "gender=F"): HIDDEN,
        (10, "gender=M"): HIDDEN,
    }


def test_both_genders_large_enough_are_both_shown():
    assert set(run(gender(10, 10, 21)).values()) == {""}


def test_a_small_category_hides_exactly_the_smallest_shown_category_of_its_dimension():
    rows = [
        mean_row(10, 60),
        mean_row(10, 3, "parents_education=1"),
        mean_row(10, 12, "parents_education=2"),
        mean_row(10, 30, "parents_education=3"),
        mean_row(10, 15, "parents_education=unknown"),
        # Another dimension of the same node is its own partition.
        mean_row(10, 20, "gender=F"),
        mean_row(10, 40, "gender=M"),
    ]
    assert run(rows) == {
        (10, ""): "",
        (10, "parents_education=1"): HIDDEN,
        (10, "parents_education=2"): HIDDEN,
        (10, "parents_education=3"): "",
        (10, "parents_education=unknown"): "",
        (10, "gender=F"): "",
        (10, "gender=M"): "",
    }


def test_two_small_categories_already_protect_each_other():
    rows = [
        mean_row(10, 40),
        mean_row(10, 3, "parents_education=1"),
        mean_row(10, 7, "parents_education=2"),
        mean_row(10, 30, "parents_education=3"),
    ]
    assert run(rows)[(10, "parents_education=3")] == ""


def test_a_near_full_share_counts_as_hidden_so_its_complement_is_hidden():
    rows = [
        share_row(10, 50, 22),
        share_row(10, 20, 2, "gender=F"),  # ~100
        share_row(10, 30, 20, "gender=M"),  # would give the girls' exact share away
    ]
    assert run(rows) == {(10, ""): "", (10, "gender=F"): NEAR_FULL, (10, "gender=M"): HIDDEN}


def test_categories_that_do_not_add_up_to_the_total_are_no_partition():
    rows = [mean_row(10, 40), mean_row(10, 4, "gender=F"), mean_row(10, 30, "gender=M")]
    assert run(rows)[(10, "gender=M")] == ""


def test_a_hidden_total_needs_no_complement_among_its_categories():
    rows = [
        mean_row(10, 9),
        mean_row(10, 4, "gender=F"),
        mean_row(10, 5, "gender=M"),
    ]
    assert set(run(rows).values()) == {HIDDEN}


def test_partitions_are_per_indicator_and_period():
    rows = [
        *gender(10, 4, 21, indicator="a"),
        *gender(10, 14, 21, indicator="b"),
        *gender(10, 14, 21, indicator="a", period=2),
    ]
    result = suppress(values_frame(rows), nodes_frame(TREE))
    hidden = result.filter(pl.col("suppression") != "").select(
        "indicator", "period_id", "breakdown"
    )
    assert sorted(hidden.iter_rows()) == [("a", 1, "gender=F"), ("a", 1, "gender=M")]


# --- Complementary suppression in the hierarchy ---------------------------------------------


def test_one_small_unit_hides_the_next_smallest_unit_of_its_area():
    rows = [mean_row(1, 60), mean_row(2, 60), mean_row(10, 5), mean_row(11, 20), mean_row(12, 35)]
    assert run(rows) == {(1, ""): "", (2, ""): "", (10, ""): HIDDEN, (11, ""): HIDDEN, (12, ""): ""}


def test_children_that_do_not_add_up_to_their_parent_get_no_complementary_suppression():
    # Five pupils of unit 10 are in no group.
    rows = [mean_row(10, 30), mean_row(100, 5), mean_row(101, 20)]
    assert run(rows) == {(10, ""): "", (100, ""): HIDDEN, (101, ""): ""}


def test_groups_that_add_up_to_their_unit_form_a_partition():
    rows = [mean_row(10, 25), mean_row(100, 5), mean_row(101, 20)]
    assert run(rows) == {(10, ""): "", (100, ""): HIDDEN, (101, ""): HIDDEN}


def year_groups_tree(year_of_100=7, year_of_101=7) -> pl.DataFrame:
    """Unit 10 of year groups 7 and 8, with groups 100 and 101 (year groups as given)."""
    return pl.DataFrame(
        {
            "node_id": [10, 100, 101],
            "parent_id": [None, 10, 10],
            "year_group": [None, year_of_100, year_of_101],
        },
        schema={**NODE_SCHEMA, "year_group": pl.Int64},
    )


def test_the_groups_of_a_year_group_form_a_partition_under_the_units_year_group():
    # Year 7 at unit 10: 28 pupils, 19 passing; 7A 20 pupils (14 passing), 7B 8 (5). Without
    # this partition 7B's 5 of 8 is 19 − 14 of 28 − 20; so 7A is hidden too. The unit total
    # (year 7 and 30 pupils of year 8) is no sum of the two groups.
    rows = [
        share_row(10, 58, 20),
        share_row(10, 28, 9, "year_group=7"),
        share_row(10, 30, 11, "year_group=8"),
        share_row(100, 20, 6),
        share_row(101, 8, 3),
    ]
    result = suppress(values_frame(rows), year_groups_tree())
    markers = {
        (r["node_id"], r["breakdown"]): r["suppression"] for r in result.iter_rows(named=True)
    }
    assert markers == {
        (10, ""): "",
        (10, "year_group=7"): "",
        (10, "year_group=8"): "",
        (100, ""): HIDDEN,
        (101, ""): HIDDEN,
    }


def test_groups_of_other_year_groups_are_no_partition_of_a_year_group():
    rows = [
        share_row(10, 28, 9, "year_group=7"),
        share_row(100, 20, 6),
        share_row(101, 8, 3),
    ]
    result = suppress(values_frame(rows), year_groups_tree(year_of_101=8))
    assert result.filter(pl.col("node_id") == 100)["suppression"].to_list() == [""]


def test_a_single_child_equal_to_its_parent_hides_the_parent_once_the_child_is_hidden():
    # Unit 10's four girls hide its boys. Unit 10 has the only boys of area 2, so the
    # area's boys equal them and are hidden too (the area's girls, 4 + 30, are not small).
    tree = {2: None, 10: 2, 11: 2}
    rows = [
        *gender(2, 34, 21),
        *gender(10, 4, 21),
        mean_row(11, 30),
        mean_row(11, 30, "gender=F"),
    ]
    markers = run(rows, tree)
    assert markers[(10, "gender=M")] == HIDDEN
    assert markers[(2, "gender=M")] == HIDDEN
    # The cascade goes on (the area's girls, unit 11, unit 10) until nothing is recomputable;
    # the area's total stays shown.
    assert markers == {key: HIDDEN for key in markers} | {(2, ""): ""}
    result = suppress(values_frame(rows), nodes_frame(tree))
    assert single_hidden_partitions(result, tree) == []


def test_cascades_between_breakdowns_and_the_hierarchy_resolve():
    # Unit 10's three girls hide its boys (its gender partition) and unit 11's girls (the
    # area's girls, where 11 has the fewest shown); unit 11's gender partition then has one
    # hidden cell, as have the boys of the area: both hide unit 11's boys.
    tree = {2: None, 10: 2, 11: 2, 12: 2}
    rows = [
        *gender(2, 3 + 15 + 20, 20 + 12 + 30),
        *gender(10, 3, 20),
        *gender(11, 15, 12),
        *gender(12, 20, 30),
    ]
    markers = run(rows, tree)
    assert markers == {
        (2, ""): "",
        (2, "gender=F"): "",
        (2, "gender=M"): "",
        (10, ""): "",
        (10, "gender=F"): HIDDEN,
        (10, "gender=M"): HIDDEN,
        (11, ""): "",
        (11, "gender=F"): HIDDEN,
        (11, "gender=M"): HIDDEN,
        (12, ""): "",
        (12, "gender=F"): "",
        (12, "gender=M"): "",
    }
    assert single_hidden_partitions(suppress(values_frame(rows), nodes_frame(tree)), tree) == []


def test_a_total_hidden_as_a_complement_cannot_be_recomputed_from_its_categories():
    # Unit 10 (5 pupils) is hidden, so unit 11 is hidden as its complement; but unit 11's
    # girls (12) and boys (13) are shown, so unit 11 = girls + boys, and then
    # unit 10 = area − unit 11 − unit 12.
    tree = {2: None, 10: 2, 11: 2, 12: 2}
    rows = [
        mean_row(2, 60),
        mean_row(10, 5),
        *gender(11, 12, 13),
        mean_row(12, 30),
    ]
    markers = run(rows, tree)
    assert markers[(10, "")] == HIDDEN
    assert HIDDEN in (markers[(11, "")], markers[(11, "gender=F")], markers[(11, "gender=M")])
    assert determined_hidden_cells(suppress(values_frame(rows), nodes_frame(tree)), tree) == []


def test_the_real_value_n_numerator_and_denominator_are_never_changed():
    rows = [
        *gender(2, 3 + 15 + 20, 20 + 12 + 30),
        *gender(10, 3, 20),
        *gender(11, 15, 12),
        *gender(12, 20, 30),
        share_row(12, 40, 2, indicator="passed"),
    ]
    before = values_frame(rows)
    after = suppress(before, nodes_frame(TREE))
    assert after.columns == [*before.columns, "suppression"]
    assert after.drop("suppression").equals(before)
    assert (after["suppression"] != "").sum() > 0


def test_no_values_give_no_rows():
    assert suppress(values_frame([]), nodes_frame(TREE)).height == 0


# --- Linked indicators -----------------------------------------------------------------------


def linked_rows(node, n, grades: dict[str, int], breakdown="") -> list[dict]:
    """The national test in MA at one node: the share of each test grade, and the share A–E
    (which uses ~100), all linked."""
    rows = [
        share_row(node, n, n - count, breakdown, indicator=f"test_grade_{g}", near_full=False)
        for g, count in grades.items()
    ]
    passed = sum(count for g, count in grades.items() if g != "F")
    rows.append(share_row(node, n, n - passed, breakdown, indicator="test_passed"))
    return [r | {"linked": "test_grades_MA"} for r in rows]


def test_a_near_full_test_pass_share_hides_the_shares_of_each_test_grade():
    # 40 tested, 2 with F: A–E is ~100; F's 5 % (and A–E's sum) would give the 2 away.
    rows = linked_rows(10, 40, {"A": 10, "B": 10, "C": 8, "D": 6, "E": 4, "F": 2})
    rows += linked_rows(11, 40, {"A": 10, "B": 10, "C": 8, "D": 6, "E": 0, "F": 6})
    result = suppress(pl.DataFrame(rows, schema=SCHEMA | {"linked": pl.String}), nodes_frame(TREE))
    markers = {
        (r["node_id"], r["indicator"]): r["suppression"] for r in result.iter_rows(named=True)
    }
    assert markers[(10, "test_passed")] == NEAR_FULL
    assert {markers[(10, f"test_grade_{g}")] for g in "ABCDEF"} == {HIDDEN}
    # Another node's test, with 6 F, is shown whole.
    assert {m for (node, _i), m in markers.items() if node == 11} == {""}


def test_one_hidden_member_of_a_linked_set_hides_the_others_in_that_cell_only():
    rows = [
        share_row(10, 12, 3, "gender=F", indicator="same", near_full=False, min_n=13),
        share_row(10, 12, 9, "gender=F", indicator="other", near_full=False),
        share_row(10, 12, 9, "gender=M", indicator="other", near_full=False),
    ]
    rows = [r | {"linked": "vs"} for r in rows]
    result = suppress(pl.DataFrame(rows, schema=SCHEMA | {"linked": pl.String}), nodes_frame(TREE))
    assert result["suppression"].to_list() == [HIDDEN, HIDDEN, ""]


# --- Invariants on random organisations ----------------------------------------------------


def partitions(rows: list[dict]) -> list[tuple[dict, list[dict]]]:
    """Every (total, cells) whose cells' n add up to the total's n: the categories of each
    breakdown dimension under a node's total, and the child nodes under their parent (per
    breakdown category). Written independently of suppression.py."""
    by_key = {(r["indicator"], r["period_id"], r["node_id"], r["breakdown"]): r for r in rows}
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        if r["breakdown"]:
            dimension = r["breakdown"].split("=")[0]
            total = (r["indicator"], r["period_id"], r["node_id"], "")
            groups[("dim", total, dimension)].append(r)
        if r["parent_id"] is not None:
            total = (r["indicator"], r["period_id"], r["parent_id"], r["breakdown"])
            groups[("tree", total)].append(r)
    found = []
    for key, cells in groups.items():
        total = by_key.get(key[1])
        if total is not None and sum(c["n"] for c in cells) == total["n"]:
            found.append((total, cells))
    return found


def _with_parents(result: pl.DataFrame, tree: dict[int, int | None]) -> list[dict]:
    rows = result.to_dicts()
    for r in rows:
        r["parent_id"] = tree.get(r["node_id"])
    return rows


def single_hidden_partitions(result: pl.DataFrame, tree: dict) -> list:
    """Partitions with a shown total and exactly one hidden cell (that cell = total − the
    shown cells)."""
    rows = _with_parents(result, tree)
    return [
        (total["node_id"], total["breakdown"], [c["node_id"] for c in cells])
        for total, cells in partitions(rows)
        if total["suppression"] == "" and sum(c["suppression"] != "" for c in cells) == 1
    ]


def determined_hidden_cells(result: pl.DataFrame, tree: dict) -> list:
    """Hidden rows whose numerator follows from the shown rows by the partitions' sums
    (any linear combination of them): the unknowns' column must lie in the row space of
    the equations' coefficients on the unknowns."""
    rows = _with_parents(result, tree)
    hidden = [r for r in rows if r["suppression"] != ""]
    index = {id(r): i for i, r in enumerate(hidden)}
    equations = []
    for total, cells in partitions(rows):
        coefficients = np.zeros(len(hidden))
        for r, sign in [(total, -1.0)] + [(c, 1.0) for c in cells]:
            if id(r) in index:
                coefficients[index[id(r)]] += sign
        if coefficients.any():
            equations.append(coefficients)
    if not equations:
        return []
    matrix = np.array(equations)
    rank = np.linalg.matrix_rank(matrix)
    determined = []
    for i, r in enumerate(hidden):
        unit = np.zeros(len(hidden))
        unit[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            determined.append((r["indicator"], r["node_id"], r["breakdown"]))
    return determined


@st.composite
def organisations(draw):
    """An organiser (1) → 1–4 areas → 1–5 units, each unit with 0–40 girls and 0–40 boys of
    whom some pass; rows built bottom-up as the engine does (no row for nobody)."""
    is_share = draw(st.booleans())
    tree: dict[int, int | None] = {1: None}
    counts: dict[int, dict[str, tuple[int, int]]] = {}
    next_id = 2
    for _area in range(draw(st.integers(1, 4))):
        area = next_id
        next_id += 1
        tree[area] = 1
        for _unit in range(draw(st.integers(1, 5))):
            unit = next_id
            next_id += 1
            tree[unit] = area
            counts[unit] = {}
            for g in ("F", "M"):
                n = draw(st.integers(0, 40))
                counts[unit][g] = (n, draw(st.integers(0, n)))
    return tree, counts, is_share


def build_rows(tree, counts, is_share) -> list[dict]:
    """Rows for every node (units, areas, the organiser): the total and the genders, sums
    of the units below."""

    def units_under(node):
        children = [c for c, p in tree.items() if p == node]
        if not children:
            return [node]
        return [u for c in children for u in units_under(c)]

    rows = []
    for node in tree:
        units = units_under(node)
        for breakdown, genders in (("", ("F", "M")), ("gender=F", ("F",)), ("gender=M", ("M",))):
            n = sum(counts[u][g][0] for u in units for g in genders)
            passed = sum(counts[u][g][1] for u in units for g in genders)
            if n == 0:
                continue
            if is_share:
                rows.append(share_row(node, n, n - passed, breakdown))
            else:  # grade points: 15 for those who "pass", 5 for the others
                points = 15.0 * passed + 5.0 * (n - passed)
                rows.append(
                    mean_row(node, n, breakdown) | {"numerator": points, "value": points / n}
                )
    return rows


PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(organisations())
def test_no_suppressed_value_is_a_shown_total_minus_shown_cells(organisation):
    tree, counts, is_share = organisation
    rows = build_rows(tree, counts, is_share)
    result = suppress(values_frame(rows), nodes_frame(tree))
    assert single_hidden_partitions(result, tree) == []
    small = result.filter(pl.col("n") < pl.col("min_n"))
    assert (small["suppression"] == HIDDEN).all()
    assert result.drop("suppression").equals(values_frame(rows))


# Unit 3 (5 pupils) is hidden, so unit 4 is hidden as its complement; unit 4's 12 girls and
# 13 boys stay shown, and their sum gives unit 4 and then unit 3 away.
LEAKING = (
    {1: None, 2: 1, 3: 2, 4: 2, 5: 2},
    {
        3: {"F": (2, 1), "M": (3, 1)},
        4: {"F": (12, 6), "M": (13, 6)},
        5: {"F": (15, 8), "M": (15, 8)},
    },
    False,
)


@PROPERTY_SETTINGS
@example(LEAKING)
@given(organisations())
def test_no_suppressed_value_follows_from_the_shown_values(organisation):
    tree, counts, is_share = organisation
    result = suppress(values_frame(build_rows(tree, counts, is_share)), nodes_frame(tree))
    assert determined_hidden_cells(result, tree) == []


# --- The limit per level and academic year, through the engine ------------------------------
#
# Skolverket (Rapportbeskrivning): from 2023/24 fewer than 10 pupils at school-unit level,
# fewer than 5 at municipal, organiser and national level; earlier years 10 at every level.
# Here: units and groups are unit level, areas and the organiser summary level.

AUTUMN_2022, AUTUMN_2024 = dt.date(2022, 8, 15), dt.date(2024, 8, 15)
EVERY_SUBJECT = ["SV", "EN", "MA", "BI", "FY", "KE", "TK", "GE", "HI", "RE", "SH", "BL"]
EVERY_SUBJECT += ["HKK", "IDH", "MU", "SL"]


def grades_organisation(
    units: dict[int, tuple[int, int]], start: dt.date, parent: dict[int, int] | None = None
) -> tuple[Facts, Organisation]:
    """Organiser 1 → area 2 → units (or the parents given), each unit {unit: (pupils, of
    whom failing MA)}: the others get E in all 16 subjects, the failing ones F in MA (not
    passed all subjects, not eligible, not passed MA). All girls, nothing else known."""
    parent = parent or dict.fromkeys(units, 2)
    tree = {1: None, **({2: 1} if 2 in parent.values() else {}), **parent}
    kinds = {1: "organiser", 2: "area"} | dict.fromkeys(units, "unit")
    ancestors = []
    for unit in units:
        node = tree[unit]
        while node is not None:
            ancestors.append((unit, node))
            node = tree[node]
    grades, enrolments, pupil = [], [], 0
    for unit, (n, failing) in units.items():
        for i in range(n):
            pupil += 1
            enrolments.append((pupil, 1, unit, None, False))
            for subject in EVERY_SUBJECT:
                value = "F" if subject == "MA" and i < failing else "E"
                grades.append((pupil, unit, 1, 2, "VT", 9, subject, value, "final"))
    org = Organisation(
        nodes=pl.DataFrame(
            {
                "node_id": list(tree),
                "parent_id": list(tree.values()),
                "kind": [kinds[k] for k in tree],
            },
            schema={"node_id": pl.Int64, "parent_id": pl.Int64, "kind": pl.String},
        ),
        unit_ancestors=pl.DataFrame(ancestors, schema=["unit_id", "ancestor_id"], orient="row"),
        enrolments=pl.DataFrame(
            enrolments,
            schema={
                "pupil_id": pl.Int64,
                "academic_year_id": pl.Int64,
                "unit_id": pl.Int64,
                "group_id": pl.Int64,
                "sva": pl.Boolean,
            },
            orient="row",
        ),
        pupils=pl.DataFrame(
            {
                "pupil_id": list(range(1, pupil + 1)),
                "gender": ["F"] * pupil,
                "arrival_date": [None] * pupil,
                "parents_education": [None] * pupil,
            },
            schema={
                "pupil_id": pl.Int64,
                "gender": pl.String,
                "arrival_date": pl.Date,
                "parents_education": pl.Int64,
            },
        ),
        years=years_frame({1: start}),
    )
    for column in ("born_abroad", "parents_born_abroad", "coordination_number"):
        org.pupils = org.pupils.with_columns(pl.lit(None, dtype=pl.Boolean).alias(column))
    facts = Facts(
        grades=pl.DataFrame(
            grades,
            schema=[
                "pupil_id",
                "unit_id",
                "academic_year_id",
                "term_id",
                "term_kind",
                "year_group",
                "subject",
                "value",
                "grade_type",
            ],
            orient="row",
        )
    )
    return facts, org


def markers_of(units, start, indicator, parent=None) -> dict[int, tuple[float, int, str]]:
    """{node: (value, n, marker)} of the totals of `indicator`."""
    facts, org = grades_organisation(units, start, parent)
    values = compute(facts, org, families=(Family.FINAL_GRADES,))
    rows = values.filter((pl.col("indicator") == indicator) & (pl.col("breakdown") == ""))
    return {
        r["node_id"]: (r["value"], r["n"], r["suppression"]) for r in rows.iter_rows(named=True)
    }


def test_from_2023_24_a_unit_of_six_is_hidden_but_its_area_and_organiser_of_eight_are_shown():
    # Unit 10: 6 pupils, unit 11: 2, all with E in 16 subjects (merit value 160).
    markers = markers_of({10: (6, 0), 11: (2, 0)}, AUTUMN_2024, "merit_value_17")
    assert markers == {
        10: (160.0, 6, HIDDEN),  # fewer than 10 at unit level
        11: (160.0, 2, HIDDEN),
        2: (160.0, 8, ""),  # 8 ≥ 5 at area level; the two hidden units protect each other
        1: (160.0, 8, ""),
    }


def test_before_2023_24_the_same_area_and_organiser_of_eight_are_hidden():
    markers = markers_of({10: (6, 0), 11: (2, 0)}, AUTUMN_2022, "merit_value_17")
    assert {node: marker for node, (_v, _n, marker) in markers.items()} == dict.fromkeys(
        (1, 2, 10, 11), HIDDEN
    )


def test_an_organiser_whose_only_unit_is_hidden_is_hidden_too():
    # The organiser's 7 pupils would pass its limit of 5, but its figure is the unit's.
    markers = markers_of({10: (7, 0)}, AUTUMN_2024, "merit_value_17", parent={10: 1})
    assert markers == {10: (160.0, 7, HIDDEN), 1: (160.0, 7, HIDDEN)}


def test_a_unit_of_ten_is_shown_in_both_regimes():
    for start in (AUTUMN_2022, AUTUMN_2024):
        markers = markers_of({10: (10, 0), 11: (12, 0)}, start, "merit_value_17")
        assert {marker for _v, _n, marker in markers.values()} == {""}


def test_year_9_all_subjects_with_two_pupils_missing_is_a_number_eligibility_is_near_full():
    # Unit 10: 12 pupils, 2 with F in MA; unit 11: 20 pupils, 5 with F in MA.
    units = {10: (12, 2), 11: (20, 5)}
    for start in (AUTUMN_2022, AUTUMN_2024):
        passed_all = markers_of(units, start, "passed_all_subjects")
        assert passed_all[10] == (pytest.approx(100 * 10 / 12), 12, "")  # 83.3, a number
        assert passed_all[11] == (pytest.approx(75.0), 20, "")
        assert passed_all[1] == (pytest.approx(100 * 25 / 32), 32, "")  # 78.1
        passed_ma = markers_of(units, start, "passed_MA")
        assert passed_ma[10] == (pytest.approx(100 * 10 / 12), 12, "")
        eligible = markers_of(units, start, "eligible_vocational")
        assert eligible[10] == (pytest.approx(100 * 10 / 12), 12, NEAR_FULL)
        # Unit 11's 15 of 20 and the area's 25 of 32 would give unit 10's 10 of 12 away:
        # unit 11 is hidden as the complement of unit 10's ~100.
        assert eligible[11] == (pytest.approx(75.0), 20, HIDDEN)
        assert eligible[2] == eligible[1] == (pytest.approx(100 * 25 / 32), 32, "")


def test_a_near_full_total_already_protects_a_near_full_unit():
    # Unit 10: 2 of 12 miss eligibility (~100); unit 11: all 20 eligible; the area: 2 of 32
    # miss it (~100 too). Unit 11's exact 100 tells no more than the two ~100 do.
    eligible = markers_of({10: (12, 2), 11: (20, 0)}, AUTUMN_2024, "eligible_vocational")
    assert eligible[10][2] == eligible[2][2] == eligible[1][2] == NEAR_FULL
    assert eligible[11] == (100.0, 20, "")


def test_with_min_n_resolves_the_rule_per_level_and_year():
    nodes = pl.DataFrame(
        {
            "node_id": [1, 2, 10, 100, 7],
            "parent_id": [None, 1, 2, 10, None],
            "kind": ["organiser", "area", "unit", "group", None],
        },
        schema={"node_id": pl.Int64, "parent_id": pl.Int64, "kind": pl.String},
    )
    org = Organisation(
        nodes, pl.DataFrame(), pl.DataFrame(), pl.DataFrame(),
        years_frame({22: AUTUMN_2022, 24: AUTUMN_2024}),
    )  # fmt: skip
    values = pl.DataFrame(
        [
            (key, node, year)
            for key in ("merit_value_17", "certified_teachers_share")
            for node in (1, 2, 10, 100, 7)
            for year in (22, 24, 99)
        ],
        schema={"indicator": pl.String, "node_id": pl.Int64, "academic_year_id": pl.Int64},
        orient="row",
    )
    got = {
        (r["indicator"], r["node_id"], r["academic_year_id"]): r["min_n"]
        for r in with_min_n(values, org).iter_rows(named=True)
    }
    for (key, node, year), min_n in got.items():
        if key == "certified_teachers_share":  # staff facts: never suppressed
            assert min_n == 0
        elif node in (1, 2) and year == 24:
            assert min_n == 5, (node, year)
        else:  # units, groups, unknown kinds; every level before 2023/24 or in a year unknown
            assert min_n == 10, (node, year)


# --- Invariants across levels and both regimes ---------------------------------------------

RULE_INDICATORS = ("merit_value_17", "passed_all_subjects", "eligible_vocational")


def expected_min_n(kind: str, start: dt.date) -> int:
    """Skolverket's footnote, written out independently of the registry."""
    if kind in ("organiser", "area") and start >= dt.date(2023, 7, 1):
        return 5
    return 10


@st.composite
def regimes(draw):
    """A random organisation (as organisations()), one of the three indicators (a mean, a
    share shown as a number, a share shown as ~100) and an academic year before or from
    2023/24."""
    tree, counts, _is_share = draw(organisations())
    return (
        tree,
        counts,
        draw(st.sampled_from(RULE_INDICATORS)),
        draw(st.sampled_from((AUTUMN_2022, AUTUMN_2024))),
    )


def suppressed_by_rule(tree, counts, indicator, start) -> pl.DataFrame:
    """build_rows' rows for `indicator`, their min_n resolved by the engine (with_min_n) and
    suppressed."""
    is_share = REGISTRY[indicator].aggregation == "share"
    rows = [
        r | {"indicator": indicator, "near_full": REGISTRY[indicator].shows_near_full}
        for r in build_rows(tree, counts, is_share)
    ]
    kinds = {node: kind_of(tree, node) for node in tree}
    org = Organisation(
        pl.DataFrame(
            {"node_id": list(tree), "kind": [kinds[n] for n in tree]},
            schema={"node_id": pl.Int64, "kind": pl.String},
        ),
        pl.DataFrame(), pl.DataFrame(), pl.DataFrame(), years_frame({1: start}),
    )  # fmt: skip
    values = values_frame(rows).drop("min_n").with_columns(academic_year_id=pl.lit(1))
    resolved = with_min_n(values, org).drop("academic_year_id")
    return suppress(resolved.select(SCHEMA.keys()), nodes_frame(tree))


def kind_of(tree, node) -> str:
    if tree[node] is None:
        return "organiser"
    return "area" if any(p == node for p in tree.values()) else "unit"


@PROPERTY_SETTINGS
@given(regimes())
def test_every_level_and_year_follows_its_limit_and_nothing_hidden_can_be_recomputed(case):
    tree, counts, indicator, start = case
    result = suppressed_by_rule(tree, counts, indicator, start)
    for row in result.iter_rows(named=True):
        limit = expected_min_n(kind_of(tree, row["node_id"]), start)
        assert row["min_n"] == limit
        if row["n"] < limit:
            assert row["suppression"] == HIDDEN
    near_full = result.filter(pl.col("suppression") == NEAR_FULL)
    if not REGISTRY[indicator].shows_near_full:
        assert near_full.is_empty()
    missing = near_full["denominator"] - near_full["numerator"]
    assert ((missing >= 1) & (missing <= 4)).all()
    assert determined_hidden_cells(result, tree) == []
    assert single_hidden_partitions(result, tree) == []


@PROPERTY_SETTINGS
@given(organisations())
def test_from_2023_24_no_summary_figure_is_hidden_that_was_shown_before(organisation):
    # The lower summary limit shows more, never less, at area and organiser level before
    # complementary suppression: what is hidden in 2024/25 only is hidden as a complement.
    tree, counts, _ = organisation
    before = suppressed_by_rule(tree, counts, "merit_value_17", AUTUMN_2022)
    after = suppressed_by_rule(tree, counts, "merit_value_17", AUTUMN_2024)
    primary_after = after.select(primary(after))[:, 0].to_list()
    pairs = zip(before.iter_rows(named=True), after.iter_rows(named=True), strict=True)
    rows = [(b, a, p) for (b, a), p in zip(pairs, primary_after, strict=True)]
    for b, a, p in rows:
        assert (b["node_id"], b["breakdown"]) == (a["node_id"], a["breakdown"])
        if b["suppression"] == "":
            assert p == ""


# -- The same data give the same markers, whatever order the values come in -------------------


def test_a_tie_between_complements_goes_the_same_way_whatever_the_order_of_the_rows():
    """Area 2 (n 63) over units 10 (5 pupils: hidden), 11 and 12 (29 each): one of 11 and 12
    must be hidden too. Which one may not depend on the order the engine's group-by happened
    to give the rows: two computations choosing differently would, together, show both and
    so the hidden unit's figure (63 · 12.5 − 29 · 12.5 − 29 · 12.5 = 5 · 12.5)."""
    rows = [mean_row(2, 63), mean_row(10, 5), mean_row(11, 29), mean_row(12, 29)]
    forward, backward = run(rows), run(rows[::-1])
    assert forward == backward
    assert forward[(10, "")] == HIDDEN
    assert [forward[(11, "")], forward[(12, "")]].count(HIDDEN) == 1
    assert forward[(11, "")] == HIDDEN  # the first in node order


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(
    ns=st.lists(st.integers(min_value=1, max_value=40), min_size=3, max_size=3),
    order=st.permutations(range(4)),
)
def test_markers_do_not_depend_on_the_order_of_the_rows(ns, order):
    rows = [
        mean_row(2, sum(ns)),
        *(mean_row(node, n) for node, n in zip((10, 11, 12), ns, strict=True)),
    ]
    assert run([rows[i] for i in order]) == run(rows)


# --- Several organisers in one computation ---------------------------------------------------


def _shifted(tree, counts, offset: int):
    """The organisation with every node id moved up by `offset` (another organiser's tree)."""
    moved_tree = {node + offset: (None if p is None else p + offset) for node, p in tree.items()}
    moved_counts = {unit + offset: genders for unit, genders in counts.items()}
    return moved_tree, moved_counts


def nodes_with_kinds(tree: dict[int, int | None]) -> pl.DataFrame:
    """The nodes with their kind by depth (organiser, area, unit), as the engine gives them:
    the complements are settled from the highest level down."""

    def depth(node: int) -> int:
        parent = tree[node]
        return 0 if parent is None else 1 + depth(parent)

    kinds = ("organiser", "area", "unit", "group")
    return pl.DataFrame(
        {
            "node_id": list(tree),
            "parent_id": list(tree.values()),
            "kind": [kinds[depth(node)] for node in tree],
        },
        schema={**NODE_SCHEMA, "kind": pl.String},
    )


def markers(result: pl.DataFrame) -> dict[tuple, str]:
    return {(r["node_id"], r["breakdown"]): r["suppression"] for r in result.iter_rows(named=True)}


@PROPERTY_SETTINGS
@given(organisations(), organisations())
def test_each_organiser_is_suppressed_as_if_it_were_alone(first, second):
    """Two organisers computed together get exactly the markers each gets alone: how far one
    organiser's complements reach never changes the order in which another's are chosen."""
    tree_a, counts_a, is_share = first
    tree_b, counts_b = _shifted(second[0], second[1], 1000)
    rows_a = build_rows(tree_a, counts_a, is_share)
    rows_b = build_rows(tree_b, counts_b, is_share)
    alone_a = markers(suppress(values_frame(rows_a), nodes_with_kinds(tree_a)))
    alone_b = markers(suppress(values_frame(rows_b), nodes_with_kinds(tree_b)))
    together = markers(
        suppress(values_frame(rows_a + rows_b), nodes_with_kinds({**tree_a, **tree_b}))
    )
    assert together == {**alone_a, **alone_b}


@st.composite
def families(draw):
    """One organisation's rows as several families: the linked shares "a" and "b" of the
    same pupils (each pupil passes one or the other's measure at random) and the share "c",
    each in two periods."""
    tree, counts, _is_share = draw(organisations())
    rows = []
    for period in (1, 2):
        for indicator, linked in (("a", "L"), ("b", "L"), ("c", "")):
            drawn = {
                unit: {g: (n, draw(st.integers(0, n))) for g, (n, _passed) in genders.items()}
                for unit, genders in counts.items()
            }
            rows += [
                row | {"indicator": indicator, "period_id": period, "linked": linked}
                for row in build_rows(tree, drawn, True)
            ]
    return tree, rows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(families())
def test_rounds_after_the_first_looking_only_at_changed_families_give_the_same_markers(
    drawn,
):
    """Each round after the first looks only at the families (an indicator's period, or a
    linked set's) whose markers the last round changed: the markers are those of rounds
    over every family each time."""
    tree, rows = drawn
    frame = values_frame(rows).with_columns(linked=pl.Series([r["linked"] for r in rows]))
    narrowed = suppress(frame, nodes_frame(tree))
    with patch("skolkvalitet.indicators.suppression._families_of", lambda work, _rids: work):
        every_family = suppress(frame, nodes_frame(tree))
    assert narrowed.equals(every_family)
