"""Comparisons behind the chapter's claims: formulas against computation, modes, recurrences.

The iteration matrix used here is the DataFrame of
:func:`reprobook.kaprekar.study.iteration_matrix`: index = base, columns = iteration
count k, entries = number of inputs that need k steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from reprobook.kaprekar.routine import CONVENTIONS, check_base, check_convention
from reprobook.kaprekar.study import study
from reprobook.kaprekar.symbolic import (
    three_digit_closed_form_counts,
    three_digit_cycle,
    three_digit_step_counts,
)
from reprobook.params import check_int_list


def compare_three_digit_theory(bases: Iterable[int]) -> pd.DataFrame:
    """Compare the derived 3-digit formulas with the computed study, base by base.

    Args:
        bases: the bases to check, each an integer >= 2.

    Returns:
        DataFrame with one row per (base, convention) and the columns ``attractor``
        (computed cycle), ``formula`` (cycle from the formulas), ``attractor_match``,
        ``counts_match`` (inputs per step count, from the per-gap formulas) and
        ``closed_form_match`` (from N(h, k), even bases >= 4 only, else ``None``).
    """
    bases = check_int_list("bases", bases, low=2)
    rows = []
    for base in bases:
        formula = three_digit_cycle(base)
        for convention in CONVENTIONS:
            computed = study(base, 3, convention)
            cycles = [attractor.cycle for attractor in computed.attractors]
            closed_form = None
            if base % 2 == 0 and base >= 4:
                closed_form = np.array_equal(three_digit_closed_form_counts(base, convention), computed.step_counts)
            rows.append(
                {
                    "base": base,
                    "convention": convention,
                    "attractor": cycles,
                    "formula": formula,
                    "attractor_match": cycles == [formula],
                    "counts_match": np.array_equal(three_digit_step_counts(base, convention), computed.step_counts),
                    "closed_form_match": closed_form,
                }
            )
    return pd.DataFrame(rows)


def modes(matrix: pd.DataFrame) -> pd.Series:
    """Return the most common iteration count of each base (a tie goes to the smallest count)."""
    return matrix.idxmax(axis=1).rename("mode")


def mixed_differences(matrix: pd.DataFrame) -> pd.DataFrame:
    """Compute N(h+1, k+1) - N(h+1, k) - N(h, k+1) + N(h, k) on the interior of an iteration matrix.

    Rows are the even bases b = 2h of the matrix whose successor b + 2 is also in it;
    the interior is 3 <= k <= h - 1, where the recurrence of the symbolic derivation
    applies. Cells outside the interior are NaN.

    Returns:
        DataFrame indexed by the even base b (of row h) with columns k.
    """
    even = [base for base in matrix.index if base % 2 == 0 and base + 2 in matrix.index and base >= 8]
    columns = [column for column in matrix.columns if column >= 3]
    result = pd.DataFrame(np.nan, index=pd.Index(even, name="base"), columns=columns)
    for base in even:
        half = base // 2
        for steps in range(3, half):
            if steps + 1 not in matrix.columns:
                continue
            result.loc[base, steps] = (
                matrix.loc[base + 2, steps + 1]
                - matrix.loc[base + 2, steps]
                - matrix.loc[base, steps + 1]
                + matrix.loc[base, steps]
            )
    return result.dropna(axis=1, how="all")


def kaprekar_constants(base: Any, digit_counts: Iterable[int], convention: Any = "leading_zeros") -> pd.DataFrame:
    """Find, for each digit count, whether the routine has a Kaprekar constant.

    A **Kaprekar constant** is a nonzero fixed point that every input reaches, that is,
    the only attractor of the routine.

    Args:
        base: the base, an integer >= 2.
        digit_counts: the digit counts to examine, each an integer >= 2.
        convention: ``"leading_zeros"`` or ``"proper"``.

    Returns:
        DataFrame indexed by digits with the columns ``attractors`` (how many),
        ``fixed_points`` (the nonzero fixed points), ``constant`` (the constant or
        ``None``) and ``max_steps``.
    """
    base = check_base(base)
    digit_counts = check_int_list("digit_counts", digit_counts, low=2)
    convention = check_convention(convention)
    rows = []
    for digits in digit_counts:
        result = study(base, digits, convention)
        fixed_points = [a.cycle[0] for a in result.attractors if len(a.cycle) == 1 and a.cycle[0] != 0]
        is_constant = len(result.attractors) == 1 and len(fixed_points) == 1
        rows.append(
            {
                "digits": digits,
                "attractors": len(result.attractors),
                "fixed_points": fixed_points,
                "constant": fixed_points[0] if is_constant else None,
                "max_steps": result.max_steps,
            }
        )
    survey = pd.DataFrame(rows).set_index("digits")
    survey["constant"] = survey["constant"].astype("Int64")
    return survey


def summarise_atlas(atlas_table: pd.DataFrame) -> pd.DataFrame:
    """Summarise an atlas per (digits, base).

    Args:
        atlas_table: the table of :func:`reprobook.kaprekar.atlas.atlas`.

    Returns:
        DataFrame indexed by (digits, base) with the columns ``attractors`` (how many),
        ``has_constant`` (the only attractor is a nonzero fixed point), ``longest_cycle``
        and ``largest_basin_share``.
    """
    groups = atlas_table.groupby(["digits", "base"])
    summary = pd.DataFrame(
        {
            "attractors": groups.size(),
            "longest_cycle": groups["length"].max(),
            "largest_basin_share": groups["basin_share"].max(),
        }
    )
    only = atlas_table[atlas_table.groupby(["digits", "base"])["length"].transform("size") == 1]
    constant_keys = {
        (row.digits, row.base) for row in only.itertuples() if row.length == 1 and row.members != (0,)
    }
    summary["has_constant"] = [key in constant_keys for key in summary.index]
    return summary
