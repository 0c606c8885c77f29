"""Verdicts for the chapter's scorecard, computed from values measured in a run.

A notebook must not hard-code a verdict that a run in another profile could contradict,
so each claim's verdict comes from one of these comparisons.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reprobook.claims import NOT_REPRODUCED, REPRODUCED, SAME_DIRECTION
from reprobook.params import check_float


def verdict_close(measured: float, paper: float, rel_tol: float = 0.005) -> str:
    """Return "reproduced" when ``measured`` is within ``rel_tol`` of ``paper``, else "not reproduced".

    Args:
        measured: the value this run computed.
        paper: the value the paper reports.
        rel_tol: accepted relative difference (>= 0), for example 0.005 for the rounding
            of a value reported to three significant digits.
    """
    rel_tol = check_float("rel_tol", rel_tol, low=0.0)
    if math.isnan(measured):
        return NOT_REPRODUCED
    return REPRODUCED if math.isclose(measured, paper, rel_tol=rel_tol, abs_tol=1e-12) else NOT_REPRODUCED


def verdict_holds(holds: bool, verdict_if_true: str = REPRODUCED) -> str:
    """Return ``verdict_if_true`` when the measured condition holds, else "not reproduced"."""
    return verdict_if_true if holds else NOT_REPRODUCED


def picks_differ(picks: dict[str, str], reference: str) -> list[str]:
    """List the metrics whose preferred estimator differs from ``reference``'s pick.

    A pick may name several tied estimators joined by ``"="``; two picks differ only when
    they share no estimator.

    Args:
        picks: metric name -> name(s) of the estimator(s) that metric prefers.
        reference: the metric to compare against, a key of ``picks``.

    Returns:
        The other metric names, in the order of ``picks``, whose pick differs.
    """
    if reference not in picks:
        raise ValueError(f"reference must be one of {sorted(picks)}; got {reference!r}")
    chosen = set(picks[reference].split("="))
    return [name for name, pick in picks.items() if name != reference and not chosen & set(pick.split("="))]


def verdict_disagreement(picks: dict[str, str], reference: str) -> str:
    """Return "same direction" when another metric prefers a different estimator, else "not reproduced".

    "Same direction" rather than "reproduced" because the chapter's benchmark runs on
    synthetic tasks, not the paper's.
    """
    return verdict_holds(bool(picks_differ(picks, reference)), SAME_DIRECTION)


def verdict_budget_dependence(best_by_budget: Sequence[str]) -> str:
    """Return "same direction" when no estimator is best at every budget k, else "not reproduced".

    An entry may name several tied estimators joined by ``"="``; an estimator tied for best
    at every budget counts as best at every budget.
    """
    if not best_by_budget:
        raise ValueError("best_by_budget must name the best estimator for at least one budget; got none")
    always_best = set.intersection(*(set(entry.split("=")) for entry in best_by_budget))
    return verdict_holds(not always_best, SAME_DIRECTION)
