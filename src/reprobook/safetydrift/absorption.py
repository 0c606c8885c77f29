"""Closed-form absorption analysis of a chain whose last state (VIOLATED) is absorbing.

Write the transition matrix in canonical form, transient states first::

    P = [[Q, R],
         [0, 1]]

with ``Q`` the moves among transient states and ``R`` the one-step probabilities of
violating. Then

- the fundamental matrix ``N = (I - Q)^-1`` counts the expected visits to each
  transient state before absorption;
- ``N R`` are the absorption (eventual violation) probabilities and ``N 1`` the
  expected steps to violation;
- the probability of violating within ``h`` steps is the geometric sum
  ``sum_{k<h} Q^k R = (I - Q)^-1 (I - Q^h) R``, which equals the VIOLATED column of
  ``P^h``.

``I - Q`` is invertible exactly when every transient state can reach VIOLATED. A
state that cannot (possible in an unsmoothed chain) never violates: its absorption
probability is 0, its expected time is infinite, and the finite-horizon sum still
holds, so :func:`violation_within` falls back to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import sympy

from reprobook.params import check_choice, check_float, check_int
from reprobook.safetydrift.chain import check_stochastic
from reprobook.safetydrift.state import RiskLevel

WITHIN_METHODS = ("auto", "closed", "power", "series")
ROUND_OFF = 1e-9  # largest excess over [0, 1] that counts as floating-point round-off


def clip_probabilities(values: np.ndarray) -> np.ndarray:
    """Clip floating-point round-off of probabilities back into [0, 1].

    Long horizons accumulate a few ulps of error, so a value of 1 + 2e-16 is round-off.
    A larger excess means a wrong input, so it raises instead of being hidden.

    Args:
        values: probabilities of any shape.

    Returns:
        The values clipped to [0, 1], same shape.

    Raises:
        ValueError: if a value lies more than ``ROUND_OFF`` outside [0, 1] or is not finite.
    """
    values = np.asarray(values, dtype=float)
    excess = np.maximum(values - 1.0, -values)
    if not np.all(np.isfinite(values)) or excess.max(initial=0.0) > ROUND_OFF:
        raise ValueError(
            f"probabilities must lie within {ROUND_OFF} of [0, 1]; got values from "
            f"{np.nanmin(values)} to {np.nanmax(values)}"
        )
    return np.clip(values, 0.0, 1.0)


def split_canonical(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(Q, R)`` of a transition matrix whose last state is absorbing.

    Returns:
        ``Q`` of shape (k-1, k-1) and ``R`` of shape (k-1,).
    """
    matrix = check_stochastic(matrix)
    return matrix[:-1, :-1], matrix[:-1, -1]


def _reaches_violation(transient: np.ndarray, to_violation: np.ndarray) -> np.ndarray:
    """Return which transient states have a path of positive probability to VIOLATED."""
    reaches = to_violation > 0
    while True:
        grown = reaches | ((transient > 0) & reaches[None, :]).any(axis=1)
        if np.array_equal(grown, reaches):
            return reaches
        reaches = grown


def fundamental_matrix(matrix: np.ndarray) -> np.ndarray:
    """Compute ``N = (I - Q)^-1``, the expected visits to each transient state.

    Raises:
        ValueError: if some transient state cannot reach VIOLATED, so ``I - Q`` is singular.
    """
    transient, to_violation = split_canonical(matrix)
    stuck = np.flatnonzero(~_reaches_violation(transient, to_violation))
    if len(stuck):
        raise ValueError(
            f"I - Q is singular: state(s) {stuck.tolist()} cannot reach the absorbing state; "
            "smooth the chain or use absorption_probabilities"
        )
    return np.linalg.inv(np.eye(len(transient)) - transient)


def absorption_probabilities(matrix: np.ndarray) -> np.ndarray:
    """Compute the probability of ever reaching VIOLATED from each transient state, shape (k-1,).

    States that cannot reach VIOLATED get 0; on the others this is ``N R`` restricted to them.
    """
    transient, to_violation = split_canonical(matrix)
    reaches = _reaches_violation(transient, to_violation)
    probabilities = np.zeros(len(transient))
    if reaches.any():
        block = np.eye(reaches.sum()) - transient[np.ix_(reaches, reaches)]
        probabilities[reaches] = np.linalg.solve(block, to_violation[reaches])
    return probabilities


