"""Tests of the portfolio metrics: conventions on hand-computed cases, and bad input."""

import numpy as np
import pytest
from scipy.stats import spearmanr

from reprobook.sharpe import metrics
from reprobook.sharpe.toy import example_1, example_2


def test_rank_policies_breaks_ties_by_lower_index():
    order = metrics.rank_policies([1.0, 3.0, 3.0, 2.0, 3.0])
    assert order.tolist() == [1, 2, 4, 3, 0]


def test_portfolio_values_follow_estimated_order():
    ranked = metrics.portfolio_values([0.2, 0.9, 0.5], [10.0, 30.0, 20.0])
    assert ranked.tolist() == [30.0, 20.0, 10.0]


def test_sharpe_scope_rl_example_2_w_at_5():
    example = example_2()
    value = metrics.sharpe_ratio_at_k(example.estimates[0], example.true_values, 5.0, 2)
    assert value == pytest.approx(6.0 / np.sqrt(0.5), abs=1e-12)
    assert round(float(value), 3) == 8.485


def test_sharpe_documented_example_2_w_at_5():
    example = example_2()
    value = metrics.sharpe_ratio_at_k(example.estimates[0], example.true_values, 5.0, 2, convention="documented")
    assert value == pytest.approx(12.0)


def test_mse_example_1_ties_at_11_3():
    example = example_1()
    mse = metrics.mean_squared_error(example.estimates, example.true_values)
    assert mse == pytest.approx([11.3, 11.3])


def test_mse_example_2_values():
    example = example_2()
    mse = metrics.mean_squared_error(example.estimates, example.true_values)
    assert np.round(mse, 2).tolist() == [60.13, 58.63]


def test_sharpe_scope_rl_k1_is_nan():
    assert np.isnan(metrics.sharpe_ratio_at_k([1.0, 2.0], [1.0, 2.0], 0.0, 1))


def test_sharpe_scope_rl_clips_numerator_at_zero():
    value = metrics.sharpe_ratio_at_k([2.0, 1.0], [3.0, 1.0], 10.0, 2)
    assert value == 0.0


def test_sharpe_documented_keeps_negative_numerator():
    value = metrics.sharpe_ratio_at_k([2.0, 1.0], [3.0, 1.0], 10.0, 2, convention="documented")
    assert value == pytest.approx(-7.0)


def test_sharpe_zero_spread_gain_is_inf():
    assert np.isposinf(metrics.sharpe_ratio_at_k([2.0, 1.0], [5.0, 5.0], 1.0, 2))


def test_sharpe_zero_spread_no_gain_is_nan():
    assert np.isnan(metrics.sharpe_ratio_at_k([2.0, 1.0], [5.0, 5.0], 5.0, 2))


def test_sharpe_documented_zero_spread_is_nan():
    assert np.isnan(metrics.sharpe_ratio_at_k([2.0, 1.0], [5.0, 5.0], 1.0, 2, convention="documented"))


def test_sharpe_clip_maps_inf_to_100():
    assert metrics.sharpe_ratio_at_k([2.0, 1.0], [5.0, 5.0], 1.0, 2, clip=True) == 100.0


def test_sharpe_clip_maps_nan_to_0():
    assert metrics.sharpe_ratio_at_k([2.0, 1.0], [5.0, 5.0], 5.0, 2, clip=True) == 0.0


def test_sharpe_clip_caps_large_values_at_100():
    value = metrics.sharpe_ratio_at_k([2.0, 1.0], [1000.0, 999.0], 0.0, 2, clip=True)
    assert value == 100.0


def _loop_reference(estimates, true_values, behavior_value, k, ddof):
    """Compute best@k, std@k and SharpeRatio@k one dataset at a time, the plain way."""
    order = sorted(range(len(estimates)), key=lambda i: (-estimates[i], i))
    top = np.array([true_values[i] for i in order[:k]])
    std = np.std(top, ddof=ddof)
    return top.max(), std, max(top.max() - behavior_value, 0.0) / std


def test_vectorised_matches_loop_on_random_batch():
    rng = np.random.default_rng(0)
    estimates = rng.normal(size=(3, 4, 12)).round(1)  # rounding creates ties
    true_values = rng.normal(size=12)
    ks = list(range(2, 13))
    got = metrics.sharpe_ratio_at_k(estimates, true_values, -0.5, ks)
    expected = np.array(
        [[[_loop_reference(estimates[a, b], true_values, -0.5, k, 1)[2] for k in ks] for b in range(4)] for a in range(3)]
    )
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def test_std_matches_numpy_for_large_offset():
    true_values = 1e6 + np.array([0.1, 0.2, 0.4, 0.8])
    std = metrics.std_at_k([4.0, 3.0, 2.0, 1.0], true_values, 4)
    assert std == pytest.approx(np.std(true_values, ddof=1), rel=1e-6)


