"""SharpeRatio@k: assessing the risk-return tradeoff of off-policy estimators.

An off-policy evaluation (OPE) estimator ranks candidate policies from logged data; the
top ``k`` of its ranking form the portfolio that an online A/B test with budget ``k``
deploys. SharpeRatio@k scores that portfolio by its best true value in excess of the
behaviour policy's value, per unit of the spread (standard deviation) of its true values.

Modules:

- :mod:`reprobook.sharpe.metrics`: vectorised portfolio metrics (best@k, std@k,
  SharpeRatio@k, regret@k, nMSE, rank correlation, error rates) and their conventions.
- :mod:`reprobook.sharpe.toy`: the paper's two toy examples.
- :mod:`reprobook.sharpe.bandit`: a synthetic contextual bandit and its candidate policies.
- :mod:`reprobook.sharpe.estimators`: contextual-bandit OPE estimators with bootstrap.
- :mod:`reprobook.sharpe.episodic`: CartPole logged trajectories and episodic estimators.
- :mod:`reprobook.sharpe.verdicts`: verdicts for the chapter's scorecard.
"""
