import pytest
import torch

from reprobook.reves.policy import (
    build_policy,
    completion_logprobs,
    load_policy,
    sample,
    sample_naive,
    save_policy,
)
from reprobook.reves.prompts import SOLVE, Task


def prompts_of(sudokus):
    return [Task(SOLVE, puzzle).prompt for puzzle in sudokus] + ["Vq2.6..5|413="]


def draw(function, model, tokenizer, prompts, seed=0, temperature=1.0):
    return function(
        model, tokenizer, prompts, max_new_tokens=17, temperature=temperature, generator=torch.Generator().manual_seed(seed)
    )


def test_cache_matches_naive(policy, tokenizer, sudokus):
    cached = draw(sample, policy, tokenizer, prompts_of(sudokus))
    assert cached.texts == draw(sample_naive, policy, tokenizer, prompts_of(sudokus)).texts


def test_sampling_repeatable(policy, tokenizer, sudokus):
    assert draw(sample, policy, tokenizer, prompts_of(sudokus)).token_ids == draw(
        sample, policy, tokenizer, prompts_of(sudokus)
    ).token_ids


def test_seed_changes_samples(policy, tokenizer, sudokus):
    assert draw(sample, policy, tokenizer, prompts_of(sudokus), seed=1).texts != draw(
        sample, policy, tokenizer, prompts_of(sudokus), seed=2
    ).texts


def test_padding_does_not_change_greedy(policy, tokenizer, sudokus):
    alone = draw(sample, policy, tokenizer, ["Vq2.6..5|413="], temperature=0.0)
    assert alone.texts[0] == draw(sample, policy, tokenizer, prompts_of(sudokus), temperature=0.0).texts[-1]


def test_sampled_token_count(policy, tokenizer, sudokus):
    samples = draw(sample, policy, tokenizer, prompts_of(sudokus))
    assert samples.sampled_tokens == sum(len(ids) for ids in samples.token_ids)


def test_completion_mask_counts_tokens(policy, tokenizer):
    _, mask = completion_logprobs(policy, tokenizer, ["Sq2.6..5=", "Vq2.6..5|413="], [[5, 6, 1], [19, 1]])
    assert mask.sum().item() == 5


def test_logprobs_match_sampling_distribution(policy, tokenizer):
    prompt = "Vq2.6..5|413="
    ids = torch.tensor([tokenizer.encode(prompt)])
    expected = torch.log_softmax(policy(input_ids=ids).logits[0, -1], dim=-1)[19]
    logprobs, _ = completion_logprobs(policy, tokenizer, [prompt], [[19]])
    assert torch.allclose(logprobs.sum(), expected, atol=1e-5)


def test_save_load_round_trip(policy, tokenizer, tmp_path):
    save_policy(policy, tmp_path / "policy")
    loaded = load_policy(tmp_path / "policy")
    ids = torch.tensor([tokenizer.encode("Sq2.6..5=")])
    assert torch.equal(loaded(input_ids=ids).logits, policy(input_ids=ids).logits)


def test_build_repeatable(tokenizer):
    first, second = build_policy(1, 16, 2, seed=3), build_policy(1, 16, 2, seed=3)
    assert all(torch.equal(a, b) for a, b in zip(first.parameters(), second.parameters(), strict=True))


def test_width_not_multiple_of_heads_raises():
    with pytest.raises(ValueError, match="n_embd must be a multiple of n_head=3; got 16"):
        build_policy(1, 16, 3)


def test_prompt_too_long_raises(policy, tokenizer):
    with pytest.raises(ValueError, match="exceeds the context of 64"):
        sample(policy, tokenizer, ["S" * 60], max_new_tokens=17, temperature=1.0, generator=torch.Generator())


def test_zero_tokens_raises(policy, tokenizer):
    with pytest.raises(ValueError, match="max_new_tokens must be an integer >= 1; got 0"):
        sample(policy, tokenizer, ["S"], max_new_tokens=0, temperature=1.0, generator=torch.Generator())


def test_reload_matches(policy, tokenizer, tmp_path):
    from reprobook.reves.policy import reload_matches

    assert reload_matches(policy, tmp_path / "saved", tokenizer, ["Sq2.6..5=", "Vq2.6..5|246135="])
