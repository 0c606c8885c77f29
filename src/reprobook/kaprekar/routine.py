"""Kaprekar's routine on d-digit strings in base b.

One step of the routine takes a d-digit string in base b, sorts its digits into
descending order (the number D) and ascending order (the number A), and returns
D - A written again with d digits, leading zeros kept. Iterating the step from any
input reaches a cycle; a fixed point such as 495 (base 10, 3 digits) is a 1-cycle.

The iteration count of an input is the number of steps until the value is a member
of a cycle, so cycle members have count 0. Repdigits (all digits equal) map to 0 and
are excluded from the inputs. Two conventions define the inputs:

- ``"leading_zeros"``: all ``base**digits`` strings except the ``base`` repdigits;
- ``"proper"``: the numbers ``base**(digits-1) .. base**digits - 1`` (no leading
  zero), except the repdigits.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

import numpy as np

from reprobook.params import check_choice, check_int

CONVENTIONS = ("leading_zeros", "proper")

# Largest base**digits that the int64 code accepts: D and A stay below it.
INT64_LIMIT = 2**62

_DIGIT_SYMBOLS = string.digits + string.ascii_lowercase


@dataclass(frozen=True)
class Trajectory:
    """The orbit of one number under the routine.

    Attributes:
        values: the numbers from the input up to, but not including, the first repeat.
        cycle: the cycle reached, in iteration order, rotated to start at its minimum.
        steps: the iteration count, that is the number of steps until the value is a
            cycle member (0 when the input is a member).
    """

    values: list[int]
    cycle: tuple[int, ...]
    steps: int


def check_base(base: Any) -> int:
    """Validate a base (an integer >= 2) and return it as an ``int``."""
    return check_int("base", base, low=2)


def check_digits(digits: Any) -> int:
    """Validate a digit count (an integer >= 1) and return it as an ``int``."""
    return check_int("digits", digits, low=1)


def check_convention(convention: Any) -> str:
    """Validate an input convention, ``"leading_zeros"`` or ``"proper"``, and return it."""
    return check_choice("convention", convention, CONVENTIONS)


def check_int64_size(base: int, digits: int) -> None:
    """Raise ValueError when ``base**digits`` does not fit the int64 code paths.

    Args:
        base: a validated base.
        digits: a validated digit count.

    Raises:
        ValueError: if ``base**digits >= 2**62``.
    """
    if base**digits >= INT64_LIMIT:
        raise ValueError(
            f"base**digits must be < 2**62 for the int64 code; got base={base}, "
            f"digits={digits} (base**digits = {base**digits}); use kaprekar_map for single "
            "numbers of this size"
        )


def to_digits(n: Any, base: Any, digits: Any) -> tuple[int, ...]:
    """Write ``n`` with exactly ``digits`` digits in ``base``, leading zeros kept.

    Args:
        n: an integer with ``0 <= n < base**digits``.
        base: the base, an integer >= 2.
        digits: the number of digits, an integer >= 1.

    Returns:
        The digits, most significant first, length ``digits``.

    Raises:
        ValueError: if ``n`` is not an integer or does not fit in ``digits`` digits.
    """
    base = check_base(base)
    digits = check_digits(digits)
    n = check_int("n", n)
    largest = base**digits - 1
    if not 0 <= n <= largest:
        raise ValueError(
            f"n must be an integer in [0, {largest}] to fit {digits} digits in base {base}; "
            f"got {n}"
        )
    return _digits_of(n, base, digits)


def _digits_of(n: int, base: int, digits: int) -> tuple[int, ...]:
    reversed_digits = []
    for _ in range(digits):
        n, digit = divmod(n, base)
        reversed_digits.append(digit)
    return tuple(reversed(reversed_digits))


def format_number(n: Any, base: Any, digits: Any) -> str:
    """Format ``n`` as a ``digits``-digit string in ``base``, leading zeros kept.

    Bases up to 36 use the symbols 0-9 and a-z (base 16, 3 digits: 2040 -> ``"7f8"``).
    Larger bases write each digit in decimal and join them with ``":"``
    (base 60, 3 digits: 43245 -> ``"12:0:45"``).

    Args:
        n: an integer with ``0 <= n < base**digits``.
        base: the base, an integer >= 2.
        digits: the number of digits, an integer >= 1.

    Returns:
        The formatted string.
    """
    base = check_base(base)
    digit_tuple = to_digits(n, base, digits)
    if base <= len(_DIGIT_SYMBOLS):
        return "".join(_DIGIT_SYMBOLS[digit] for digit in digit_tuple)
    return ":".join(str(digit) for digit in digit_tuple)


def kaprekar_map(n: Any, base: Any = 10, digits: Any = 3) -> int:
    """Apply one step of Kaprekar's routine to a single number.

    Works on Python integers of any size.

    Args:
        n: an integer with ``0 <= n < base**digits``.
        base: the base, an integer >= 2.
        digits: the number of digits, an integer >= 1.

    Returns:
        D - A, where D and A are the digits of ``n`` sorted descending and ascending.
    """
    digit_tuple = to_digits(n, base, digits)
    return _step_from_digits(sorted(digit_tuple), base)


def _step_from_digits(ascending: list[int], base: int) -> int:
    descending_value = 0
    ascending_value = 0
    for digit in reversed(ascending):
        descending_value = descending_value * base + digit
    for digit in ascending:
        ascending_value = ascending_value * base + digit
    return descending_value - ascending_value


def kaprekar_step(n: int, base: int, digits: int) -> int:
    """Apply one step to an already validated number (the unchecked inner loop).

    Args:
        n: an integer with ``0 <= n < base**digits``; not checked.
        base: a validated base.
        digits: a validated digit count.

    Returns:
        The image of ``n`` under the routine.
    """
    return _step_from_digits(sorted(_digits_of(n, base, digits)), base)


def check_number_array(numbers: Any, base: int, digits: int) -> np.ndarray:
    """Validate an array of numbers that must fit in ``digits`` digits of ``base``.

    Args:
        numbers: array-like of integers, any shape.
        base: a validated base with ``base**digits < 2**62``.
        digits: a validated digit count.

    Returns:
        The numbers as an int64 array of the same shape.

    Raises:
        ValueError: if the array is not of an integer dtype or an element is out of range.
    """
    array = np.asarray(numbers)
    if array.dtype == object or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"numbers must be an array of integers; got dtype {array.dtype}")
    array = array.astype(np.int64, copy=False)

    largest = base**digits - 1
    outside = (array < 0) | (array > largest)
    if np.any(outside):
        first = int(array[outside].flat[0])
        raise ValueError(
            f"numbers must lie in [0, {largest}] to fit {digits} digits in base {base}; "
            f"got {first} ({int(np.count_nonzero(outside))} elements out of range)"
        )
    return array


def digit_matrix(numbers: np.ndarray, base: int, digits: int) -> np.ndarray:
    """Split numbers into their base-``base`` digits, least significant first.

    Args:
        numbers: int64 array of shape (N,), each in ``[0, base**digits)``.
        base: the base.
        digits: the number of digits d.

    Returns:
        Array of shape (N, d) in the smallest unsigned dtype that fits ``base - 1``.
        Column j is the digit of weight ``base**j``.
    """
    dtype = np.min_scalar_type(base - 1)
    matrix = np.empty((numbers.shape[0], digits), dtype=dtype, order="F")
    remaining = numbers.copy()
    for column in range(digits):
        remaining, digit = np.divmod(remaining, base)
        matrix[:, column] = digit
    return matrix


# Up to this many digits a sorting network on whole columns beats a row-wise np.sort.
_SORTING_NETWORK_MAX_DIGITS = 8


def sort_digits(matrix: np.ndarray) -> np.ndarray:
    """Sort the digits of every row into ascending order.

    Few digits use an odd-even transposition network of column-wise minimum and
    maximum operations, which is faster than a row-wise sort of short rows.

    Args:
        matrix: array of shape (N, d) of digits.

    Returns:
        Array of the same shape and dtype, each row non-decreasing.
    """
    digits = matrix.shape[1]
    if digits > _SORTING_NETWORK_MAX_DIGITS:
        return np.sort(matrix, axis=1)

    columns = [matrix[:, column].copy() for column in range(digits)]
    for sweep in range(digits):
        for left in range(sweep % 2, digits - 1, 2):
            low = np.minimum(columns[left], columns[left + 1])
            columns[left + 1] = np.maximum(columns[left], columns[left + 1])
            columns[left] = low
    result = np.empty_like(matrix, order="F")
    for column in range(digits):
        result[:, column] = columns[column]
    return result


def horner(columns: np.ndarray, base: int) -> np.ndarray:
    """Evaluate rows of digits, most significant first, as int64 numbers.

    Args:
        columns: array of shape (N, d) of digits, column 0 the most significant.
        base: the base.

    Returns:
        int64 array of shape (N,).
    """
    values = np.zeros(columns.shape[0], dtype=np.int64)
    for column in range(columns.shape[1]):
        values *= base
        values += columns[:, column]
    return values


def descending_and_ascending(
    sorted_descending: np.ndarray, base: int
) -> tuple[np.ndarray, np.ndarray]:
    """Evaluate D and A from digits that are sorted in descending order along each row.

    Args:
        sorted_descending: array of shape (N, d), each row non-increasing.
        base: the base.

    Returns:
        (D, A): int64 arrays of shape (N,), the descending and the ascending number.
    """
    return horner(sorted_descending, base), horner(sorted_descending[:, ::-1], base)


def kaprekar_map_array(numbers: Any, base: Any, digits: Any) -> np.ndarray:
    """Apply one step of the routine to every element of an integer array.

    Args:
        numbers: array-like of integers, any shape, each in ``[0, base**digits)``.
        base: the base, an integer >= 2.
        digits: the number of digits, an integer >= 1.

    Returns:
        int64 array of the same shape holding the images.

    Raises:
        ValueError: if ``base**digits >= 2**62`` (int64 overflow) or an element is
            not an integer in range.
    """
    base = check_base(base)
    digits = check_digits(digits)
    check_int64_size(base, digits)
    array = check_number_array(numbers, base, digits)

    flat = array.reshape(-1)
    ascending = sort_digits(digit_matrix(flat, base, digits))
    descending_value, ascending_value = descending_and_ascending(ascending[:, ::-1], base)
    return (descending_value - ascending_value).reshape(array.shape)


def trajectory(n: Any, base: Any, digits: Any) -> Trajectory:
    """Iterate the routine from ``n`` until a value repeats.

    Args:
        n: an integer with ``0 <= n < base**digits``.
        base: the base, an integer >= 2.
        digits: the number of digits, an integer >= 1.

    Returns:
        The :class:`Trajectory` of ``n``.
    """
    base = check_base(base)
    digits = check_digits(digits)
    to_digits(n, base, digits)
    return orbit(int(n), base, digits)


def orbit(n: int, base: int, digits: int) -> Trajectory:
    """Iterate the routine from an already validated number until a value repeats.

    Args:
        n: an integer with ``0 <= n < base**digits``; not checked.
        base: a validated base.
        digits: a validated digit count.

    Returns:
        The :class:`Trajectory` of ``n``.
    """
    position: dict[int, int] = {}
    values: list[int] = []
    value = n
    while value not in position:
        position[value] = len(values)
        values.append(value)
        value = kaprekar_step(value, base, digits)

    first_member = position[value]
    cycle = values[first_member:]
    start = cycle.index(min(cycle))
    return Trajectory(values=values, cycle=tuple(cycle[start:] + cycle[:start]), steps=first_member)


def repdigits(base: int, digits: int) -> np.ndarray:
    """List the repdigits ``r * (base**digits - 1) / (base - 1)``, r = 0 .. base-1.

    Args:
        base: a validated base with ``base**digits < 2**62``.
        digits: a validated digit count.

    Returns:
        int64 array of shape (base,), ascending.
    """
    unit = (base**digits - 1) // (base - 1)
    return np.arange(base, dtype=np.int64) * unit


def domain_size(base: int, digits: int, convention: str) -> int:
    """Count the inputs of a convention.

    Args:
        base: a validated base.
        digits: a validated digit count.
        convention: ``"leading_zeros"`` or ``"proper"``.

    Returns:
        ``base**digits - base`` (leading zeros) or ``base**digits - base**(digits-1)
        - (base - 1)`` (proper).
    """
    if convention == "leading_zeros":
        return base**digits - base
    return base**digits - base ** (digits - 1) - (base - 1)


def input_domain(
    base: Any, digits: Any, convention: Any = "leading_zeros", max_bytes: Any = 2**30
) -> np.ndarray:
    """List every input of a convention.

    Args:
        base: the base, an integer >= 2.
        digits: the number of digits, an integer >= 1.
        convention: ``"leading_zeros"`` (all strings except repdigits) or ``"proper"``
            (no leading zero, except repdigits).
        max_bytes: the largest array, in bytes, that this call may allocate.

    Returns:
        int64 array of the inputs, ascending; empty for ``digits == 1``.

    Raises:
        ValueError: if an argument is invalid or the array would exceed ``max_bytes``.
    """
    base = check_base(base)
    digits = check_digits(digits)
    convention = check_convention(convention)
    max_bytes = check_int("max_bytes", max_bytes, low=1)
    check_int64_size(base, digits)
    needed = 8 * base**digits
    if needed > max_bytes:
        raise ValueError(
            f"input_domain(base={base}, digits={digits}) needs {needed} bytes, more than "
            f"max_bytes={max_bytes}; lower base or digits, or raise max_bytes"
        )

    low = 0 if convention == "leading_zeros" else base ** (digits - 1)
    numbers = np.arange(low, base**digits, dtype=np.int64)
    return numbers[~np.isin(numbers, repdigits(base, digits))]
