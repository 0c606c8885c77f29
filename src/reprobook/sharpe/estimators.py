"""Off-policy estimators of policy value for contextual bandits, with bootstrap.

Logged data are rounds ``(x_i, a_i, r_i)`` drawn by a behaviour policy with known
propensities ``pi_b(a_i | x_i)``. An estimator predicts the value
``V(pi) = E_x E_{a ~ pi(. | x)} [r]`` of each candidate policy ``pi`` from those rounds,
using the importance weight ``w_i = pi(a_i | x_i) / pi_b(a_i | x_i)`` and/or a reward
model ``q_hat(x, a)``. With ``q_hat_pi(x_i) = sum_a pi(a | x_i) q_hat(x_i, a)``:

- DM: ``mean(q_hat_pi(x_i))``;
- IPS: ``mean(w_i r_i)``;
- SNIPS: ``sum(w_i r_i) / sum(w_i)``;
- DR: ``mean(q_hat_pi(x_i) + w_i (r_i - q_hat(x_i, a_i)))``;
- SNDR: ``mean(q_hat_pi(x_i)) + sum(w_i (r_i - q_hat(x_i, a_i))) / sum(w_i)``;
- Switch-DR: DR whose correction is kept only where ``w_i <= switch_threshold``.

Every estimator has the form ``sum(c_i d_i) / sum(c_i) + sum(c_i e_i) / sum(c_i f_i)``
with per-round terms ``d, e, f`` and round multiplicities ``c_i``: ``c_i = 1`` gives the
point estimate, and multinomial counts give a bootstrap replicate, so all replicates of
all candidates come from a few matrix products.

A self-normalised estimator (SNIPS, SNDR) divides by ``sum(w_i)``, which is 0 when a
candidate never takes a logged action. Its weighted correction is then set to 0, so
SNIPS returns 0 and SNDR returns DM's value for that candidate, and a
:class:`ZeroTotalWeightWarning` says how many estimates this affected.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from reprobook.params import check_choice, check_float, check_int

ESTIMATORS = ("dm", "ips", "snips", "dr", "sndr", "switch-dr")
ESTIMATOR_LABELS = {"dm": "DM", "ips": "IPS", "snips": "SNIPS", "dr": "DR", "sndr": "SNDR", "switch-dr": "Switch-DR"}


class ZeroTotalWeightWarning(RuntimeWarning):
    """Warns that SNIPS or SNDR met a total importance weight of 0 and fell back."""


def check_bandit_inputs(
    actions: object,
    rewards: object,
    behavior_propensities: object,
    action_dist: object,
    reward_model: object,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Validate logged bandit data, candidate action distributions and reward predictions.

    Args:
        actions: logged actions, shape ``(n_rounds,)``, integers in ``[0, n_actions)``.
        rewards: logged rewards, shape ``(n_rounds,)``, finite.
        behavior_propensities: ``pi_b(a_i | x_i)``, shape ``(n_rounds,)``, in ``(0, 1]``.
        action_dist: ``pi(a | x_i)`` of each candidate, shape ``(n_policies, n_rounds,
            n_actions)``, rows in ``[0, 1]`` summing to 1.
        reward_model: ``q_hat(x_i, a)``, shape ``(n_rounds, n_actions)``, finite.

    Returns:
        The five arrays, as int and float arrays.

    Raises:
        ValueError: naming the first array that violates its contract.
    """
    actions_array = np.asarray(actions)
    rewards = np.asarray(rewards, dtype=float)
    propensities = np.asarray(behavior_propensities, dtype=float)
    action_dist = np.asarray(action_dist, dtype=float)
    reward_model = np.asarray(reward_model, dtype=float)

    if actions_array.ndim != 1 or actions_array.size == 0:
        raise ValueError(f"actions must be a non-empty 1-D array; got shape {actions_array.shape}")
    n_rounds = actions_array.size
    if action_dist.ndim != 3 or action_dist.shape[1] != n_rounds or action_dist.shape[0] == 0:
        raise ValueError(
            "action_dist must have shape (n_policies >= 1, n_rounds, n_actions) with "
            f"n_rounds = {n_rounds}; got {action_dist.shape}"
        )
    n_actions = action_dist.shape[2]
    for name, array, shape in (
        ("rewards", rewards, (n_rounds,)),
        ("behavior_propensities", propensities, (n_rounds,)),
        ("reward_model", reward_model, (n_rounds, n_actions)),
    ):
        if array.shape != shape:
            raise ValueError(f"{name} must have shape {shape}; got {array.shape}")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must be finite; found NaN or infinity")

    if not np.issubdtype(actions_array.dtype, np.integer):
        raise ValueError(f"actions must be integers; got dtype {actions_array.dtype}")
    if actions_array.min() < 0 or actions_array.max() >= n_actions:
        raise ValueError(
            f"actions must lie in [0, {n_actions - 1}]; got values in "
            f"[{actions_array.min()}, {actions_array.max()}]"
        )

    bad = (propensities <= 0.0) | (propensities > 1.0)
    if bad.any():
        index = int(np.argmax(bad))
        raise ValueError(
            f"behavior_propensities must lie in (0, 1]; got {propensities[index]} at round {index}"
        )

    if not np.all(np.isfinite(action_dist)) or action_dist.min() < 0.0 or action_dist.max() > 1.0:
        raise ValueError("action_dist must contain probabilities in [0, 1]")
    row_sums = action_dist.sum(axis=-1)
    if not np.allclose(row_sums, 1.0, atol=1e-6):
        worst = float(row_sums.flat[np.argmax(np.abs(row_sums - 1.0))])
        raise ValueError(f"action_dist must sum to 1 over actions; found a row summing to {worst}")
    return actions_array.astype(np.int64), rewards, propensities, action_dist, reward_model


