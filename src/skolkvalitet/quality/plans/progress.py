"""How far an indicator goal has come: the share of the way from its baseline (the value when
the goal was set) to its target that the latest value has covered. Pure: plain numbers in,
a number out; quality/plans/selectors.py feeds it the materialised values.

The indicator's direction (registry `higher_is_better`) decides what reaching the target
means: where higher is better, a latest value at or above the target is 100 %; where lower is
better, at or below. A goal set where the baseline already met the target (a goal to hold a
level) counts 100 % while the target is held and 0 % once it is lost. Without a direction
(`None`), the way runs from the baseline toward the target, whichever side it lies on. The
share is clamped to 0–100; there is none without a baseline, a latest value or a target, or
when the baseline equals the target (no way to cover)."""

from __future__ import annotations

import math


def _known(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def progress_share(
    *,
    baseline: float | None,
    latest: float | None,
    target: float | None,
    higher_is_better: bool | None,
) -> float | None:
    """The share (0–100) of the way from `baseline` to `target` that `latest` has covered, or
    None when it cannot be said."""
    if not (_known(baseline) and _known(latest) and _known(target)):
        return None
    assert baseline is not None and latest is not None and target is not None
    if baseline == target:
        return None
    if higher_is_better is not None:
        # Lower is better: mirror the numbers, and higher is better.
        sign = 1.0 if higher_is_better else -1.0
        base, last, goal = sign * baseline, sign * latest, sign * target
        if last >= goal:
            return 100.0
        if base > goal:  # the goal held a level already met, and it is lost
            return 0.0
    else:
        base, last, goal = baseline, latest, target
    share = (last - base) / (goal - base) * 100.0
    return min(100.0, max(0.0, share))
