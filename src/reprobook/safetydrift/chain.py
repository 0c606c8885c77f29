"""Estimating the absorbing Markov chain of risk levels from traces.

Each step of a trace is one transition of the chain, from the risk level before the
step to the level after it. Every trace starts at SAFE. The transition matrix ``P`` is
estimated row by row from the transition counts. VIOLATED is absorbing, so its row is
set to the unit vector whatever the data say, and counting stops at a trace's first
violation.

Smoothing choices (``smoothing``):

- ``"none"``: maximum likelihood, ``P[i, j] = n[i, j] / n[i]``;
- ``"laplace"``: ``(n[i, j] + alpha) / (n[i] + 5 alpha)``;
- ``"dirichlet"``: the posterior mean under a Dirichlet prior with mean ``prior[i]``
  and total concentration ``alpha``, ``(n[i, j] + alpha prior[i, j]) / (n[i] + alpha)``.
  Per-category chains use the pooled chain as prior, which shrinks rare rows
  towards the pooled estimate.

A transient row without any observed transition gets the row that the ``unvisited``
policy names, whatever the smoothing: ``"uniform"``, ``"stay"`` (a self-loop),
``"prior"`` (the prior's row) or ``"error"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from reprobook.params import check_choice, check_float
from reprobook.safetydrift.state import N_RISK_LEVELS, RiskLevel, fine_state_index, risk_table
from reprobook.safetydrift.traces import Trace

SMOOTHING = ("none", "laplace", "dirichlet")
UNVISITED_POLICIES = ("uniform", "stay", "prior", "error")
POOLED = "pooled"
VIOLATED = int(RiskLevel.VIOLATED)
LEVEL_NAMES = tuple(level.name for level in RiskLevel)

_RISK_BY_INDEX = np.array([int(level) for level in risk_table()], dtype=np.int8)


@dataclass(frozen=True)
class EncodedTraces:
    """Risk levels of many traces in flat arrays.

    Attributes:
        levels: risk level after each step of every trace, concatenated, int8, VIOLATED
            kept absorbing; shape ``(total_steps,)``.
        offsets: start of each trace in ``levels`` plus the end, shape ``(n_traces + 1,)``.
        categories: the category of each trace.
    """

    levels: np.ndarray
    offsets: np.ndarray
    categories: tuple[str, ...]

    def select(self, category: str) -> EncodedTraces:
        """Return the traces of one category."""
        keep = [index for index, name in enumerate(self.categories) if name == category]
        pieces = [self.levels[self.offsets[index] : self.offsets[index + 1]] for index in keep]
        lengths = np.array([len(piece) for piece in pieces], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        levels = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int8)
        return EncodedTraces(levels, offsets, tuple(category for _ in keep))


def encode_traces(traces: Sequence[Trace]) -> EncodedTraces:
    """Encode the risk path of every trace into flat arrays (see :class:`EncodedTraces`)."""
    indices = np.fromiter(
        (fine_state_index(step.state) for trace in traces for step in trace.steps), dtype=np.int64
    )
    lengths = np.fromiter((len(trace.steps) for trace in traces), dtype=np.int64, count=len(traces))
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    levels = _RISK_BY_INDEX[indices]

    # Keep VIOLATED absorbing: a step is violated once any earlier step of its trace was.
    violations = np.cumsum(levels == VIOLATED)
    before_trace = np.repeat(np.concatenate([[0], violations])[offsets[:-1]], lengths)
    levels = np.where(violations - before_trace > 0, VIOLATED, levels).astype(np.int8)
    return EncodedTraces(levels, offsets, tuple(trace.category for trace in traces))


def count_transitions(encoded: EncodedTraces) -> np.ndarray:
    """Count the transitions between risk levels, starting every trace at SAFE.

    Args:
        encoded: the traces (see :func:`encode_traces`).

    Returns:
        Integer counts ``n[i, j]`` of moves from level ``i`` to level ``j``, shape (5, 5).
        Moves out of VIOLATED are not counted because that row is fixed.
    """
    levels = encoded.levels.astype(np.int64)
    before = np.concatenate([[0], levels[:-1]]) if len(levels) else levels
    before[encoded.offsets[:-1][encoded.offsets[:-1] < len(levels)]] = RiskLevel.SAFE
    keep = before != VIOLATED
    flat = before[keep] * N_RISK_LEVELS + levels[keep]
    return np.bincount(flat, minlength=N_RISK_LEVELS**2).reshape(N_RISK_LEVELS, N_RISK_LEVELS)


def count_path_transitions(paths: Iterable[Sequence[int]]) -> np.ndarray:
    """Count transitions from risk paths given as sequences of levels (after each step).

    The same as :func:`count_transitions` for paths that keep VIOLATED absorbing.
    """
    counts = np.zeros((N_RISK_LEVELS, N_RISK_LEVELS), dtype=np.int64)
    for path in paths:
        previous = int(RiskLevel.SAFE)
        for level in path:
            if previous == VIOLATED:
                break
            counts[previous, int(level)] += 1
            previous = int(level)
    return counts


def check_stochastic(
    matrix: np.ndarray, *, name: str = "transition matrix", tolerance: float = 1e-9
) -> np.ndarray:
    """Validate a transition matrix whose last state is absorbing, and return it as floats.

    Raises:
        ValueError: if it is not square, has a negative or non-finite entry, a row that
            does not sum to one, or a last row that is not the unit vector.
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] < 2:
        raise ValueError(
            f"{name} must be a square matrix with at least 2 states; got shape {matrix.shape}"
        )
    if not np.all(np.isfinite(matrix)) or np.any(matrix < 0):
        raise ValueError(
            f"{name} must have finite, non-negative entries; got min {np.nanmin(matrix)}"
        )
    sums = matrix.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > tolerance)
    if len(bad):
        raise ValueError(
            f"row {bad[0]} of the {name} sums to {sums[bad[0]]:.12g}; "
            f"each row must sum to 1 within {tolerance:g}"
        )
    last = matrix.shape[0] - 1
    if matrix[last, last] != 1.0:
        raise ValueError(
            f"the last state of the {name} must be absorbing (P[{last}, {last}] = 1); got {matrix[last, last]}"
        )
    return matrix


