"""SharpeRatio@k: assessing the risk-return tradeoff of off-policy estimators.

An off-policy evaluation (OPE) estimator ranks candidate policies from logged data; the
top ``k`` of its ranking form the portfolio that an online A/B test with budget ``k``
deploys. SharpeRatio@k scores that portfolio by its best true value in excess of the
behaviour policy's value, per unit of the spread (standard deviation) of its true values.

Modules:

- :mod:`reprobook.sharpe.metrics`: vectorised portfolio metrics (best@k, std@k,
  SharpeRatio@k, regret@k, nMSE, rank correlation, error rates) and their conventions.
- :mod:`reprobook.sharpe.toy`: the two toy examples of
  "Towards Assessing and Benchmarking Risk-Return Tradeoff of Off-Policy Evaluation" (ICLR 2024).
- :mod:`reprobook.sharpe.bandit`: a synthetic contextual bandit and its candidate policies.
- :mod:`reprobook.sharpe.estimators`: contextual-bandit OPE estimators with bootstrap.
- :mod:`reprobook.sharpe.episodic`: CartPole logged trajectories and episodic estimators.
- :mod:`reprobook.sharpe.benchmark`: the bandit benchmark runner and metric summaries.
- :mod:`reprobook.sharpe.plots`: metric-vs-k, risk-return and estimate-vs-truth figures.
- :mod:`reprobook.sharpe.verdicts`: verdicts for the chapter's scorecard.

The metric functions are re-exported here, so ``from reprobook.sharpe import
sharpe_ratio_at_k`` works on a user's own arrays without any notebook.
"""

from reprobook.sharpe.metrics import (
    CONVENTIONS,
    best_at_k,
    error_rates,
    mean_at_k,
    mean_squared_error,
    normalized_mse,
    portfolio_values,
    rank_correlation,
    rank_policies,
    regret_at_k,
    sharpe_ratio_at_k,
    std_at_k,
    top_k_metrics,
    worst_at_k,
)

__all__ = [
    "CONVENTIONS",
    "best_at_k",
    "error_rates",
    "mean_at_k",
    "mean_squared_error",
    "normalized_mse",
    "portfolio_values",
    "rank_correlation",
    "rank_policies",
    "regret_at_k",
    "sharpe_ratio_at_k",
    "std_at_k",
    "top_k_metrics",
    "worst_at_k",
]
