"""Rollouts: single answers, sequential revision chains and self-verification.

A *revision chain* starts with a solve prompt; while the latest answer is wrong and the
budget allows, the policy sees the puzzle, only its previous answer and the feedback
"incorrect", and answers again. With an *oracle stop* the chain ends at the first correct
answer; with a *self-verification stop* the policy judges each answer itself and the
chain ends at the first answer it calls correct.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from reprobook.params import check_int
from reprobook.reves.policy import sample
from reprobook.reves.prompts import (
    FALSE,
    MAX_ANSWER,
    REVISE,
    SOLVE,
    TRUE,
    VERIFY,
    CharTokenizer,
    Task,
    parse_completion,
    verdict_of,
)
from reprobook.reves.puzzles import Puzzle, is_correct

ANSWER_TOKENS = MAX_ANSWER + 1
VERDICT_TOKENS = 2


def answer_text(completion: str) -> str:
    """Return the answer inside a completion; a completion without end marker gives ``"?"``.

    ``"?"`` is never a correct answer, so a truncated completion counts as malformed.
    """
    body = parse_completion(completion)
    return "?" if body is None else body


def reward(task: Task, completion: str) -> float:
    """Return the binary verifier reward of a completion for a task.

    Solve and revise completions earn 1 when they solve the task's puzzle; verify
    completions earn 1 when their verdict (``T;`` or ``F;``) matches the task's label.
    """
    if task.kind == VERIFY:
        verdict = verdict_of(completion)
        return float(verdict is not None and verdict == task.label)
    body = parse_completion(completion)
    return float(body is not None and is_correct(task.puzzle, body))


def complete(model, tokenizer: CharTokenizer, tasks: list[Task], *, temperature: float, generator: torch.Generator):
    """Sample one completion per task (answers up to 17 tokens, verdicts up to 2).

    Returns:
        :class:`~reprobook.reves.policy.Samples` in the order of ``tasks``.
    """
    longest = VERDICT_TOKENS if all(task.kind == VERIFY for task in tasks) else ANSWER_TOKENS
    prompts = [task.prompt for task in tasks]
    return sample(model, tokenizer, prompts, max_new_tokens=longest, temperature=temperature, generator=generator)


@dataclass
class Chain:
    """One revision chain.

    Attributes:
        puzzle: the puzzle.
        answers: the answers in order (attempt 0 answers the solve prompt).
        correct: whether each answer is correct.
        verdicts: the policy's own verdict on each answer (only with self-verification).
    """

    puzzle: Puzzle
    answers: list[str] = field(default_factory=list)
    correct: list[bool] = field(default_factory=list)
    verdicts: list[bool] = field(default_factory=list)

    @property
    def first_success(self) -> int | None:
        """Return the attempt index of the first correct answer, or ``None``."""
        return self.correct.index(True) if True in self.correct else None


def self_verdicts(model, tokenizer: CharTokenizer, puzzles: list[Puzzle], answers: list[str]) -> torch.Tensor:
    """Return the policy's probability that each answer is correct.

    The score is P(T) / (P(T) + P(F)) at the first completion token of the verify prompt.

    Returns:
        Tensor of shape (len(puzzles),) on the CPU.
    """
    tasks = [Task(VERIFY, puzzle, answer) for puzzle, answer in zip(puzzles, answers, strict=True)]
    prompts = [task.prompt for task in tasks]
    ids = [tokenizer.encode(prompt) for prompt in prompts]
    width = max(len(row) for row in ids)
    device = model.get_input_embeddings().weight.device
    padded = torch.tensor([[tokenizer.pad_id] * (width - len(row)) + row for row in ids], device=device)
    mask = (torch.arange(width)[None, :] >= torch.tensor([width - len(row) for row in ids])[:, None]).long().to(device)
    positions = (mask.cumsum(dim=1) - 1).clamp(min=0)
    with torch.no_grad():
        logits = model(input_ids=padded, attention_mask=mask, position_ids=positions, use_cache=False).logits[:, -1]
    pair = logits[:, [tokenizer.index[TRUE], tokenizer.index[FALSE]]].float()
    return torch.softmax(pair, dim=-1)[:, 0].cpu()


def revision_chains(
    model,
    tokenizer: CharTokenizer,
    puzzles: list[Puzzle],
    *,
    budget: int,
    temperature: float,
    generator: torch.Generator,
    stop: str = "oracle",
) -> tuple[list[Chain], int]:
    """Run one revision chain per puzzle, batched across puzzles.

    Args:
        model: the policy.
        tokenizer: the character tokenizer.
        puzzles: the puzzles.
        budget: the maximum number of revisions after the first answer, at least 1.
        temperature: sampling temperature.
        generator: draws every token.
        stop: ``"oracle"`` (stop at the first correct answer), ``"self"`` (stop at the
            first answer the policy verifies as correct) or ``"never"`` (always use the
            whole budget).

    Returns:
        (the chains, the number of answer tokens sampled).
    """
    check_int("budget", budget, low=1)
    if stop not in ("oracle", "self", "never"):
        raise ValueError(f"stop must be 'oracle', 'self' or 'never'; got {stop!r}")
    chains = [Chain(puzzle) for puzzle in puzzles]
    active = list(range(len(puzzles)))
    sampled = 0
    for attempt in range(budget + 1):
        tasks = [
            Task(SOLVE, chains[i].puzzle) if attempt == 0 else Task(REVISE, chains[i].puzzle, chains[i].answers[-1])
            for i in active
        ]
        samples = complete(model, tokenizer, tasks, temperature=temperature, generator=generator)
        sampled += samples.sampled_tokens
        for i, completion in zip(active, samples.texts, strict=True):
            answer = answer_text(completion)
            chains[i].answers.append(answer)
            chains[i].correct.append(is_correct(chains[i].puzzle, answer))
        if stop == "self":
            scores = self_verdicts(model, tokenizer, [chains[i].puzzle for i in active], [chains[i].answers[-1] for i in active])
            for i, score in zip(active, scores.tolist(), strict=True):
                chains[i].verdicts.append(score > 0.5)
            active = [i for i in active if not chains[i].verdicts[-1]]
        elif stop == "oracle":
            active = [i for i in active if not chains[i].correct[-1]]
        if not active:
            break
    return chains, sampled
