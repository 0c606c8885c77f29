import numpy as np
import pytest

from reprobook.reves.prompts import REVISE, SOLVE
from reprobook.reves.puzzles import is_correct
from reprobook.reves.warmup import warm_up, warmup_task


def test_revise_task_kind(sudokus):
    assert warmup_task(np.random.default_rng(0), sudokus[0], (0.0, 1.0, 0.0)).kind == REVISE


def test_revise_task_shows_near_miss(sudokus):
    task = warmup_task(np.random.default_rng(0), sudokus[0], (0.0, 1.0, 0.0))
    assert not is_correct(task.puzzle, task.previous)


def test_verify_label_is_truth(sudokus):
    tasks = [warmup_task(np.random.default_rng(seed), sudokus[0], (0.0, 0.0, 1.0)) for seed in range(6)]
    assert all(task.label == is_correct(task.puzzle, task.previous) for task in tasks)


def test_verify_labels_both_kinds(sudokus):
    tasks = [warmup_task(np.random.default_rng(seed), sudokus[0], (0.0, 0.0, 1.0)) for seed in range(12)]
    assert {task.label for task in tasks} == {True, False}


def test_solve_only_mix(sudokus):
    assert warmup_task(np.random.default_rng(0), sudokus[0], (1.0, 0.0, 0.0)).kind == SOLVE


def test_loss_decreases(policy, tokenizer, sudokus):
    log = warm_up(policy, tokenizer, sudokus, steps=30, batch_size=16, learning_rate=1e-2)
    assert np.mean(log.losses[-5:]) < np.mean(log.losses[:5])


def test_stops_at_pass(policy, tokenizer, sudokus):
    log = warm_up(policy, tokenizer, sudokus, steps=10, check_every=2, pass_at_1=lambda model: 0.5, stop_at_pass=0.4)
    assert log.steps == 2


def test_bad_mix_raises(policy, tokenizer, sudokus):
    with pytest.raises(ValueError, match="mix must be three probabilities that sum to 1"):
        warm_up(policy, tokenizer, sudokus, steps=1, mix=(0.5, 0.5, 0.5))
