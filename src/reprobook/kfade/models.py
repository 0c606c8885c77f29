"""Tokenizer, batches, causal language models and checkpoints for the unlearning chapter.

A *batch* is a dict of ``input_ids``, ``attention_mask`` and ``labels`` (each ``[B, T]``,
int64); ``labels`` is ``-100`` wherever no loss is taken: on padding and on the prompt
("Question: ... Answer:") of a question-answer example, so only answer tokens count.
Models come from a transformers config (GPT-2 or Llama family, eager attention) and are
trained here from random initialisation; checkpoints are ordinary ``save_pretrained``
folders, so a real local checkpoint can take their place.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from reprobook.kfade.data import Benchmark, QAItem
from reprobook.params import check_choice, check_float, check_int

logger = logging.getLogger(__name__)

IGNORE_INDEX = -100
SPECIAL_TOKENS = {"pad_token": "<pad>", "unk_token": "<unk>", "bos_token": "<bos>", "eos_token": "<eos>"}
PROMPT_TEMPLATE = "Question : {question} Answer :"
FAMILIES = ("llama", "gpt2")
METADATA_FILE = "kfade.json"


@dataclass(frozen=True)
class Example:
    """One training or evaluation text: a prompt (no loss) and a target (loss)."""

    prompt: str
    target: str


def qa_examples(items: list[QAItem], question: str = "question", answer: str = "answer") -> list[Example]:
    """Turn items into examples, choosing the question and answer fields by name.

    Args:
        items: the question-answer items.
        question: ``"question"`` or ``"paraphrased_question"``.
        answer: ``"answer"`` or ``"paraphrased_answer"``.
    """
    check_choice("question", question, ("question", "paraphrased_question"))
    check_choice("answer", answer, ("answer", "paraphrased_answer"))
    return [Example(PROMPT_TEMPLATE.format(question=getattr(i, question)), getattr(i, answer)) for i in items]


def text_examples(texts) -> list[Example]:
    """Turn plain sentences (the world corpus) into examples with an empty prompt."""
    return [Example("", text) for text in texts]


def build_tokenizer(benchmark: Benchmark):
    """Build a word-level tokenizer over every word of the benchmark.

    Returns:
        A ``transformers.PreTrainedTokenizerFast`` (saved and loaded like any other).
    """
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    texts = [PROMPT_TEMPLATE.format(question="")]
    for item in benchmark.items:
        texts += [item.question, item.answer, item.paraphrased_question, item.paraphrased_answer]
        texts += list(item.perturbed_answers)
    texts += list(benchmark.world)
    words = sorted({word for text in texts for word in text.split()})
    vocab = {token: index for index, token in enumerate(SPECIAL_TOKENS.values())}
    for word in words:
        vocab.setdefault(word, len(vocab))

    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token=SPECIAL_TOKENS["unk_token"]))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=core, **SPECIAL_TOKENS)


def encode(tokenizer, example: Example) -> tuple[list[int], list[int]]:
    """Return the token ids and labels of one example (``<bos>`` prompt target ``<eos>``)."""
    prompt = tokenizer(example.prompt, add_special_tokens=False)["input_ids"] if example.prompt else []
    target = tokenizer(example.target, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    ids = [tokenizer.bos_token_id] + prompt + target
    labels = [IGNORE_INDEX] * (1 + len(prompt)) + target
    return ids, labels


def collate(tokenizer, examples: list[Example]) -> dict[str, torch.Tensor]:
    """Encode examples and pad them on the right into one batch."""
    encoded = [encode(tokenizer, example) for example in examples]
    length = max(len(ids) for ids, _ in encoded)
    pad = tokenizer.pad_token_id
    input_ids = torch.tensor([ids + [pad] * (length - len(ids)) for ids, _ in encoded])
    labels = torch.tensor([lab + [IGNORE_INDEX] * (length - len(lab)) for _, lab in encoded])
    mask = torch.tensor([[1] * len(ids) + [0] * (length - len(ids)) for ids, _ in encoded])
    return {"input_ids": input_ids, "attention_mask": mask, "labels": labels}


def make_batches(tokenizer, examples: list[Example], batch_size: int, seed: int | None = None) -> list[dict]:
    """Split examples into batches, shuffled with ``seed`` (kept in order when ``None``).

    Raises:
        ValueError: if there are no examples or ``batch_size`` < 1.
    """
    batch_size = check_int("batch_size", batch_size, low=1)
    if not examples:
        raise ValueError("examples must not be empty; got no examples")
    order = np.arange(len(examples))
    if seed is not None:
        order = np.random.default_rng(seed).permutation(len(examples))
    chunks = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    return [collate(tokenizer, [examples[i] for i in chunk]) for chunk in chunks]


def input_device(model) -> torch.device:
    """Return the device of the model's input embeddings (where batches must go)."""
    return model.get_input_embeddings().weight.device


def to_device(batch: dict[str, torch.Tensor], device: torch.device) -> dict[str, torch.Tensor]:
    """Move every tensor of a batch to ``device``."""
    return {key: value.to(device) for key, value in batch.items()}


