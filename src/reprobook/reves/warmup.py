"""Supervised warm-up: teach the random policy the three prompt formats before RL.

The warm-up minimises the cross-entropy of reference completions on a mix of solve,
revise and verify tasks. Revise tasks show a near-miss (the solution with one or two
blank cells changed) and teach the solution; verify tasks show a correct or a near-miss
answer and teach ``T`` or ``F``. Training stops after a fixed number of steps, or earlier
once pass@1 on held-out solve prompts reaches ``stop_at_pass`` so that RL has room left.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import torch

from reprobook.params import check_float, check_int
from reprobook.reves.policy import completion_logprobs
from reprobook.reves.prompts import REVISE, SOLVE, VERIFY, CharTokenizer, Task, target_text
from reprobook.reves.puzzles import Puzzle, corrupt_answer

logger = logging.getLogger(__name__)


def warmup_task(rng: np.random.Generator, puzzle: Puzzle, mix: tuple[float, float, float]) -> Task:
    """Draw one supervised task about ``puzzle``.

    Args:
        rng: the random generator.
        puzzle: the puzzle.
        mix: probabilities of (solve, revise, verify), summing to 1.

    Returns:
        A solve task, a revise task with a near-miss, or a verify task (half correct).
    """
    kind = (SOLVE, REVISE, VERIFY)[rng.choice(3, p=mix)]
    if kind == SOLVE:
        return Task(SOLVE, puzzle)
    near_miss = corrupt_answer(rng, puzzle, changes=int(rng.integers(1, 3)))
    if kind == REVISE:
        return Task(REVISE, puzzle, near_miss)
    if rng.random() < 0.5:
        return Task(VERIFY, puzzle, puzzle.solution, label=True)
    return Task(VERIFY, puzzle, near_miss, label=False)


def supervised_loss(model, tokenizer: CharTokenizer, tasks: list[Task]) -> torch.Tensor:
    """Return the mean cross-entropy per completion token of the reference completions."""
    completions = [tokenizer.encode(target_text(task)) for task in tasks]
    logprobs, mask = completion_logprobs(model, tokenizer, [task.prompt for task in tasks], completions)
    return -logprobs.sum() / mask.sum()


@dataclass
class WarmupLog:
    """The record of a warm-up run.

    Attributes:
        steps: optimiser steps taken.
        losses: the training loss of every step.
        checks: (step, pass@1) at every held-out check.
    """

    steps: int = 0
    losses: list[float] = field(default_factory=list)
    checks: list[tuple[int, float]] = field(default_factory=list)


def warm_up(
    model,
    tokenizer: CharTokenizer,
    puzzles: list[Puzzle],
    *,
    steps: int,
    batch_size: int = 64,
    learning_rate: float = 3e-3,
    mix: tuple[float, float, float] = (0.5, 0.25, 0.25),
    seed: int = 0,
    check_every: int = 100,
    pass_at_1=None,
    stop_at_pass: float = 1.0,
) -> WarmupLog:
    """Train the policy by supervised learning on reference completions, in place.

    Args:
        model: the policy (left in evaluation mode).
        tokenizer: the character tokenizer.
        puzzles: the training puzzles (any family).
        steps: the maximum number of optimiser steps, at least 1.
        batch_size: tasks per step, at least 1.
        learning_rate: AdamW learning rate, > 0.
        mix: probabilities of (solve, revise, verify) tasks.
        seed: seed of the task draws.
        check_every: steps between held-out checks, at least 1.
        pass_at_1: a callable ``model -> float`` giving held-out pass@1, or ``None`` to
            train all ``steps``.
        stop_at_pass: stop once ``pass_at_1`` reaches this value, in [0, 1].

    Returns:
        The losses and the held-out checks.
    """
    check_int("steps", steps, low=1)
    check_int("batch_size", batch_size, low=1)
    check_int("check_every", check_every, low=1)
    check_float("learning_rate", learning_rate, low=0.0)
    check_float("stop_at_pass", stop_at_pass, low=0.0, high=1.0)
    if len(mix) != 3 or abs(sum(mix) - 1.0) > 1e-9 or min(mix) < 0:
        raise ValueError(f"mix must be three probabilities that sum to 1; got {mix}")
    if not puzzles:
        raise ValueError("puzzles must hold at least one puzzle; got an empty list")

    rng = np.random.default_rng(seed)
    optimiser = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.0)
    log = WarmupLog()
    for step in range(1, steps + 1):
        model.train()
        tasks = [warmup_task(rng, puzzles[i], mix) for i in rng.integers(len(puzzles), size=batch_size)]
        loss = supervised_loss(model, tokenizer, tasks)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        model.eval()
        log.steps = step
        log.losses.append(float(loss.detach()))
        if pass_at_1 is not None and step % check_every == 0:
            score = float(pass_at_1(model))
            log.checks.append((step, score))
            logger.info("warm-up step %d: loss %.3f, pass@1 %.3f", step, log.losses[-1], score)
            if score >= stop_at_pass:
                break
    return log
