"""The policy: a small causal transformer over characters, and how it samples and scores.

The policy is a GPT-2 model built from a :class:`transformers.GPT2Config` with random
weights (nothing is downloaded). Sampling is batched: prompts are left-padded, positions
restart at 0 on each prompt's first real token, and a key-value cache makes each new
token cost one position instead of the whole sequence. :func:`sample_naive` recomputes
the whole sequence at every step and exists to measure that saving.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
from transformers import GPT2Config, GPT2LMHeadModel

from reprobook.params import check_float, check_int
from reprobook.reves.prompts import CharTokenizer

CONTEXT = 64


def build_policy(
    n_layer: int = 2, n_embd: int = 64, n_head: int = 4, *, seed: int = 0, tokenizer: CharTokenizer | None = None
) -> GPT2LMHeadModel:
    """Build a randomly initialised character-level GPT-2 policy.

    Args:
        n_layer: transformer blocks, at least 1.
        n_embd: width of the residual stream, a multiple of ``n_head``.
        n_head: attention heads, at least 1.
        seed: seed of the weight initialisation.
        tokenizer: gives the vocabulary size and the pad and end ids.

    Returns:
        The model in evaluation mode on the CPU, without dropout.
    """
    check_int("n_layer", n_layer, low=1)
    check_int("n_head", n_head, low=1)
    check_int("n_embd", n_embd, low=n_head)
    if n_embd % n_head:
        raise ValueError(f"n_embd must be a multiple of n_head={n_head}; got {n_embd}")
    tokenizer = tokenizer or CharTokenizer()
    config = GPT2Config(
        vocab_size=len(tokenizer), n_positions=CONTEXT, n_embd=n_embd, n_layer=n_layer, n_head=n_head,
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
        bos_token_id=tokenizer.end_id, eos_token_id=tokenizer.end_id, pad_token_id=tokenizer.pad_id,
    )
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(config)
    torch.random.set_rng_state(generator_state)
    return model.eval()


def save_policy(model: GPT2LMHeadModel, directory: str | os.PathLike) -> None:
    """Write the policy with ``save_pretrained`` (config and safetensors weights)."""
    model.save_pretrained(directory)


def load_policy(directory: str | os.PathLike, device: str | torch.device = "cpu") -> GPT2LMHeadModel:
    """Load a policy written by :func:`save_policy` from a local folder, in evaluation mode."""
    return GPT2LMHeadModel.from_pretrained(directory).to(device).eval()


def model_device(model: torch.nn.Module) -> torch.device:
    """Return the device of the model's input embeddings (where input ids must go)."""
    return model.get_input_embeddings().weight.device


@dataclass
class Samples:
    """Completions sampled for a batch of prompts.

    Attributes:
        texts: the decoded completions, cut after the end marker (or at the length limit).
        token_ids: the completion token ids per prompt, same cut.
        sampled_tokens: the number of tokens sampled (the completions' total length).
    """

    texts: list[str]
    token_ids: list[list[int]]
    sampled_tokens: int


def _left_pad(prompts: list[list[int]], pad_id: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(ids) for ids in prompts)
    ids = torch.full((len(prompts), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(prompts), width), dtype=torch.long)
    for row, prompt in enumerate(prompts):
        ids[row, width - len(prompt):] = torch.tensor(prompt)
        mask[row, width - len(prompt):] = 1
    return ids.to(device), mask.to(device)


def _choose(logits: torch.Tensor, temperature: float, generator: torch.Generator) -> torch.Tensor:
    if temperature == 0.0:
        return logits.argmax(dim=-1)
    probabilities = torch.softmax(logits.float() / temperature, dim=-1)
    return torch.multinomial(probabilities.cpu(), 1, generator=generator).squeeze(1).to(logits.device)


def _finish(tokens: torch.Tensor, tokenizer: CharTokenizer) -> Samples:
    token_ids, texts = [], []
    for row in tokens.tolist():
        cut = row.index(tokenizer.end_id) + 1 if tokenizer.end_id in row else len(row)
        token_ids.append(row[:cut])
        texts.append(tokenizer.decode(row[:cut]))
    return Samples(texts, token_ids, sum(len(ids) for ids in token_ids))


def _check_sampling(prompts: list[str], max_new_tokens: int, temperature: float) -> None:
    check_int("max_new_tokens", max_new_tokens, low=1)
    check_float("temperature", temperature, low=0.0)
    if not prompts:
        raise ValueError("prompts must hold at least one prompt; got an empty list")
    longest = max(len(prompt) for prompt in prompts)
    if longest + max_new_tokens > CONTEXT:
        raise ValueError(f"prompt length {longest} + max_new_tokens {max_new_tokens} exceeds the context of {CONTEXT}")