def expected_steps_to_violation(matrix: np.ndarray) -> np.ndarray:
    """Compute the expected number of steps until VIOLATED from each transient state, shape (k-1,).

    This is ``N 1`` on the states that violate with probability one, and infinity on
    the states with a positive chance of never violating.
    """
    transient, to_violation = split_canonical(matrix)
    reaches = _reaches_violation(transient, to_violation)

    # A state violates with certainty when none of its paths leads to a state that cannot violate.
    certain = reaches.copy()
    while True:
        shrunk = certain & ~((transient > 0) & ~certain[None, :]).any(axis=1)
        if np.array_equal(shrunk, certain):
            break
        certain = shrunk

    steps = np.full(len(transient), np.inf)
    if certain.any():
        block = np.eye(certain.sum()) - transient[np.ix_(certain, certain)]
        steps[certain] = np.linalg.solve(block, np.ones(certain.sum()))
    return steps


def violation_within(matrix: np.ndarray, horizon: int, *, method: str = "auto") -> np.ndarray:
    """Compute P(violation within ``horizon`` steps) from each transient state.

    Args:
        matrix: transition matrix with VIOLATED last, shape (k, k).
        horizon: number of steps h >= 1.
        method: ``"closed"`` for ``(I - Q)^-1 (I - Q^h) R``, which needs every state to
            reach VIOLATED. ``"power"`` takes the last column of ``P^h`` and ``"series"``
            sums ``Q^k R`` for k < h. ``"auto"`` uses the closed form when ``I - Q`` is
            invertible and the series otherwise.

    Returns:
        The probabilities, shape (k-1,), with round-off clipped into [0, 1].

    Raises:
        ValueError: on a horizon < 1, an unknown method, or ``"closed"`` on a chain
            with a state that cannot reach VIOLATED.
    """
    horizon = check_int("horizon", horizon, low=1)
    check_choice("method", method, WITHIN_METHODS)
    transient, to_violation = split_canonical(matrix)

    if method == "auto":
        method = "closed" if _reaches_violation(transient, to_violation).all() else "series"
    if method == "closed":
        fundamental = fundamental_matrix(matrix)
        identity = np.eye(len(transient))
        within = fundamental @ (identity - np.linalg.matrix_power(transient, horizon)) @ to_violation
        return clip_probabilities(within)
    if method == "power":
        return clip_probabilities(
            np.linalg.matrix_power(np.asarray(matrix, dtype=float), horizon)[:-1, -1]
        )

    total = np.zeros(len(transient))
    term = to_violation.copy()
    for _ in range(horizon):
        total += term
        term = transient @ term
    return clip_probabilities(total)


def violation_curve(matrix: np.ndarray, max_horizon: int) -> np.ndarray:
    """Compute P(violation within h) for h = 1 ... ``max_horizon``, shape (max_horizon, k-1)."""
    max_horizon = check_int("max_horizon", max_horizon, low=1)
    transient, to_violation = split_canonical(matrix)
    curve = np.empty((max_horizon, len(transient)))
    within = to_violation.copy()
    for row in range(max_horizon):
        curve[row] = within
        within = to_violation + transient @ within
    return clip_probabilities(curve)


def points_of_no_return(
    matrix: np.ndarray, horizon: int = 5, level: float = 0.85
) -> list[RiskLevel]:
    """Return the transient risk levels whose P(violation within ``horizon``) is at least ``level``."""
    level = check_float("level", level, low=0.0, high=1.0)
    within = violation_within(matrix, horizon)
    return [RiskLevel(index) for index in np.flatnonzero(within >= level)]


def simulate_violation_within(
    matrix: np.ndarray, start: int, horizon: int, n_paths: int, seed: int
) -> float:
    """Estimate P(violation within ``horizon`` | start) by Monte Carlo simulation.

    Args:
        matrix: transition matrix with VIOLATED last, shape (k, k).
        start: the starting transient state.
        horizon: number of steps h >= 1.
        n_paths: number of simulated paths.
        seed: seed of the numpy random generator.

    Returns:
        The share of paths that reach VIOLATED within ``horizon`` steps.
    """
    matrix = check_stochastic(matrix)
    absorbing = len(matrix) - 1
    start = check_int("start", start, low=0, high=absorbing - 1)
    horizon = check_int("horizon", horizon, low=1)
    n_paths = check_int("n_paths", n_paths, low=1)
    rng = np.random.default_rng(check_int("seed", seed, low=0))

    cumulative = np.cumsum(matrix, axis=1)
    cumulative[:, -1] = 1.0
    states = np.full(n_paths, start)
    for _ in range(horizon):
        draws = rng.random(n_paths)
        states = (cumulative[states] <= draws[:, None]).sum(axis=1)
    return float(np.mean(states == absorbing))


