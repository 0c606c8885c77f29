"""The contextual-bandit benchmark: many estimators on many datasets and seeds.

A *dataset* is one synthetic setting (number of actions, number of logged rounds); a
*seed* draws a new bandit problem, new candidate policies and new logged data for it.
For each dataset and seed every estimator estimates every candidate's value, and the
metrics of :mod:`reprobook.sharpe.metrics` run on the stacked estimates at once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from reprobook.params import check_int
from reprobook.sharpe.bandit import (
    candidate_policies,
    log_bandit_data,
    make_bandit_problem,
    true_policy_values,
)
from reprobook.sharpe.estimators import (
    ESTIMATORS,
    estimate_policy_values,
    fit_reward_model,
    predict_rewards,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BanditBenchmark:
    """Estimates and ground truth of one benchmark run.

    Attributes:
        estimators: estimator names, in the order of the first axis of ``estimates``.
        datasets: one ``(n_actions, n_rounds)`` pair per dataset.
        estimates: shape ``(n_estimators, n_datasets, n_seeds, n_policies)``.
        true_values: shape ``(n_datasets, n_seeds, n_policies)``.
        behavior_values: J(pi_b) as the mean logged reward (SCOPE-RL's choice),
            shape ``(n_datasets, n_seeds)``.
        true_behavior_values: J(pi_b) by exact expectation, shape ``(n_datasets, n_seeds)``.
    """

    estimators: tuple[str, ...]
    datasets: tuple[tuple[int, int], ...]
    estimates: np.ndarray
    true_values: np.ndarray
    behavior_values: np.ndarray
    true_behavior_values: np.ndarray


def run_bandit_benchmark(
    datasets: Sequence[tuple[int, int]],
    n_seeds: int,
    n_policies: int,
    behavior_temperature: float,
    n_true_contexts: int,
    seed: int,
    dim: int = 5,
    estimators: Sequence[str] = ESTIMATORS,
    switch_threshold: float = 10.0,
    ridge: float = 1.0,
) -> BanditBenchmark:
    """Run every estimator on every dataset and seed.

    Args:
        datasets: ``(n_actions, n_rounds)`` pairs, one per dataset.
        n_seeds: independent repetitions per dataset (>= 1).
        n_policies: candidate policies per problem (>= 2).
        behavior_temperature: softmax temperature of the behaviour policy (> 0).
        n_true_contexts: contexts averaged for the true values (>= 1).
        seed: base seed; dataset ``d`` and repetition ``s`` use ``seed + 1000 d + s``.
        dim: context dimension (>= 1).
        estimators: names from :data:`reprobook.sharpe.estimators.ESTIMATORS`.
        switch_threshold: Switch-DR's largest kept importance weight.
        ridge: L2 penalty of the reward model.

    Returns:
        The stacked estimates and ground truth.
    """
    n_seeds = check_int("n_seeds", n_seeds, low=1)
    seed = check_int("seed", seed, low=0)
    if not datasets:
        raise ValueError("datasets must list at least one (n_actions, n_rounds) pair; got none")
    pairs = tuple((check_int("n_actions", a, low=2), check_int("n_rounds", n, low=1)) for a, n in datasets)

    shape = (len(pairs), n_seeds)
    estimates = np.zeros((len(estimators), *shape, n_policies))
    true_values = np.zeros((*shape, n_policies))
    behavior_values = np.zeros(shape)
    true_behavior_values = np.zeros(shape)
    for d, (n_actions, n_rounds) in enumerate(pairs):
        for s in range(n_seeds):
            run_seed = seed + 1000 * d + s
            problem = make_bandit_problem(n_actions, dim, n_policies, behavior_temperature, run_seed)
            logged = log_bandit_data(problem, n_rounds, run_seed + 1)
            coefficients = fit_reward_model(logged.contexts, logged.actions, logged.rewards, n_actions, ridge)
            estimates[:, d, s] = estimate_policy_values(
                logged.actions,
                logged.rewards,
                logged.behavior_propensities,
                candidate_policies(problem, logged.contexts),
                predict_rewards(coefficients, logged.contexts),
                estimators,
                switch_threshold,
            )
            true_values[d, s], true_behavior_values[d, s] = true_policy_values(problem, n_true_contexts, run_seed + 2)
            behavior_values[d, s] = logged.rewards.mean()
        logger.info("dataset %d of %d done", d + 1, len(pairs))
    return BanditBenchmark(tuple(estimators), pairs, estimates, true_values, behavior_values, true_behavior_values)


def check_summary_budget(k_summary: int, n_policies: int, profile: str) -> int:
    """Validate the budget k of a notebook's summary table and scorecard, and return it.

    The bounds come from the metric and the profile. SharpeRatio@1 is undefined (the
    spread of a single policy is 0, or NaN with the sample standard deviation), so k
    starts at 2. And k cannot exceed ``n_policies``, the number of candidate policies
    that ``profile`` generates.

    Args:
        k_summary: the budget to check.
        n_policies: the number of candidate policies in this run (>= 2).
        profile: the profile that set ``n_policies``, named in the message.

    Raises:
        ValueError: naming ``k_summary``, the value and where each bound comes from.
    """
    try:
        return check_int("k_summary", k_summary, low=2, high=n_policies)
    except ValueError as error:
        raise ValueError(
            f"{error} (at least 2 because SharpeRatio@1 is undefined; at most {n_policies}, "
            f"the number of candidate policies in the {profile!r} profile)"
        ) from None


def best_estimator(scores: np.ndarray, names: Sequence[str], higher_is_better: bool) -> list[str]:
    """Name the best estimator for each entry of ``scores`` (axis 0 indexes estimators).

    Estimators tied for best (within a relative 1e-9) are all named, joined by ``"="`` in
    the order of ``names``; NaN scores never win unless all are NaN.

    Args:
        scores: shape ``(n_estimators, ...)``.
        names: estimator names in the order of axis 0.
        higher_is_better: whether a larger score is better.

    Returns:
        A flat list of names, one per entry of ``scores[0]`` in C order.
    """
    scores = np.asarray(scores, dtype=float)
    sign = 1.0 if higher_is_better else -1.0
    filled = np.where(np.isnan(scores), -np.inf, sign * scores).reshape(scores.shape[0], -1)
    best = filled.max(axis=0)
    with np.errstate(invalid="ignore"):
        tied = np.isclose(filled, best, rtol=1e-9, atol=0.0) | (filled == best)
    return ["=".join(names[i] for i in np.flatnonzero(tied[:, column])) for column in range(filled.shape[1])]


def summary_table(metrics: dict[str, np.ndarray], names: Sequence[str], k: int) -> pd.DataFrame:
    """Average the metrics over datasets and seeds, one row per estimator.

    Args:
        metrics: output of :func:`reprobook.sharpe.metrics.top_k_metrics` on estimates of
            shape ``(n_estimators, n_datasets, n_seeds, n_policies)`` with a list of budgets
            ``1..K``.
        names: estimator names, one per row.
        k: the budget whose top-k metrics enter the table (1-based).

    Returns:
        Columns ``nMSE``, ``rank corr.``, ``regret@k``, ``best@k``, ``std@k``, ``SharpeRatio@k``.
    """
    column = k - 1
    frame = pd.DataFrame(
        {
            "nMSE": np.nanmean(metrics["nmse"], axis=(1, 2)),
            "rank corr.": np.nanmean(metrics["rank_correlation"], axis=(1, 2)),
            f"regret@{k}": metrics["regret"][..., column].mean(axis=(1, 2)),
            f"best@{k}": metrics["best"][..., column].mean(axis=(1, 2)),
            f"std@{k}": np.nanmean(metrics["std"][..., column], axis=(1, 2)),
            f"SharpeRatio@{k}": np.nanmean(metrics["sharpe_ratio"][..., column], axis=(1, 2)),
        },
        index=list(names),
    )
    frame.index.name = "estimator"
    return frame


METRIC_DIRECTIONS = {"nMSE": False, "rank corr.": True, "regret@k": False, "SharpeRatio@k": True}


def preferred_estimators(metrics: dict[str, np.ndarray], names: Sequence[str], k: int, run_axes: tuple[int, ...]) -> dict[str, str]:
    """Name the estimator each metric prefers, on the metric averaged over runs.

    Args:
        metrics: output of :func:`reprobook.sharpe.metrics.top_k_metrics` for budgets
            ``1..K`` on estimates whose axis 0 indexes estimators.
        names: estimator names.
        k: the budget for regret@k and SharpeRatio@k (1-based).
        run_axes: the axes of the per-estimator arrays to average over (datasets, seeds).

    Returns:
        ``{"nMSE": ..., "rank corr.": ..., "regret@k": ..., "SharpeRatio@k": ...}``.
    """
    averaged = {
        "nMSE": np.nanmean(metrics["nmse"], axis=run_axes),
        "rank corr.": np.nanmean(metrics["rank_correlation"], axis=run_axes),
        "regret@k": np.mean(metrics["regret"][..., k - 1], axis=run_axes),
        "SharpeRatio@k": np.nanmean(metrics["sharpe_ratio"][..., k - 1], axis=run_axes),
    }
    return {name: best_estimator(values, names, METRIC_DIRECTIONS[name])[0] for name, values in averaged.items()}


def overestimation_of_poor_policies(estimates: np.ndarray, true_values: np.ndarray) -> np.ndarray:
    """Measure how much each estimator overestimates the candidates below the median true value.

    Args:
        estimates: shape ``(n_estimators, ..., n_policies)``.
        true_values: broadcastable to ``estimates.shape[1:]``.

    Returns:
        Mean of ``max(estimate - true value, 0)`` over the poor candidates and all runs,
        shape ``(n_estimators,)``, in units of the values.
    """
    true_values = np.broadcast_to(true_values, estimates.shape[1:])
    poor = true_values < np.median(true_values, axis=-1, keepdims=True)
    excess = np.maximum(estimates - true_values, 0.0)
    return np.array([row[poor].mean() for row in excess])


def rank_association(first: np.ndarray, second: np.ndarray) -> float:
    """Return Spearman's rank correlation of two 1-D arrays; NaN when either is constant."""
    first_ranks = rankdata(first) - (len(first) + 1) / 2.0
    second_ranks = rankdata(second) - (len(second) + 1) / 2.0
    scale = np.sqrt(np.sum(first_ranks**2) * np.sum(second_ranks**2))
    return float(np.sum(first_ranks * second_ranks) / scale) if scale > 0 else float("nan")