def importance_weights(actions: np.ndarray, behavior_propensities: np.ndarray, action_dist: np.ndarray) -> np.ndarray:
    """Return ``w_i = pi(a_i | x_i) / pi_b(a_i | x_i)`` for every candidate, shape ``(n_rounds, n_policies)``."""
    rounds = np.arange(actions.size)
    return (action_dist[:, rounds, actions] / behavior_propensities).T


def _estimator_terms(
    name: str,
    weights: np.ndarray,
    rewards: np.ndarray,
    model_value: np.ndarray,
    model_factual: np.ndarray,
    switch_threshold: float,
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """Return the per-round ``(direct, correction, normalizer)`` terms of one estimator.

    ``None`` marks a term that is absent (direct, correction) or a plain count (normalizer).
    """
    residual = weights * (rewards - model_factual)[:, None]
    if name == "dm":
        return model_value, None, None
    if name == "ips":
        return None, weights * rewards[:, None], None
    if name == "snips":
        return None, weights * rewards[:, None], weights
    if name == "dr":
        return model_value, residual, None
    if name == "sndr":
        return model_value, residual, weights
    return model_value, np.where(weights <= switch_threshold, residual, 0.0), None


def _combine(
    terms: tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None], counts: np.ndarray | None
) -> np.ndarray:
    """Evaluate ``sum(c d) / sum(c) + sum(c e) / sum(c f)``; ``counts=None`` means ``c = 1``."""
    direct, correction, normalizer = terms
    n_rounds = (direct if direct is not None else correction).shape[0]

    def total(term: np.ndarray) -> np.ndarray:
        return term.sum(axis=0) if counts is None else counts @ term

    value = 0.0
    if direct is not None:
        value = value + total(direct) / n_rounds
    if correction is not None:
        denominator = n_rounds if normalizer is None else total(normalizer)
        with np.errstate(invalid="ignore", divide="ignore"):
            # A self-normalised estimate with zero total weight has no data on the policy.
            value = value + np.where(denominator > 0, total(correction) / np.maximum(denominator, 1e-300), 0.0)
        if normalizer is not None:
            _warn_zero_total_weight(np.asarray(denominator))
    return value


def _warn_zero_total_weight(total_weight: np.ndarray) -> None:
    """Warn when a self-normalised estimator divided by a total importance weight of 0."""
    n_zero = int(np.count_nonzero(total_weight <= 0))
    if n_zero:
        warnings.warn(
            f"a self-normalised estimator (SNIPS or SNDR) found a total importance weight of 0 in "
            f"{n_zero} of {total_weight.size} estimates: the candidate never takes a logged action there, "
            "so SNIPS returns 0 and SNDR returns DM's value for it",
            ZeroTotalWeightWarning,
            stacklevel=2,
        )


def _prepare_terms(
    actions: object,
    rewards: object,
    behavior_propensities: object,
    action_dist: object,
    reward_model: object,
    estimators: Sequence[str],
    switch_threshold: float,
) -> list[tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]]:
    actions, rewards, propensities, action_dist, reward_model = check_bandit_inputs(
        actions, rewards, behavior_propensities, action_dist, reward_model
    )
    names = [check_choice("estimators", name, ESTIMATORS) for name in estimators]
    if not names:
        raise ValueError("estimators must name at least one estimator; got an empty list")
    switch_threshold = check_float("switch_threshold", switch_threshold, low=0.0)

    weights = importance_weights(actions, propensities, action_dist)
    model_value = np.einsum("pna,na->np", action_dist, reward_model)
    model_factual = reward_model[np.arange(actions.size), actions]
    return [_estimator_terms(name, weights, rewards, model_value, model_factual, switch_threshold) for name in names]


def estimate_policy_values(
    actions: object,
    rewards: object,
    behavior_propensities: object,
    action_dist: object,
    reward_model: object,
    estimators: Sequence[str] = ESTIMATORS,
    switch_threshold: float = 10.0,
) -> np.ndarray:
    """Estimate every candidate's value with every named estimator.

    Args:
        actions, rewards, behavior_propensities, action_dist, reward_model: as in
            :func:`check_bandit_inputs`.
        estimators: names from :data:`ESTIMATORS`, in the order of the output rows.
        switch_threshold: largest importance weight whose correction Switch-DR keeps (>= 0).

    Returns:
        Estimated values, shape ``(n_estimators, n_policies)``, in reward units.

    Warns:
        ZeroTotalWeightWarning: when a candidate never takes a logged action, so SNIPS's
            and SNDR's total importance weight is 0; SNIPS then returns 0 and SNDR DM's value.
    """
    terms = _prepare_terms(
        actions, rewards, behavior_propensities, action_dist, reward_model, estimators, switch_threshold
    )
    return np.stack([_combine(term, None) for term in terms])


