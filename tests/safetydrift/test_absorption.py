from fractions import Fraction

import numpy as np
import pytest
import sympy

from reprobook.safetydrift.absorption import (
    absorption_probabilities,
    clip_probabilities,
    exact_violation_within,
    expected_steps_to_violation,
    fundamental_matrix,
    points_of_no_return,
    posterior_violation_curve,
    posterior_violation_within,
    simulate_violation_within,
    to_rational_matrix,
    violation_curve,
    violation_within,
)
from reprobook.safetydrift.chain import POOLED
from reprobook.safetydrift.monitor import SafetyMonitor
from reprobook.safetydrift.state import RiskLevel

SMALL = [  # a 4-state chain in exact rationals, last state absorbing
    ["1/2", "1/4", "1/8", "1/8"],
    ["1/6", "1/3", "1/3", "1/6"],
    ["0", "1/5", "2/5", "2/5"],
    ["0", "0", "0", "1"],
]
STUCK = np.array([[1.0, 0.0, 0.0], [0.2, 0.3, 0.5], [0.0, 0.0, 1.0]])  # state 0 never violates


def small_float():
    return np.array([[float(Fraction(value)) for value in row] for row in SMALL])


def random_chain(seed, size=5):
    rng = np.random.default_rng(seed)
    matrix = rng.dirichlet(np.ones(size), size=size)
    matrix[-1] = 0.0
    matrix[-1, -1] = 1.0
    return matrix


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("horizon", [1, 5, 20])
def test_closed_form_matches_matrix_power(seed, horizon):
    matrix = random_chain(seed)
    assert np.allclose(
        violation_within(matrix, horizon, method="closed"),
        violation_within(matrix, horizon, method="power"),
    )


@pytest.mark.parametrize("seed", range(3))
def test_series_matches_closed_form(seed):
    matrix = random_chain(seed)
    assert np.allclose(
        violation_within(matrix, 7, method="series"), violation_within(matrix, 7, method="closed")
    )


def test_closed_form_on_fitted_chain(chains):
    matrix = chains[POOLED].matrix
    assert np.allclose(
        violation_within(matrix, 5, method="closed"), np.linalg.matrix_power(matrix, 5)[:-1, -1]
    )


@pytest.mark.parametrize("horizon", [1, 3, 6])
def test_exact_closed_equals_exact_power(horizon):
    closed = exact_violation_within(SMALL, horizon, method="closed")
    power = exact_violation_within(SMALL, horizon, method="power")
    assert sympy.simplify(closed - power) == sympy.zeros(3, 1)


def test_exact_values_are_rational():
    assert all(isinstance(value, sympy.Rational) for value in exact_violation_within(SMALL, 4))


def test_exact_one_step_is_r():
    assert list(exact_violation_within(SMALL, 1)) == [
        sympy.Rational(1, 8),
        sympy.Rational(1, 6),
        sympy.Rational(2, 5),
    ]


def test_float_closed_form_matches_exact():
    exact = np.array([float(value) for value in exact_violation_within(SMALL, 5)])
    assert np.allclose(violation_within(small_float(), 5), exact, rtol=0, atol=1e-14)


def test_exact_rejects_row_not_summing_to_one():
    bad = [row[:] for row in SMALL]
    bad[0][0] = "1/3"
    with pytest.raises(ValueError, match="row 0 of the transition matrix sums to 5/6"):
        exact_violation_within(bad, 2)


def test_monte_carlo_agrees_with_closed_form():
    matrix = small_float()
    estimate = simulate_violation_within(matrix, start=0, horizon=5, n_paths=200_000, seed=1)
    exact = violation_within(matrix, 5)[0]
    standard_error = np.sqrt(exact * (1 - exact) / 200_000)
    assert abs(estimate - exact) < 5 * standard_error


def test_monte_carlo_is_seeded():
    matrix = small_float()
    assert simulate_violation_within(matrix, 1, 3, 1000, seed=4) == simulate_violation_within(
        matrix, 1, 3, 1000, seed=4
    )


def test_curve_matches_pointwise():
    matrix = random_chain(2)
    curve = violation_curve(matrix, 6)
    assert np.allclose(curve[3], violation_within(matrix, 4))


def test_fundamental_matrix_inverts():
    matrix = small_float()
    assert np.allclose(fundamental_matrix(matrix) @ (np.eye(3) - matrix[:-1, :-1]), np.eye(3))


def test_fundamental_matrix_singular_named():
    with pytest.raises(ValueError, match=r"state\(s\) \[0\] cannot reach the absorbing state"):
        fundamental_matrix(STUCK)


def test_absorption_is_certain_when_smoothed(chains):
    assert np.allclose(absorption_probabilities(chains[POOLED].matrix), 1.0)


