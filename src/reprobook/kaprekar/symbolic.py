"""Closed forms for 3-digit Kaprekar routines in a symbolic base, derived with SymPy.

The central quantity is the gap g = x - z of a 3-digit string with digits
x >= y >= z in base b. One step of the routine sends every string with gap g to the
same number g (b**2 - 1), so the whole dynamics reduces to a map on gaps. This module
derives that map and its consequences step by step from the definitions, and it
types in no known result:

- the difference D - A and the base-b digits of the image;
- the gap map G(g), its fixed point (even b, the Kaprekar constant) and its 2-cycle
  (odd b);
- the number of steps from a string of gap g to the attractor, as a Piecewise in g;
- the number of strings per gap and, for even b = 2h, the number N(h, k) of inputs
  that need k steps, for both input conventions;
- the condition on b under which k = 3 is the most common step count;
- the additive recurrence of N(h, k) in the interior 3 <= k <= h - 1.

Symbols: ``b`` the base, ``g`` the gap, ``h = b / 2`` for even bases,
``m = (b - 1) / 2`` for odd bases, ``k`` the step count. Derivation checks that fail
raise RuntimeError; they hold for SymPy 1.14.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import sympy as sp

from reprobook.kaprekar.routine import CONVENTIONS, check_base, check_convention

b = sp.Symbol("b", integer=True, positive=True)
g = sp.Symbol("g", integer=True, positive=True)
h = sp.Symbol("h", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
k = sp.Symbol("k", integer=True, nonnegative=True)

# Slack variables that encode 1 <= g <= b - 1 as g = 1 + s, b = g + 1 + t.
_s = sp.Symbol("s", integer=True, nonnegative=True)
_t = sp.Symbol("t", integer=True, nonnegative=True)
_GAP_RANGE = {g: 1 + _s, b: 2 + _s + _t}
_j = sp.Symbol("j", integer=True, nonnegative=True)

# The step-count regimes of an even base b = 2h, as (first k, last k). The derivation
# checks that they tile 0 .. h + 1 and that each one meets a fixed set of gap branches.
_REGIMES = ((0, 0), (1, 1), (2, 2), (3, h), (h + 1, h + 1))
# The formulas of N(h, k) hold from this h on (b >= 4); for h >= 3 every regime is
# non-empty.
_FIRST_CLOSED_FORM_H = 2


@dataclass(frozen=True)
class ThreeDigitTheory:
    """The derived closed forms of the 3-digit routine in base b.

    Attributes:
        difference: D - A for a string with gap g, ``g*(b**2 - 1)``.
        image_digits: the base-b digits of the image, most significant first,
            valid for 1 <= g <= b - 1.
        gap_map: the gap G(g) of the image, a ``Max`` of two branches.
        fixed_gap: the gap of the fixed point, b/2 (an integer only for even b).
        constant: the fixed point (Kaprekar constant) of even bases.
        constant_digits: the digits of ``constant``.
        cycle_gaps: the two gaps of the 2-cycle of odd bases, ascending.
        cycle_values: the 2-cycle of odd bases, in iteration order.
        steps_even: steps from a string of gap g to the constant (even b), a Piecewise
            in g and b; the constant itself needs 0 instead.
        steps_odd: steps from a string of gap g to the 2-cycle (odd b); the two cycle
            members themselves need 0 instead.
        max_steps_even: the largest step count of even b >= 4.
        max_steps_odd: the largest step count of odd b >= 5.
        gap_counts: per convention, the number of input strings with gap g.
        step_counts_even: per convention, N(h, k) for even b = 2h >= 4 as a Piecewise
            in k and h (0 outside 0 .. h + 1).
        mode_condition: per convention, the condition on even b under which k = 3 is
            the only most common step count.
        row_difference: per convention, N(h, k + 1) - N(h, k) for 3 <= k <= h - 1.
        column_difference: per convention, N(h + 1, k) - N(h, k) for 3 <= k <= h - 1.
        mixed_difference: per convention, the second mixed difference, which is 0.
    """

    difference: sp.Expr
    image_digits: tuple[sp.Expr, sp.Expr, sp.Expr]
    gap_map: sp.Expr
    fixed_gap: sp.Expr
    constant: sp.Expr
    constant_digits: tuple[sp.Expr, sp.Expr, sp.Expr]
    cycle_gaps: tuple[sp.Expr, sp.Expr]
    cycle_values: tuple[sp.Expr, sp.Expr]
    steps_even: sp.Expr
    steps_odd: sp.Expr
    max_steps_even: sp.Expr
    max_steps_odd: sp.Expr
    gap_counts: Mapping[str, sp.Expr]
    step_counts_even: Mapping[str, sp.Expr]
    mode_condition: Mapping[str, sp.Basic]
    row_difference: Mapping[str, sp.Expr]
    column_difference: Mapping[str, sp.Expr]
    mixed_difference: Mapping[str, sp.Expr]


def _require(condition: bool, claim: str) -> None:
    if not condition:
        raise RuntimeError(f"derivation step failed: could not prove that {claim}")


def _is_nonnegative(expression: sp.Expr, substitution: dict[sp.Symbol, sp.Expr]) -> bool:
    # True only when SymPy proves it: after the substitution every variable is a
    # nonnegative integer, so a polynomial with nonnegative coefficients qualifies.
    return sp.expand(expression.subs(substitution, simultaneous=True)).is_nonnegative is True


def _is_negative(expression: sp.Expr, substitution: dict[sp.Symbol, sp.Expr]) -> bool:
    return sp.expand(expression.subs(substitution, simultaneous=True)).is_negative is True


def derive_difference() -> sp.Expr:
    """Derive D - A for digits x >= y >= z written as gap g = x - z.

    Returns:
        The expression ``g*(b**2 - 1)``, in which the middle digit y has cancelled.
    """
    x, y, z = sp.symbols("x y z", integer=True, nonnegative=True)
    descending = x * b**2 + y * b + z
    ascending = z * b**2 + y * b + x
    by_gap = sp.expand((descending - ascending).subs(x, z + g))
    _require(not by_gap.has(y, z), "D - A depends only on the gap")
    return sp.collect(by_gap, g)


def derive_digits(number: sp.Expr, count: int) -> tuple[sp.Expr, ...]:
    """Derive the base-b digits of a polynomial in b by long division with borrowing.

    Division by b**p uses polynomial division in b. When the remainder is negative
    for every gap 1 <= g <= b - 1, the quotient is lowered by one and b**p borrowed.

    Args:
        number: a polynomial in b and g.
        count: the number of digits.

    Returns:
        The digits, most significant first; each is proved to lie in [0, b - 1] for
        1 <= g <= b - 1, and together they are proved to reproduce ``number``.
    """
    digits = []
    remainder = sp.expand(number)
    for power in range(count - 1, -1, -1):
        quotient, remainder = sp.div(remainder, b**power, b)
        while _is_negative(remainder, _GAP_RANGE):
            quotient, remainder = quotient - 1, sp.expand(remainder + b**power)
        digits.append(sp.expand(quotient))
    _require(remainder == 0, f"{number} has {count} digits")

    for digit in digits:
        _require(_is_nonnegative(digit, _GAP_RANGE), f"digit {digit} >= 0")
        _require(_is_nonnegative(b - 1 - digit, _GAP_RANGE), f"digit {digit} <= b - 1")
    rebuilt = sum(digit * b**power for digit, power in zip(digits, range(count - 1, -1, -1)))
    _require(sp.expand(rebuilt - number) == 0, f"the digits {digits} rebuild {number}")
    return tuple(digits)


def derive_gap_map(image_digits: tuple[sp.Expr, ...]) -> sp.Expr:
    """Derive the gap of the image from its digits.

    The largest digit is the one proved >= all others; the smallest is a ``Min`` of
    the digits that are not proved >= some other digit.

    Args:
        image_digits: the digits of the image for gap g.

    Returns:
        The image gap as a ``Max`` of branch expressions, ``Max(b - g, g - 1)``.
    """
    largest = [
        digit
        for digit in image_digits
        if all(_is_nonnegative(digit - other, _GAP_RANGE) for other in image_digits)
    ]
    _require(len(largest) >= 1, f"one of {image_digits} is the largest digit")
    smallest_candidates = [
        digit
        for digit in image_digits
        if not any(
            other != digit and _is_nonnegative(digit - other, _GAP_RANGE) for other in image_digits
        )
    ]
    return sp.Max(*(sp.expand(largest[0] - digit) for digit in smallest_candidates))


def _branch_holds(branches: tuple[sp.Expr, ...], chosen: sp.Expr, at_gap: sp.Expr) -> bool:
    # The chosen branch is the maximum of the gap map at this gap, for every base b >= 2.
    at_base = {b: 2 + _j}
    return all(
        _is_nonnegative((chosen - other).subs(g, at_gap), at_base) for other in branches
    )


def derive_fixed_gap(gap_map: sp.Expr) -> sp.Expr:
    """Solve G(g) = g on each branch of the gap map.

    Args:
        gap_map: ``Max`` of the branches.

    Returns:
        The only solution that lies on its own branch, b/2.
    """
    solutions = []
    for branch in gap_map.args:
        for solution in sp.solve(sp.Eq(branch, g), g):
            if _branch_holds(gap_map.args, branch, solution):
                solutions.append(solution)
    _require(len(solutions) == 1, f"G(g) = g has one solution; got {solutions}")
    return solutions[0]


def derive_cycle_gaps(gap_map: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Solve for a 2-cycle g_1 -> g_2 -> g_1 of the gap map that uses both branches.

    Args:
        gap_map: ``Max`` of the two branches.

    Returns:
        The two gaps, ascending: ((b - 1)/2, (b + 1)/2), integers only for odd b.
    """
    first, second = sp.symbols("g_1 g_2")
    decreasing, increasing = sorted(gap_map.args, key=lambda branch: sp.diff(branch, g))
    solution = sp.solve(
        [sp.Eq(decreasing.subs(g, first), second), sp.Eq(increasing.subs(g, second), first)],
        [first, second],
        dict=True,
    )
    _require(len(solution) == 1, "the 2-cycle equations have one solution")
    low, high = solution[0][first], solution[0][second]
    _require(_branch_holds(gap_map.args, decreasing, low), "g_1 lies on the decreasing branch")
    _require(_branch_holds(gap_map.args, increasing, high), "g_2 lies on the increasing branch")
    return low, high


