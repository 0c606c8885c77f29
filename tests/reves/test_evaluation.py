import math

import numpy as np
import pytest

from reprobook.reves.evaluation import auroc, evaluate, oracle_success, self_stop_success
from reprobook.reves.puzzles import Puzzle
from reprobook.reves.rollouts import Chain

PUZZLE = Puzzle("queens", "2.6..5", "246135")


def test_auroc_perfect():
    assert auroc(np.array([True, False, True]), np.array([0.9, 0.1, 0.8])) == 1.0


def test_auroc_ties_count_half():
    assert auroc(np.array([True, False]), np.array([0.5, 0.5])) == 0.5


def test_auroc_one_class_is_nan():
    assert math.isnan(auroc(np.array([True, True]), np.array([0.5, 0.2])))


def test_auroc_shape_mismatch_raises():
    with pytest.raises(ValueError, match="labels and scores must have one shape"):
        auroc(np.array([True]), np.array([0.1, 0.2]))


def test_oracle_success_by_budget():
    chains = [Chain(PUZZLE, ["a", "b"], [False, True]), Chain(PUZZLE, ["a"], [True]), Chain(PUZZLE, ["a"] * 3, [False] * 3)]
    assert oracle_success(chains, [0, 1]) == {0: 1 / 3, 1: 2 / 3}


def test_self_stop_submits_first_accepted():
    chains = [Chain(PUZZLE, ["a", "b"], [False, True], [True, True])]
    assert self_stop_success(chains, [1]) == {1: 0.0}


def test_self_stop_submits_last_within_budget():
    chains = [Chain(PUZZLE, ["a", "b", "c"], [False, True, False], [False, False, False])]
    assert self_stop_success(chains, [1, 2]) == {1: 1.0, 2: 0.0}


def test_evaluate_reports_every_budget(policy, tokenizer, sudokus):
    results = evaluate(policy, tokenizer, sudokus[:4], budgets=[1, 2], temperature=1.0, seed=0)
    assert {"pass@1", "oracle@1", "oracle@2", "self@1", "self@2", "verification_auroc"} <= set(results)


def test_evaluate_oracle_not_below_pass(policy, tokenizer, sudokus):
    results = evaluate(policy, tokenizer, sudokus[:4], budgets=[2], temperature=1.0, seed=0, self_stop=False)
    assert results["oracle@2"] >= results["pass@1"]


def test_evaluate_bad_budget_raises(policy, tokenizer, sudokus):
    with pytest.raises(ValueError, match=r"budgets\[0\] must be an integer >= 1; got 0"):
        evaluate(policy, tokenizer, sudokus, budgets=[0], temperature=1.0, seed=0)
