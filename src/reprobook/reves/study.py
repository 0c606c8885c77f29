"""The chapter's experiment: one warmed-up policy, every arm over several seeds, evaluated.

A study draws the puzzle sets and warms a random policy up by supervised learning. It
then trains a copy of that policy with each arm and each seed at equal policy-gradient
steps, and evaluates every trained policy on three sets: in-distribution puzzles, harder
ones with more blanks than in training (the out-of-distribution test), and the other
puzzle family (the transfer test, since the warm-up saw both families but RL only
mini-sudoku).

Results can be kept in a cache folder keyed by the configuration, so that several
notebooks share one run; everything is recomputed bit for bit when the cache is empty.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import math
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from tqdm.auto import tqdm

from reprobook.claims import NOT_REPRODUCED, SAME_DIRECTION
from reprobook.devices import resolve_device
from reprobook.caching import settings_key
from reprobook.params import by_profile, check_float, check_int, check_int_list
from reprobook.reves.arms import ARMS, ArmConfig, train_arm
from reprobook.reves.evaluation import evaluate
from reprobook.reves.grpo import GRPOConfig
from reprobook.reves.policy import build_policy, load_policy, save_policy
from reprobook.reves.prompts import SOLVE, CharTokenizer, Task
from reprobook.reves.puzzles import (
    QUEENS,
    SUDOKU,
    make_puzzles,
    queens_completions,
    sudoku_solutions,
)
from reprobook.reves.rollouts import complete, reward

logger = logging.getLogger(__name__)

IN_DISTRIBUTION, HARDER, TRANSFER = "in_distribution", "harder", "transfer"
EVAL_SETS = (IN_DISTRIBUTION, HARDER, TRANSFER)
# The key also covers every file of this subpackage, so a change of code misses the cache.
CACHE_FORMAT = 2


@dataclass(frozen=True)
class StudyConfig:
    """Every size of a study.

    Attributes:
        n_layer, n_embd, n_head: the policy's shape.
        warmup_steps: most supervised steps; warmup_batch: tasks per step.
        warmup_learning_rate: AdamW learning rate of the warm-up.
        stop_at_pass: the warm-up stops once held-out pass@1 reaches this.
        train_blanks: (fewest, most) blanks of training mini-sudokus.
        harder_blanks: blanks of the out-of-distribution mini-sudokus.
        queens_removed: queens removed from the 6-queens solutions.
        n_train_puzzles: puzzles per training pool; n_eval_puzzles: per evaluation set.
        budgets: revision budgets t of the test-time scaling curves.
        eval_temperature: sampling temperature of every evaluation answer.
        grpo: GRPO settings shared by every arm; arms: the equal step budget.
    """

    n_layer: int = 2
    n_embd: int = 64
    n_head: int = 4
    warmup_steps: int = 600
    warmup_batch: int = 64
    warmup_learning_rate: float = 3e-3
    stop_at_pass: float = 0.3
    train_blanks: tuple[int, int] = (6, 10)
    harder_blanks: tuple[int, int] = (11, 12)
    queens_removed: tuple[int, int] = (1, 3)
    n_train_puzzles: int = 2000
    n_eval_puzzles: int = 200
    budgets: tuple[int, ...] = (1, 2, 4, 8)
    eval_temperature: float = 1.0
    grpo: GRPOConfig = field(default_factory=GRPOConfig)
    arms: ArmConfig = field(default_factory=ArmConfig)

    def __post_init__(self) -> None:
        check_int("warmup_steps", self.warmup_steps, low=1)
        check_int("n_eval_puzzles", self.n_eval_puzzles, low=1)
        check_int("n_train_puzzles", self.n_train_puzzles, low=1)
        check_int_list("budgets", self.budgets, low=1)
        check_float("eval_temperature", self.eval_temperature, low=0.0)
        if self.harder_blanks[0] <= self.train_blanks[1]:
            raise ValueError(
                f"harder_blanks must start above train_blanks={self.train_blanks}; got {self.harder_blanks}"
            )

    def key(self) -> str:
        """Return a short hash of the configuration (the cache folder's name)."""
        return settings_key({"format": CACHE_FORMAT, **asdict(self)}, Path(__file__).parent)


def study_config(profile: str, *, steps: int | None = None) -> StudyConfig:
    """Return the study sizes of a profile.

    Args:
        profile: ``"smoke"`` (seconds), ``"book"`` (minutes on 2 CPU cores) or ``"full"``.
        steps: override of the policy-gradient steps per arm.
    """
    arms = by_profile(
        profile,
        smoke=ArmConfig(steps=2, prompts_per_step=4, round_steps=1, augment_puzzles=8, revision_budget=2),
        book=ArmConfig(steps=30, prompts_per_step=8, round_steps=5, augment_puzzles=24),
        full=ArmConfig(steps=400, prompts_per_step=32, round_steps=10, augment_puzzles=256),
    )
    if steps is not None:
        arms = ArmConfig(**{**asdict(arms), "steps": check_int("steps", steps, low=1)})
    return StudyConfig(
        n_layer=by_profile(profile, smoke=1, book=2, full=4),
        n_embd=by_profile(profile, smoke=32, book=64, full=128),
        warmup_steps=by_profile(profile, smoke=20, book=600, full=3000),
        n_train_puzzles=by_profile(profile, smoke=50, book=2000, full=20000),
        n_eval_puzzles=by_profile(profile, smoke=8, book=96, full=2000),
        budgets=by_profile(profile, smoke=(1, 4), book=(1, 2, 4, 8), full=(1, 2, 4, 8)),
        grpo=GRPOConfig(group_size=by_profile(profile, smoke=2, book=8, full=16)),
        arms=arms,
    )


@dataclass
class PuzzleSets:
    """The puzzles of a study, drawn from fixed seeds offset by the study seed."""

    warmup: list
    train: list
    eval: dict[str, list]


def puzzle_sets(config: StudyConfig, seed: int = 0) -> PuzzleSets:
    """Draw the warm-up, RL-training and evaluation puzzles of a study."""
    base = 1000 * seed
    n_queens = max(1, config.n_train_puzzles // 8)
    warmup = make_puzzles(base + 1, SUDOKU, config.n_train_puzzles, config.train_blanks) + make_puzzles(
        base + 2, QUEENS, n_queens, config.queens_removed
    )
    return PuzzleSets(
        warmup=warmup,
        train=make_puzzles(base + 3, SUDOKU, config.n_train_puzzles, config.train_blanks),
        eval={
            IN_DISTRIBUTION: make_puzzles(base + 4, SUDOKU, config.n_eval_puzzles, config.train_blanks),
            HARDER: make_puzzles(base + 5, SUDOKU, config.n_eval_puzzles, config.harder_blanks),
            TRANSFER: make_puzzles(base + 6, QUEENS, config.n_eval_puzzles, config.queens_removed),
        },
    )


def describe_sets(sets: PuzzleSets) -> pd.DataFrame:
    """Return one row per puzzle set: family, size, range of blanks and solutions per puzzle.

    For mini-sudoku every puzzle must have exactly one solution; for queens the count is
    the number of consistent completions (any of them is correct).
    """
    rows = []
    named = {"warm-up": sets.warmup, "RL training": sets.train, **sets.eval}
    for name, puzzles in named.items():
        for family in sorted({puzzle.family for puzzle in puzzles}):
            chosen = [puzzle for puzzle in puzzles if puzzle.family == family]
            counts = [
                len(sudoku_solutions(p.cells)) if family == SUDOKU else len(queens_completions(p.cells)) for p in chosen
            ]
            blanks = [puzzle.blanks for puzzle in chosen]
            rows.append({
                "set": name, "family": family, "puzzles": len(chosen), "fewest blanks": min(blanks),
                "most blanks": max(blanks), "mean solutions": float(np.mean(counts)), "unique share": float(np.mean(np.array(counts) == 1)),
            })
    return pd.DataFrame(rows)


def pass_at_1(model, tokenizer: CharTokenizer, puzzles: list, *, temperature: float, seed: int) -> float:
    """Return the share of correct single answers to solve prompts (one sample each)."""
    import torch

    tasks = [Task(SOLVE, puzzle) for puzzle in puzzles]
    samples = complete(model, tokenizer, tasks, temperature=temperature, generator=torch.Generator().manual_seed(seed))
    return float(np.mean([reward(task, text) for task, text in zip(tasks, samples.texts, strict=True)]))


def default_cache_dir() -> Path:
    """Return the folder that keeps warmed-up policies and study results between notebooks."""
    return Path(tempfile.gettempdir()) / "reprobook-reves"


def _write_atomically(folder: Path, write) -> None:
    partial = folder.with_name(folder.name + f".partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    write(partial)
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)


def warmed_up_policy(
    config: StudyConfig, sets: PuzzleSets, *, seed: int = 0, cache_dir: Path | None = None, device: str = "cpu"
):
    """Build the policy and warm it up on ``device``, or load it from the cache.

    Returns:
        (model, warm-up record: steps, losses, held-out checks and final pass@1).
    """
    tokenizer = CharTokenizer()
    folder = Path(cache_dir) / f"warmup-{config.key()}-{seed}" if cache_dir else None
    if folder and (folder / "warmup.json").is_file():
        return load_policy(folder, resolve_device(device)), json.loads((folder / "warmup.json").read_text())

    from reprobook.reves.warmup import warm_up

    model = build_policy(config.n_layer, config.n_embd, config.n_head, seed=seed, tokenizer=tokenizer)
    model = model.to(resolve_device(device))
    held_out = sets.eval[IN_DISTRIBUTION]
    log = warm_up(
        model, tokenizer, sets.warmup, steps=config.warmup_steps, batch_size=config.warmup_batch,
        learning_rate=config.warmup_learning_rate, seed=seed, check_every=max(1, config.warmup_steps // 12),
        pass_at_1=lambda policy: pass_at_1(policy, tokenizer, held_out, temperature=config.eval_temperature, seed=seed),
        stop_at_pass=config.stop_at_pass,
    )
    record = {"steps": log.steps, "losses": log.losses, "checks": log.checks}
    if folder:
        def write(target: Path) -> None:
            save_policy(model, target)
            (target / "warmup.json").write_text(json.dumps(record))

        _write_atomically(folder, write)
    return model, record


@dataclass
class StudyResults:
    """Everything a study measured.

    Attributes:
        metrics: one row per (arm, seed, set) with every metric of
            :func:`~reprobook.reves.evaluation.evaluate`; arm ``"warm_up"`` is the base policy.
        curves: one row per (arm, seed, step): solve success and cumulative sampled tokens.
        rounds: one row per augmentation round of the augmenting arms.
    """

    metrics: pd.DataFrame
    curves: pd.DataFrame
    rounds: pd.DataFrame


def _evaluate_sets(model, tokenizer, config: StudyConfig, sets: PuzzleSets, seed: int) -> list[dict]:
    rows = []
    for name, puzzles in sets.eval.items():
        result = evaluate(
            model, tokenizer, puzzles, budgets=list(config.budgets), temperature=config.eval_temperature,
            seed=seed, self_stop=name == IN_DISTRIBUTION,
        )
        rows.append({"set": name, **result})
    return rows


def run_study(
    config: StudyConfig,
    *,
    arms: tuple[str, ...] = ARMS,
    seeds: list[int],
    base,
    sets: PuzzleSets,
    cache_dir: Path | None = None,
) -> StudyResults:
    """Train and evaluate every arm for every seed, starting each run from ``base``.

    Args:
        config: the study sizes.
        arms: the arms to run.
        seeds: the RL seeds (they vary prompt draws and sampled tokens, not the base).
        base: the warmed-up policy (never modified).
        sets: the puzzles.
        cache_dir: where results are kept between notebooks (None: no cache).

    Returns:
        The metrics, training curves and augmentation rounds.
    """
    seeds = check_int_list("seeds", seeds, low=0)
    for arm in arms:
        if arm not in ARMS:
            raise ValueError(f"arms must be chosen from {', '.join(ARMS)}; got {arm!r}")
    key = hashlib.sha256(f"{config.key()}|{sorted(arms)}|{seeds}".encode()).hexdigest()[:16]
    folder = Path(cache_dir) / f"study-{key}" if cache_dir else None
    if folder and (folder / "metrics.csv").is_file():
        return StudyResults(*(pd.read_csv(folder / f"{name}.csv") for name in ("metrics", "curves", "rounds")))

    tokenizer = CharTokenizer()
    metrics, curves, rounds = [], [], []
    progress = tqdm(total=len(seeds) * len(arms), desc="arms x seeds", leave=False)
    for seed in seeds:
        for row in _evaluate_sets(base, tokenizer, config, sets, seed):
            metrics.append({"arm": "warm_up", "seed": seed, **row})
        for arm in arms:
            progress.update()
            model = copy.deepcopy(base)
            log = train_arm(model, tokenizer, arm, sets.train, grpo=config.grpo, config=config.arms, seed=seed)
            for step, (success, tokens) in enumerate(zip(log.solve_success, log.sampled_tokens, strict=True)):
                curves.append({"arm": arm, "seed": seed, "step": step + 1, "solve_success": success, "sampled_tokens": tokens})
            rounds += [{"arm": arm, "seed": seed, **entry} for entry in log.rounds]
            for row in _evaluate_sets(model, tokenizer, config, sets, seed):
                metrics.append({"arm": arm, "seed": seed, "train_sampled_tokens": log.sampled_tokens[-1], **row})
            logger.info("seed %d, %s done", seed, arm)
    progress.close()
    results = StudyResults(pd.DataFrame(metrics), pd.DataFrame(curves), pd.DataFrame(rounds))
    if folder:
        def write(target: Path) -> None:
            for name in ("metrics", "curves", "rounds"):
                getattr(results, name).to_csv(target / f"{name}.csv", index=False)

        _write_atomically(folder, write)
    return results


# Every metric the study summarises per arm (success, verification accuracy, AUROC) is a rate.
RATE_BOUNDS = (0.0, 1.0)


def interval(
    values, confidence: float = 0.95, bounds: tuple[float, float] | None = None
) -> tuple[float, float, float]:
    """Return (mean, low, high): a Student-t confidence interval of the mean.

    With few seeds the t factor is large (4.3 for three values at 95%). The interval of a
    rate can then reach past 0 or 1. ``bounds`` clips its ends to the values the quantity
    can take (``RATE_BOUNDS`` for a rate); the mean is never clipped. With one value the
    interval is (value, NaN, NaN).

    Args:
        values: one value per seed, shape ``[n]``.
        confidence: coverage of the interval, in (0, 1).
        bounds: ``(lowest, highest)`` value the quantity can take, or ``None`` for no clipping.

    Returns:
        ``(mean, low, high)`` in the unit of ``values``.
    """
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if len(values) < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values)))
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return mean, low, high


