import matplotlib
import matplotlib.colors

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


def test_arm_colour_same_in_both_plots():
    curves = pd.DataFrame({"arm": ["reves"] * 2, "seed": [0, 0], "step": [1, 2], "solve_success": [0.1, 0.3], "sampled_tokens": [5, 9]})
    metrics = pd.DataFrame({"arm": ["single_turn", "reves"], "seed": [0, 0], "set": ["s", "s"], "pass@1": [0.1, 0.2], "oracle@1": [0.3, 0.4]})
    line = plot_training_curves(curves)[0].lines[0]
    bars = plot_budget_curves(metrics, "s", [1]).containers[1].lines[0]
    assert matplotlib.colors.to_rgba(line.get_color()) == matplotlib.colors.to_rgba(bars.get_color())
