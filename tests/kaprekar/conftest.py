"""A second, per-number reference for the Kaprekar tests.

``per_number_step_counts`` iterates every input with the vectorised map until it
reaches a periodic point. It shares no code with the multiset engine, and it is fast
enough for the 3-digit checks over many bases.
"""

from __future__ import annotations

import numpy as np
import pytest

from reprobook.kaprekar.routine import input_domain, kaprekar_map_array


def per_number_step_counts(base: int, digits: int, convention: str) -> np.ndarray:
    """Count the inputs per iteration count by iterating each number separately.

    Args:
        base: the base.
        digits: the number of digits.
        convention: ``"leading_zeros"`` or ``"proper"``.

    Returns:
        int64 array; entry k is the number of inputs that need k steps.
    """
    images = kaprekar_map_array(np.arange(base**digits), base, digits)

    # The image sets of the iterates shrink to the periodic points and then stay put.
    periodic = np.unique(images)
    while True:
        shrunk = np.unique(images[periodic])
        if shrunk.size == periodic.size:
            break
        periodic = shrunk
    is_periodic = np.zeros(base**digits, dtype=bool)
    is_periodic[periodic] = True

    current = input_domain(base, digits, convention)
    steps = np.zeros(current.size, dtype=np.int64)
    pending = ~is_periodic[current]
    while np.any(pending):
        steps[pending] += 1
        current = np.where(pending, images[current], current)
        pending = ~is_periodic[current]
    return np.bincount(steps)


@pytest.fixture(scope="session")
def per_number_counts():
    """Provide :func:`per_number_step_counts` to the tests."""
    return per_number_step_counts