@dataclass(frozen=True)
class MarkovChain:
    """A fitted chain over the five risk levels.

    Attributes:
        matrix: the transition matrix, rows sum to one, VIOLATED row the unit vector,
            shape (5, 5).
        counts: the observed transition counts, shape (5, 5).
        smoothing: the smoothing used (see :data:`SMOOTHING`).
        alpha: the pseudo-count of the smoothing.
        unvisited: the policy that filled rows without observations.
        n_traces: how many traces the chain was fitted on.
    """

    matrix: np.ndarray
    counts: np.ndarray
    smoothing: str
    alpha: float
    unvisited: str
    n_traces: int

    @property
    def transient(self) -> np.ndarray:
        """Q: the transitions among the transient levels SAFE to CRITICAL, shape (4, 4)."""
        return self.matrix[:VIOLATED, :VIOLATED]

    @property
    def to_violation(self) -> np.ndarray:
        """R: the one-step probabilities of moving into VIOLATED, shape (4,)."""
        return self.matrix[:VIOLATED, VIOLATED]

    @property
    def visits(self) -> np.ndarray:
        """The number of observed transitions out of each level, shape (5,)."""
        return self.counts.sum(axis=1)


def check_counts(counts: np.ndarray) -> np.ndarray:
    """Validate a transition count matrix and return it as floats.

    Args:
        counts: observed transitions, shape (k, k).

    Returns:
        The counts as a float array, shape (k, k).

    Raises:
        ValueError: if it is not square, or an entry is not finite or is negative; the
            message names the first such entry.
    """
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"counts must be a square matrix; got shape {counts.shape}")
    bad = np.argwhere(~np.isfinite(counts) | (counts < 0))
    if len(bad):
        row, column = bad[0]
        raise ValueError(
            f"counts must be finite and >= 0; got counts[{row}, {column}] = {counts[row, column]}"
        )
    return counts


