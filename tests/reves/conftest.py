"""Tiny shared fixtures for the REVES tests: a tokenizer, puzzles and a 1-layer policy."""

from __future__ import annotations

import pytest
import torch

from reprobook.reves.policy import build_policy
from reprobook.reves.prompts import CharTokenizer
from reprobook.reves.puzzles import make_puzzles


@pytest.fixture(scope="session", autouse=True)
def one_thread():
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tokenizer():
    return CharTokenizer()


@pytest.fixture(scope="session")
def sudokus():
    return make_puzzles(0, "sudoku", 12, (6, 10))


@pytest.fixture
def policy(tokenizer):
    return build_policy(1, 16, 2, seed=0, tokenizer=tokenizer)
