"""Evaluation of a policy: pass@1, test-time scaling by revision, and self-verification.

- pass@1: the share of correct first answers (one sample per puzzle at the evaluation
  temperature).
- success within t revisions, oracle stop ("O-t"): the share of puzzles whose revision
  chain reaches a correct answer among its first t + 1 answers.
- success within t revisions, self-verification stop: the chain submits the first answer
  the policy itself calls correct (or its answer after t revisions); success is the
  share of correct submissions.
- verification accuracy and AUROC: how well the policy's P(correct) separates correct
  from wrong answers, measured on its own answers.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from reprobook.params import check_int_list
from reprobook.reves.rollouts import Chain, revision_chains, self_verdicts


def auroc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Return the area under the ROC curve (ties count one half).

    Args:
        labels: shape (n,), booleans (True = positive).
        scores: shape (n,), higher means more likely positive.

    Returns:
        The AUROC in [0, 1], or NaN when one class is absent.
    """
    labels = np.asarray(labels, dtype=bool)
    scores = np.asarray(scores, dtype=float)
    if labels.shape != scores.shape:
        raise ValueError(f"labels and scores must have one shape; got {labels.shape} and {scores.shape}")
    positives, negatives = scores[labels], scores[~labels]
    if not len(positives) or not len(negatives):
        return math.nan
    greater = (positives[:, None] > negatives[None, :]).sum()
    ties = (positives[:, None] == negatives[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(positives) * len(negatives)))


def oracle_success(chains: list[Chain], budgets: list[int]) -> dict[int, float]:
    """Return, per budget t, the share of chains with a correct answer among attempts 0..t."""
    return {
        t: float(np.mean([chain.first_success is not None and chain.first_success <= t for chain in chains]))
        for t in budgets
    }


def self_stop_success(chains: list[Chain], budgets: list[int]) -> dict[int, float]:
    """Return, per budget t, the share of correct submissions under the self-verification stop.

    The chains must come from :func:`~reprobook.reves.rollouts.revision_chains` with
    ``stop="self"`` and a budget of at least max(budgets).
    """
    results = {}
    for t in budgets:
        correct = []
        for chain in chains:
            accepted = chain.verdicts.index(True) if True in chain.verdicts else math.inf
            submitted = int(min(accepted, t, len(chain.answers) - 1))
            correct.append(chain.correct[submitted])
        results[t] = float(np.mean(correct))
    return results


def verification_quality(model, tokenizer, chains: list[Chain]) -> dict[str, float]:
    """Score the policy's verdicts on every answer of the given chains.

    Returns:
        ``accuracy`` (verdict P(correct) > 0.5 matches the truth), ``auroc``, the number
        of answers and the share of them that are correct.
    """
    puzzles = [chain.puzzle for chain in chains for _ in chain.answers]
    answers = [answer for chain in chains for answer in chain.answers]
    labels = np.array([correct for chain in chains for correct in chain.correct], dtype=bool)
    scores = self_verdicts(model, tokenizer, puzzles, answers).numpy()
    return {
        "verification_accuracy": float(np.mean((scores > 0.5) == labels)),
        "verification_auroc": auroc(labels, scores),
        "verified_answers": len(labels),
        "verified_correct_share": float(labels.mean()),
    }


def evaluate(
    model, tokenizer, puzzles, *, budgets: list[int], temperature: float, seed: int, self_stop: bool = True
) -> dict[str, float]:
    """Measure one policy on one puzzle set.

    Args:
        model: the policy.
        tokenizer: the character tokenizer.
        puzzles: the evaluation puzzles.
        budgets: revision budgets t (each >= 1); the chains run to max(budgets).
        temperature: sampling temperature of every answer.
        seed: seed of the token draws.
        self_stop: also run chains with the self-verification stop.

    Returns:
        ``pass@1``, ``oracle@t`` and (with ``self_stop``) ``self@t`` for every t,
        verification accuracy and AUROC on the oracle chains' answers, and the sampled tokens.
    """
    budgets = check_int_list("budgets", budgets, low=1)
    generator = torch.Generator().manual_seed(seed)
    chains, sampled = revision_chains(
        model, tokenizer, puzzles, budget=max(budgets), temperature=temperature, generator=generator, stop="oracle"
    )
    results: dict[str, float] = {"pass@1": float(np.mean([chain.correct[0] for chain in chains]))}
    results.update({f"oracle@{t}": value for t, value in oracle_success(chains, budgets).items()})
    results.update(verification_quality(model, tokenizer, chains))
    if self_stop:
        self_chains, more = revision_chains(
            model, tokenizer, puzzles, budget=max(budgets), temperature=temperature, generator=generator, stop="self"
        )
        sampled += more
        results.update({f"self@{t}": value for t, value in self_stop_success(self_chains, budgets).items()})
    results["eval_sampled_tokens"] = sampled
    return results
