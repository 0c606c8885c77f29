"""Tests of the scorecard verdicts and the benchmark helpers."""

import numpy as np
import pytest

from reprobook.claims import NOT_REPRODUCED, REPRODUCED, SAME_DIRECTION
from reprobook.sharpe import benchmark, verdicts


def test_close_value_is_reproduced():
    assert verdicts.verdict_close(8.4853, 8.485) == REPRODUCED


def test_distant_value_is_not_reproduced():
    assert verdicts.verdict_close(12.0, 8.485) == NOT_REPRODUCED


def test_nan_value_is_not_reproduced():
    assert verdicts.verdict_close(float("nan"), 1.0) == NOT_REPRODUCED


def test_disagreement_found():
    picks = {"nMSE": "dm", "SharpeRatio@3": "dr"}
    assert verdicts.verdict_disagreement(picks, "SharpeRatio@3") == SAME_DIRECTION


def test_no_disagreement():
    picks = {"nMSE": "dr", "SharpeRatio@3": "dr"}
    assert verdicts.verdict_disagreement(picks, "SharpeRatio@3") == NOT_REPRODUCED


def test_disagreement_rejects_unknown_reference():
    with pytest.raises(ValueError, match="reference must be one of"):
        verdicts.picks_differ({"nMSE": "dm"}, "regret")


def test_budget_dependence():
    assert verdicts.verdict_budget_dependence(["dm", "dm", "ips"]) == SAME_DIRECTION


def test_best_estimator_ignores_nan():
    scores = np.array([[np.nan, 1.0], [2.0, 0.5]])
    assert benchmark.best_estimator(scores, ["a", "b"], higher_is_better=True) == ["b", "a"]


def test_best_estimator_lower_is_better():
    assert benchmark.best_estimator(np.array([0.3, 0.1]), ["a", "b"], higher_is_better=False) == ["b"]


def test_bandit_benchmark_shapes():
    result = benchmark.run_bandit_benchmark([(3, 50)], 2, 4, 0.3, 100, 0)
    assert result.estimates.shape == (6, 1, 2, 4)


def test_bandit_benchmark_rejects_empty_datasets():
    with pytest.raises(ValueError, match="datasets must list"):
        benchmark.run_bandit_benchmark([], 1, 4, 0.3, 100, 0)


def test_tied_picks_that_overlap_do_not_differ():
    assert verdicts.picks_differ({"nMSE": "dm", "SharpeRatio@3": "dm=dr"}, "SharpeRatio@3") == []


def test_best_estimator_names_ties():
    assert benchmark.best_estimator(np.array([1.0, 2.0, 2.0]), ["a", "b", "c"], higher_is_better=True) == ["b=c"]


def test_budget_dependence_with_a_tied_constant_winner():
    assert verdicts.verdict_budget_dependence(["dm=dr", "dr", "dr=ips"]) == NOT_REPRODUCED


def test_rank_association_of_constant_input_is_nan():
    assert np.isnan(benchmark.rank_association(np.array([1.0, 2.0, 3.0]), np.array([5.0, 5.0, 5.0])))


def test_rank_association_of_reversed_order_is_minus_one():
    assert benchmark.rank_association(np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 1.0])) == pytest.approx(-1.0)
