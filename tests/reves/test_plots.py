import matplotlib

matplotlib.use("Agg")

import pandas as pd

from reprobook.reves.plots import plot_budget_curves, plot_training_curves


def test_curves_shorter_than_window():
    curves = pd.DataFrame({"arm": ["a", "a"], "seed": [0, 0], "step": [1, 2], "solve_success": [0.1, 0.3], "sampled_tokens": [5, 10]})
    axes = plot_training_curves(curves, window=5)
    assert len(axes[0].lines[0].get_xdata()) == 1


def test_budget_curve_points():
    metrics = pd.DataFrame({"arm": ["a", "a"], "seed": [0, 1], "set": ["s", "s"], "pass@1": [0.1, 0.2], "oracle@1": [0.3, 0.4]})
    ax = plot_budget_curves(metrics, "s", [1])
    assert len(ax.lines[0].get_xdata()) == 2
