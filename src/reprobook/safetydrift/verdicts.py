"""Scorecard verdicts computed from measured values, with the reason that decided them.

"The paper" is *SafetyDrift: Predicting When AI Agents Cross the Line Before They
Actually Do*.

A claim is *reproduced* when the measured value lies within a stated tolerance of the
paper's (or keeps the paper's bound) **and** the comparison the claim makes holds, for
example "the monitor detects more than keyword matching". It is *same direction* when
the comparison holds but the value misses the tolerance, and *not reproduced* when the
comparison fails or, for a claim without a comparison, when the value misses.

On synthetic traces "reproduced" is capped at "same direction". This chapter's
scenarios are hand-written by us and its violation labels come from the same rule
table as the state model, so a value that matches the paper's is set by our own
design choices; it is not independent evidence for the paper's number.

:func:`grade` and :func:`grade_bound` return a :class:`Grade`, whose reason is built
from the branch that decided the verdict, so the two never contradict each other.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from reprobook.claims import NOT_REPRODUCED, REPRODUCED, SAME_DIRECTION
from reprobook.params import check_bool, check_float

SYNTHETIC_NOTE = "Synthetic traces from this chapter's scenario generator, not the authors' traces"
SYNTHETIC_CAP = (
    "capped at same direction: the scenarios are hand-written by us and the violation "
    "labels use the same rule table as the state model, so agreement with the paper's "
    "number is not independent evidence"
)


class Grade(NamedTuple):
    """A verdict and the reason for it, ready for ``Scorecard.add(**grade._asdict())``."""

    verdict: str
    reason: str


def synthetic_reason(detail: str) -> str:
    """Return a scorecard reason that starts by saying the traces are synthetic."""
    return f"{SYNTHETIC_NOTE}; {detail}"


def _comparison_text(same_direction: bool | None, comparison: str) -> str:
    if same_direction is None:
        return ""
    if same_direction:
        return f"; the comparison holds ({comparison})"
    return f"; but the comparison fails (it needs: {comparison})"


def _decide(
    hit: bool,
    same_direction: bool | None,
    synthetic: bool,
    hit_text: str,
    miss_text: str,
    comparison: str,
    note: str,
) -> Grade:
    """Turn "the value matches" and "the comparison holds" into a verdict and its reason."""
    compared = _comparison_text(same_direction, comparison)
    if same_direction is False:
        verdict, reason = NOT_REPRODUCED, (hit_text if hit else miss_text) + compared
    elif hit and synthetic:
        verdict, reason = SAME_DIRECTION, f"{hit_text}{compared}; {SYNTHETIC_CAP}"
    elif hit:
        verdict, reason = REPRODUCED, hit_text + compared
    elif same_direction:
        verdict, reason = SAME_DIRECTION, miss_text + compared
    else:
        verdict, reason = NOT_REPRODUCED, miss_text
    if note:
        reason = f"{reason}; {note}"
    return Grade(verdict, synthetic_reason(reason) if synthetic else reason)


def _check_comparison(same_direction: bool | None, comparison: str) -> bool | None:
    if same_direction is None:
        return None
    same_direction = check_bool("same_direction", same_direction)
    if not comparison:
        raise ValueError(
            "comparison must describe the claim's comparison when same_direction is given; got ''"
        )
    return same_direction


def grade(
    measured: float,
    paper: float,
    *,
    tolerance: float,
    same_direction: bool | None = None,
    comparison: str = "",
    synthetic: bool = False,
    scale: float = 1.0,
    unit: str = "",
    note: str = "",
) -> Grade:
    """Return the verdict and reason for one numeric claim.

    Args:
        measured: the value this run measured (NaN counts as not reproduced).
        paper: the value the paper reports, in the same unit.
        tolerance: the largest absolute difference that still counts as a match.
        same_direction: whether the comparison the claim makes holds in this run;
            ``None`` for a claim that makes no comparison.
        comparison: that comparison in words, e.g. "the monitor detects more than
            keyword matching" (needed when ``same_direction`` is given).
        synthetic: whether the value was measured on generated traces; caps
            "reproduced" at "same direction".
        scale: factor applied to differences in the reason (100 turns rates into points).
        unit: unit of the scaled differences in the reason, e.g. " points".
        note: a row-specific remark appended to the reason.

    Returns:
        The :class:`Grade`.

    Raises:
        ValueError: on a negative tolerance, or a comparison flag without its text.
    """
    tolerance = check_float("tolerance", tolerance, low=0.0)
    same_direction = _check_comparison(same_direction, comparison)
    synthetic = check_bool("synthetic", synthetic)
    if math.isnan(measured):
        return _decide(False, None, synthetic, "", "nothing was measured (NaN)", "", note)

    difference = abs(measured - paper) * scale
    limit = tolerance * scale
    hit_text = (
        f"{difference:.3g}{unit} from the paper's value, within the tolerance of {limit:.3g}{unit}"
    )
    miss_text = (
        f"{difference:.3g}{unit} from the paper's value, beyond the tolerance of {limit:.3g}{unit}"
    )
    hit = abs(measured - paper) <= tolerance
    return _decide(hit, same_direction, synthetic, hit_text, miss_text, comparison, note)


def grade_bound(
    measured: float,
    bound: float,
    *,
    below: bool,
    same_direction: bool | None = None,
    comparison: str = "",
    synthetic: bool = False,
    scale: float = 1.0,
    unit: str = "",
    note: str = "",
) -> Grade:
    """Return the verdict and reason for a claim that a value stays below (or reaches) a bound.

    Args:
        measured: the value this run measured (NaN counts as not reproduced).
        bound: the paper's bound.
        below: True for "stays below ``bound``", False for "reaches at least ``bound``".
        same_direction: whether the comparison the claim makes holds; ``None`` for none.
        comparison: that comparison in words (needed when ``same_direction`` is given).
        synthetic: whether the value was measured on generated traces; caps
            "reproduced" at "same direction".
        scale: factor applied to values in the reason (100 turns shares into percent).
        unit: unit of the scaled values in the reason, e.g. "%".
        note: a row-specific remark appended to the reason.

    Returns:
        The :class:`Grade`.
    """
    below = check_bool("below", below)
    same_direction = _check_comparison(same_direction, comparison)
    synthetic = check_bool("synthetic", synthetic)
    if math.isnan(measured):
        return _decide(False, None, synthetic, "", "nothing was measured (NaN)", "", note)

    relation = "below" if below else "at least"
    value, limit = f"{measured * scale:.3g}{unit}", f"{bound * scale:.3g}{unit}"
    hit_text = f"{value} keeps the bound ({relation} {limit})"
    miss_text = f"{value} breaks the bound ({relation} {limit})"
    hit = (measured < bound) if below else (measured >= bound)
    return _decide(hit, same_direction, synthetic, hit_text, miss_text, comparison, note)
