"""GRPO: group-relative policy optimisation with a binary verifier reward.

For each prompt the policy samples a *group* of G completions. A completion's advantage
is its reward minus the group's mean reward, divided by the group's standard deviation
(plus a small constant), so a group whose completions all earn the same reward teaches
nothing. The loss is the PPO clipped surrogate per completion token, averaged over each
completion's tokens and then over completions. There is no KL penalty, as in the REVES
authors' setup. Every training arm of this chapter calls :func:`policy_gradient_step`,
so they differ only in which prompts and completions they feed it.

TRL's ``GRPOTrainer`` is not used: it samples one completion per prompt from a fixed
dataset, whereas the multi-turn arm needs turn-by-turn rollouts with one advantage
shared by every turn of a trajectory, and the REVES arm rebuilds its prompt pool from the
current policy each round. Keeping one GRPO core for every arm also keeps the arms'
optimiser steps and sampled-token counts exactly comparable.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from reprobook.params import check_float, check_int
from reprobook.reves.policy import completion_logprobs
from reprobook.reves.prompts import CharTokenizer


def group_advantages(rewards: torch.Tensor, epsilon: float = 1e-4) -> torch.Tensor:
    """Normalise rewards within each group.

    Args:
        rewards: shape (prompts, G) with G >= 2 completions per prompt.
        epsilon: added to the group standard deviation.

    Returns:
        (rewards - group mean) / (group std + epsilon), shape (prompts, G).

    Raises:
        ValueError: if the tensor is not 2-D or a group has fewer than 2 completions.
    """
    if rewards.dim() != 2 or rewards.shape[1] < 2:
        raise ValueError(f"rewards must have shape (prompts, group_size >= 2); got {tuple(rewards.shape)}")
    mean = rewards.mean(dim=1, keepdim=True)
    spread = rewards.std(dim=1, keepdim=True, unbiased=False)
    return (rewards - mean) / (spread + epsilon)


def clipped_surrogate(
    logprobs: torch.Tensor, old_logprobs: torch.Tensor, mask: torch.Tensor, advantages: torch.Tensor, clip: float
) -> torch.Tensor:
    """Return the GRPO loss to minimise.

    Args:
        logprobs: per-token log-probabilities under the current policy, (B, L).
        old_logprobs: the same under the sampling policy, (B, L), no gradient.
        mask: 1 at completion tokens, (B, L).
        advantages: one advantage per completion, (B,).
        clip: the ratio is clipped to [1 - clip, 1 + clip].

    Returns:
        A scalar: minus the mean over completions of the mean over their tokens of
        min(ratio * A, clip(ratio) * A).
    """
    ratio = torch.exp(logprobs - old_logprobs)
    advantage = advantages[:, None].to(ratio.device)
    objective = torch.minimum(ratio * advantage, ratio.clamp(1 - clip, 1 + clip) * advantage)
    per_completion = (objective * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)
    return -per_completion.mean()


@dataclass(frozen=True)
class GRPOConfig:
    """Settings shared by every arm.

    Attributes:
        group_size: completions per prompt, at least 2.
        learning_rate: AdamW learning rate.
        clip: PPO clip range of the probability ratio.
        updates_per_batch: optimiser steps on each sampled batch (1 = purely on-policy).
        temperature: sampling temperature of the rollouts.
    """

    group_size: int = 8
    learning_rate: float = 3e-4
    clip: float = 0.2
    updates_per_batch: int = 1
    temperature: float = 1.0

    def __post_init__(self) -> None:
        check_int("group_size", self.group_size, low=2)
        check_float("learning_rate", self.learning_rate, low=0.0)
        check_float("clip", self.clip, low=0.0, high=1.0)
        check_int("updates_per_batch", self.updates_per_batch, low=1)
        check_float("temperature", self.temperature, low=0.0)


def policy_gradient_step(
    model,
    tokenizer: CharTokenizer,
    optimiser: torch.optim.Optimizer,
    prompts: list[str],
    completions: list[list[int]],
    advantages: torch.Tensor,
    config: GRPOConfig,
) -> float:
    """Take ``config.updates_per_batch`` clipped policy-gradient updates on one batch.

    Completions with zero advantage are dropped first (they carry no gradient).

    Args:
        model: the policy, updated in place and left in evaluation mode.
        tokenizer: the character tokenizer.
        optimiser: the optimiser of the model's parameters.
        prompts: B prompt texts.
        completions: B completion token-id lists.
        advantages: shape (B,).
        config: the GRPO settings.

    Returns:
        The loss of the last update (0.0 when every advantage was zero).
    """
    keep = [i for i, value in enumerate(advantages.tolist()) if value != 0.0]
    if not keep:
        return 0.0
    prompts = [prompts[i] for i in keep]
    completions = [completions[i] for i in keep]
    advantages = advantages[keep]
    with torch.no_grad():
        old_logprobs, _ = completion_logprobs(model, tokenizer, prompts, completions)
    loss = torch.zeros(())
    model.train()
    for _ in range(config.updates_per_batch):
        logprobs, mask = completion_logprobs(model, tokenizer, prompts, completions)
        loss = clipped_surrogate(logprobs, old_logprobs, mask, advantages, config.clip)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    model.eval()
    return float(loss.detach())