def exact_violation_within(
    matrix: Sequence[Sequence[int | str | Fraction | sympy.Rational]],
    horizon: int,
    *,
    method: str = "closed",
) -> sympy.Matrix:
    """Compute P(violation within ``horizon``) in exact rational arithmetic with SymPy.

    Args:
        matrix: a transition matrix of rationals (ints, ``Fraction`` or strings such
            as ``"1/3"``), last state absorbing.
        horizon: number of steps h >= 1.
        method: ``"closed"`` for ``(I - Q)^-1 (I - Q^h) R`` or ``"power"`` for the last
            column of ``P^h``.

    Returns:
        A column matrix of rationals, one per transient state.

    Raises:
        ValueError: if a row does not sum to exactly one or the last state is not absorbing.
    """
    horizon = check_int("horizon", horizon, low=1)
    check_choice("method", method, ("closed", "power"))
    exact = sympy.Matrix([[sympy.Rational(str(value)) for value in row] for row in matrix])
    size = exact.rows
    for row in range(size):
        total = sum(exact.row(row))
        if total != 1:
            raise ValueError(
                f"row {row} of the transition matrix sums to {total}; it must sum to exactly one"
            )
    if exact[size - 1, size - 1] != 1:
        raise ValueError("the last state of the transition matrix must be absorbing")

    if method == "power":
        return (exact**horizon)[: size - 1, size - 1]
    transient = exact[: size - 1, : size - 1]
    to_violation = exact[: size - 1, size - 1]
    identity = sympy.eye(size - 1)
    return (identity - transient).inv() * (identity - transient**horizon) * to_violation


def to_rational_matrix(matrix: np.ndarray, denominator: int = 1000) -> list[list[Fraction]]:
    """Round a transition matrix to rationals with a common denominator, keeping rows stochastic.

    Each entry is rounded to a multiple of ``1 / denominator``. The rounding error of a
    row goes to its largest entry, so every row sums to exactly one.

    Args:
        matrix: transition matrix with VIOLATED last, shape (k, k).
        denominator: the common denominator (>= 1).

    Returns:
        The rational matrix as nested lists of ``Fraction``.
    """
    matrix = check_stochastic(matrix)
    denominator = check_int("denominator", denominator, low=1)
    rational = []
    for row in matrix:
        numerators = np.rint(row * denominator).astype(int)
        numerators[np.argmax(row)] += denominator - numerators.sum()
        rational.append([Fraction(int(numerator), denominator) for numerator in numerators])
    return rational


def posterior_violation_curve(
    counts: np.ndarray, max_horizon: int, n_draws: int, seed: int, *, alpha: float = 1.0
) -> np.ndarray:
    """Draw P(violation within h), h = 1 ... ``max_horizon``, from the Dirichlet posterior of the rows.

    Each transient row ``i`` is drawn from ``Dirichlet(n[i] + alpha)`` (a uniform prior
    of ``alpha`` pseudo-counts per cell); the absorbing row stays fixed. All horizons
    share the same draws.

    Args:
        counts: transition counts, shape (k, k).
        max_horizon: the largest horizon (>= 1).
        n_draws: number of posterior draws (>= 1).
        seed: seed of the numpy random generator.
        alpha: prior pseudo-count per cell (> 0).

    Returns:
        The drawn probabilities, shape (n_draws, max_horizon, k-1).
    """
    max_horizon = check_int("max_horizon", max_horizon, low=1)
    n_draws = check_int("n_draws", n_draws, low=1)
    alpha = check_float("alpha", alpha, low=0.0)
    if alpha == 0:
        raise ValueError(
            "alpha must be > 0 so that every posterior row is a proper Dirichlet; got 0"
        )
    counts = np.asarray(counts, dtype=float)
    rng = np.random.default_rng(check_int("seed", seed, low=0))

    transient_count = len(counts) - 1
    rows = np.stack(
        [rng.dirichlet(counts[row] + alpha, size=n_draws) for row in range(transient_count)], axis=1
    )
    transient = rows[:, :, :-1]
    to_violation = rows[:, :, -1]

    curve = np.empty((n_draws, max_horizon, transient_count))
    within = to_violation
    for step in range(max_horizon):
        curve[:, step] = within
        within = to_violation + np.einsum("dij,dj->di", transient, within)
    return curve


def posterior_violation_within(
    counts: np.ndarray, horizon: int, n_draws: int, seed: int, *, alpha: float = 1.0
) -> np.ndarray:
    """Draw P(violation within ``horizon``) from the Dirichlet posterior (see :func:`posterior_violation_curve`).

    Returns:
        The drawn probabilities, shape (n_draws, k-1).
    """
    horizon = check_int("horizon", horizon, low=1)
    return posterior_violation_curve(counts, horizon, n_draws, seed, alpha=alpha)[:, -1]
