import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from reprobook.safetydrift import plots
from reprobook.safetydrift.absorption import violation_curve
from reprobook.safetydrift.chain import POOLED


@pytest.fixture(autouse=True)
def close_figures():
    yield
    matplotlib.pyplot.close("all")


def test_risk_map_three_panels():
    _, axes = plots.new_figure(3)
    assert len(plots.plot_risk_map(axes)) == 3


def test_transition_matrix_annotates_cells(chains):
    _, axes = plots.new_figure()
    assert len(plots.plot_transition_matrix(chains[POOLED].matrix, axes[0]).texts) == 25


def test_violation_curves_one_line_per_level(chains):
    _, axes = plots.new_figure()
    curve = violation_curve(chains[POOLED].matrix, 8)
    assert (
        len(plots.plot_violation_curves(curve, axes[0], bands=np.stack([curve, curve])).lines) == 4
    )


def test_points_of_no_return_bars():
    _, axes = plots.new_figure()
    ax = plots.plot_points_of_no_return(
        {"a": np.ones(4) * 0.5, "b": np.ones(4) * 0.2}, axes[0], threshold=0.5
    )
    assert len(ax.patches) == 8


def test_roc_curves_drawn():
    _, axes = plots.new_figure()
    ax = plots.plot_roc(
        {"m": (np.array([0.0, 0.5]), np.array([0.0, 1.0]))}, axes[0], {"m": (0.5, 1.0)}
    )
    assert len(ax.lines) == 3


def test_warning_histogram_skips_empty():
    _, axes = plots.new_figure()
    ax = plots.plot_warning_histograms({"m": [1, 2, 2], "k": []}, axes[0])
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["m"]


def test_roc_line_matches_auc_polyline():
    _, axes = plots.new_figure()
    ax = plots.plot_roc({"m": (np.array([0.0, 0.5]), np.array([0.0, 1.0]))}, axes[0])
    assert ax.lines[0].get_xydata().tolist() == [[0.0, 0.0], [0.5, 1.0], [1.0, 1.0]]


def test_grid_returns_requested_panels():
    _, axes = plots.new_grid(3, ncols=2)
    assert len(axes) == 3


def test_grid_hides_unused_cell():
    figure, _ = plots.new_grid(3, ncols=2)
    assert [ax.axison for ax in figure.axes] == [True, True, True, False]


def test_transition_labels_use_fontsize(chains):
    _, axes = plots.new_figure()
    ax = plots.plot_transition_matrix(chains[POOLED].matrix, axes[0], fontsize=12)
    assert ax.texts[0].get_fontsize() == 12
