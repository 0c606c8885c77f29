"""Reference computations for the speed comparisons, and a timer.

The *obvious* ways are the yardsticks: a per-step ``P^h`` by matrix power, a pure-Python
loop that counts transitions with the rule cascade and multiplies matrices of lists.
Time them with :func:`reprobook.benchmarking.best_time`. The numbers depend on the
machine, so only ratios measured in one run are compared.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reprobook.safetydrift.absorption import violation_within
from reprobook.safetydrift.chain import count_transitions, encode_traces, estimate_matrix
from reprobook.safetydrift.state import FineState, RiskLevel, risk_level
from reprobook.safetydrift.traces import Trace


def matrix_power_lookup(matrix: np.ndarray, state: FineState, horizon: int) -> float:
    """Compute P(violation within h) for one step the obvious way: cascade, then ``P^h`` by matrix power."""
    level = risk_level(state)
    if level == RiskLevel.VIOLATED:
        return 1.0
    return float(np.linalg.matrix_power(matrix, horizon)[level, -1])


def python_power_lookup(matrix: list[list[float]], state: FineState, horizon: int) -> float:
    """Compute P(violation within h) for one step in pure Python: cascade, then ``P^h`` by repeated products."""
    level = risk_level(state)
    if level == RiskLevel.VIOLATED:
        return 1.0
    size = len(matrix)
    power = [row[:] for row in matrix]
    for _ in range(horizon - 1):
        power = [
            [sum(power[i][k] * matrix[k][j] for k in range(size)) for j in range(size)]
            for i in range(size)
        ]
    return power[level][-1]


def count_transitions_loop(traces: Sequence[Trace]) -> list[list[int]]:
    """Count risk-level transitions in pure Python, running the rule cascade on every step."""
    size = len(RiskLevel)
    counts = [[0] * size for _ in range(size)]
    for trace in traces:
        previous = 0
        for step in trace.steps:
            if previous == RiskLevel.VIOLATED:
                break
            level = int(risk_level(step.state))
            counts[previous][level] += 1
            previous = level
    return counts


def violation_within_loop(counts: list[list[int]], horizon: int) -> list[float]:
    """Normalise counts (Laplace, alpha 1) and sum ``Q^k R`` for k < h with lists, in pure Python."""
    size = len(counts)
    matrix = []
    for row in range(size - 1):
        total = sum(counts[row]) + size
        matrix.append([(value + 1) / total for value in counts[row]])

    transient = [row[:-1] for row in matrix]
    term = [row[-1] for row in matrix]
    within = [0.0] * (size - 1)
    for _ in range(horizon):
        within = [within[i] + term[i] for i in range(size - 1)]
        term = [sum(transient[i][j] * term[j] for j in range(size - 1)) for i in range(size - 1)]
    return within


def fit_and_analyse_loop(traces: Sequence[Trace], horizon: int) -> list[float]:
    """Fit a Laplace-smoothed chain and compute P(violation within h), all in pure Python."""
    return violation_within_loop(count_transitions_loop(traces), horizon)


def fit_and_analyse(traces: Sequence[Trace], horizon: int) -> np.ndarray:
    """Fit a Laplace-smoothed chain and compute P(violation within h) with the package's vectorised path."""
    counts = count_transitions(encode_traces(traces))
    return violation_within(estimate_matrix(counts, smoothing="laplace"), horizon)
