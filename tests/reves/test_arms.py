import numpy as np
import pytest
import torch

from reprobook.reves.arms import (
    ARMS,
    MULTI_TURN,
    REVES,
    ArmConfig,
    Augmentation,
    augment,
    mixed_tasks,
    multi_turn_rollouts,
    train_arm,
)
from reprobook.reves.grpo import GRPOConfig
from reprobook.reves.prompts import REVISE, SOLVE, VERIFY, Task
from reprobook.reves.puzzles import is_correct

TINY = ArmConfig(steps=2, prompts_per_step=2, round_steps=1, augment_puzzles=4, revision_budget=2)


def test_augmentation_keeps_only_recoveries(policy, tokenizer, sudokus):
    result = augment(policy, tokenizer, sudokus, budget=3, temperature=1.0, generator=torch.Generator().manual_seed(0))
    assert result.stats["recovered"] + result.stats["first_correct"] + result.stats["never_correct"] == len(sudokus)


def test_augmentation_labels_match_verifier(policy, tokenizer, sudokus):
    result = augment(policy, tokenizer, sudokus, budget=3, temperature=1.0, generator=torch.Generator().manual_seed(0))
    assert all(task.label == is_correct(task.puzzle, task.previous) for task in result.verifications)


def scripted_augmentation(monkeypatch, sudokus):
    from reprobook.reves import arms
    from reprobook.reves.rollouts import Chain

    chains = [
        Chain(sudokus[0], ["1", "2", sudokus[0].solution], [False, False, True]),
        Chain(sudokus[1], [sudokus[1].solution], [True]),
        Chain(sudokus[2], ["3", "4"], [False, False]),
    ]
    monkeypatch.setattr(arms, "revision_chains", lambda *args, **kwargs: (chains, 7))
    return augment(None, None, sudokus[:3], budget=1, temperature=1.0, generator=None)


def test_augmentation_keeps_recovered_chain(monkeypatch, sudokus):
    assert scripted_augmentation(monkeypatch, sudokus).stats["recovered"] == 1


def test_augmentation_near_misses_become_revisions(monkeypatch, sudokus):
    assert [task.previous for task in scripted_augmentation(monkeypatch, sudokus).revisions] == ["1", "2"]


def test_augmentation_answers_become_verifications(monkeypatch, sudokus):
    labels = [task.label for task in scripted_augmentation(monkeypatch, sudokus).verifications]
    assert labels == [False, False, True]


def pool(sudokus):
    revisions = [Task(REVISE, sudokus[0], "1111111")]
    verifications = [Task(VERIFY, sudokus[0], "1", label=True), Task(VERIFY, sudokus[1], "2", label=False)]
    return Augmentation(revisions, verifications, {}, 0)


def test_mixed_tasks_share(sudokus):
    tasks = mixed_tasks(np.random.default_rng(0), sudokus, pool(sudokus), (REVISE, VERIFY), 8, 0.5)
    assert [task.kind for task in tasks].count(SOLVE) == 4


def test_mixed_tasks_balance_labels(sudokus):
    tasks = mixed_tasks(np.random.default_rng(0), sudokus, pool(sudokus), (VERIFY,), 8, 0.5)
    assert [task.label for task in tasks if task.kind == VERIFY].count(True) == 2


def test_mixed_tasks_empty_pool_falls_back(sudokus):
    empty = Augmentation([], [], {}, 0)
    tasks = mixed_tasks(np.random.default_rng(0), sudokus, empty, (REVISE,), 6, 0.5)
    assert {task.kind for task in tasks} == {SOLVE}


def test_multi_turn_shares_advantage(policy, tokenizer, sudokus):
    config = GRPOConfig(group_size=2)
    prompts, _, advantages, _, _ = multi_turn_rollouts(policy, tokenizer, sudokus[:2], 2, config, torch.Generator())
    assert len(prompts) == len(advantages)


@pytest.mark.parametrize("arm", ARMS)
def test_every_arm_runs(policy, tokenizer, sudokus, arm):
    log = train_arm(policy, tokenizer, arm, sudokus, grpo=GRPOConfig(group_size=2), config=TINY, seed=0)
    assert len(log.sampled_tokens) == 2


def test_multi_turn_samples_more_than_solve_only(tokenizer, sudokus):
    from reprobook.reves.policy import build_policy

    counts = {}
    for arm in ("single_turn", MULTI_TURN):
        policy = build_policy(1, 16, 2, seed=0)
        counts[arm] = train_arm(policy, tokenizer, arm, sudokus, grpo=GRPOConfig(group_size=2), config=TINY, seed=0)
    assert counts[MULTI_TURN].sampled_tokens[-1] > counts["single_turn"].sampled_tokens[-1]


def test_reves_logs_rounds(policy, tokenizer, sudokus):
    log = train_arm(policy, tokenizer, REVES, sudokus, grpo=GRPOConfig(group_size=2), config=TINY, seed=0)
    assert len(log.rounds) == 2


def test_training_repeatable(tokenizer, sudokus):
    from reprobook.reves.policy import build_policy

    weights = []
    for _ in range(2):
        policy = build_policy(1, 16, 2, seed=0)
        train_arm(policy, tokenizer, REVES, sudokus, grpo=GRPOConfig(group_size=2), config=TINY, seed=4)
        weights.append(list(policy.parameters()))
    assert all(torch.equal(a, b) for a, b in zip(*weights, strict=True))


def test_unknown_arm_raises(policy, tokenizer, sudokus):
    with pytest.raises(ValueError, match="arm must be one of"):
        train_arm(policy, tokenizer, "tree_search", sudokus, grpo=GRPOConfig(), config=TINY, seed=0)


def test_zero_steps_raises():
    with pytest.raises(ValueError, match="steps must be an integer >= 1; got 0"):
        ArmConfig(steps=0)
