"""Tests of the derived 3-digit closed forms, symbolically and against brute force."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from reprobook.kaprekar.routine import trajectory
from reprobook.kaprekar.study import iteration_matrix, study
from reprobook.kaprekar.symbolic import (
    b,
    derive_three_digit_theory,
    g,
    h,
    k,
    three_digit_closed_form_counts,
    three_digit_constant,
    three_digit_cycle,
    three_digit_step_counts,
    three_digit_steps_by_gap,
)

CONVENTIONS = ("leading_zeros", "proper")
BASES = range(2, 41)
EVEN_BASES = range(4, 41, 2)


@pytest.fixture(scope="module")
def theory():
    return derive_three_digit_theory()


def same(left: sp.Expr, right: sp.Expr) -> bool:
    return sp.simplify(left - right) == 0


def piece(piecewise: sp.Piecewise, index: int) -> sp.Expr:
    return piecewise.args[index].expr


def test_difference_is_gap_times(theory):
    assert same(theory.difference, g * (b**2 - 1))


def test_image_digits(theory):
    assert theory.image_digits == (g - 1, b - 1, b - g)


def test_gap_map(theory):
    assert theory.gap_map == sp.Max(b - g, g - 1)


def test_fixed_gap_and_constant(theory):
    assert same(theory.fixed_gap, b / 2)
    assert same(theory.constant, b / 2 * (b**2 - 1))


def test_constant_digits(theory):
    expected = (b / 2 - 1, b - 1, b / 2)
    assert all(same(digit, want) for digit, want in zip(theory.constant_digits, expected))


def test_odd_cycle(theory):
    assert same(theory.cycle_gaps[0], (b - 1) / 2)
    assert same(theory.cycle_gaps[1], (b + 1) / 2)
    assert same(theory.cycle_values[0], (b - 1) / 2 * (b**2 - 1))
    assert same(theory.cycle_values[1], (b + 1) / 2 * (b**2 - 1))


def test_steps_even_branches(theory):
    assert piece(theory.steps_even, 0) == 1
    assert same(piece(theory.steps_even, 1), 1 + g - b / 2)
    assert same(piece(theory.steps_even, 2), 2 + b / 2 - g)


def test_steps_odd_branches(theory):
    half = (b - 1) / 2
    assert piece(theory.steps_odd, 0) == 1
    assert same(piece(theory.steps_odd, 1), 1 + g - (half + 1))
    assert same(piece(theory.steps_odd, 2), 2 + half - g)


def test_max_steps(theory):
    assert same(theory.max_steps_even, b / 2 + 1)
    assert same(theory.max_steps_odd, (b - 1) / 2 + 1)


def test_gap_counts(theory):
    assert same(theory.gap_counts["leading_zeros"], 6 * g * (b - g))
    assert same(theory.gap_counts["proper"], 6 * g * (b - g) - (2 * g + 1))


def test_even_counts_leading_zeros(theory):
    counts = theory.step_counts_even["leading_zeros"]
    expected = [
        1,
        6 * h**2 - 1,
        6 * h**2 - 6,
        6 * (2 * h**2 - (k - 1) ** 2 - (k - 2) ** 2),
        6 * (2 * h - 1),
    ]
    for index, want in enumerate(expected):
        assert same(piece(counts, index), want), index


def test_even_counts_proper(theory):
    counts = theory.step_counts_even["proper"]
    # Subtract 2g + 1 for every contributing gap: h (k = 1), h + 1 (k = 2),
    # h + k - 1 and h + 2 - k (interior), 1 (k = h + 1).
    expected = [
        1,
        6 * h**2 - 1 - (2 * h + 1),
        6 * h**2 - 6 - (2 * (h + 1) + 1),
        6 * (2 * h**2 - (k - 1) ** 2 - (k - 2) ** 2)
        - (2 * (h + k - 1) + 1)
        - (2 * (h + 2 - k) + 1),
        6 * (2 * h - 1) - 3,
    ]
    for index, want in enumerate(expected):
        assert same(piece(counts, index), want), index


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_mode_condition(theory, convention):
    assert theory.mode_condition[convention] == sp.Ge(b, 6)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_mode_condition_by_brute_force(theory, convention):
    for base in range(2, 41, 2):
        counts = study(base, 3, convention).step_counts
        counts = np.pad(counts, (0, max(0, 4 - counts.size)))
        three_is_sole_mode = all(counts[3] > counts[i] for i in range(len(counts)) if i != 3)
        assert three_is_sole_mode == bool(theory.mode_condition[convention].subs(b, base)), base


def test_base4_mode_is_one():
    assert study(4, 3).mode == 1
    assert study(4, 3, "proper").mode == 1


def test_row_difference(theory):
    assert same(theory.row_difference["leading_zeros"], -24 * (k - 1))
    assert same(theory.row_difference["proper"], -24 * (k - 1))


def test_column_difference(theory):
    assert same(theory.column_difference["leading_zeros"], 12 * (2 * h + 1))
    assert same(theory.column_difference["proper"], 12 * (2 * h + 1) - 4)


def test_mixed_difference_vanishes(theory):
    assert theory.mixed_difference == {"leading_zeros": 0, "proper": 0}


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_recurrence_by_brute_force(theory, convention):
    matrix = iteration_matrix(range(2, 43, 2), 3, convention)
    for half in range(4, 21):
        for steps in range(3, half):
            row = matrix.loc[2 * half, steps + 1] - matrix.loc[2 * half, steps]
            column = matrix.loc[2 * half + 2, steps] - matrix.loc[2 * half, steps]
            assert row == theory.row_difference[convention].subs({h: half, k: steps})
            assert column == theory.column_difference[convention].subs({h: half, k: steps})


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_step_counts_by_brute_force(convention, per_number_counts):
    for base in BASES:
        expected = per_number_counts(base, 3, convention).tolist()
        assert three_digit_step_counts(base, convention).tolist() == expected, base


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_closed_form_by_brute_force(convention, per_number_counts):
    for base in EVEN_BASES:
        expected = per_number_counts(base, 3, convention).tolist()
        assert three_digit_closed_form_counts(base, convention).tolist() == expected, base


def test_cycle_matches_study():
    for base in BASES:
        assert [a.cycle for a in study(base, 3).attractors] == [three_digit_cycle(base)], base


def test_max_steps_by_brute_force(theory):
    # The formulas hold from b = 4 (even) and b = 5 (odd) on.
    for base in range(4, 41):
        formula = theory.max_steps_even if base % 2 == 0 else theory.max_steps_odd
        assert study(base, 3).attractors[0].max_steps == formula.subs(b, base), base


def test_max_steps_smallest_bases():
    assert study(2, 3).attractors[0].max_steps == 1
    assert study(3, 3).attractors[0].max_steps == 1


def test_steps_by_gap_match_trajectories():
    for base in BASES:
        members = three_digit_cycle(base)
        for gap, steps in enumerate(three_digit_steps_by_gap(base).tolist(), start=1):
            # gap 0 0 is a string with gap g; it is never a cycle member (those contain b - 1).
            number = gap * base**2
            assert number not in members
            assert trajectory(number, base, 3).steps == steps, (base, gap)


@pytest.mark.parametrize(
    ("base", "constant"), [(2, 3), (4, 30), (6, 105), (8, 252), (10, 495), (12, 858), (16, 2040)]
)
def test_even_constants(base, constant):
    assert three_digit_constant(base) == constant


@pytest.mark.parametrize(
    ("base", "cycle"), [(3, (8, 16)), (5, (48, 72)), (7, (144, 192)), (9, (320, 400))]
)
def test_odd_cycles(base, cycle):
    assert three_digit_cycle(base) == cycle


def test_constant_rejects_odd_base():
    message = "base must be an even integer >= 2 for a 3-digit constant; got 5"
    with pytest.raises(ValueError, match=message):
        three_digit_constant(5)


@pytest.mark.parametrize("base", [2, 7])
def test_closed_form_rejects_base(base):
    message = rf"base must be an even integer >= 4 for the closed form; got {base}"
    with pytest.raises(ValueError, match=message):
        three_digit_closed_form_counts(base)


def test_step_counts_reject_float_base():
    with pytest.raises(ValueError, match="base must be an integer >= 2; got 16.0"):
        three_digit_step_counts(16.0)


def test_step_counts_reject_convention():
    with pytest.raises(ValueError, match="convention must be one of"):
        three_digit_step_counts(10, "strict")