def _gap_map_branch(gap_map: sp.Expr, slope: int) -> sp.Expr:
    return next(branch for branch in gap_map.args if sp.diff(branch, g) == slope)


def derive_steps(
    gap_map: sp.Expr, first_increasing_gap: sp.Expr, member_gaps: tuple[sp.Expr, ...]
) -> sp.Expr:
    """Derive the steps from a string of gap g to the attractor.

    A string whose image is a cycle member (its gap is in ``member_gaps``) needs one
    step. Above the members the gap map is g -> g - 1, so S(g) = 1 + S(g - 1) is solved
    with ``rsolve``. Below them the map jumps to b - g, which lies above the members,
    so S(g) = 1 + S(b - g).

    Args:
        gap_map: ``Max`` of the two branches.
        first_increasing_gap: the smallest gap above the members; the gap map is
            g - 1 from there on.
        member_gaps: the gaps whose strings map onto the cycle, ascending.

    Returns:
        Piecewise in g and b.
    """
    decreasing = _gap_map_branch(gap_map, -1)
    increasing = _gap_map_branch(gap_map, 1)
    last_member_gap = first_increasing_gap - 1
    _require(
        _branch_holds(gap_map.args, increasing, first_increasing_gap),
        "the gap map is g - 1 from the first gap above the members on",
    )
    _require(
        _branch_holds(gap_map.args, decreasing, member_gaps[0] - 1),
        "the gap map is b - g below the members",
    )
    _require(
        _is_nonnegative(decreasing.subs(g, member_gaps[0] - 1) - first_increasing_gap, {b: 2 + _j}),
        "the gap map sends every gap below the members above them",
    )

    offset = sp.Function("T")
    # T(j) = S(last member gap + j): the gap drops by one per step down to the members.
    solved = sp.rsolve(offset(_j) - offset(_j - 1) - 1, offset(_j), {offset(0): 1})
    above = sp.expand(solved.subs(_j, g - last_member_gap))
    below = sp.expand(1 + above.subs(g, decreasing))
    return sp.Piecewise(
        (1, sp.And(g >= member_gaps[0], g <= member_gaps[-1])),
        (above, g > member_gaps[-1]),
        (below, True),
    )


