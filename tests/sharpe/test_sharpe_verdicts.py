"""Tests of the scorecard verdicts and the benchmark helpers."""

import numpy as np
import pytest

from reprobook.claims import NOT_REPRODUCED, NOT_TESTABLE, REPRODUCED, SAME_DIRECTION
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


def test_association_with_four_estimators_is_not_testable():
    judged = verdicts.verdict_rank_association([1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0], -1)
    assert judged.verdict == NOT_TESTABLE


def test_association_with_four_estimators_says_too_few():
    judged = verdicts.verdict_rank_association([1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0], -1)
    assert "too few estimators" in judged.reason


def test_perfect_negative_association_of_six_holds():
    judged = verdicts.verdict_rank_association(np.arange(6.0), -np.arange(6.0), -1)
    assert judged.verdict == SAME_DIRECTION


def test_perfect_negative_association_p_value_is_exact():
    judged = verdicts.verdict_rank_association(np.arange(6.0), -np.arange(6.0), -1)
    assert judged.p_value == pytest.approx(1.0 / 720.0)


def test_weak_association_of_six_is_too_weak_to_decide():
    judged = verdicts.verdict_rank_association(np.arange(6.0), [3.0, 1.0, 4.0, 6.0, 5.0, 2.0], -1)
    assert judged.verdict == NOT_TESTABLE


def test_weak_association_reason_says_too_weak():
    judged = verdicts.verdict_rank_association(np.arange(6.0), [3.0, 1.0, 4.0, 6.0, 5.0, 2.0], -1)
    assert judged.reason.startswith("too weak to decide")


def test_significant_opposite_association_is_not_reproduced():
    judged = verdicts.verdict_rank_association(np.arange(6.0), np.arange(6.0), -1)
    assert judged.verdict == NOT_REPRODUCED


def test_constant_score_is_not_testable():
    judged = verdicts.verdict_rank_association(np.arange(6.0), np.full(6, 100.0), -1)
    assert judged.verdict == NOT_TESTABLE


def test_ties_at_the_clip_value_are_reported():
    scores = [100.0, 100.0, 100.0, 3.0, 2.0, 1.0]
    judged = verdicts.verdict_rank_association(np.arange(6.0), scores, -1, clip_value=100.0)
    assert "3 estimators tie at the clip value 100" in judged.reason


def test_ties_at_the_clip_value_share_a_mid_rank():
    # The 3! orderings of the tied block give the same statistic, and only they reach the
    # observed one, so p = 3! / 6! = 1/120 (1/720 without the tie).
    scores = [100.0, 100.0, 100.0, 3.0, 2.0, 1.0]
    judged = verdicts.verdict_rank_association(np.arange(6.0), scores, -1, clip_value=100.0)
    assert judged.p_value == pytest.approx(1.0 / 120.0)


def test_exact_p_value_of_four_perfectly_ordered_is_one_in_24():
    p_negative, _ = verdicts.permutation_p_values(np.arange(4.0), -np.arange(4.0))
    assert p_negative == pytest.approx(1.0 / 24.0)


def test_monte_carlo_p_value_is_repeatable_for_a_seed():
    first = verdicts.permutation_p_values(np.arange(10.0), np.arange(10.0) % 3, seed=1)
    assert first == verdicts.permutation_p_values(np.arange(10.0), np.arange(10.0) % 3, seed=1)


def test_association_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="first and second must be 1-D arrays of one shape"):
        verdicts.verdict_rank_association([1.0, 2.0], [1.0], -1)


def test_input_mismatch_makes_a_claim_not_testable():
    verdict, _ = verdicts.verdict_with_input_check(REPRODUCED, False, "the MSE of 11.3")
    assert verdict == NOT_TESTABLE


def test_input_match_keeps_the_verdict():
    verdict, _ = verdicts.verdict_with_input_check(REPRODUCED, True, "the MSE of 11.3")
    assert verdict == REPRODUCED


def test_summary_budget_above_the_candidates_names_the_profile():
    with pytest.raises(ValueError, match="the number of candidate policies in the 'smoke' profile"):
        benchmark.check_summary_budget(9, 8, "smoke")


def test_summary_budget_of_one_says_why_two_is_the_least():
    with pytest.raises(ValueError, match="SharpeRatio@1 is undefined"):
        benchmark.check_summary_budget(1, 8, "smoke")
