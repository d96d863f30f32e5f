"""The progress of an indicator goal, computed by hand (quality/plans/progress.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.quality.plans.progress import progress_share


@pytest.mark.parametrize(
    ("baseline", "latest", "target", "higher_is_better", "expected"),
    [
        # Merit value 200 → 220; now 205: 5 of 20 points, 25 %.
        (200.0, 205.0, 220.0, True, 25.0),
        (200.0, 215.0, 220.0, True, 75.0),
        (200.0, 220.0, 220.0, True, 100.0),
        (200.0, 231.0, 220.0, True, 100.0),  # beyond the target: clamped
        (200.0, 190.0, 220.0, True, 0.0),  # worse than the baseline: clamped
        (200.0, 200.0, 220.0, True, 0.0),
        # Absence (lower is better) 20 % → 12 %; now 18 %: 2 of 8 points, 25 %.
        (20.0, 18.0, 12.0, False, 25.0),
        (20.0, 14.0, 12.0, False, 75.0),
        (20.0, 11.0, 12.0, False, 100.0),
        (20.0, 23.0, 12.0, False, 0.0),
        # Holding a level already met: 90 % passed, target 85 %.
        (90.0, 88.0, 85.0, True, 100.0),
        (90.0, 84.0, 85.0, True, 0.0),
        # Without a direction, the way runs from the baseline toward the target.
        (40.0, 35.0, 30.0, None, 50.0),
        (40.0, 45.0, 50.0, None, 50.0),
        (40.0, 45.0, 30.0, None, 0.0),
    ],
)
def test_hand_computed_shares(baseline, latest, target, higher_is_better, expected) -> None:
    share = progress_share(
        baseline=baseline, latest=latest, target=target, higher_is_better=higher_is_better
    )
    assert share == pytest.approx(expected)


@pytest.mark.parametrize(
    ("baseline", "latest", "target"),
    [
        (None, 10.0, 20.0),
        (10.0, None, 20.0),
        (10.0, 15.0, None),
        (20.0, 25.0, 20.0),  # baseline = target: no way to cover
        (float("nan"), 15.0, 20.0),
    ],
)
def test_no_share_without_all_three_numbers_or_a_way(baseline, latest, target) -> None:
    assert (
        progress_share(baseline=baseline, latest=latest, target=target, higher_is_better=True)
        is None
    )


numbers = st.floats(min_value=0, max_value=400, allow_nan=False)


@given(
    baseline=numbers,
    target=numbers,
    a=numbers,
    b=numbers,
    higher_is_better=st.sampled_from([True, False, None]),
)
def test_progress_is_monotone_in_the_latest_value(baseline, target, a, b, higher_is_better):
    """A latest value further in the goal's direction never shows less progress; every share
    lies within 0–100."""
    if baseline == target:
        return
    low, high = sorted((a, b))
    share_low = progress_share(
        baseline=baseline, latest=low, target=target, higher_is_better=higher_is_better
    )
    share_high = progress_share(
        baseline=baseline, latest=high, target=target, higher_is_better=higher_is_better
    )
    assert share_low is not None and share_high is not None
    assert 0 <= share_low <= 100 and 0 <= share_high <= 100
    upward = higher_is_better if higher_is_better is not None else target > baseline
    if upward:
        assert share_low <= share_high
    else:
        assert share_low >= share_high