def test_best_worst_mean_at_k():
    estimates, true_values = [3.0, 2.0, 1.0], [1.0, 5.0, 3.0]
    assert metrics.best_at_k(estimates, true_values, [1, 2, 3]).tolist() == [1.0, 5.0, 5.0]
    assert metrics.worst_at_k(estimates, true_values, [1, 2, 3]).tolist() == [1.0, 1.0, 1.0]
    assert metrics.mean_at_k(estimates, true_values, 3) == pytest.approx(3.0)


def test_regret_at_k_is_best_minus_portfolio_best():
    regret = metrics.regret_at_k([3.0, 2.0, 1.0], [1.0, 5.0, 3.0], [1, 2])
    assert regret.tolist() == [4.0, 0.0]


def test_rank_correlation_matches_scipy_with_ties():
    estimates = np.array([1.0, 2.0, 2.0, 3.0, 5.0, 4.0])
    true_values = np.array([2.0, 1.0, 3.0, 3.0, 6.0, 5.0])
    expected = spearmanr(estimates, true_values).statistic
    assert metrics.rank_correlation(estimates, true_values) == pytest.approx(expected)


def test_rank_correlation_constant_estimates_is_nan():
    assert np.isnan(metrics.rank_correlation([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]))


def test_normalized_mse_divides_by_mean_square():
    assert metrics.normalized_mse([1.0, 3.0], [2.0, 2.0]) == pytest.approx(0.25)


def test_error_rates_count_false_positives_and_negatives():
    type_i, type_ii = metrics.error_rates([5.0, 0.0, 5.0, 0.0], [0.0, 0.0, 5.0, 5.0], 1.0)
    assert type_i == pytest.approx(0.5)
    assert type_ii == pytest.approx(0.5)


def test_top_k_metrics_agrees_with_single_functions():
    example = example_2()
    result = metrics.top_k_metrics(example.estimates, example.true_values, 10.0, [2, 5])
    np.testing.assert_array_equal(
        result["sharpe_ratio"], metrics.sharpe_ratio_at_k(example.estimates, example.true_values, 10.0, [2, 5])
    )


def test_behavior_value_broadcasts_per_dataset():
    example = example_2()
    values = metrics.sharpe_ratio_at_k(example.estimates, example.true_values, [5.0, 15.0], 2)
    np.testing.assert_allclose(values, [6.0 / np.sqrt(0.5), 0.0])


def test_rejects_mismatched_policy_counts():
    with pytest.raises(ValueError, match="same number of policies"):
        metrics.sharpe_ratio_at_k(np.zeros((2, 3)), np.zeros(4), 0.0, 2)


def test_rejects_unbroadcastable_shapes():
    with pytest.raises(ValueError, match="broadcastable"):
        metrics.best_at_k(np.zeros((2, 3)), np.zeros((4, 3)), 2)


def test_rejects_k_above_policy_count():
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 3\]; got 4"):
        metrics.sharpe_ratio_at_k([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 0.0, 4)


def test_rejects_k_zero_in_sequence():
    with pytest.raises(ValueError, match=r"k\[1\]"):
        metrics.best_at_k([1.0, 2.0], [1.0, 2.0], [1, 0])


def test_rejects_nan_estimate():
    with pytest.raises(ValueError, match="estimates must be finite"):
        metrics.sharpe_ratio_at_k([1.0, np.nan], [1.0, 2.0], 0.0, 2)


def test_rejects_empty_portfolio():
    with pytest.raises(ValueError, match="empty portfolio"):
        metrics.best_at_k(np.zeros((3, 0)), np.zeros(0), 1)


def test_rejects_unknown_convention():
    with pytest.raises(ValueError, match="convention must be one of"):
        metrics.sharpe_ratio_at_k([1.0, 2.0], [1.0, 2.0], 0.0, 2, convention="paper")


def test_rejects_nan_behavior_value():
    with pytest.raises(ValueError, match="behavior_value must be finite"):
        metrics.sharpe_ratio_at_k([1.0, 2.0], [1.0, 2.0], np.nan, 2)


def test_rejects_text_estimates_naming_the_parameter():
    with pytest.raises(ValueError, match="estimates must hold real numbers"):
        metrics.sharpe_ratio_at_k(["a", "b"], [1.0, 2.0], 0.0, 2)


def test_rejects_text_behavior_value_naming_the_parameter():
    with pytest.raises(ValueError, match="behavior_value must hold real numbers"):
        metrics.sharpe_ratio_at_k([1.0, 2.0], [1.0, 2.0], "high", 2)