def _step_branch(steps: sp.Expr, name: str) -> sp.Expr:
    # The pieces of a step Piecewise from derive_steps, in construction order.
    index = {"members": 0, "above": 1, "below": 2}[name]
    return steps.args[index].expr


def derive_gap_counts() -> dict[str, sp.Expr]:
    """Count the 3-digit strings with gap g under each convention.

    With smallest digit z0 there are b - g choices of z0, and inclusion-exclusion over
    the strings in [z0, z0 + g]**3 that contain both ends gives (g+1)**3 - 2 g**3 +
    (g-1)**3. Strings with a leading zero have z0 = 0 and a last pair in [0, g]**2
    containing g, (g+1)**2 - g**2 of them.

    Returns:
        ``{"leading_zeros": 6*g*(b - g), "proper": 6*g*(b - g) - (2*g + 1)}``, each
        checked to sum to the size of its input set.
    """
    with_both_ends = sp.expand((g + 1) ** 3 - 2 * g**3 + (g - 1) ** 3)
    leading_zero = sp.expand((g + 1) ** 2 - g**2)
    counts = {
        "leading_zeros": with_both_ends * (b - g),
        "proper": with_both_ends * (b - g) - leading_zero,
    }
    totals = {"leading_zeros": b**3 - b, "proper": b**3 - b**2 - (b - 1)}
    for convention, count in counts.items():
        total = sp.summation(count, (g, 1, b - 1))
        _require(sp.expand(total - totals[convention]) == 0, f"the {convention} gap counts add up")
    return counts


