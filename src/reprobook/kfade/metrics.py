"""TOFU-style evaluation of an unlearned model against the original and the retrained oracle.

The *truth ratio* of an item compares the per-token likelihood of its perturbed (wrong)
answers with that of its paraphrased correct answer: ``R = mean_j P(wrong_j)^(1/n_j) /
P(paraphrase)^(1/n)``; a model that knows the fact has ``R`` well below 1. *Forget
quality* is the p-value of a two-sample Kolmogorov-Smirnov test between the truth ratios
of the forget items under the unlearned model and under the oracle retrained without
them (high = indistinguishable). *Model utility* is the harmonic mean of answer
probability, ROUGE-L recall of greedy answers and truth score ``max(0, 1 - R)`` on
retain items, and of the per-token probability of the world corpus.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import torch
from scipy import stats

from reprobook.kfade.curvature import lm_outputs
from reprobook.kfade.data import QAItem
from reprobook.kfade.models import PROMPT_TEMPLATE, Example, input_device, make_batches, text_examples
from reprobook.kfade.unlearning import sequence_nll, token_nll


def mean_log_likelihood(model, tokenizer, examples: list[Example], batch_size: int = 64) -> np.ndarray:
    """Return the mean log-probability per target token of each example (nats, ``[n]``)."""
    values = []
    with torch.no_grad():
        for batch in make_batches(tokenizer, examples, batch_size):
            nll, length = sequence_nll(model, batch)
            values.append((-nll / length.clamp_min(1)).cpu().numpy())
    return np.concatenate(values)


def truth_ratios(model, tokenizer, items: list[QAItem]) -> np.ndarray:
    """Return the truth ratio of every item (``[n]``; below 1 when the true answer is preferred)."""
    paraphrased = mean_log_likelihood(model, tokenizer, [
        Example(PROMPT_TEMPLATE.format(question=i.question), i.paraphrased_answer) for i in items
    ])
    n_wrong = len(items[0].perturbed_answers)
    wrong = mean_log_likelihood(model, tokenizer, [
        Example(PROMPT_TEMPLATE.format(question=i.question), answer) for i in items for answer in i.perturbed_answers
    ]).reshape(len(items), n_wrong)
    return np.exp(wrong).mean(axis=1) / np.exp(paraphrased)


def forget_quality(unlearned_ratios: np.ndarray, oracle_ratios: np.ndarray) -> float:
    """Return the KS-test p-value between two truth-ratio samples (1 = same distribution)."""
    return float(stats.ks_2samp(unlearned_ratios, oracle_ratios).pvalue)


def kl_on_targets(model, reference, batches: list[dict]) -> float:
    """Return the mean KL(reference || model) per loss position of the batches (nats)."""
    total, count = 0.0, 0
    with torch.no_grad():
        for batch in batches:
            logits, valid = lm_outputs(model, batch)
            ref_logits, ref_valid = lm_outputs(reference, batch)
            current = torch.log_softmax(logits[valid].float(), -1)
            target = torch.log_softmax(ref_logits[ref_valid].float(), -1).to(current.device)
            total += float((target.exp() * (target - current)).sum())
            count += current.shape[0]
    return total / count


def greedy_answers(model, tokenizer, items: list[QAItem], max_new_tokens: int = 16) -> list[str]:
    """Answer every item's question greedily (prompts of one length are batched, no padding)."""
    groups: dict[int, list[int]] = defaultdict(list)
    prompts = []
    for index, item in enumerate(items):
        ids = [tokenizer.bos_token_id] + tokenizer(
            PROMPT_TEMPLATE.format(question=item.question), add_special_tokens=False
        )["input_ids"]
        prompts.append(ids)
        groups[len(ids)].append(index)
    answers = [""] * len(items)
    device = input_device(model)
    with torch.no_grad():
        for length, members in groups.items():
            input_ids = torch.tensor([prompts[i] for i in members], device=device)
            output = model.generate(
                input_ids=input_ids, attention_mask=torch.ones_like(input_ids), do_sample=False,
                max_new_tokens=max_new_tokens, pad_token_id=tokenizer.pad_token_id,
                eos_token_id=tokenizer.eos_token_id,
            )
            for row, index in zip(output[:, length:].tolist(), members):
                if tokenizer.eos_token_id in row:
                    row = row[: row.index(tokenizer.eos_token_id)]
                answers[index] = tokenizer.decode(row, skip_special_tokens=True)
    return answers


def rouge_l_recall(candidate: str, reference: str) -> float:
    """Return the ROUGE-L recall: longest common word subsequence / reference length."""
    a, b = candidate.split(), reference.split()
    if not b:
        return 0.0
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, word_a in enumerate(a):
        for j, word_b in enumerate(b):
            table[i + 1][j + 1] = table[i][j] + 1 if word_a == word_b else max(table[i][j + 1], table[i + 1][j])
    return table[-1][-1] / len(b)


def model_utility(model, tokenizer, retain_items: list[QAItem], world: list[str]) -> dict[str, float]:
    """Return the four utility components and their harmonic mean (``"utility"``), each in [0, 1]."""
    answers = [Example(PROMPT_TEMPLATE.format(question=i.question), i.answer) for i in retain_items]
    probability = float(np.exp(mean_log_likelihood(model, tokenizer, answers)).mean())
    generated = greedy_answers(model, tokenizer, retain_items)
    rouge = float(np.mean([rouge_l_recall(g, i.answer) for g, i in zip(generated, retain_items)]))
    truth = float(np.mean(np.maximum(0.0, 1.0 - truth_ratios(model, tokenizer, retain_items))))
    world_probability = float(np.exp(mean_log_likelihood(model, tokenizer, text_examples(world))).mean())
    parts = {"retain_probability": probability, "retain_rouge": rouge, "retain_truth": truth,
             "world_probability": world_probability}
    values = np.array(list(parts.values()))
    parts["utility"] = float(stats.hmean(values)) if (values > 0).all() else 0.0
    return parts


def evaluate(model, tokenizer, *, original, oracle, forget_items, retain_items, world,
             forget_batches, retain_batches, oracle_ratios: np.ndarray | None = None) -> dict[str, float]:
    """Return every metric of one model: forget NLL, KL to the oracle on forget tokens,
    KL to the original on retain tokens, forget truth ratio, forget quality and utility.

    Args:
        model: the model to evaluate.
        tokenizer: its tokenizer.
        original: the model before unlearning.
        oracle: the model retrained without the forget authors.
        forget_items, retain_items: the question-answer items of each side.
        world: the world corpus sentences.
        forget_batches, retain_batches: the batches of each side.
        oracle_ratios: the oracle's forget truth ratios (computed when ``None``).
    """
    ratios = truth_ratios(model, tokenizer, forget_items)
    if oracle_ratios is None:
        oracle_ratios = truth_ratios(oracle, tokenizer, forget_items)
    result = {
        "forget_nll": token_nll(model, forget_batches),
        "forget_kl_to_oracle": kl_on_targets(model, oracle, forget_batches),
        "retain_kl_to_original": kl_on_targets(model, original, retain_batches),
        "forget_truth_ratio": float(np.mean(ratios)),
        "forget_quality": forget_quality(ratios, oracle_ratios),
    }
    result.update(model_utility(model, tokenizer, retain_items, world))
    return result
