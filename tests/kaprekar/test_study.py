"""Tests of the multiset study engine against known values and brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reprobook.kaprekar.routine import input_domain, kaprekar_map_array, trajectory
from reprobook.kaprekar.study import (
    Attractor,
    KaprekarStudy,
    brute_force_study,
    enumerate_multisets,
    estimate_study_bytes,
    iteration_counts,
    iteration_matrix,
    strings_per_multiset,
    study,
)

CONVENTIONS = ("leading_zeros", "proper")

# Small cases, b**d <= 10**4, for the per-number Python loop.
BRUTE_FORCE_CASES = [
    (2, 2), (2, 3), (2, 5), (2, 8), (2, 12),
    (3, 2), (3, 3), (3, 4), (3, 6), (3, 8),
    (4, 2), (4, 3), (4, 4), (4, 6),
    (5, 2), (5, 3), (5, 4), (5, 5),
    (6, 3), (6, 4), (7, 3), (7, 4), (8, 3), (8, 4), (9, 3), (9, 4),
    (10, 1), (10, 2), (10, 3), (10, 4), (11, 3), (12, 3), (13, 3), (16, 2), (16, 3), (21, 3),
]  # fmt: skip


def nonzero_fixed_points(result: KaprekarStudy) -> list[int]:
    return [a.cycle[0] for a in result.attractors if len(a.cycle) == 1 and a.cycle[0] != 0]


def test_base10_three_digit_counts():
    result = study(10, 3)
    assert result.step_counts.tolist() == [1, 149, 144, 270, 222, 150, 54]
    assert result.n_inputs == 990


def test_base10_three_digit_attractor():
    result = study(10, 3)
    assert result.attractors == [Attractor(cycle=(495,), basin_size=990, max_steps=6)]


def test_base10_four_digit_counts():
    result = study(10, 4)
    assert result.step_counts.tolist() == [1, 383, 576, 2400, 1272, 1518, 1656, 2184]
    assert result.n_inputs == 9990


def test_base10_four_digit_attractor():
    result = study(10, 4)
    assert result.attractors == [Attractor(cycle=(6174,), basin_size=9990, max_steps=7)]


def test_base10_two_digit_cycle():
    result = study(10, 2)
    assert [a.cycle for a in result.attractors] == [(9, 81, 63, 27, 45)]


def test_base10_six_digit_attractors():
    result = study(10, 6)
    fixed = nonzero_fixed_points(result)
    cycles = [a.cycle for a in result.attractors if len(a.cycle) > 1]
    assert fixed == [549945, 631764]
    assert [len(cycle) for cycle in cycles] == [7]


def test_base10_six_digit_cycle_is_orbit():
    cycle = [a.cycle for a in study(10, 6).attractors if len(a.cycle) == 7][0]
    assert trajectory(cycle[0], 10, 6).cycle == cycle


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        (3, [495]),
        (4, [6174]),
        (5, []),
        (6, [549945, 631764]),
        (7, []),
        (8, [63317664, 97508421]),
        (9, [554999445, 864197532]),
    ],
)
def test_base10_fixed_points_oeis_a099009(digits, expected):
    assert nonzero_fixed_points(study(10, digits)) == expected


def test_four_digit_fixed_points_up_to_base16():
    # Bases 2, 4 and 15 also have 4-digit fixed points, next to other attractors.
    found = {base: nonzero_fixed_points(study(base, 4)) for base in range(2, 17)}
    with_fixed_point = {base: points for base, points in found.items() if points}
    assert with_fixed_point == {2: [7, 9], 4: [201], 5: [392], 10: [6174], 15: [30996]}


def test_four_digit_fixed_points_by_scan():
    for base in range(2, 17):
        numbers = np.arange(1, base**4)
        scanned = numbers[kaprekar_map_array(numbers, base, 4) == numbers].tolist()
        assert scanned == nonzero_fixed_points(study(base, 4)), base


def test_four_digit_constant_only_base5_and_10():
    # A Kaprekar constant: a fixed point that is the only attractor.
    with_constant = [
        base
        for base in range(2, 17)
        if [len(a.cycle) for a in study(base, 4).attractors] == [1]
    ]
    assert with_constant == [5, 10]


def test_base3_two_digits_reach_zero():
    result = study(3, 2)
    assert result.attractors == [Attractor(cycle=(0,), basin_size=6, max_steps=3)]


def test_zero_attractor_reported_with_others():
    result = study(5, 2)
    assert [a.cycle for a in result.attractors] == [(0,), (8,)]
    assert sum(a.basin_size for a in result.attractors) == result.n_inputs


@pytest.mark.parametrize(("base", "digits"), BRUTE_FORCE_CASES)
@pytest.mark.parametrize("convention", CONVENTIONS)
def test_study_equals_brute_force(base, digits, convention):
    fast = study(base, digits, convention)
    reference = brute_force_study(base, digits, convention)
    assert fast.attractors == reference.attractors
    assert fast.step_counts.tolist() == reference.step_counts.tolist()
    assert fast.n_inputs == reference.n_inputs
    assert fast == reference


@pytest.mark.parametrize(
    ("base", "digits"), [(10, 6), (7, 6), (16, 4), (36, 3), (3, 11), (2, 16), (257, 2), (300, 2)]
)
@pytest.mark.parametrize("convention", CONVENTIONS)
def test_study_equals_per_number(base, digits, convention, per_number_counts):
    expected = per_number_counts(base, digits, convention)
    assert study(base, digits, convention).step_counts.tolist() == expected.tolist()


def test_multisets_count_and_order():
    rows = enumerate_multisets(7, 4)
    keys = (rows.astype(np.int64) * 7 ** np.arange(3, -1, -1)).sum(axis=1)
    assert rows.shape == (math.comb(10, 4), 4)
    assert np.all(np.diff(keys) > 0)
    assert np.all(np.diff(rows.astype(int), axis=1) <= 0)


def test_strings_per_multiset_sum():
    rows = enumerate_multisets(6, 5)
    assert strings_per_multiset(rows, "leading_zeros", 6).sum() == 6**5 - 6
    assert strings_per_multiset(rows, "proper", 6).sum() == 6**5 - 6**4 - 5


def test_strings_per_multiset_many_digits():
    # 2**61 strings: d! overflows int64, so the counts are built position by position.
    rows = enumerate_multisets(2, 61)
    assert strings_per_multiset(rows, "leading_zeros", 2).sum() == 2**61 - 2
    assert strings_per_multiset(rows, "proper", 2).sum() == 2**60 - 1


def test_study_many_digits_base2():
    result = study(2, 61)
    assert result.n_inputs == 2**61 - 2
    assert int(result.step_counts.sum()) == 2**61 - 2


def test_one_digit_has_no_inputs():
    result = study(10, 1)
    assert result.n_inputs == 0
    assert result.attractors == []
    assert result.step_counts.size == 0


def test_one_digit_mode_raises():
    with pytest.raises(ValueError, match="has no inputs"):
        study(10, 1).mode


def test_mode_base10():
    assert study(10, 3).mode == 3
    assert study(10, 4).mode == 3


def test_mode_tie_picks_smallest():
    result = KaprekarStudy(
        base=2, digits=2, convention="leading_zeros", attractors=[],
        step_counts=np.array([1, 4, 4], dtype=np.int64), n_inputs=9,
    )  # fmt: skip
    assert result.mode == 1


def test_counts_table_columns():
    table = study(10, 3).counts_table()
    assert table.index.name == "steps"
    assert table["inputs"].tolist() == [1, 149, 144, 270, 222, 150, 54]
    assert table["share"].sum() == pytest.approx(1.0)


def test_study_equality_detects_difference():
    assert study(10, 3) != study(10, 3, "proper")


def test_iteration_counts_match_trajectories():
    numbers = np.arange(10**4)
    expected = [trajectory(int(n), 10, 4).steps for n in numbers]
    assert iteration_counts(numbers, 10, 4).tolist() == expected


def test_iteration_counts_base7_match_trajectories():
    numbers = np.arange(7**5)
    expected = [trajectory(int(n), 7, 5).steps for n in numbers]
    assert iteration_counts(numbers, 7, 5).tolist() == expected


def test_iteration_counts_keep_shape():
    counts = iteration_counts(np.array([[352, 495], [0, 111]]), 10, 3)
    assert counts.tolist() == [[4, 0], [0, 1]]


def test_iteration_counts_reject_out_of_range():
    with pytest.raises(ValueError, match=r"numbers must lie in \[0, 999\]"):
        iteration_counts([1000], 10, 3)


def test_iteration_matrix_base10_row():
    matrix = iteration_matrix(range(2, 13), 3)
    assert matrix.loc[10].tolist()[:7] == [1, 149, 144, 270, 222, 150, 54]
    assert matrix.index.name == "base"


def test_iteration_matrix_pads_zeros():
    matrix = iteration_matrix([4, 10], 3)
    assert matrix.shape == (2, 7)
    assert matrix.loc[4].tolist() == [1, 23, 18, 18, 0, 0, 0]


def test_iteration_matrix_rows_sum_to_inputs():
    matrix = iteration_matrix(range(2, 20), 4, "proper")
    sizes = [input_domain(base, 4, "proper").size for base in range(2, 20)]
    assert matrix.sum(axis=1).tolist() == sizes


def test_iteration_matrix_rejects_bad_base():
    with pytest.raises(ValueError, match=r"bases\[1\] must be an integer >= 2; got 1"):
        iteration_matrix([10, 1], 3)


def test_study_rejects_large_estimate():
    estimate = estimate_study_bytes(200, 6)
    message = (
        rf"base=200, digits=6 needs an estimated {estimate} bytes, "
        r"more than max_bytes=1073741824"
    )
    with pytest.raises(ValueError, match=message):
        study(200, 6)


def test_study_rejects_small_budget():
    with pytest.raises(ValueError, match="max_bytes=1000"):
        study(10, 3, max_bytes=1000)


def test_study_rejects_int64_overflow():
    with pytest.raises(ValueError, match=r"base\*\*digits must be < 2\*\*62.*base=2, digits=62"):
        study(2, 62)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((1, 3), "base must be an integer >= 2; got 1"),
        ((16.0, 3), r"base must be an integer >= 2; got 16.0 \(float\)"),
        (("10", 3), "base must be an integer >= 2; got '10'"),
        ((True, 3), "base must be an integer >= 2; got True"),
        ((10, 0), "digits must be an integer >= 1; got 0"),
        ((10, 3.0), "digits must be an integer >= 1; got 3.0"),
        ((10, 3, "strict"), "convention must be one of 'leading_zeros', 'proper'; got 'strict'"),
    ],
)
def test_study_rejects_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        study(*arguments)


def test_brute_force_rejects_bad_base():
    with pytest.raises(ValueError, match="base must be an integer >= 2; got 16.0"):
        brute_force_study(16.0, 3)


def test_estimate_grows_with_multisets():
    assert estimate_study_bytes(200, 3) > estimate_study_bytes(100, 3)
    assert estimate_study_bytes(10, 4) > 0
