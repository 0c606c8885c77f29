"""Shared fixtures: a small seeded trace set and its chains."""

from __future__ import annotations

import pytest

from reprobook.safetydrift.chain import fit_chains
from reprobook.safetydrift.generator import generate_traces


@pytest.fixture(scope="session")
def traces():
    return generate_traces(800, seed=3)


@pytest.fixture(scope="session")
def chains(traces):
    return fit_chains(traces, smoothing="laplace")