def bootstrap_policy_values(
    actions: object,
    rewards: object,
    behavior_propensities: object,
    action_dist: object,
    reward_model: object,
    n_bootstrap: int,
    seed: int,
    estimators: Sequence[str] = ESTIMATORS,
    switch_threshold: float = 10.0,
) -> np.ndarray:
    """Re-estimate every candidate's value on bootstrap resamples of the logged rounds.

    Each replicate draws ``n_rounds`` rounds with replacement (multinomial counts); the
    reward model is kept fixed across replicates.

    Args:
        actions, rewards, behavior_propensities, action_dist, reward_model: as in
            :func:`check_bandit_inputs`.
        n_bootstrap: number of replicates (>= 1).
        seed: seed of the resampling.
        estimators: names from :data:`ESTIMATORS`.
        switch_threshold: as in :func:`estimate_policy_values`.

    Returns:
        Estimates of shape ``(n_estimators, n_bootstrap, n_policies)``.

    Warns:
        ZeroTotalWeightWarning: when a replicate draws no round in which a candidate takes
            the logged action; SNIPS then returns 0 and SNDR DM's value for it.
    """
    n_bootstrap = check_int("n_bootstrap", n_bootstrap, low=1)
    terms = _prepare_terms(
        actions, rewards, behavior_propensities, action_dist, reward_model, estimators, switch_threshold
    )
    n_rounds = np.asarray(actions).size
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    counts = rng.multinomial(n_rounds, np.full(n_rounds, 1.0 / n_rounds), size=n_bootstrap).astype(float)
    return np.stack([_combine(term, counts) for term in terms])


def confidence_interval(replicates: object, alpha: float = 0.05, axis: int = -2) -> tuple[np.ndarray, np.ndarray]:
    """Return the percentile bootstrap interval ``[alpha / 2, 1 - alpha / 2]`` along ``axis``.

    Args:
        replicates: bootstrap estimates, for example ``(n_estimators, n_bootstrap, n_policies)``.
        alpha: miscoverage level in ``(0, 1)``.
        axis: the replicate axis (default: second to last).

    Returns:
        ``(lower, upper)``, each with ``axis`` removed.
    """
    alpha = check_float("alpha", alpha, low=1e-9, high=1.0 - 1e-9)
    replicates = np.asarray(replicates, dtype=float)
    lower, upper = np.quantile(replicates, [alpha / 2.0, 1.0 - alpha / 2.0], axis=axis)
    return lower, upper


def fit_reward_model(
    contexts: object, actions: object, rewards: object, n_actions: int, ridge: float = 1.0
) -> np.ndarray:
    """Fit ``q_hat(x, a)`` by ridge regression of the reward on ``[x, 1]`` for each action.

    Args:
        contexts: shape ``(n_rounds, dim)``.
        actions: logged actions, shape ``(n_rounds,)``, in ``[0, n_actions)``.
        rewards: logged rewards, shape ``(n_rounds,)``.
        n_actions: number of actions (>= 1).
        ridge: L2 penalty on the weights (>= 0). With 0 the fit is ordinary least squares
            (the minimum-norm solution when an action's rounds do not determine it). An
            action never logged predicts 0.

    Returns:
        Coefficients of shape ``(n_actions, dim + 1)``; use :func:`predict_rewards`.
    """
    n_actions = check_int("n_actions", n_actions, low=1)
    ridge = check_float("ridge", ridge, low=0.0)
    features = np.hstack([np.asarray(contexts, dtype=float), np.ones((len(contexts), 1))])
    actions = np.asarray(actions)
    rewards = np.asarray(rewards, dtype=float)

    coefficients = np.zeros((n_actions, features.shape[1]))
    penalty = ridge * np.eye(features.shape[1])
    for action in range(n_actions):
        rows = actions == action
        if rows.any():
            design = features[rows]
            coefficients[action] = _solve_ridge(design, rewards[rows], penalty)
    return coefficients


def _solve_ridge(design: np.ndarray, targets: np.ndarray, penalty: np.ndarray) -> np.ndarray:
    """Solve ``(X^T X + P) b = X^T y``; without a penalty, take the minimum-norm least squares ``b``."""
    if not penalty.any():
        return np.linalg.lstsq(design, targets, rcond=None)[0]
    return np.linalg.solve(design.T @ design + penalty, design.T @ targets)


def predict_rewards(coefficients: np.ndarray, contexts: object) -> np.ndarray:
    """Return ``q_hat(x, a)`` for every context and action, shape ``(n, n_actions)``."""
    contexts = np.asarray(contexts, dtype=float)
    return contexts @ coefficients[:, :-1].T + coefficients[:, -1]
