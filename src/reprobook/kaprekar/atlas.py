"""An atlas of the attractors of Kaprekar's routine across bases and digit counts.

An attractor is a cycle of the routine that at least one input reaches; a fixed point
is a cycle of length 1. The atlas lists each one with its basin, the inputs of the
chosen convention that end in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from tqdm import tqdm

from reprobook.kaprekar.routine import check_convention, format_number
from reprobook.kaprekar.study import DEFAULT_MAX_BYTES, study
from reprobook.params import check_int_list

ATLAS_COLUMNS = (
    "base",
    "digits",
    "kind",
    "length",
    "members",
    "members_text",
    "basin_size",
    "basin_share",
    "max_steps",
)

# Show a progress bar from this many (base, digits) cases on.
_PROGRESS_MIN_CASES = 10


def atlas(
    bases: Iterable[int],
    digit_counts: Iterable[int],
    convention: Any = "leading_zeros",
    max_bytes: Any = DEFAULT_MAX_BYTES,
) -> pd.DataFrame:
    """List every attractor for each combination of base and digit count.

    Args:
        bases: the bases, each an integer >= 2.
        digit_counts: the digit counts, each an integer >= 1.
        convention: ``"leading_zeros"`` or ``"proper"``.
        max_bytes: the memory budget of each study, as in
            :func:`reprobook.kaprekar.study.study`.

    Returns:
        DataFrame with one row per attractor, ordered by base, digits and smallest
        member, with the columns of :data:`ATLAS_COLUMNS`. ``kind`` is ``"fixed
        point"`` or ``"cycle"``. ``members`` is the cycle in iteration order, starting
        at its minimum. ``members_text`` writes the members in the base with leading
        zeros, joined by ``" -> "``. ``basin_share`` is the basin size over the number
        of inputs.
    """
    bases = check_int_list("bases", bases, low=2)
    digit_counts = check_int_list("digit_counts", digit_counts, low=1)
    convention = check_convention(convention)

    cases = [(base, digits) for base in bases for digits in digit_counts]
    rows = []
    progress = tqdm(cases, desc="attractor atlas", disable=len(cases) < _PROGRESS_MIN_CASES)
    for base, digits in progress:
        result = study(base, digits, convention, max_bytes)
        for attractor in result.attractors:
            rows.append(
                {
                    "base": base,
                    "digits": digits,
                    "kind": "fixed point" if len(attractor.cycle) == 1 else "cycle",
                    "length": len(attractor.cycle),
                    "members": attractor.cycle,
                    "members_text": " -> ".join(
                        format_number(member, base, digits) for member in attractor.cycle
                    ),
                    "basin_size": attractor.basin_size,
                    "basin_share": attractor.basin_size / result.n_inputs,
                    "max_steps": attractor.max_steps,
                }
            )
    return pd.DataFrame(rows, columns=list(ATLAS_COLUMNS))
