"""Tests of the CartPole episodic setting and its estimators."""

import numpy as np
import pytest

from reprobook.sharpe import episodic


def test_simulate_masks_steps_after_the_fall():
    logged = episodic.simulate(episodic.make_policies([-1.0], 0.0), 20, 60, 0)
    fell = logged.terminal.any(axis=1)
    first_fall = np.argmax(logged.terminal, axis=1)
    assert fell.all()
    assert not logged.alive[np.arange(20), np.minimum(first_fall + 1, 59)].any()


def test_simulate_is_repeatable_for_a_seed():
    policies = episodic.make_policies([0.5], 0.2)
    first = episodic.simulate(policies, 5, 30, 1)
    second = episodic.simulate(policies, 5, 30, 1)
    np.testing.assert_array_equal(first.actions, second.actions)


def test_balancing_policy_beats_random_policy():
    values = episodic.true_values(episodic.make_policies([0.0, 1.0], 0.0), 100, 100, 0.99, 0)
    assert values[1] > values[0]


def test_pdis_of_behavior_policy_equals_logged_mean():
    behavior = episodic.make_policies([0.5], 0.3)
    logged = episodic.simulate(behavior, 50, 40, 2)
    value = episodic.estimate_episodic_values(logged, behavior, 0.95, ("pdis",))
    assert value[0, 0] == pytest.approx(episodic.discounted_returns(logged, 0.95).mean())


def test_ratios_stay_constant_after_the_fall():
    behavior = episodic.make_policies([-1.0], 0.3)
    logged = episodic.simulate(behavior, 10, 50, 3)
    rho = episodic.cumulative_ratios(logged, episodic.make_policies([1.0], 0.3))[0]
    after = ~logged.alive[:, 1:]
    np.testing.assert_array_equal(rho[:, 1:][after], rho[:, :-1][after])


def test_fqe_values_stay_within_bounds():
    behavior = episodic.make_policies([0.5], 0.3)
    logged = episodic.simulate(behavior, 40, 30, 4)
    estimates = episodic.estimate_episodic_values(logged, episodic.make_policies([-1.0, 1.0], 0.1), 0.99, ("dm-fqe",))
    assert np.all((estimates >= 0.0) & (estimates <= episodic.value_bound(0.99, 30)))


def test_dr_on_behavior_policy_near_truth():
    behavior = episodic.make_policies([0.5], 0.3)
    logged = episodic.simulate(behavior, 400, 30, 5)
    truth = episodic.true_values(behavior, 2000, 30, 0.95, 6)
    estimate = episodic.estimate_episodic_values(logged, behavior, 0.95, ("dr",))
    assert estimate[0, 0] == pytest.approx(truth[0], rel=0.02)


def test_benchmark_shapes():
    result = episodic.run_episodic_benchmark([-0.5, 1.0], 0.1, 0.5, 0.3, 20, 2, 15, 0.95, 20, 0)
    assert result.estimates.shape == (4, 2, 2)


def test_rejects_unknown_estimator():
    logged = episodic.simulate(episodic.make_policies([0.5], 0.3), 3, 5, 0)
    with pytest.raises(ValueError, match="estimators must be a non-empty subset"):
        episodic.estimate_episodic_values(logged, episodic.make_policies([1.0], 0.1), 0.9, ("wis",))


def test_rejects_zero_behavior_epsilon():
    with pytest.raises(ValueError, match="behavior_epsilon"):
        episodic.run_episodic_benchmark([1.0], 0.1, 0.5, 0.0, 5, 1, 5, 0.9, 5, 0)


def test_rejects_epsilon_above_one():
    with pytest.raises(ValueError, match="epsilon must be a finite number in"):
        episodic.make_policies([1.0], 1.5)
