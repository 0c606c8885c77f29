"""A tiny benchmark and a tiny trained model shared by the K-FADE tests."""

import pytest
import torch

from reprobook.kfade.data import items_of, make_benchmark, split_authors
from reprobook.kfade.models import build_model, build_tokenizer, make_batches, qa_examples, text_examples, train_lm


@pytest.fixture(scope="session")
def benchmark():
    return make_benchmark(n_authors=10, n_attributes=2, n_world=20, seed=0)


@pytest.fixture(scope="session")
def tokenizer(benchmark):
    return build_tokenizer(benchmark)


@pytest.fixture(scope="session")
def split(benchmark):
    return split_authors(benchmark, 0.2, seed=0)


@pytest.fixture(scope="session")
def forget_batches(benchmark, tokenizer, split):
    return make_batches(tokenizer, qa_examples(items_of(benchmark, split.forget_authors)), 8)


@pytest.fixture(scope="session")
def retain_batches(benchmark, tokenizer, split):
    examples = qa_examples(items_of(benchmark, split.retain_authors)) + text_examples(benchmark.world)
    return make_batches(tokenizer, examples, 16)


@pytest.fixture(scope="session")
def trained(benchmark, tokenizer):
    torch.set_num_threads(1)
    model = build_model(tokenizer, width=16, depth=2, heads=2, seed=0)
    examples = qa_examples(list(benchmark.items)) + text_examples(benchmark.world)
    train_lm(model, make_batches(tokenizer, examples, 8, seed=0), epochs=15, lr=1e-2, seed=0)
    return model