def _regime_count(
    steps_branches: list[tuple[sp.Expr, sp.Expr, sp.Expr]],
    gap_count: sp.Expr,
    regime: tuple[sp.Expr, sp.Expr],
) -> sp.Expr:
    # Sum the strings of every gap branch whose step range covers the whole regime,
    # each at the gap g(k) that solves S(g) = k on that branch.
    at_even_base = {h: 3 + _j}
    total = sp.Integer(0)
    for step_expression, first_gap, last_gap in steps_branches:
        at_first, at_last = step_expression.subs(g, first_gap), step_expression.subs(g, last_gap)
        step_range = (at_first, at_last)
        if not _is_nonnegative(at_last - at_first, at_even_base):
            step_range = (at_last, at_first)
        _require(
            _is_nonnegative(step_range[1] - step_range[0], at_even_base),
            f"the step range {step_range} of a gap branch is ordered",
        )
        covers = _is_nonnegative(regime[0] - step_range[0], at_even_base) and _is_nonnegative(
            step_range[1] - regime[1], at_even_base
        )
        disjoint = _is_negative(step_range[1] - regime[0], at_even_base) or _is_negative(
            regime[1] - step_range[0], at_even_base
        )
        _require(covers or disjoint, f"regime {regime} lies inside or outside each gap branch")
        if not covers:
            continue
        if step_expression.has(g):
            gap_at_k = sp.solve(sp.Eq(step_expression, k), g)[0]
        else:
            gap_at_k = first_gap
        total += gap_count.subs({g: gap_at_k, b: 2 * h})
    if regime[0] == regime[1]:
        total = total.subs(k, regime[0])
    return sp.expand(total)