def summary(metrics: pd.DataFrame, metric: str, set_name: str = IN_DISTRIBUTION) -> pd.DataFrame:
    """Return per arm the mean of a rate over seeds with its 95% t-interval, clipped to [0, 1]."""
    rows = []
    table = metrics[metrics["set"] == set_name]
    for arm, group in table.groupby("arm", sort=False):
        mean, low, high = interval(group[metric], bounds=RATE_BOUNDS)
        rows.append({"arm": arm, "mean": mean, "low": low, "high": high, "seeds": len(group)})
    return pd.DataFrame(rows).set_index("arm")


def paired_difference(
    metrics: pd.DataFrame, metric: str, arm: str, baseline: str, set_name: str = IN_DISTRIBUTION
) -> tuple[float, float, float]:
    """Return (mean, low, high) of ``arm - baseline`` paired by seed, with a 95% t-interval."""
    table = metrics[metrics["set"] == set_name].pivot(index="seed", columns="arm", values=metric)
    if arm not in table or baseline not in table:
        raise ValueError(f"arm and baseline must both be in the results; got {arm!r}, {baseline!r}")
    return interval((table[arm] - table[baseline]).to_numpy())


def direction_verdict(low: float, high: float) -> str:
    """Return the verdict on a claim that a difference is positive, from its interval.

    An interval entirely above zero agrees in direction with the claim. Any other interval
    (below zero, straddling it, or undefined) does not reproduce it.
    """
    if not math.isnan(low) and low > 0:
        return SAME_DIRECTION
    return NOT_REPRODUCED
