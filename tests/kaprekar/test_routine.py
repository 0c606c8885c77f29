"""Tests of the single-number and array forms of Kaprekar's routine."""

from __future__ import annotations

import numpy as np
import pytest

from reprobook.kaprekar.routine import (
    check_base,
    check_convention,
    check_digits,
    format_number,
    input_domain,
    kaprekar_map,
    kaprekar_map_array,
    sort_digits,
    to_digits,
    trajectory,
)


def test_map_base10_three_digits():
    assert kaprekar_map(352) == 297
    assert kaprekar_map(495) == 495


def test_map_keeps_leading_zeros():
    # 001 sorts to 100 - 001.
    assert kaprekar_map(1, 10, 3) == 99
    assert kaprekar_map(999, 10, 4) == 9990 - 999


def test_map_repdigit_goes_to_zero():
    assert kaprekar_map(777, 10, 3) == 0
    assert kaprekar_map(0, 10, 3) == 0


def test_map_6174_fixed():
    assert kaprekar_map(6174, 10, 4) == 6174


def test_map_large_base_python_int():
    # Digits (5, 7, 1): D = 7b^2 + 5b + 1 and A = b^2 + 5b + 7, far beyond int64.
    base, digits = 10**12, 3
    n = 5 * base**2 + 7 * base + 1
    assert kaprekar_map(n, base, digits) == 6 * base**2 - 6


def test_map_array_matches_scalar():
    numbers = np.arange(1000)
    expected = [kaprekar_map(int(n), 10, 3) for n in numbers]
    assert kaprekar_map_array(numbers, 10, 3).tolist() == expected


def test_map_array_keeps_shape():
    numbers = np.array([[352, 495], [1, 999]])
    result = kaprekar_map_array(numbers, 10, 3)
    assert result.shape == (2, 2)
    assert result.dtype == np.int64
    assert result.tolist() == [[297, 495], [99, 0]]


def test_map_array_base16_matches_scalar():
    rng = np.random.default_rng(7)
    numbers = rng.integers(0, 16**5, size=200)
    expected = [kaprekar_map(int(n), 16, 5) for n in numbers]
    assert kaprekar_map_array(numbers, 16, 5).tolist() == expected


def test_map_array_rejects_overflow():
    with pytest.raises(ValueError, match=r"2\*\*62.*base=2.*digits=62"):
        kaprekar_map_array([1], 2, 62)


def test_map_array_rejects_out_of_range():
    with pytest.raises(ValueError, match=r"numbers must lie in \[0, 999\].*got 1000"):
        kaprekar_map_array([5, 1000], 10, 3)
    with pytest.raises(ValueError, match=r"got -1"):
        kaprekar_map_array([-1], 10, 3)


def test_map_array_rejects_floats():
    with pytest.raises(ValueError, match="numbers must be an array of integers; got dtype float64"):
        kaprekar_map_array([1.0, 2.0], 10, 3)


def test_to_digits_leading_zeros():
    assert to_digits(42, 10, 4) == (0, 0, 4, 2)
    assert to_digits(2040, 16, 3) == (7, 15, 8)


def test_to_digits_rejects_too_large():
    with pytest.raises(ValueError, match=r"n must be an integer in \[0, 999\].*base 10; got 1000"):
        to_digits(1000, 10, 3)


def test_to_digits_rejects_negative():
    with pytest.raises(ValueError, match=r"n must be an integer in \[0, 99\].*got -1"):
        to_digits(-1, 10, 2)


@pytest.mark.parametrize("value", [3.0, "12", True])
def test_to_digits_rejects_non_integer(value):
    with pytest.raises(ValueError, match="n must be an integer"):
        to_digits(value, 10, 3)


def test_map_rejects_number_too_large():
    with pytest.raises(ValueError, match=r"n must be an integer in \[0, 9999\].*got 10000"):
        kaprekar_map(10000, 10, 4)