def derive_even_step_counts(
    steps_even: sp.Expr, gap_counts: dict[str, sp.Expr], constant_digits: tuple[sp.Expr, ...]
) -> dict[str, dict[tuple[sp.Expr, sp.Expr], sp.Expr]]:
    """Derive N(h, k) for an even base b = 2h as sums over gaps, per regime of k.

    Args:
        steps_even: the Piecewise step count of even bases.
        gap_counts: the strings per gap, per convention.
        constant_digits: the digits of the constant, to decide whether it is an input.

    Returns:
        ``{convention: {(first k, last k): N(h, k)}}`` for the regimes 0, 1, 2, 3..h,
        h + 1, valid for h >= 2.
    """
    steps_branches = [
        (_step_branch(steps_even, "members"), h, h),
        (_step_branch(steps_even, "above").subs(b, 2 * h), h + 1, 2 * h - 1),
        (_step_branch(steps_even, "below").subs(b, 2 * h), sp.Integer(1), h - 1),
    ]

    # The constant needs 0 steps, not 1: it is an input unless its leading digit is 0.
    leading_digit = constant_digits[0].subs(b, 2 * h)
    constant_is_proper = _is_nonnegative(leading_digit - 1, {h: _FIRST_CLOSED_FORM_H + _j})
    _require(constant_is_proper, "the constant has no leading zero for h >= 2")

    counts = {}
    for convention, gap_count in gap_counts.items():
        per_regime = {
            regime: _regime_count(steps_branches, gap_count, regime) for regime in _REGIMES
        }
        per_regime[(0, 0)] = sp.Integer(1)
        per_regime[(1, 1)] -= 1
        total = sum(
            sp.summation(count, (k, low, high)) if count.has(k) else count * (high - low + 1)
            for (low, high), count in per_regime.items()
        )
        expected = sp.summation(gap_count.subs(b, 2 * h), (g, 1, 2 * h - 1))
        _require(sp.expand(total - expected) == 0, f"the {convention} step counts add up")
        counts[convention] = per_regime
    return counts


def _as_piecewise(per_regime: dict[tuple[sp.Expr, sp.Expr], sp.Expr]) -> sp.Expr:
    pieces = [
        (count, sp.Eq(k, low) if low == high else sp.And(k >= low, k <= high))
        for (low, high), count in per_regime.items()
    ]
    return sp.Piecewise(*pieces, (0, True))


def derive_mode_condition(per_regime: dict[tuple[sp.Expr, sp.Expr], sp.Expr]) -> sp.Basic:
    """Derive the even bases in which N(h, 3) exceeds N(h, k) for every k != 3.

    For h >= 3 the count N(h, 3) lies in the regime 3..h. Against the single-k
    regimes the difference is a polynomial in h whose positive set is solved over
    the reals. Inside the regime the difference N(h, 3) - N(h, k), k >= 4, is checked
    positive for every k. Bases with h < 3 have too few regimes for the formulas and
    are decided by the caller from the counts.

    Args:
        per_regime: N(h, k) per regime of k for one convention.

    Returns:
        The condition as a relation on b, such as ``b >= 6``.
    """
    real_h = sp.Symbol("h_real", real=True)
    interior = per_regime[(3, h)]
    at_three = interior.subs(k, 3)
    _require(
        _is_negative((interior - at_three).subs(k, 4 + _j), {}),
        "N(h, 3) > N(h, k) for 4 <= k <= h",
    )

    allowed = sp.Interval(3, sp.oo)
    for (low, high), count in per_regime.items():
        if (low, high) == (3, h):
            continue
        difference = (at_three - count.subs(k, low)).subs(h, real_h)
        allowed = allowed.intersect(
            sp.solve_univariate_inequality(difference > 0, real_h, relational=False)
        )
    _require(allowed.sup == sp.oo, f"the mode condition is a lower bound on h; got {allowed}")

    first_h = sp.ceiling(allowed.inf)
    if not allowed.contains(first_h):
        first_h += 1
    return sp.Ge(b, 2 * first_h)


