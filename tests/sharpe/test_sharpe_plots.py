"""Tests of the chapter's figures: styles, axis limits and cut axes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from reprobook.sharpe import plots


@pytest.fixture
def ax():
    figure, axes = plt.subplots()
    yield axes
    plt.close(figure)


def test_line_styles_of_six_estimators_differ():
    styles = {tuple(plots.line_style(index).values()) for index in range(6)}
    assert len(styles) == 6


def test_data_limits_of_equal_values_exclude_zero():
    low, _ = plots.data_limits(np.full(5, 6.3))
    assert low > 0.0


def test_data_limits_ignore_nan():
    assert plots.data_limits(np.array([1.0, np.nan, 2.0]))[1] < 3.0


def test_risk_return_axis_spans_the_data(ax):
    plots.plot_risk_return(ax, np.array([[0.5, 0.6]]), np.array([[6.2, 6.4]]), ["DM"], [2, 3])
    assert ax.get_ylim()[0] > 6.0


def test_estimates_axis_is_cut_at_the_limits(ax):
    true_values = np.array([0.0, 10.0])
    estimates = np.array([[0.0, 10.0]])
    plots.plot_estimates_vs_truth(ax, true_values, estimates, ["DR"], estimates - 500.0, estimates + 1.0, (-5.0, 15.0))
    assert ax.get_ylim() == (-5.0, 15.0)


def test_top_k_panels_stack_one_per_row():
    values = np.arange(6.0).reshape(2, 3)
    figure, axes = plots.plot_top_k_panels([1, 2, 3], [(values, "best@k"), (values, "std@k")], ["a", "b"])
    plt.close(figure)
    assert axes.shape == (2,)
