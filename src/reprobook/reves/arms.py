"""The training arms: single-turn RL, multi-turn RL, REVES and its two ablations.

Every arm takes the same number of policy-gradient steps, each on the same number of
prompts with the same group size, through :func:`~reprobook.reves.grpo.policy_gradient_step`:

- ``single_turn``: GRPO on solve prompts.
- ``multi_turn``: each of the G trajectories per puzzle solves, then revises after the
  feedback "incorrect" until correct or out of turns. The trajectory's terminal reward
  gives one group-normalised advantage, which every turn's completion receives.
- ``reves``: rounds of (1) augmentation: revision chains with the current policy and an
  oracle stop; chains that start wrong and end right are kept, each wrong answer in them
  (a *near miss*) becomes a revision prompt, and each answer becomes a verification
  prompt labelled with its correctness; (2) single-turn GRPO on a mix of original solve
  prompts and augmented prompts.
- ``revision_only`` / ``verification_only``: REVES with one kind of augmented prompt.

The sampled-token count of an arm includes its augmentation rollouts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import torch

from reprobook.params import check_choice, check_float, check_int
from reprobook.reves.grpo import GRPOConfig, group_advantages, policy_gradient_step
from reprobook.reves.prompts import REVISE, SOLVE, VERIFY, CharTokenizer, Task
from reprobook.reves.puzzles import Puzzle, is_correct
from reprobook.reves.rollouts import answer_text, complete, revision_chains, reward

logger = logging.getLogger(__name__)

SINGLE_TURN, MULTI_TURN, REVES = "single_turn", "multi_turn", "reves"
REVISION_ONLY, VERIFICATION_ONLY = "revision_only", "verification_only"
ARMS = (SINGLE_TURN, MULTI_TURN, REVES, REVISION_ONLY, VERIFICATION_ONLY)
AUGMENTED_KINDS = {REVES: (REVISE, VERIFY), REVISION_ONLY: (REVISE,), VERIFICATION_ONLY: (VERIFY,)}


@dataclass(frozen=True)
class ArmConfig:
    """The budget and schedule of one training run.

    Attributes:
        steps: policy-gradient steps (equal for every arm), at least 1.
        prompts_per_step: prompts per step, each with a group of completions.
        turns: multi-turn arm: answers per trajectory (solve + revisions), at least 2.
        round_steps: augmenting arms: policy-gradient steps per augmentation round.
        augment_puzzles: augmenting arms: puzzles whose revision chains are run per round.
        revision_budget: augmenting arms: revisions per chain (the REVES authors used 8).
        augmented_fraction: augmenting arms: share of each step's prompts drawn from the
            augmented pool (the rest are solve prompts).
    """

    steps: int = 30
    prompts_per_step: int = 8
    turns: int = 2
    round_steps: int = 5
    augment_puzzles: int = 32
    revision_budget: int = 8
    augmented_fraction: float = 0.5

    def __post_init__(self) -> None:
        check_int("steps", self.steps, low=1)
        check_int("prompts_per_step", self.prompts_per_step, low=1)
        check_int("turns", self.turns, low=2)
        check_int("round_steps", self.round_steps, low=1)
        check_int("augment_puzzles", self.augment_puzzles, low=1)
        check_int("revision_budget", self.revision_budget, low=1)
        check_float("augmented_fraction", self.augmented_fraction, low=0.0, high=1.0)


@dataclass
class TrainingLog:
    """The record of one arm's training run.

    Attributes:
        arm: the arm's name.
        solve_success: per step, the share of correct first answers to solve prompts
            (the training curve; on fresh puzzles at the rollout temperature).
        sampled_tokens: per step, the cumulative number of sampled tokens.
        rounds: augmenting arms: per round, the chain and near-miss counts.
    """

    arm: str
    solve_success: list[float] = field(default_factory=list)
    sampled_tokens: list[int] = field(default_factory=list)
    rounds: list[dict] = field(default_factory=list)


@dataclass
class Augmentation:
    """The prompts one augmentation round produced.

    Attributes:
        revisions: revision tasks built from near misses.
        verifications: verification tasks built from every answer of a kept chain.
        stats: chains run, chains kept, near misses, verification labels, mean attempts.
        sampled_tokens: tokens sampled by the round's chains.
    """

    revisions: list[Task]
    verifications: list[Task]
    stats: dict
    sampled_tokens: int


def augment(
    model, tokenizer: CharTokenizer, puzzles: list[Puzzle], *, budget: int, temperature: float, generator: torch.Generator
) -> Augmentation:
    """Run revision chains with the current policy and turn near misses into prompts.

    Args:
        model: the current policy.
        tokenizer: the character tokenizer.
        puzzles: the puzzles to run chains on.
        budget: revisions per chain.
        temperature: sampling temperature.
        generator: draws every token.

    Returns:
        The revision and verification tasks and the round's statistics.
    """
    chains, sampled = revision_chains(
        model, tokenizer, puzzles, budget=budget, temperature=temperature, generator=generator, stop="oracle"
    )
    kept = [chain for chain in chains if not chain.correct[0] and chain.first_success is not None]
    revisions = [Task(REVISE, chain.puzzle, answer) for chain in kept for answer in chain.answers[:-1]]
    verifications = [
        Task(VERIFY, chain.puzzle, answer, label=correct)
        for chain in kept for answer, correct in zip(chain.answers, chain.correct, strict=True)
    ]
    stats = {
        "chains": len(chains),
        "first_correct": sum(chain.correct[0] for chain in chains),
        "recovered": len(kept),
        "never_correct": sum(chain.first_success is None for chain in chains),
        "near_misses": len(revisions),
        "well_formed_near_misses": sum(len(task.previous) == len(task.puzzle.cells) for task in revisions),
        "mean_attempts_to_recover": float(np.mean([len(chain.answers) for chain in kept])) if kept else float("nan"),
    }
    return Augmentation(revisions, verifications, stats, sampled)


def _balanced(rng: np.random.Generator, tasks: list[Task], count: int) -> list[Task]:
    """Draw ``count`` verification tasks, half with each label when both exist."""
    positives = [task for task in tasks if task.label]
    negatives = [task for task in tasks if not task.label]
    pools = [pool for pool in (positives, negatives) if pool]
    return [pools[k % len(pools)][rng.integers(len(pools[k % len(pools)]))] for k in range(count)]


def mixed_tasks(
    rng: np.random.Generator, puzzles: list[Puzzle], augmentation: Augmentation | None, kinds: tuple[str, ...],
    count: int, augmented_fraction: float,
) -> list[Task]:
    """Draw one step's prompts: solve prompts plus augmented prompts of the given kinds.

    When the pool of a kind is empty its share falls back to solve prompts.
    """
    n_augmented = round(count * augmented_fraction) if augmentation else 0
    shares = np.array_split(np.arange(n_augmented), len(kinds)) if kinds else []
    tasks: list[Task] = []
    for kind, share in zip(kinds, shares, strict=False):
        pool = augmentation.revisions if kind == REVISE else augmentation.verifications
        if not pool or not len(share):
            continue
        if kind == VERIFY:
            tasks += _balanced(rng, pool, len(share))
        else:
            tasks += [pool[i] for i in rng.integers(len(pool), size=len(share))]
    tasks += [Task(SOLVE, puzzles[i]) for i in rng.integers(len(puzzles), size=count - len(tasks))]
    return tasks


def grouped_rollouts(model, tokenizer: CharTokenizer, tasks: list[Task], config: GRPOConfig, generator: torch.Generator):
    """Sample a group of completions per task and score them.

    Returns:
        (prompts (P*G), completion ids (P*G), rewards (P, G), sampled tokens, completions).
    """
    repeated = [task for task in tasks for _ in range(config.group_size)]
    samples = complete(model, tokenizer, repeated, temperature=config.temperature, generator=generator)
    rewards = torch.tensor([reward(task, text) for task, text in zip(repeated, samples.texts, strict=True)])
    prompts = [task.prompt for task in repeated]
    return prompts, samples.token_ids, rewards.view(len(tasks), config.group_size), samples.sampled_tokens, samples.texts


def multi_turn_rollouts(
    model, tokenizer: CharTokenizer, puzzles: list[Puzzle], turns: int, config: GRPOConfig, generator: torch.Generator
):
    """Sample G solve-then-revise trajectories per puzzle with terminal rewards.

    Returns:
        (prompts, completion ids, advantages (one per turn completion), first-answer
        success rate, sampled tokens).
    """
    trajectories = [puzzle for puzzle in puzzles for _ in range(config.group_size)]
    answers: list[list[str]] = [[] for _ in trajectories]
    turn_prompts: list[list[str]] = [[] for _ in trajectories]
    turn_ids: list[list[list[int]]] = [[] for _ in trajectories]
    active = list(range(len(trajectories)))
    sampled = 0
    first_success = 0.0
    for turn in range(turns):
        tasks = [
            Task(SOLVE, trajectories[i]) if turn == 0 else Task(REVISE, trajectories[i], answers[i][-1]) for i in active
        ]
        samples = complete(model, tokenizer, tasks, temperature=config.temperature, generator=generator)
        sampled += samples.sampled_tokens
        for i, task, text, ids in zip(active, tasks, samples.texts, samples.token_ids, strict=True):
            answers[i].append(answer_text(text))
            turn_prompts[i].append(task.prompt)
            turn_ids[i].append(ids)
        if turn == 0:
            first_success = float(np.mean([is_correct(trajectories[i], answers[i][0]) for i in active]))
        active = [i for i in active if not is_correct(trajectories[i], answers[i][-1])]
        if not active:
            break
    terminal = torch.tensor([float(is_correct(p, a[-1])) for p, a in zip(trajectories, answers, strict=True)])
    advantages = group_advantages(terminal.view(len(puzzles), config.group_size)).flatten().tolist()
    prompts = [prompt for i in range(len(trajectories)) for prompt in turn_prompts[i]]
    completions = [ids for i in range(len(trajectories)) for ids in turn_ids[i]]
    per_turn = [advantages[i] for i in range(len(trajectories)) for _ in turn_prompts[i]]
    return prompts, completions, torch.tensor(per_turn), first_success, sampled


def train_arm(
    model,
    tokenizer: CharTokenizer,
    arm: str,
    puzzles: list[Puzzle],
    *,
    grpo: GRPOConfig,
    config: ArmConfig,
    seed: int,
) -> TrainingLog:
    """Train the policy in place with one arm.

    Args:
        model: the policy (typically a copy of the warmed-up one).
        tokenizer: the character tokenizer.
        arm: one of :data:`ARMS`.
        puzzles: the training puzzles (solve prompts and augmentation chains draw from them).
        grpo: the GRPO settings.
        config: the step budget and schedule.
        seed: seed of every prompt and token draw.

    Returns:
        The training curve, the cumulative sampled tokens and the augmentation rounds.
    """
    check_choice("arm", arm, ARMS)
    if not puzzles:
        raise ValueError("puzzles must hold at least one puzzle; got an empty list")
    rng = np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.AdamW(model.parameters(), lr=grpo.learning_rate, weight_decay=0.0)
    log = TrainingLog(arm)
    augmentation = None
    tokens = 0
    for step in range(config.steps):
        if arm in AUGMENTED_KINDS and step % config.round_steps == 0:
            chosen = [puzzles[i] for i in rng.integers(len(puzzles), size=config.augment_puzzles)]
            augmentation = augment(
                model, tokenizer, chosen, budget=config.revision_budget, temperature=grpo.temperature, generator=generator
            )
            tokens += augmentation.sampled_tokens
            log.rounds.append({"round": len(log.rounds), "step": step, **augmentation.stats})
        if arm == MULTI_TURN:
            chosen = [puzzles[i] for i in rng.integers(len(puzzles), size=config.prompts_per_step)]
            prompts, completions, advantages, success, sampled = multi_turn_rollouts(
                model, tokenizer, chosen, config.turns, grpo, generator
            )
        else:
            kinds = AUGMENTED_KINDS.get(arm, ())
            tasks = mixed_tasks(rng, puzzles, augmentation, kinds, config.prompts_per_step, config.augmented_fraction)
            prompts, completions, rewards, sampled, _ = grouped_rollouts(model, tokenizer, tasks, grpo, generator)
            advantages = group_advantages(rewards).flatten()
            solve_rows = [row for row, task in enumerate(tasks) if task.kind == SOLVE]
            success = float(rewards[solve_rows].mean()) if solve_rows else float("nan")
        policy_gradient_step(model, tokenizer, optimiser, prompts, completions, advantages, grpo)
        tokens += sampled
        log.solve_success.append(success)
        log.sampled_tokens.append(tokens)
    logger.info("%s: %d steps, %d sampled tokens", arm, config.steps, tokens)
    return log
