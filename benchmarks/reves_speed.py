"""Time the REVES rollouts on CPU: KV-cache sampling against naive re-encoding, and RL steps.

Measured in one run, on the chapter's book-profile policy with random weights. The cost per
token does not depend on training, but completion lengths do: a random policy often ends
early, so tokens per step here are lower than in the book's runs.

1. rollouts per second of batched sampling with a key-value cache, and of the same
   sampling that re-encodes the whole sequence for every token; their ratio (target: > 1,
   growing with the completion length) and whether both drew the same completions;
2. policy-gradient steps per minute of the single-turn, multi-turn and REVES arms at the
   book profile's step size, with the tokens each samples per step.

Usage: python benchmarks/reves_speed.py [--quick] [--record] [--repeats N]
"""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any

import torch

from reprobook.benchmarking import write_record
from reprobook.reves.arms import MULTI_TURN, REVES, SINGLE_TURN, ArmConfig, train_arm
from reprobook.reves.policy import build_policy, sample, sample_naive
from reprobook.reves.prompts import REVISE, CharTokenizer, Task
from reprobook.reves.puzzles import make_puzzles
from reprobook.reves.study import study_config

logger = logging.getLogger("reves_speed")


def time_sampling(batch: int, repeats: int, max_new_tokens: int) -> dict[str, Any]:
    """Time cached and naive sampling of ``batch`` revise prompts.

    Args:
        batch: prompts sampled together.
        repeats: timed calls of each sampler; the fastest is kept.
        max_new_tokens: the completion length (the policy is random, so most use it all).

    Returns:
        Rollouts per second of each sampler, their ratio and whether they agree.
    """
    config = study_config("book")
    tokenizer = CharTokenizer()
    model = build_policy(config.n_layer, config.n_embd, config.n_head, seed=0, tokenizer=tokenizer)
    puzzles = make_puzzles(0, "sudoku", batch, config.train_blanks)
    prompts = [Task(REVISE, puzzle, "123412341234").prompt for puzzle in puzzles]
    results: dict[str, Any] = {"batch": batch, "max_new_tokens": max_new_tokens}
    texts = {}
    for name, sampler in (("kv_cache", sample), ("naive", sample_naive)):
        best = float("inf")
        for _ in range(repeats):
            generator = torch.Generator().manual_seed(0)
            start = time.perf_counter()
            samples = sampler(
                model, tokenizer, prompts, max_new_tokens=max_new_tokens, temperature=1.0, generator=generator
            )
            best = min(best, time.perf_counter() - start)
        texts[name] = samples.texts
        results[f"{name}_rollouts_per_s"] = round(batch / best, 1)
    results["kv_cache_speedup"] = round(results["kv_cache_rollouts_per_s"] / results["naive_rollouts_per_s"], 2)
    results["same_completions"] = texts["kv_cache"] == texts["naive"]
    return results


def time_rl_steps(steps: int) -> dict[str, Any]:
    """Time ``steps`` policy-gradient steps of three arms at the book profile's sizes.

    Returns:
        Per arm: steps per minute and sampled tokens per step.
    """
    config = study_config("book")
    tokenizer = CharTokenizer()
    puzzles = make_puzzles(1, "sudoku", 500, config.train_blanks)
    arm_config = ArmConfig(**{**config.arms.__dict__, "steps": steps})
    results = {}
    for arm in (SINGLE_TURN, MULTI_TURN, REVES):
        model = build_policy(config.n_layer, config.n_embd, config.n_head, seed=0, tokenizer=tokenizer)
        start = time.perf_counter()
        log = train_arm(model, tokenizer, arm, puzzles, grpo=config.grpo, config=arm_config, seed=0)
        seconds = time.perf_counter() - start
        results[arm] = {
            "steps_per_minute": round(60 * steps / seconds, 1),
            "sampled_tokens_per_step": round(log.sampled_tokens[-1] / steps, 1),
            "rollouts_per_step": config.arms.prompts_per_step * config.grpo.group_size,
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer prompts and RL steps")
    parser.add_argument("--record", action="store_true", help="write benchmarks/records/reves.json")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per sampler (best kept)")
    arguments = parser.parse_args()
    if arguments.repeats < 1:
        parser.error(f"--repeats must be an integer >= 1; got {arguments.repeats}")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(1)

    batch = 64 if arguments.quick else 256
    results: dict[str, Any] = {"threads": 1}
    results["sampling_short"] = time_sampling(batch, arguments.repeats, max_new_tokens=17)
    results["sampling_long"] = time_sampling(batch, arguments.repeats, max_new_tokens=30)
    results["rl_steps"] = time_rl_steps(5 if arguments.quick else 15)
    for name, value in results.items():
        logger.info("%s: %s", name, value)
    if not (results["sampling_short"]["same_completions"] and results["sampling_long"]["same_completions"]):
        raise SystemExit("the cached and the naive sampler drew different completions")
    if arguments.record:
        logger.info("record written to %s", write_record("reves", results))


if __name__ == "__main__":
    main()
