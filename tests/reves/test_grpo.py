import pytest
import torch

from reprobook.reves.grpo import (
    GRPOConfig,
    clipped_surrogate,
    group_advantages,
    policy_gradient_step,
)
from reprobook.reves.policy import completion_logprobs


def test_advantages_known_values():
    advantages = group_advantages(torch.tensor([[1.0, 0.0]]), epsilon=0.0)
    assert torch.equal(advantages, torch.tensor([[1.0, -1.0]]))


def test_equal_rewards_give_zero():
    assert torch.equal(group_advantages(torch.ones(2, 4)), torch.zeros(2, 4))


def test_advantages_sum_to_zero_per_group():
    advantages = group_advantages(torch.tensor([[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 1.0]]))
    assert torch.allclose(advantages.sum(dim=1), torch.zeros(2), atol=1e-6)


def test_group_of_one_raises():
    with pytest.raises(ValueError, match=r"group_size >= 2\); got \(3, 1\)"):
        group_advantages(torch.ones(3, 1))


def test_config_group_of_one_raises():
    with pytest.raises(ValueError, match="group_size must be an integer >= 2; got 1"):
        GRPOConfig(group_size=1)


def test_surrogate_on_policy_is_minus_mean_advantage():
    logprobs = torch.tensor([[-1.0, -2.0], [-0.5, 0.0]])
    mask = torch.tensor([[1.0, 1.0], [1.0, 0.0]])
    loss = clipped_surrogate(logprobs, logprobs, mask, torch.tensor([2.0, -1.0]), 0.2)
    assert loss.item() == pytest.approx(-0.5)


def test_surrogate_clips_large_ratio():
    loss = clipped_surrogate(torch.tensor([[1.0]]), torch.tensor([[0.0]]), torch.ones(1, 1), torch.tensor([1.0]), 0.2)
    assert loss.item() == pytest.approx(-1.2)


def test_step_raises_rewarded_completion(policy, tokenizer):
    prompts, completions = ["Vq2.6..5|413=", "Vq2.6..5|413="], [[19, 1], [20, 1]]
    before, _ = completion_logprobs(policy, tokenizer, prompts[:1], completions[:1])
    optimiser = torch.optim.AdamW(policy.parameters(), lr=1e-2)
    policy_gradient_step(policy, tokenizer, optimiser, prompts, completions, torch.tensor([1.0, -1.0]), GRPOConfig())
    after, _ = completion_logprobs(policy, tokenizer, prompts[:1], completions[:1])
    assert after.sum().item() > before.sum().item()


def test_step_with_zero_advantages_is_noop(policy, tokenizer):
    state = {name: value.clone() for name, value in policy.state_dict().items()}
    optimiser = torch.optim.AdamW(policy.parameters(), lr=1e-2)
    policy_gradient_step(policy, tokenizer, optimiser, ["Sq2.6..5="], [[5, 1]], torch.zeros(1), GRPOConfig())
    assert all(torch.equal(state[name], value) for name, value in policy.state_dict().items())
