"""Tests of the contextual-bandit estimators and the synthetic bandit."""

import numpy as np
import pytest

from reprobook.sharpe import bandit, estimators


def _logged(n_rounds=4000, n_policies=5, seed=0):
    problem = bandit.make_bandit_problem(4, 3, n_policies, 0.5, seed)
    logged = bandit.log_bandit_data(problem, n_rounds, seed + 1)
    action_dist = bandit.candidate_policies(problem, logged.contexts)
    return problem, logged, action_dist


def test_ips_of_behavior_is_logged_mean():
    problem, logged, _ = _logged()
    target = bandit.behavior_policy(problem, logged.contexts)[None]
    zero_model = np.zeros((logged.actions.size, problem.n_actions))
    value = estimators.estimate_policy_values(
        logged.actions, logged.rewards, logged.behavior_propensities, target, zero_model, ["ips"]
    )
    assert value[0, 0] == pytest.approx(logged.rewards.mean())


def test_dm_with_true_reward_model_is_unbiased():
    problem, logged, action_dist = _logged(n_rounds=20_000)
    truth, _ = bandit.true_policy_values(problem, 50_000, 9)
    exact_model = bandit.expected_rewards(problem, logged.contexts)
    value = estimators.estimate_policy_values(
        logged.actions, logged.rewards, logged.behavior_propensities, action_dist, exact_model, ["dm"]
    )
    np.testing.assert_allclose(value[0], truth, atol=0.01)


def test_dr_with_zero_model_equals_ips():
    problem, logged, action_dist = _logged()
    zero_model = np.zeros((logged.actions.size, problem.n_actions))
    values = estimators.estimate_policy_values(
        logged.actions, logged.rewards, logged.behavior_propensities, action_dist, zero_model, ["ips", "dr"]
    )
    np.testing.assert_allclose(values[0], values[1])


def test_switch_dr_with_zero_threshold_equals_dm():
    problem, logged, action_dist = _logged()
    model = bandit.expected_rewards(problem, logged.contexts)
    values = estimators.estimate_policy_values(
        logged.actions, logged.rewards, logged.behavior_propensities, action_dist, model, ["dm", "switch-dr"], 0.0
    )
    np.testing.assert_allclose(values[0], values[1])


def test_snips_of_constant_reward_is_exact():
    problem, logged, action_dist = _logged()
    zero_model = np.zeros((logged.actions.size, problem.n_actions))
    values = estimators.estimate_policy_values(
        logged.actions, np.ones(logged.actions.size), logged.behavior_propensities, action_dist, zero_model, ["snips"]
    )
    np.testing.assert_allclose(values[0], 1.0)


def test_bootstrap_interval_covers_point_estimate():
    problem, logged, action_dist = _logged(n_rounds=1000)
    model = bandit.expected_rewards(problem, logged.contexts)
    args = (logged.actions, logged.rewards, logged.behavior_propensities, action_dist, model)
    point = estimators.estimate_policy_values(*args)
    replicates = estimators.bootstrap_policy_values(*args, n_bootstrap=300, seed=0)
    lower, upper = estimators.confidence_interval(replicates)
    assert replicates.shape == (len(estimators.ESTIMATORS), 300, action_dist.shape[0])
    assert np.all((lower <= point) & (point <= upper))


def test_bootstrap_is_repeatable_for_a_seed():
    problem, logged, action_dist = _logged(n_rounds=200)
    model = bandit.expected_rewards(problem, logged.contexts)
    args = (logged.actions, logged.rewards, logged.behavior_propensities, action_dist, model)
    first = estimators.bootstrap_policy_values(*args, n_bootstrap=20, seed=3)
    second = estimators.bootstrap_policy_values(*args, n_bootstrap=20, seed=3)
    np.testing.assert_array_equal(first, second)


def test_reward_model_recovers_linear_rewards():
    rng = np.random.default_rng(0)
    contexts = rng.normal(size=(2000, 2))
    actions = rng.integers(0, 2, size=2000)
    rewards = np.where(actions == 1, contexts[:, 0] + 1.0, -contexts[:, 1])
    coefficients = estimators.fit_reward_model(contexts, actions, rewards, 2, ridge=1e-6)
    np.testing.assert_allclose(coefficients, [[0.0, -1.0, 0.0], [1.0, 0.0, 1.0]], atol=1e-6)


def test_candidates_are_graded_from_poor_to_good():
    problem = bandit.make_bandit_problem(5, 4, 10, 0.3, 0)
    values, _ = bandit.true_policy_values(problem, 20_000, 1)
    assert values[-1] > values[0]