@torch.no_grad()
def sample(
    model: GPT2LMHeadModel,
    tokenizer: CharTokenizer,
    prompts: list[str],
    *,
    max_new_tokens: int,
    temperature: float,
    generator: torch.Generator,
) -> Samples:
    """Sample one completion per prompt, batched, with a key-value cache.

    Args:
        model: the policy.
        tokenizer: the character tokenizer.
        prompts: the prompt texts, any lengths.
        max_new_tokens: the maximum completion length, in tokens.
        temperature: softmax temperature; 0 picks the most likely token.
        generator: a CPU ``torch.Generator`` that draws every token.

    Returns:
        The completions, each cut after its first end marker.
    """
    _check_sampling(prompts, max_new_tokens, temperature)
    device = model_device(model)
    ids, mask = _left_pad([tokenizer.encode(prompt) for prompt in prompts], tokenizer.pad_id, device)
    positions = (mask.cumsum(dim=1) - 1).clamp(min=0)
    done = torch.zeros(len(prompts), dtype=torch.bool, device=device)
    generated = []
    output = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True)
    for _ in range(max_new_tokens):
        token = _choose(output.logits[:, -1, :], temperature, generator)
        done = done.to(token.device)
        token = torch.where(done, torch.full_like(token, tokenizer.pad_id), token)
        generated.append(token)
        done = done | (token == tokenizer.end_id)
        if bool(done.all()):
            break
        positions = positions[:, -1:] + 1
        mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
        output = model(
            input_ids=token[:, None].to(device), attention_mask=mask, position_ids=positions,
            cache=output.cache, use_cache=True,
        )
    return _finish(torch.stack(generated, dim=1), tokenizer)


@torch.no_grad()
def sample_naive(
    model: GPT2LMHeadModel,
    tokenizer: CharTokenizer,
    prompts: list[str],
    *,
    max_new_tokens: int,
    temperature: float,
    generator: torch.Generator,
) -> Samples:
    """Sample like :func:`sample` but re-encode the whole sequence for every new token.

    The result is the same as :func:`sample` up to floating-point rounding; only the cost
    differs (quadratic instead of linear in the completion length).
    """
    _check_sampling(prompts, max_new_tokens, temperature)
    device = model_device(model)
    ids, mask = _left_pad([tokenizer.encode(prompt) for prompt in prompts], tokenizer.pad_id, device)
    done = torch.zeros(len(prompts), dtype=torch.bool, device=device)
    generated = []
    for _ in range(max_new_tokens):
        positions = (mask.cumsum(dim=1) - 1).clamp(min=0)
        logits = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=False).logits
        token = _choose(logits[:, -1, :], temperature, generator)
        done = done.to(token.device)
        token = torch.where(done, torch.full_like(token, tokenizer.pad_id), token)
        generated.append(token)
        done = done | (token == tokenizer.end_id)
        if bool(done.all()):
            break
        ids = torch.cat([ids, token[:, None].to(ids.device)], dim=1)
        mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
    return _finish(torch.stack(generated, dim=1), tokenizer)


def pack(tokenizer: CharTokenizer, prompts: list[str], completions: list[list[int]], device: torch.device):
    """Right-pad prompt + completion sequences for one forward pass.

    Returns:
        (input ids (B, L), attention mask (B, L), completion mask (B, L - 1)) where the
        completion mask marks the positions whose next-token prediction is a completion token.
    """
    rows = [tokenizer.encode(prompt) + completion for prompt, completion in zip(prompts, completions, strict=True)]
    width = max(len(row) for row in rows)
    ids = torch.full((len(rows), width), tokenizer.pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    targets = torch.zeros((len(rows), width - 1), dtype=torch.float32)
    for row, (prompt, completion) in enumerate(zip(prompts, completions, strict=True)):
        sequence = rows[row]
        ids[row, : len(sequence)] = torch.tensor(sequence)
        mask[row, : len(sequence)] = 1
        targets[row, len(prompt) - 1 : len(sequence) - 1] = 1.0
    return ids.to(device), mask.to(device), targets.to(device)


def completion_logprobs(
    model: GPT2LMHeadModel, tokenizer: CharTokenizer, prompts: list[str], completions: list[list[int]]
) -> tuple[torch.Tensor, torch.Tensor]:
    """Score completions under the policy (with gradients).

    Args:
        model: the policy.
        tokenizer: the character tokenizer.
        prompts: B prompt texts.
        completions: B lists of completion token ids.

    Returns:
        (per-token log-probabilities (B, L - 1), completion mask (B, L - 1)); entries
        outside the completions are zero in the mask.
    """
    ids, mask, targets = pack(tokenizer, prompts, completions, model_device(model))
    logits = model(input_ids=ids, attention_mask=mask, use_cache=False).logits[:, :-1, :]
    logprobs = torch.log_softmax(logits.float(), dim=-1).gather(2, ids[:, 1:, None]).squeeze(2)
    targets = targets.to(logprobs.device)
    return logprobs * targets, targets


def reload_matches(model: GPT2LMHeadModel, directory: str | os.PathLike, tokenizer: CharTokenizer, prompts: list[str]) -> bool:
    """Save the policy, load it back from the folder, and compare their logits exactly.

    Returns:
        Whether the loaded policy gives bit-for-bit the same logits on every prompt.
    """
    save_policy(model, directory)
    loaded = load_policy(directory, model_device(model))
    with torch.no_grad():
        for prompt in prompts:
            ids = torch.tensor([tokenizer.encode(prompt)], device=model_device(model))
            if not torch.equal(model(input_ids=ids).logits, loaded(input_ids=ids).logits):
                return False
    return True