def derive_recurrence(interior: sp.Expr) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Derive the additive recurrence of N(h, k) in the interior 3 <= k <= h - 1.

    Args:
        interior: N(h, k) in the regime 3 <= k <= h.

    Returns:
        (row, column, mixed). The row difference N(h, k+1) - N(h, k) is proved free of
        h, the column difference N(h+1, k) - N(h, k) free of k, and the mixed
        difference is proved to be 0.
    """
    row = sp.factor(sp.expand(interior.subs(k, k + 1) - interior))
    column = sp.factor(sp.expand(interior.subs(h, h + 1) - interior))
    mixed = sp.expand(row.subs(h, h + 1) - row)
    _require(not row.has(h), f"the row difference {row} does not depend on h")
    _require(not column.has(k), f"the column difference {column} does not depend on k")
    _require(mixed == 0, "the mixed difference vanishes")
    _require(
        sp.expand(column.subs(k, k + 1) - column) == 0, "the mixed difference vanishes by columns"
    )
    return row, column, mixed


@functools.cache
def derive_three_digit_theory() -> ThreeDigitTheory:
    """Derive every closed form of the 3-digit routine (takes a few seconds, then cached).

    Returns:
        The :class:`ThreeDigitTheory`.

    Raises:
        RuntimeError: if a derivation check fails.
    """
    difference = derive_difference()
    image_digits = derive_digits(difference, 3)
    gap_map = derive_gap_map(image_digits)

    fixed_gap = derive_fixed_gap(gap_map)
    constant = sp.factor(difference.subs(g, fixed_gap))
    constant_digits = tuple(sp.expand(digit.subs(g, fixed_gap)) for digit in image_digits)
    cycle_gaps = derive_cycle_gaps(gap_map)
    cycle_values = tuple(sp.factor(difference.subs(g, gap)) for gap in cycle_gaps)

    steps_even = derive_steps(gap_map, fixed_gap + 1, (fixed_gap,))
    steps_odd = derive_steps(gap_map, cycle_gaps[1] + 1, cycle_gaps)
    # Both step functions fall below the members and rise above them, so the maximum
    # sits at an end of the gap range 1 .. b - 1.
    max_steps_even = _max_at_ends(steps_even, {b: 4 + 2 * _j})
    max_steps_odd = _max_at_ends(steps_odd, {b: 5 + 2 * _j})

    gap_counts = derive_gap_counts()
    per_regime = derive_even_step_counts(steps_even, gap_counts, constant_digits)

    row_difference, column_difference, mixed_difference = {}, {}, {}
    mode_condition = {}
    for convention in CONVENTIONS:
        interior = per_regime[convention][(3, h)]
        row_difference[convention], column_difference[convention], mixed_difference[convention] = (
            derive_recurrence(interior)
        )
        mode_condition[convention] = derive_mode_condition(per_regime[convention])

    # Read-only mappings, because the cached theory is shared by every caller.
    step_counts_even = {
        convention: _as_piecewise(per_regime[convention]) for convention in CONVENTIONS
    }
    return ThreeDigitTheory(
        difference=difference,
        image_digits=image_digits,
        gap_map=gap_map,
        fixed_gap=fixed_gap,
        constant=constant,
        constant_digits=constant_digits,
        cycle_gaps=cycle_gaps,
        cycle_values=cycle_values,
        steps_even=steps_even,
        steps_odd=steps_odd,
        max_steps_even=max_steps_even,
        max_steps_odd=max_steps_odd,
        gap_counts=MappingProxyType(gap_counts),
        step_counts_even=MappingProxyType(step_counts_even),
        mode_condition=MappingProxyType(mode_condition),
        row_difference=MappingProxyType(row_difference),
        column_difference=MappingProxyType(column_difference),
        mixed_difference=MappingProxyType(mixed_difference),
    )


def _max_at_ends(steps: sp.Expr, base_range: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
    # Gap 1 lies below the members and gap b - 1 above them for the bases in range.
    at_first = _step_branch(steps, "below").subs(g, 1)
    at_last = _step_branch(steps, "above").subs(g, b - 1)
    if _is_nonnegative(at_first - at_last, base_range):
        return sp.simplify(at_first)
    _require(
        _is_nonnegative(at_last - at_first, base_range), "one end of the gap range has the maximum"
    )
    return sp.simplify(at_last)


def three_digit_cycle(base: Any) -> tuple[int, ...]:
    """Evaluate the 3-digit attractor of a base from the derived formulas.

    Args:
        base: the base, an integer >= 2.

    Returns:
        ``(constant,)`` for even bases, the 2-cycle in iteration order for odd bases.
    """
    base = check_base(base)
    theory = derive_three_digit_theory()
    if base % 2 == 0:
        return (int(theory.constant.subs(b, base)),)
    return tuple(int(value.subs(b, base)) for value in theory.cycle_values)


def three_digit_constant(base: Any) -> int:
    """Evaluate the 3-digit Kaprekar constant (b/2)(b**2 - 1) of an even base.

    Args:
        base: an even integer >= 2.

    Returns:
        The fixed point, for example 495 for base 10.

    Raises:
        ValueError: for odd bases, which have a 2-cycle instead (see
            :func:`three_digit_cycle`).
    """
    base = check_base(base)
    if base % 2:
        raise ValueError(
            f"base must be an even integer >= 2 for a 3-digit constant; got {base}, "
            "whose attractor is a 2-cycle (use three_digit_cycle)"
        )
    return three_digit_cycle(base)[0]


def three_digit_steps_by_gap(base: Any) -> np.ndarray:
    """Evaluate the derived step count of each gap for a base.

    Args:
        base: the base, an integer >= 2.

    Returns:
        int64 array of shape (base - 1,). Entry g - 1 is the number of steps from a
        string of gap g, unless that string is itself a cycle member.
    """
    base = check_base(base)
    theory = derive_three_digit_theory()
    steps = theory.steps_even if base % 2 == 0 else theory.steps_odd
    return _evaluate_in_gap(steps, base)


def _evaluate_in_gap(expression: sp.Expr, base: int) -> np.ndarray:
    gaps = np.arange(1, base, dtype=np.int64)
    values = np.asarray(sp.lambdify(g, expression.subs(b, base), "numpy")(gaps), dtype=float)
    values = np.broadcast_to(values, gaps.shape)
    rounded = np.rint(values).astype(np.int64)
    if not np.array_equal(rounded, values):
        raise RuntimeError(f"{expression} is not an integer for every gap of base {base}")
    return rounded


def three_digit_step_counts(base: Any, convention: Any = "leading_zeros") -> np.ndarray:
    """Evaluate the number of 3-digit inputs per step count from the derived formulas.

    Sums the strings per gap over the gaps with each step count, then moves the cycle
    members that are inputs from count 1 to count 0. Valid for every base >= 2.

    Args:
        base: the base, an integer >= 2.
        convention: ``"leading_zeros"`` or ``"proper"``.

    Returns:
        int64 array of shape (max_steps + 1,); entry k is the number of inputs that
        need k steps.
    """
    base = check_base(base)
    convention = check_convention(convention)
    theory = derive_three_digit_theory()

    steps = three_digit_steps_by_gap(base)
    strings = _evaluate_in_gap(theory.gap_counts[convention], base)
    counts = np.zeros(int(steps.max()) + 1, dtype=np.int64)
    np.add.at(counts, steps, strings)

    # A member v = G (b**2 - 1) has leading digit G - 1 and is never a repdigit.
    for member in three_digit_cycle(base):
        leading_digit = member // base**2
        if convention == "leading_zeros" or leading_digit > 0:
            counts[1] -= 1
            counts[0] += 1
    return counts


def three_digit_closed_form_counts(base: Any, convention: Any = "leading_zeros") -> np.ndarray:
    """Evaluate the closed form N(h, k) of an even base b = 2h >= 4.

    Args:
        base: an even integer >= 4.
        convention: ``"leading_zeros"`` or ``"proper"``.

    Returns:
        int64 array of shape (h + 2,); entry k is N(h, k).

    Raises:
        ValueError: for odd bases or base 2, where the closed form does not apply.
    """
    base = check_base(base)
    convention = check_convention(convention)
    if base % 2 or base < 2 * _FIRST_CLOSED_FORM_H:
        raise ValueError(
            f"base must be an even integer >= {2 * _FIRST_CLOSED_FORM_H} for the closed form; "
            f"got {base} (use three_digit_step_counts)"
        )
    theory = derive_three_digit_theory()
    half = base // 2
    formula = theory.step_counts_even[convention].subs(h, half)
    return np.array([int(formula.subs(k, steps)) for steps in range(half + 2)], dtype=np.int64)
