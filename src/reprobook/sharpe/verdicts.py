"""Verdicts for the chapter's scorecard, computed from values measured in a run.

A notebook must not hard-code a verdict that a run in another profile could contradict,
so each claim's verdict comes from one of these comparisons. "The paper" is *Towards
Assessing and Benchmarking Risk-Return Tradeoff of Off-Policy Evaluation* (ICLR 2024).

A claimed *association* between two scores of a few estimators (for example "estimators
that overestimate poor policies less score a higher SharpeRatio@k") is judged by a
one-sided permutation test of Spearman's rank correlation, never by its sign alone. With
four to six estimators a correlation of -0.1 or +0.2 is noise, and its sign flips
between runs. :func:`verdict_rank_association` gives a verdict only when the test
decides at a stated level, and "not testable here" otherwise.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from reprobook.claims import NOT_REPRODUCED, NOT_TESTABLE, REPRODUCED, SAME_DIRECTION, VERDICTS
from reprobook.params import check_choice, check_float, check_int
from reprobook.sharpe.benchmark import rank_association

EXACT_PERMUTATION_LIMIT = 8
"""Largest number of estimators whose permutation test enumerates every ordering (8! = 40,320)."""


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


def verdict_with_input_check(verdict: str, inputs_match: bool, check_values: str) -> tuple[str, str]:
    """Keep ``verdict`` only when the reconstructed inputs reproduce the paper's own numbers.

    A toy example whose inputs are read off the paper's figures tests a claim only if the
    transcription is right; a mismatch (for example in the MSE the paper prints) makes
    the claim "not testable here".

    Args:
        verdict: the verdict of the claim itself, one of :data:`reprobook.claims.VERDICTS`.
        inputs_match: whether the inputs reproduce the paper's check values.
        check_values: the paper's numbers that the inputs must reproduce, in a few words,
            for the reason (for example "the MSE of 11.3 of both estimators").

    Returns:
        ``(verdict, note)``: the verdict to record and a note for the reason column.
    """
    verdict = check_choice("verdict", verdict, VERDICTS)
    if inputs_match:
        return verdict, f"the reconstructed inputs reproduce {check_values}"
    return NOT_TESTABLE, f"the reconstructed inputs do not reproduce {check_values}, so the transcription is in doubt"


@dataclass(frozen=True)
class AssociationVerdict:
    """The verdict on a claimed rank association between two scores of the same estimators.

    Attributes:
        verdict: one of :data:`reprobook.claims.VERDICTS`.
        reason: why, with the numbers behind it, for the scorecard's reason column.
        rho: Spearman's rank correlation (mid-ranks for ties); NaN when a score is constant.
        p_value: one-sided permutation p-value in the expected direction; NaN when not computed.
        n_estimators: number of estimators compared.
    """

    verdict: str
    reason: str
    rho: float
    p_value: float
    n_estimators: int


def permutation_p_values(
    first: np.ndarray, second: np.ndarray, n_permutations: int = 20_000, seed: int = 0
) -> tuple[float, float]:
    """Return one-sided permutation p-values of Spearman's rank correlation.

    The statistic is the sum of products of centred mid-ranks, so tied values keep their
    shared rank in every permutation and the test stays valid with ties. With at most
    :data:`EXACT_PERMUTATION_LIMIT` entries every ordering of ``second`` is enumerated
    and the p-values are exact; above that, ``n_permutations`` seeded random orderings
    give ``(1 + count) / (1 + n_permutations)``.

    Args:
        first, second: scores of the same estimators, shape ``(n,)`` with ``n >= 2``.
        n_permutations: random orderings when ``n`` exceeds the exact limit (>= 1).
        seed: seed of those random orderings (>= 0).

    Returns:
        ``(p_negative, p_positive)``: the share of orderings whose correlation is at most
        (at least) the observed one.
    """
    first_ranks = rankdata(first) - (len(first) + 1) / 2.0
    second_ranks = rankdata(second) - (len(second) + 1) / 2.0
    observed = float(first_ranks @ second_ranks)
    tolerance = 1e-9 * max(float(np.abs(first_ranks) @ np.abs(second_ranks)), 1.0)

    if len(first) <= EXACT_PERMUTATION_LIMIT:
        orderings = np.array(list(itertools.permutations(range(len(second)))))
        statistics = second_ranks[orderings] @ first_ranks
        return float(np.mean(statistics <= observed + tolerance)), float(np.mean(statistics >= observed - tolerance))

    rng = np.random.default_rng(check_int("seed", seed, low=0))
    n_permutations = check_int("n_permutations", n_permutations, low=1)
    statistics = rng.permuted(np.tile(second_ranks, (n_permutations, 1)), axis=1) @ first_ranks
    return (
        float((1 + np.count_nonzero(statistics <= observed + tolerance)) / (1 + n_permutations)),
        float((1 + np.count_nonzero(statistics >= observed - tolerance)) / (1 + n_permutations)),
    )


def verdict_rank_association(
    first: Sequence[float] | np.ndarray,
    second: Sequence[float] | np.ndarray,
    expected_sign: int,
    *,
    min_estimators: int = 5,
    level: float = 0.05,
    clip_value: float | None = None,
    verdict_if_holds: str = SAME_DIRECTION,
) -> AssociationVerdict:
    """Judge a claimed rank association between two scores of the same estimators.

    The claim holds when a one-sided permutation test of Spearman's rank correlation in
    the expected direction gives ``p <= level``; it is "not reproduced" when the test in
    the opposite direction does; otherwise the data are too weak to decide and the
    verdict is "not testable here". So is a comparison of fewer than ``min_estimators``
    estimators: with 4 the smallest possible one-sided p is 1/24 = 0.042, so only a
    perfect ordering could pass at 0.05, and one swapped pair gives p = 4/24.

    Ties at the clip value: estimators whose ``second`` score equals ``clip_value``
    (SharpeRatio@k clipped to 100) cannot be ordered among themselves, so they share one
    mid-rank, the permutation test keeps that tie, and the reason reports how many
    there are. Ties elsewhere are mid-ranked the same way.

    Args:
        first, second: the two scores, one entry per estimator, shape ``(n,)``, finite.
        expected_sign: ``-1`` or ``+1``, the direction the paper claims.
        min_estimators: fewest estimators for a verdict (>= 3).
        level: one-sided significance level in ``(0, 0.5]``.
        clip_value: the value at which ``second`` was clipped, or ``None``.
        verdict_if_holds: the verdict when the test decides for the claim.

    Returns:
        The verdict, its reason, rho and the p-value in the expected direction.
    """
    first = np.asarray(first, dtype=float)
    second = np.asarray(second, dtype=float)
    if first.ndim != 1 or first.shape != second.shape:
        raise ValueError(f"first and second must be 1-D arrays of one shape; got {first.shape} and {second.shape}")
    if not (np.all(np.isfinite(first)) and np.all(np.isfinite(second))):
        raise ValueError("first and second must be finite; found NaN or infinity")
    expected_sign = check_choice("expected_sign", expected_sign, (-1, 1))
    min_estimators = check_int("min_estimators", min_estimators, low=3)
    level = check_float("level", level, low=1e-12, high=0.5)
    verdict_if_holds = check_choice("verdict_if_holds", verdict_if_holds, VERDICTS)

    n = first.size
    ties = ""
    if clip_value is not None:
        n_clipped = int(np.count_nonzero(np.isclose(second, clip_value, rtol=1e-12, atol=0.0)))
        if n_clipped > 1:
            ties = f"; {n_clipped} estimators tie at the clip value {clip_value:g} and share one mid-rank"
    rho = rank_association(first, second) if n >= 2 else float("nan")
    if n < min_estimators:
        rho_text = "undefined" if math.isnan(rho) else f"{rho:.2f}"
        reason = f"too few estimators to decide: {n}, fewer than the {min_estimators} required (rho {rho_text}){ties}"
        return AssociationVerdict(NOT_TESTABLE, reason, rho, float("nan"), n)
    if math.isnan(rho):
        reason = f"one of the two scores is the same for all {n} estimators, so there is no ranking to compare"
        return AssociationVerdict(NOT_TESTABLE, reason, rho, float("nan"), n)

    p_negative, p_positive = permutation_p_values(first, second)
    p_expected, p_opposite = (p_negative, p_positive) if expected_sign < 0 else (p_positive, p_negative)
    exact = "exact" if n <= EXACT_PERMUTATION_LIMIT else "Monte Carlo"
    numbers = f"rho = {rho:.2f} over {n} estimators, one-sided {exact} permutation p = {p_expected:.2g}"
    if p_expected <= level:
        return AssociationVerdict(verdict_if_holds, f"{numbers} <= {level:g}{ties}", rho, p_expected, n)
    if p_opposite <= level:
        reason = f"{numbers}, but the opposite direction is significant (p = {p_opposite:.2g} <= {level:g}){ties}"
        return AssociationVerdict(NOT_REPRODUCED, reason, rho, p_expected, n)
    return AssociationVerdict(NOT_TESTABLE, f"too weak to decide: {numbers} > {level:g}{ties}", rho, p_expected, n)
