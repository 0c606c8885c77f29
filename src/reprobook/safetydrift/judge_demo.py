"""A randomly initialised text classifier that shows the judge plumbing, and nothing more.

No instruction-tuned judge model can be downloaded here, so this module builds a tiny
BERT-style classifier from a configuration, with random weights and a word-level
vocabulary made from the step texts. Its scores carry no knowledge of safety: it only
shows that a ``transformers`` text-classification pipeline plugs into
:class:`~reprobook.safetydrift.baselines.JudgeDetector` through
:func:`~reprobook.safetydrift.baselines.pipeline_judge`. :func:`load_local_judge` loads
a real classifier from a local folder the same way. Importing this module imports
torch and transformers.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import torch
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    BertConfig,
    BertForSequenceClassification,
    PreTrainedTokenizerFast,
    pipeline,
)

from reprobook.params import check_int
from reprobook.safetydrift.baselines import pipeline_judge, words_of

UNSAFE_LABEL = "UNSAFE"


def build_random_classifier(texts: Iterable[str], seed: int, *, hidden_size: int = 16):
    """Build a text-classification pipeline with random weights on CPU.

    Args:
        texts: texts whose words make up the vocabulary (others map to ``[UNK]``).
        seed: seed of torch's generator for the weights.
        hidden_size: width of the single transformer layer (even, >= 2).

    Returns:
        A ``transformers`` pipeline with labels ``SAFE`` and ``UNSAFE``.
    """
    seed = check_int("seed", seed, low=0)
    hidden_size = check_int("hidden_size", hidden_size, low=2)
    if hidden_size % 2:
        raise ValueError(f"hidden_size must be even (two attention heads); got {hidden_size}")

    words = sorted(set().union(*(words_of(text) for text in texts)))
    vocabulary = {token: index for index, token in enumerate(["[PAD]", "[UNK]", *words])}
    backend = Tokenizer(models.WordLevel(vocab=vocabulary, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]"
    )
    tokenizer.model_max_length = 128

    config = BertConfig(
        vocab_size=len(vocabulary),
        hidden_size=hidden_size,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=2 * hidden_size,
        max_position_embeddings=128,
        num_labels=2,
        id2label={0: "SAFE", 1: UNSAFE_LABEL},
        label2id={"SAFE": 0, UNSAFE_LABEL: 1},
    )
    torch.manual_seed(seed)
    model = BertForSequenceClassification(config).eval()
    return pipeline("text-classification", model=model, tokenizer=tokenizer, device=-1)


def load_local_judge(path: str | os.PathLike, unsafe_label: str):
    """Load a text-classification model from a local folder as a judge, without network access.

    Args:
        path: a folder written by ``save_pretrained`` (model and tokenizer).
        unsafe_label: the model's label whose score is P(unsafe).

    Returns:
        A judge for :class:`~reprobook.safetydrift.baselines.JudgeDetector`.

    Raises:
        ValueError: if the folder does not exist.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ValueError(
            f"judge model folder {str(folder)!r} not found; give a folder written by save_pretrained"
        )
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(folder, local_files_only=True).eval()
    classifier = pipeline("text-classification", model=model, tokenizer=tokenizer, device=-1)
    return pipeline_judge(classifier, unsafe_label)
