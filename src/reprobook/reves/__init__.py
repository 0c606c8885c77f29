"""REVES at CPU scale: revision- and verification-augmented RL on constraint puzzles.

A *near miss* is a wrong answer that the policy itself later revises into a correct one.
REVES turns each near miss into a revision prompt and each answer of such a recovery
into a verification prompt, and trains the policy with single-turn GRPO on the original
prompts plus these. The modules:

- :mod:`~reprobook.reves.puzzles`: 4x4 mini-sudoku and 6-queens, generators and verifiers;
- :mod:`~reprobook.reves.prompts`: solve, revise and verify prompts, the tokenizer;
- :mod:`~reprobook.reves.policy`: the GPT-2 policy from a config, batched KV-cache sampling;
- :mod:`~reprobook.reves.warmup`: supervised warm-up on the three prompt formats;
- :mod:`~reprobook.reves.rollouts`: revision chains with oracle or self-verification stop;
- :mod:`~reprobook.reves.grpo`: the GRPO core shared by every arm;
- :mod:`~reprobook.reves.arms`: single-turn, multi-turn, REVES and the two ablations;
- :mod:`~reprobook.reves.evaluation`: pass@1, success within t revisions, verification AUROC;
- :mod:`~reprobook.reves.study`: the multi-seed experiment with intervals and verdicts;
- :mod:`~reprobook.reves.plots`: the chapter's figures.
"""

from reprobook.reves.arms import ARMS, ArmConfig, TrainingLog, augment, train_arm
from reprobook.reves.evaluation import auroc, evaluate, oracle_success, self_stop_success
from reprobook.reves.grpo import (
    GRPOConfig,
    clipped_surrogate,
    group_advantages,
    policy_gradient_step,
)
from reprobook.reves.policy import build_policy, load_policy, sample, sample_naive, save_policy
from reprobook.reves.prompts import CharTokenizer, Task, encode_prompt, parse_completion
from reprobook.reves.puzzles import (
    Puzzle,
    is_correct,
    make_puzzles,
    make_queens,
    make_sudoku,
    queens_completions,
    sudoku_solutions,
    validate_sudoku,
)
from reprobook.reves.rollouts import Chain, revision_chains
from reprobook.reves.study import (
    StudyConfig,
    StudyResults,
    direction_verdict,
    interval,
    paired_difference,
    puzzle_sets,
    run_study,
    study_config,
    summary,
    warmed_up_policy,
)

__all__ = [
    "ARMS", "ArmConfig", "Chain", "CharTokenizer", "GRPOConfig", "Puzzle", "StudyConfig", "StudyResults", "Task",
    "TrainingLog", "augment", "auroc", "build_policy", "clipped_surrogate", "direction_verdict", "encode_prompt",
    "evaluate", "group_advantages", "interval", "is_correct", "load_policy", "make_puzzles", "make_queens",
    "make_sudoku", "oracle_success", "paired_difference", "parse_completion", "policy_gradient_step",
    "puzzle_sets", "queens_completions", "revision_chains", "run_study", "sample", "sample_naive", "save_policy",
    "self_stop_success", "study_config", "sudoku_solutions", "summary", "train_arm", "validate_sudoku",
    "warmed_up_policy",
]