def test_format_small_base():
    assert format_number(2040, 16, 3) == "7f8"
    assert format_number(5, 10, 4) == "0005"
    assert format_number(35, 36, 1) == "z"


def test_format_large_base():
    assert format_number(12 * 60**2 + 0 * 60 + 45, 60, 3) == "12:0:45"
    assert format_number(36, 37, 2) == "0:36"


@pytest.mark.parametrize("value", [1, 0, -3])
def test_check_base_rejects_below_two(value):
    with pytest.raises(ValueError, match=rf"base must be an integer >= 2; got {value}"):
        check_base(value)


@pytest.mark.parametrize("value", [16.0, "10", True, None])
def test_check_base_rejects_non_integer(value):
    with pytest.raises(ValueError, match="base must be an integer >= 2; got"):
        check_base(value)


def test_check_base_accepts_numpy_int():
    assert check_base(np.int64(16)) == 16
    assert type(check_base(np.int64(16))) is int


def test_check_digits_rejects_zero():
    with pytest.raises(ValueError, match="digits must be an integer >= 1; got 0"):
        check_digits(0)


@pytest.mark.parametrize("value", [3.0, "3", False])
def test_check_digits_rejects_non_integer(value):
    with pytest.raises(ValueError, match="digits must be an integer >= 1; got"):
        check_digits(value)


def test_check_convention_rejects_unknown():
    message = "convention must be one of 'leading_zeros', 'proper'; got 'strict'"
    with pytest.raises(ValueError, match=message):
        check_convention("strict")


def test_trajectory_reaches_495():
    path = trajectory(352, 10, 3)
    assert path.values == [352, 297, 693, 594, 495]
    assert path.cycle == (495,)
    assert path.steps == 4


def test_trajectory_member_has_zero_steps():
    path = trajectory(495, 10, 3)
    assert path.values == [495]
    assert path.steps == 0


def test_trajectory_cycle_rotated_to_minimum():
    path = trajectory(81, 10, 2)
    assert path.cycle == (9, 81, 63, 27, 45)
    assert path.steps == 0


def test_trajectory_tail_then_cycle():
    # 10 -> 09 -> 81 -> ... : one step to reach the 5-cycle.
    path = trajectory(10, 10, 2)
    assert path.values == [10, 9, 81, 63, 27, 45]
    assert path.steps == 1


def test_trajectory_repdigit_ends_in_zero():
    path = trajectory(444, 10, 3)
    assert path.values == [444, 0]
    assert path.cycle == (0,)
    assert path.steps == 1


def test_trajectory_rejects_out_of_range():
    with pytest.raises(ValueError, match="n must be an integer"):
        trajectory(100, 10, 2)


def test_domain_leading_zeros_size():
    domain = input_domain(10, 3, "leading_zeros")
    assert domain.size == 990
    assert domain[0] == 1
    assert 111 not in domain
    assert 0 not in domain


def test_domain_proper_size():
    domain = input_domain(10, 3, "proper")
    assert domain.size == 900 - 9
    assert domain.min() == 100
    assert 99 not in domain
    assert 555 not in domain


def test_domain_one_digit_empty():
    assert input_domain(10, 1).size == 0
    assert input_domain(10, 1, "proper").size == 0


def test_domain_rejects_large_array():
    with pytest.raises(ValueError, match=r"needs 8000000 bytes, more than max_bytes=1000"):
        input_domain(10, 6, max_bytes=1000)


def test_domain_rejects_unknown_convention():
    with pytest.raises(ValueError, match="convention must be one of"):
        input_domain(10, 3, "no_zeros")


@pytest.mark.parametrize("digits", [1, 2, 3, 5, 8, 9, 12])
def test_sort_digits_matches_numpy(digits):
    rng = np.random.default_rng(digits)
    matrix = rng.integers(0, 7, size=(500, digits)).astype(np.uint8)
    assert np.array_equal(sort_digits(matrix), np.sort(matrix, axis=1))