def estimate_matrix(
    counts: np.ndarray,
    *,
    smoothing: str = "none",
    alpha: float = 1.0,
    prior: np.ndarray | None = None,
    unvisited: str = "uniform",
) -> np.ndarray:
    """Turn transition counts into a transition matrix with an absorbing last state.

    Args:
        counts: non-negative counts, shape (k, k).
        smoothing: ``"none"``, ``"laplace"`` or ``"dirichlet"`` (module docstring).
        alpha: Laplace pseudo-count per cell, or the Dirichlet prior's total
            concentration per row (> 0 when smoothing is used).
        prior: the prior transition matrix, needed by ``"dirichlet"`` and by the
            ``"prior"`` policy, shape (k, k).
        unvisited: the policy for transient rows without observations.

    Returns:
        The transition matrix, shape (k, k).

    Raises:
        ValueError: on an unknown choice, a missing prior, a negative or non-finite
            count, or an unvisited row under the ``"error"`` policy.
    """
    check_choice("smoothing", smoothing, SMOOTHING)
    check_choice("unvisited", unvisited, UNVISITED_POLICIES)
    counts = check_counts(counts)
    size = counts.shape[0]
    if smoothing != "none":
        alpha = check_float("alpha", alpha, low=0.0)
        if alpha == 0:
            raise ValueError(f"alpha must be > 0 with smoothing {smoothing!r}; got 0")
    if (smoothing == "dirichlet" or unvisited == "prior") and prior is None:
        raise ValueError(
            f"a prior matrix is needed for smoothing {smoothing!r} / unvisited {unvisited!r}"
        )
    if prior is not None:
        prior = check_stochastic(prior, name="prior")
        if prior.shape != counts.shape:
            raise ValueError(
                f"prior must have the shape of counts {counts.shape}; got {prior.shape}"
            )

    if smoothing == "laplace":
        pseudo = counts + alpha
    elif smoothing == "dirichlet":
        pseudo = counts + alpha * prior
    else:
        pseudo = counts.copy()

    matrix = np.zeros_like(pseudo)
    visited = counts.sum(axis=1) > 0
    for row in range(size - 1):
        if visited[row]:
            matrix[row] = pseudo[row] / pseudo[row].sum()
        elif unvisited == "error":
            raise ValueError(
                f"risk level {row} has no observed transitions; choose another unvisited policy or add traces"
            )
        elif unvisited == "uniform":
            matrix[row] = 1.0 / size
        elif unvisited == "stay":
            matrix[row, row] = 1.0
        else:
            matrix[row] = prior[row]
    matrix[size - 1, size - 1] = 1.0
    return matrix


def fit_chain(
    traces: Sequence[Trace] | EncodedTraces,
    *,
    smoothing: str = "none",
    alpha: float = 1.0,
    prior: np.ndarray | None = None,
    unvisited: str = "uniform",
) -> MarkovChain:
    """Fit one chain to traces (see :func:`estimate_matrix` for the options).

    Raises:
        ValueError: if there are no traces.
    """
    encoded = traces if isinstance(traces, EncodedTraces) else encode_traces(traces)
    n_traces = len(encoded.offsets) - 1
    if n_traces == 0:
        raise ValueError("cannot fit a chain to an empty training set; got 0 traces")
    counts = count_transitions(encoded)
    matrix = estimate_matrix(
        counts, smoothing=smoothing, alpha=alpha, prior=prior, unvisited=unvisited
    )
    return MarkovChain(matrix, counts, smoothing, float(alpha), unvisited, n_traces)


