import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from reprobook.kaprekar import atlas, iteration_matrix
from reprobook.kaprekar.analysis import (
    compare_three_digit_theory,
    kaprekar_constants,
    mixed_differences,
    modes,
    summarise_atlas,
)
from reprobook.kaprekar.plots import plot_attractor_counts, plot_iteration_matrix


def test_compare_theory_all_match():
    comparison = compare_three_digit_theory(range(2, 13))
    assert comparison["attractor_match"].all()
    assert comparison["counts_match"].all()
    assert comparison["closed_form_match"].dropna().all()


def test_compare_theory_closed_form_only_even():
    comparison = compare_three_digit_theory([5, 6])
    assert comparison.set_index("base")["closed_form_match"].isna().tolist() == [True, True, False, False]


def test_modes_base_ten_three_digits():
    assert modes(iteration_matrix([4, 10], 3)).tolist() == [1, 3]


def test_modes_tie_goes_to_smallest_count():
    matrix = pd.DataFrame([[0, 5, 5]], index=[7], columns=[0, 1, 2])
    assert modes(matrix).tolist() == [1]


def test_mixed_differences_zero_on_interior():
    residuals = mixed_differences(iteration_matrix(range(2, 31), 3)).stack().dropna()
    assert len(residuals) > 50
    assert (residuals == 0).all()


def test_mixed_differences_detect_a_change():
    matrix = iteration_matrix(range(2, 21), 3)
    matrix.loc[12, 4] += 1
    residuals = mixed_differences(matrix).stack().dropna()
    assert (residuals != 0).sum() == 4


def test_kaprekar_constants_base_ten():
    survey = kaprekar_constants(10, range(2, 10))
    assert survey["constant"].dropna().astype(int).to_dict() == {3: 495, 4: 6174}


def test_kaprekar_constants_lists_fixed_points():
    assert kaprekar_constants(10, [6])["fixed_points"].loc[6] == [549945, 631764]


def test_kaprekar_constants_rejects_one_digit():
    with pytest.raises(ValueError, match=r"digit_counts\[0\] must be an integer >= 2; got 1"):
        kaprekar_constants(10, [1])


def test_summarise_atlas_four_digit_constants():
    summary = summarise_atlas(atlas(range(2, 17), [4]))
    bases = summary[summary["has_constant"]].index.get_level_values("base").tolist()
    assert bases == [5, 10]


def test_summarise_atlas_counts_attractors():
    summary = summarise_atlas(atlas([10], [2, 6]))
    assert summary["attractors"].tolist() == [1, 3]


def test_plots_draw_without_error():
    matrix = iteration_matrix(range(2, 12), 3)
    assert plot_iteration_matrix(matrix).get_xlabel() == "iteration count k"
    summary = summarise_atlas(atlas(range(2, 8), [3, 4]))
    assert len(plot_attractor_counts(summary).texts) == len(summary)
