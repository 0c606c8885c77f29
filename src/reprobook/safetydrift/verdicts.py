"""Scorecard verdicts computed from measured values.

A claim is *reproduced* when the measured value lies within a stated tolerance of the
paper's, *same direction* when it misses the tolerance but agrees on the comparison the
claim makes (for example, the monitor beats a baseline), and *not reproduced*
otherwise. Every reason names the traces as synthetic, because the paper's traces
cannot be used here.
"""

from __future__ import annotations

import math

from reprobook.claims import NOT_REPRODUCED, REPRODUCED, SAME_DIRECTION
from reprobook.params import check_bool, check_float

SYNTHETIC_NOTE = "Synthetic traces from this chapter's scenario generator, not the authors' traces"


def grade(measured: float, paper: float, *, tolerance: float, same_direction: bool) -> str:
    """Return the verdict for one numeric claim.

    Args:
        measured: the value this run measured (NaN counts as not reproduced).
        paper: the value the paper reports, in the same unit.
        tolerance: the largest absolute difference that still counts as reproduced.
        same_direction: whether the measured values agree with the claim's comparison.

    Returns:
        ``"reproduced"``, ``"same direction"`` or ``"not reproduced"``.
    """
    tolerance = check_float("tolerance", tolerance, low=0.0)
    same_direction = check_bool("same_direction", same_direction)
    if math.isnan(measured):
        return NOT_REPRODUCED
    if abs(measured - paper) <= tolerance:
        return REPRODUCED
    return SAME_DIRECTION if same_direction else NOT_REPRODUCED


def synthetic_reason(detail: str) -> str:
    """Return a scorecard reason that starts by saying the traces are synthetic."""
    return f"{SYNTHETIC_NOTE}; {detail}"


def grade_bound(measured: float, bound: float, *, below: bool, same_direction: bool) -> str:
    """Return the verdict for a claim that a value stays below (or above) a bound.

    Args:
        measured: the value this run measured (NaN counts as not reproduced).
        bound: the paper's bound.
        below: True for "stays below ``bound``", False for "reaches at least ``bound``".
        same_direction: whether the measured values agree with the claim's comparison.

    Returns:
        ``"reproduced"`` when the bound holds, else ``"same direction"`` or ``"not reproduced"``.
    """
    below = check_bool("below", below)
    same_direction = check_bool("same_direction", same_direction)
    if math.isnan(measured):
        return NOT_REPRODUCED
    if (measured < bound) if below else (measured >= bound):
        return REPRODUCED
    return SAME_DIRECTION if same_direction else NOT_REPRODUCED