def build_model(
    tokenizer,
    family: str = "llama",
    width: int = 64,
    depth: int = 2,
    heads: int = 4,
    max_positions: int = 64,
    seed: int = 0,
    device: str | torch.device = "cpu",
):
    """Build a randomly initialised causal language model from a transformers config.

    Args:
        tokenizer: gives the vocabulary size and the special token ids.
        family: ``"llama"`` (``nn.Linear`` layers, untied head) or ``"gpt2"`` (``Conv1D``
            layers, head tied to the embedding).
        width: hidden size; must be divisible by ``heads``.
        depth: number of transformer blocks.
        heads: attention heads per block.
        max_positions: longest sequence in tokens.
        seed: seed of the initialisation.
        device: where to put the model.

    Returns:
        A ``transformers`` causal LM with eager attention.
    """
    from transformers import AutoModelForCausalLM, GPT2Config, LlamaConfig

    check_choice("family", family, FAMILIES)
    width = check_int("width", width, low=2)
    depth = check_int("depth", depth, low=1)
    heads = check_int("heads", heads, low=1)
    if width % heads:
        raise ValueError(f"width must be divisible by heads; got width={width}, heads={heads}")
    ids = {
        "vocab_size": len(tokenizer),
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
        "pad_token_id": tokenizer.pad_token_id,
    }
    if family == "llama":
        config = LlamaConfig(
            hidden_size=width, intermediate_size=2 * width, num_hidden_layers=depth,
            num_attention_heads=heads, num_key_value_heads=heads, max_position_embeddings=max_positions,
            tie_word_embeddings=False, **ids,
        )
    else:
        config = GPT2Config(
            n_embd=width, n_layer=depth, n_head=heads, n_positions=max_positions,
            resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, **ids,
        )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(check_int("seed", seed, low=0))
        model = AutoModelForCausalLM.from_config(config, attn_implementation="eager")
    return model.to(device)


def train_lm(
    model, batches: list[dict], epochs: int, lr: float = 3e-3, weight_decay: float = 0.01, seed: int = 0,
    progress: bool = False,
) -> list[float]:
    """Train a causal LM with AdamW on the batches, visiting them in a seeded order each epoch.

    Args:
        model: the model (trained in place).
        batches: the training batches.
        epochs: passes over the batches (>= 1).
        lr: learning rate of AdamW.
        weight_decay: decoupled weight decay of AdamW.
        seed: seed of the batch order.
        progress: show a progress bar.

    Returns:
        The mean training loss (nats per answer token) of each epoch.
    """
    epochs = check_int("epochs", epochs, low=1)
    lr = check_float("lr", lr, low=0.0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    device = input_device(model)
    model.train()
    history = []
    for _ in tqdm(range(epochs), disable=not progress, desc="training"):
        total = 0.0
        for index in rng.permutation(len(batches)):
            loss = model(**to_device(batches[index], device)).loss
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item()
        history.append(total / len(batches))
    model.eval()
    return history


def save_checkpoint(model, tokenizer, path: str | Path, metadata: dict | None = None) -> Path:
    """Save a model, its tokenizer and optional metadata (JSON) into the folder ``path``."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    partial = path / (METADATA_FILE + ".tmp")
    partial.write_text(json.dumps(metadata or {}, indent=2) + "\n", encoding="utf-8")
    partial.replace(path / METADATA_FILE)
    return path


def check_checkpoint_path(name: str, path: str | Path) -> str:
    """Validate an optional checkpoint folder parameter before any work starts.

    Args:
        name: the parameter's name, for the message (e.g. ``"model_path"``).
        path: ``""`` (no checkpoint) or a folder holding a ``config.json``.

    Returns:
        The path as a string (``""`` when empty).

    Raises:
        ValueError: naming the parameter, when ``path`` is neither empty nor such a folder.
    """
    if not isinstance(path, (str, Path)):
        raise ValueError(f"{name} must be a folder path or empty; got {path!r} ({type(path).__name__})")
    path = str(path)
    if path and not (Path(path) / "config.json").is_file():
        raise ValueError(f"{name} must be empty or a folder holding config.json (a save_pretrained checkpoint); "
                         f"got {path!r}")
    return path


def load_checkpoint(path: str | Path, device: str | torch.device = "cpu", device_map=None):
    """Load a model and tokenizer saved with ``save_pretrained`` (ours or any local checkpoint).

    Args:
        path: the checkpoint folder.
        device: where to put the model (ignored when ``device_map`` is given).
        device_map: passed to ``from_pretrained`` to spread a large model over devices.

    Returns:
        ``(model, tokenizer, metadata)``; metadata is ``{}`` for a foreign checkpoint.

    Raises:
        FileNotFoundError: if ``path`` is not a folder holding a ``config.json``.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(path)
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"checkpoint path must be a folder holding config.json; got {str(path)!r}")
    options = {"attn_implementation": "eager"}
    if device_map is not None:
        options["device_map"] = device_map
    model = AutoModelForCausalLM.from_pretrained(path, **options)
    if device_map is None:
        model = model.to(device)
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(path)
    meta_file = path / METADATA_FILE
    metadata = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
    return model, tokenizer, metadata
