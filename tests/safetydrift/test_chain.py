import numpy as np
import pytest
from scipy import stats

from reprobook.safetydrift.chain import (
    POOLED,
    category_violation_rates,
    check_stochastic,
    count_path_transitions,
    count_transitions,
    dirichlet_interval,
    encode_traces,
    estimate_matrix,
    fit_chain,
    fit_chains,
    wilson_interval,
)
from reprobook.safetydrift.generator import CATEGORIES


def test_encoded_levels_match_risk_paths(traces):
    encoded = encode_traces(traces)
    assert encoded.levels.tolist() == [
        int(level) for trace in traces for level in trace.risk_levels()
    ]


def test_counts_match_loop(traces):
    loop = count_path_transitions(trace.risk_levels() for trace in traces)
    assert np.array_equal(count_transitions(encode_traces(traces)), loop)


def test_counts_one_per_step_until_violation(traces):
    expected = sum(trace.first_violation or len(trace.steps) for trace in traces)
    assert count_transitions(encode_traces(traces)).sum() == expected


def test_counts_start_at_safe():
    assert count_path_transitions([[1, 1]]).tolist()[0] == [0, 1, 0, 0, 0]


def test_select_keeps_category(traces):
    selected = encode_traces(traces).select("sysadmin")
    assert set(selected.categories) == {"sysadmin"}


def test_estimate_maximum_likelihood():
    counts = np.array([[3, 1, 0], [0, 2, 2], [0, 0, 0]])
    assert np.allclose(estimate_matrix(counts)[0], [0.75, 0.25, 0.0])


def test_estimate_laplace():
    counts = np.array([[3, 1, 0], [0, 2, 2], [0, 0, 0]])
    assert np.allclose(estimate_matrix(counts, smoothing="laplace")[0], [4 / 7, 2 / 7, 1 / 7])


def test_estimate_dirichlet_uses_prior_mean():
    counts = np.array([[2, 0, 0], [0, 2, 2], [0, 0, 0]])
    prior = np.array([[0.0, 0.5, 0.5], [0.0, 0.5, 0.5], [0.0, 0.0, 1.0]])
    assert np.allclose(
        estimate_matrix(counts, smoothing="dirichlet", alpha=2.0, prior=prior)[0], [0.5, 0.25, 0.25]
    )


def test_absorbing_row_enforced():
    counts = np.array([[1, 1, 1], [1, 1, 1], [5, 5, 5]])
    assert estimate_matrix(counts)[2].tolist() == [0.0, 0.0, 1.0]


def test_unvisited_uniform():
    counts = np.array([[1, 1, 0], [0, 0, 0], [0, 0, 0]])
    assert np.allclose(estimate_matrix(counts, unvisited="uniform")[1], [1 / 3] * 3)


def test_unvisited_stay():
    counts = np.array([[1, 1, 0], [0, 0, 0], [0, 0, 0]])
    assert estimate_matrix(counts, unvisited="stay")[1].tolist() == [0.0, 1.0, 0.0]


def test_unvisited_prior():
    counts = np.array([[1, 1, 0], [0, 0, 0], [0, 0, 0]])
    prior = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5], [0.0, 0.0, 1.0]])
    assert estimate_matrix(counts, unvisited="prior", prior=prior)[1].tolist() == [0.2, 0.3, 0.5]