def test_logged_data_is_repeatable_for_a_seed():
    problem = bandit.make_bandit_problem(3, 2, 2, 0.3, 0)
    first = bandit.log_bandit_data(problem, 50, 4)
    second = bandit.log_bandit_data(problem, 50, 4)
    np.testing.assert_array_equal(first.actions, second.actions)


@pytest.mark.parametrize("bad", [0.0, 1.5])
def test_rejects_propensities_outside_unit_interval(bad):
    problem, logged, action_dist = _logged(n_rounds=10)
    propensities = logged.behavior_propensities.copy()
    propensities[3] = bad
    with pytest.raises(ValueError, match=r"behavior_propensities must lie in \(0, 1\]; got .* at round 3"):
        estimators.estimate_policy_values(
            logged.actions, logged.rewards, propensities, action_dist, np.zeros((10, problem.n_actions))
        )


def test_rejects_action_out_of_range():
    problem, logged, action_dist = _logged(n_rounds=10)
    actions = logged.actions.copy()
    actions[0] = problem.n_actions
    with pytest.raises(ValueError, match="actions must lie in"):
        estimators.estimate_policy_values(
            actions, logged.rewards, logged.behavior_propensities, action_dist, np.zeros((10, problem.n_actions))
        )


def test_rejects_mismatched_reward_model_shape():
    problem, logged, action_dist = _logged(n_rounds=10)
    with pytest.raises(ValueError, match="reward_model must have shape"):
        estimators.estimate_policy_values(
            logged.actions, logged.rewards, logged.behavior_propensities, action_dist, np.zeros((9, problem.n_actions))
        )


def test_rejects_action_dist_not_summing_to_one():
    problem, logged, action_dist = _logged(n_rounds=10)
    with pytest.raises(ValueError, match="sum to 1"):
        estimators.estimate_policy_values(
            logged.actions,
            logged.rewards,
            logged.behavior_propensities,
            action_dist * 0.5,
            np.zeros((10, problem.n_actions)),
        )


def test_rejects_unknown_estimator():
    problem, logged, action_dist = _logged(n_rounds=10)
    with pytest.raises(ValueError, match="estimators must be one of"):
        estimators.estimate_policy_values(
            logged.actions,
            logged.rewards,
            logged.behavior_propensities,
            action_dist,
            np.zeros((10, problem.n_actions)),
            ["mips"],
        )


def _never_logged_candidate():
    """Two logged rounds, both of action 0, and one candidate that always takes action 1."""
    actions = np.array([0, 0])
    rewards = np.array([1.0, 0.0])
    propensities = np.array([0.5, 0.5])
    action_dist = np.tile([0.0, 1.0], (1, 2, 1))
    model = np.full((2, 2), 0.25)
    return actions, rewards, propensities, action_dist, model


def test_snips_without_logged_support_warns():
    with pytest.warns(estimators.ZeroTotalWeightWarning, match="total importance weight of 0"):
        estimators.estimate_policy_values(*_never_logged_candidate(), ["snips"])


def test_snips_without_logged_support_returns_zero():
    with pytest.warns(estimators.ZeroTotalWeightWarning):
        values = estimators.estimate_policy_values(*_never_logged_candidate(), ["snips"])
    assert values[0, 0] == 0.0


def test_sndr_without_logged_support_returns_dm():
    with pytest.warns(estimators.ZeroTotalWeightWarning):
        values = estimators.estimate_policy_values(*_never_logged_candidate(), ["dm", "sndr"])
    assert values[1, 0] == values[0, 0]


def test_reward_model_without_ridge_is_least_squares():
    contexts = np.array([[0.0], [1.0], [2.0]])
    rewards = np.array([1.0, 3.0, 5.0])
    coefficients = estimators.fit_reward_model(contexts, np.zeros(3, dtype=int), rewards, 1, ridge=0.0)
    np.testing.assert_allclose(coefficients, [[2.0, 1.0]], atol=1e-12)


def test_reward_model_without_ridge_handles_a_single_round():
    coefficients = estimators.fit_reward_model(np.array([[2.0]]), np.array([0]), np.array([5.0]), 1, ridge=0.0)
    assert np.all(np.isfinite(coefficients))


def test_reward_model_rejects_negative_ridge():
    with pytest.raises(ValueError, match="ridge must be"):
        estimators.fit_reward_model(np.zeros((2, 1)), np.zeros(2, dtype=int), np.zeros(2), 1, ridge=-1.0)