def test_absorption_zero_for_stuck_state():
    assert np.allclose(absorption_probabilities(STUCK), [0.0, 0.5 / 0.7])


def test_expected_steps_geometric():
    matrix = np.array([[0.75, 0.25], [0.0, 1.0]])
    assert np.allclose(expected_steps_to_violation(matrix), [4.0])


def test_expected_steps_equals_fundamental_row_sums():
    matrix = small_float()
    assert np.allclose(expected_steps_to_violation(matrix), fundamental_matrix(matrix).sum(axis=1))


def test_expected_steps_infinite_when_escape_possible():
    assert np.isinf(expected_steps_to_violation(STUCK)).all()


def test_auto_falls_back_to_series_for_stuck_chain():
    assert np.allclose(violation_within(STUCK, 3), [0.0, 0.5 + 0.3 * 0.5 + 0.09 * 0.5 + 0.0])


def test_closed_form_rejects_stuck_chain():
    with pytest.raises(ValueError, match="I - Q is singular"):
        violation_within(STUCK, 3, method="closed")


def test_horizon_below_one_rejected():
    with pytest.raises(ValueError, match="horizon must be an integer >= 1; got 0"):
        violation_within(small_float(), 0)


def test_row_not_summing_to_one_rejected():
    with pytest.raises(ValueError, match="must sum to 1 within"):
        violation_within(np.array([[0.6, 0.6], [0.0, 1.0]]), 2)


def test_points_of_no_return():
    to_violation = [0.0, 0.5, 0.9, 0.95]
    matrix = np.zeros((5, 5))
    for row, probability in enumerate(to_violation):
        matrix[row, row] = 1 - probability
        matrix[row, 4] = probability
    matrix[4, 4] = 1.0
    assert points_of_no_return(matrix, horizon=1, level=0.85) == [
        RiskLevel.ELEVATED,
        RiskLevel.CRITICAL,
    ]


def test_posterior_draw_shape(chains):
    assert posterior_violation_within(chains[POOLED].counts, 5, 30, seed=0).shape == (30, 4)


def test_posterior_centres_on_point_estimate(chains):
    draws = posterior_violation_within(chains[POOLED].counts, 5, 400, seed=0)
    point = violation_within(chains[POOLED].matrix, 5)
    assert np.allclose(draws.mean(axis=0), point, atol=0.03)


def test_posterior_is_seeded(chains):
    counts = chains[POOLED].counts
    assert np.array_equal(
        posterior_violation_within(counts, 3, 5, seed=2),
        posterior_violation_within(counts, 3, 5, seed=2),
    )


def test_posterior_rejects_zero_alpha(chains):
    with pytest.raises(ValueError, match="alpha must be > 0"):
        posterior_violation_within(chains[POOLED].counts, 3, 5, seed=0, alpha=0.0)


def test_rational_rows_sum_to_one(chains):
    rational = to_rational_matrix(chains[POOLED].matrix, 1000)
    assert all(sum(row) == 1 for row in rational)


def test_rational_close_to_float(chains):
    rational = to_rational_matrix(chains[POOLED].matrix, 1000)
    assert np.allclose(np.array(rational, dtype=float), chains[POOLED].matrix, atol=0.005)


def test_rational_chain_feeds_exact_analysis(chains):
    rational = to_rational_matrix(chains[POOLED].matrix, 100)
    exact = exact_violation_within(rational, 5)
    assert np.allclose(
        np.array(exact, dtype=float).ravel(), violation_within(np.array(rational, dtype=float), 5)
    )


def test_posterior_curve_last_horizon_matches_within(chains):
    counts = chains[POOLED].counts
    curve = posterior_violation_curve(counts, 6, 10, seed=1)
    assert np.array_equal(curve[:, -1], posterior_violation_within(counts, 6, 10, seed=1))


def test_posterior_curve_grows_with_horizon(chains):
    curve = posterior_violation_curve(chains[POOLED].counts, 6, 10, seed=1)
    assert np.all(np.diff(curve, axis=1) >= 0)


@pytest.mark.parametrize("method", ["closed", "power", "series"])
def test_large_horizon_stays_in_unit_interval(chains, method):
    within = violation_within(chains[POOLED].matrix, 100_000, method=method)
    assert within.max() <= 1.0


def test_large_horizon_curve_stays_in_unit_interval(chains):
    assert violation_curve(chains[POOLED].matrix, 5_000).max() <= 1.0


def test_large_horizon_feeds_monitor(chains):
    monitor = SafetyMonitor.from_chains(chains, horizon=100_000)
    assert monitor.probabilities[POOLED][RiskLevel.MILD] == pytest.approx(1.0)


def test_clip_rejects_more_than_round_off():
    with pytest.raises(ValueError, match="within"):
        clip_probabilities(np.array([0.5, 1.01]))