def test_unvisited_error_names_level():
    counts = np.array([[1, 1, 0], [0, 0, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match="risk level 1 has no observed transitions"):
        estimate_matrix(counts, unvisited="error")


def test_dirichlet_needs_prior():
    with pytest.raises(ValueError, match="a prior matrix is needed"):
        estimate_matrix(np.ones((3, 3)), smoothing="dirichlet")


def test_unknown_smoothing_rejected():
    with pytest.raises(ValueError, match="smoothing must be one of"):
        estimate_matrix(np.ones((3, 3)), smoothing="kneser-ney")


def test_zero_alpha_rejected_with_smoothing():
    with pytest.raises(ValueError, match="alpha must be > 0"):
        estimate_matrix(np.ones((3, 3)), smoothing="laplace", alpha=0.0)


def test_fitted_rows_sum_to_one(chains):
    assert np.allclose(chains[POOLED].matrix.sum(axis=1), 1.0)


def test_fit_chains_keys(chains):
    assert list(chains) == [
        POOLED,
        *[
            name
            for name in ("research_communication", "data_handling", "sysadmin", "code_debugging")
        ],
    ]


def test_fit_chains_counts_add_up(chains):
    per_category = sum(chains[category].counts for category in CATEGORIES)
    assert np.array_equal(per_category, chains[POOLED].counts)


def test_fit_chains_dirichlet_shrinks_to_pooled(traces):
    chains = fit_chains(traces, smoothing="dirichlet", alpha=1e6)
    assert np.allclose(chains["sysadmin"].matrix, chains[POOLED].matrix, atol=1e-3)


def test_empty_training_set_rejected():
    with pytest.raises(ValueError, match="empty training set; got 0 traces"):
        fit_chain([])


def test_fit_chains_empty_rejected():
    with pytest.raises(ValueError, match="empty training set"):
        fit_chains([])


def test_check_stochastic_rejects_bad_row_sum():
    matrix = np.array([[0.5, 0.4], [0.0, 1.0]])
    with pytest.raises(ValueError, match="row 0 of the transition matrix sums to 0.9"):
        check_stochastic(matrix)


def test_check_stochastic_names_row_sum_tolerance():
    matrix = np.array([[0.5, 0.4], [0.0, 1.0]])
    with pytest.raises(ValueError, match="within 1e-09"):
        check_stochastic(matrix)


def test_check_stochastic_rejects_non_absorbing_last_state():
    matrix = np.array([[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="must be absorbing"):
        check_stochastic(matrix)


def test_check_stochastic_rejects_negative_entry():
    with pytest.raises(ValueError, match="non-negative"):
        check_stochastic(np.array([[1.5, -0.5], [0.0, 1.0]]))


def test_wilson_interval_known_value():
    lower, upper = wilson_interval(np.array([[5, 5], [0, 0]]), 0.95)
    assert np.allclose([lower[0, 0], upper[0, 0]], [0.2366, 0.7634], atol=1e-4)


def test_wilson_interval_unvisited_row_is_unit_interval():
    lower, upper = wilson_interval(np.array([[5, 5], [0, 0]]))
    assert [lower[1, 0], upper[1, 0]] == [0.0, 1.0]


def test_wilson_interval_contains_estimate(chains):
    lower, upper = wilson_interval(chains[POOLED].counts)
    share = chains[POOLED].counts[0] / chains[POOLED].counts[0].sum()
    assert np.all((lower[0] <= share) & (share <= upper[0]))


def test_dirichlet_interval_matches_beta():
    lower, upper = dirichlet_interval(np.array([[3, 1], [0, 0]]), 0.9, alpha=1.0)
    assert np.isclose(lower[0, 0], stats.beta.ppf(0.05, 4, 2))
    assert np.isclose(upper[0, 0], stats.beta.ppf(0.95, 4, 2))


def test_dirichlet_interval_rejects_confidence_one():
    with pytest.raises(ValueError, match="confidence"):
        dirichlet_interval(np.ones((2, 2)), 1.0)


def test_category_rates(traces):
    rates = category_violation_rates(traces)
    assert rates["research_communication"] > rates["sysadmin"]


def test_estimate_rejects_nan_counts():
    with pytest.raises(ValueError, match=r"counts\[0, 0\] = nan"):
        estimate_matrix(np.full((5, 5), np.nan))


def test_estimate_names_negative_count():
    counts = np.ones((5, 5))
    counts[2, 3] = -1.0
    with pytest.raises(ValueError, match=r"counts\[2, 3\] = -1.0"):
        estimate_matrix(counts)


def test_estimate_rejects_non_square_counts():
    with pytest.raises(ValueError, match="square"):
        estimate_matrix(np.ones((4, 5)))
