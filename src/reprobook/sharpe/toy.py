"""The two toy examples of the SharpeRatio@k paper: estimators with (nearly) equal MSE.

The paper is "Towards Assessing and Benchmarking Risk-Return Tradeoff of Off-Policy Evaluation" (ICLR 2024).

In each example the candidate policies' true values are known and two estimators
misestimate different policies. Accuracy metrics barely separate the two estimators,
while SharpeRatio@k separates them by how risky the portfolios they select are.
The inputs below are read off the paper's figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reprobook.sharpe.metrics import top_k_metrics


@dataclass(frozen=True)
class ToyExample:
    """One toy example: true policy values and the estimates of two estimators.

    Attributes:
        name: short name of the example.
        true_values: true values of the candidate policies, shape ``(n_policies,)``.
        estimates: estimated values, shape ``(2, n_policies)``, one row per estimator.
        estimator_names: names of the two estimators, in row order.
        behavior_values: the values of J(pi_b) that the example considers.
    """

    name: str
    true_values: np.ndarray
    estimates: np.ndarray
    estimator_names: tuple[str, str]
    behavior_values: tuple[float, ...]


def example_1() -> ToyExample:
    """Build example 1: X underestimates two good policies, Y overestimates two poor ones.

    True values are {1, 3, 4, 5, 6, 7, 8, 9, 10, 12} and J(pi_b) = 8. X estimates the
    policies worth 9 and 10 at 2; Y estimates the policies worth 3 and 4 at 11. Every
    other estimate is exact, and both estimators have an MSE of 11.3.
    """
    true_values = np.array([1.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 12.0])
    estimator_x = np.where(np.isin(true_values, [9.0, 10.0]), 2.0, true_values)
    estimator_y = np.where(np.isin(true_values, [3.0, 4.0]), 11.0, true_values)
    return ToyExample("example 1", true_values, np.stack([estimator_x, estimator_y]), ("X", "Y"), (8.0,))


def example_2() -> ToyExample:
    """Build example 2: W is accurate on poor policies, Z scrambles the ranking.

    True values are 1, ..., 19 and J(pi_b) is 5, 10 or 15. W estimates ``v - 0.5`` for
    ``v <= 10`` and ``20 - v`` for ``v >= 11``; Z's estimates are a fixed scrambled list.
    W's MSE is 60.13 and Z's 58.63.
    """
    true_values = np.arange(1.0, 20.0)
    estimator_w = np.where(true_values <= 10, true_values - 0.5, 20.0 - true_values)
    estimator_z = np.array([5, 11, 14, 17, 15, 3, 10, 4, 1, 19, 12, 7, 2, 18, 13, 8, 9, 6, 16], dtype=float)
    return ToyExample("example 2", true_values, np.stack([estimator_w, estimator_z]), ("W", "Z"), (5.0, 10.0, 15.0))


def toy_summary(
    example: ToyExample, behavior_value: float, ks: list[int], convention: str, clip: bool = False
) -> pd.DataFrame:
    """Tabulate MSE, rank correlation and SharpeRatio@k of the example's two estimators.

    Args:
        example: one of the toy examples.
        behavior_value: J(pi_b).
        ks: budgets whose SharpeRatio@k become columns.
        convention: the SharpeRatio@k convention (see :mod:`reprobook.sharpe.metrics`).
        clip: SCOPE-RL's clip of SharpeRatio@k to ``[0, 100]``.

    Returns:
        One row per estimator; columns ``J(pi_b)``, ``MSE``, ``rank corr.`` and ``SR@k``
        for each k.
    """
    result = top_k_metrics(example.estimates, example.true_values, behavior_value, ks, convention, clip)
    table = pd.DataFrame(
        {"J(pi_b)": behavior_value, "MSE": result["mse"], "rank corr.": result["rank_correlation"]},
        index=list(example.estimator_names),
    )
    for column, k in enumerate(ks):
        table[f"SR@{k}"] = result["sharpe_ratio"][:, column]
    table.index.name = "estimator"
    return table