def fit_chains(
    traces: Sequence[Trace] | EncodedTraces,
    *,
    smoothing: str = "laplace",
    alpha: float = 1.0,
    unvisited: str = "uniform",
) -> dict[str, MarkovChain]:
    """Fit the pooled chain and one chain per category.

    With ``smoothing="dirichlet"`` the pooled chain is fitted with Laplace smoothing
    and becomes the prior of every per-category chain. The ``"prior"`` policy likewise
    borrows unvisited rows from the pooled chain.

    Returns:
        ``{"pooled": chain, category: chain, ...}``, categories in order of first appearance.

    Raises:
        ValueError: if there are no traces.
    """
    encoded = traces if isinstance(traces, EncodedTraces) else encode_traces(traces)
    if len(encoded.offsets) == 1:
        raise ValueError("cannot fit chains to an empty training set; got 0 traces")
    pooled_smoothing = "laplace" if smoothing == "dirichlet" else smoothing
    pooled_policy = "uniform" if unvisited == "prior" else unvisited
    chains = {
        POOLED: fit_chain(encoded, smoothing=pooled_smoothing, alpha=alpha, unvisited=pooled_policy)
    }
    prior = chains[POOLED].matrix
    for category in dict.fromkeys(encoded.categories):
        chains[category] = fit_chain(
            encoded.select(category),
            smoothing=smoothing,
            alpha=alpha,
            prior=prior,
            unvisited=unvisited,
        )
    return chains


def wilson_interval(counts: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Compute Wilson score intervals for every transition probability.

    Args:
        counts: transition counts, shape (k, k); row ``i`` is ``n[i]`` binomial trials.
        confidence: the coverage, in (0, 1).

    Returns:
        ``(lower, upper)``, each shape (k, k); rows without trials get ``[0, 1]``.
    """
    confidence = check_float("confidence", confidence, low=0.0, high=1.0)
    if confidence in (0.0, 1.0):
        raise ValueError(f"confidence must lie strictly between 0 and 1; got {confidence}")
    counts = np.asarray(counts, dtype=float)
    trials = counts.sum(axis=1, keepdims=True)
    z = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = counts / trials
        centre = (share + z**2 / (2 * trials)) / (1 + z**2 / trials)
        half = (
            z / (1 + z**2 / trials) * np.sqrt(share * (1 - share) / trials + z**2 / (4 * trials**2))
        )
    # The exact ends at 0 and 1 keep rounding from pushing an observed 0 or 1 outside.
    lower = np.where((trials > 0) & (counts > 0), np.clip(centre - half, 0.0, 1.0), 0.0)
    upper = np.where((trials > 0) & (counts < trials), np.clip(centre + half, 0.0, 1.0), 1.0)
    return lower, upper


def dirichlet_interval(
    counts: np.ndarray, confidence: float = 0.95, alpha: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Compute equal-tailed credible intervals from the Dirichlet posterior of each row.

    Row ``i`` has posterior ``Dirichlet(n[i] + alpha)``, so ``P[i, j]`` has the marginal
    ``Beta(n[i, j] + alpha, n[i] + k alpha - n[i, j] - alpha)``.

    Returns:
        ``(lower, upper)``, each shape (k, k).
    """
    confidence = check_float("confidence", confidence, low=0.0, high=1.0)
    alpha = check_float("alpha", alpha, low=0.0)
    if confidence in (0.0, 1.0) or alpha == 0:
        raise ValueError(
            f"confidence must lie in (0, 1) and alpha be > 0; got {confidence}, {alpha}"
        )
    counts = np.asarray(counts, dtype=float)
    a = counts + alpha
    b = a.sum(axis=1, keepdims=True) - a
    tail = (1 - confidence) / 2
    return stats.beta.ppf(tail, a, b), stats.beta.ppf(1 - tail, a, b)


def category_violation_rates(traces: Sequence[Trace]) -> dict[str, float]:
    """Return the share of violating traces in each category (the category prior)."""
    totals: dict[str, list[int]] = {}
    for trace in traces:
        seen = totals.setdefault(trace.category, [0, 0])
        seen[0] += trace.violating
        seen[1] += 1
    if not totals:
        raise ValueError("cannot compute violation rates of an empty training set; got 0 traces")
    return {category: violating / total for category, (violating, total) in totals.items()}
