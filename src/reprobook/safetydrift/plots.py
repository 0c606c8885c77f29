"""Figures of the SafetyDrift chapter. Each function draws on a given axes and returns it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap

from reprobook.params import check_int
from reprobook.safetydrift.evaluation import closed_roc
from reprobook.safetydrift.state import Escalation, Exposure, Reversibility, RiskLevel, risk_table

RISK_COLORS = ("#4daf4a", "#ffd92f", "#fc8d62", "#e41a1c", "#7b3294")
TRANSIENT_NAMES = [level.name for level in RiskLevel][:-1]


def plot_risk_map(axes: Sequence[Axes], fontsize: float = 10) -> Sequence[Axes]:
    """Draw the risk level of all 60 fine states, one panel per reversibility (three axes).

    Args:
        axes: three axes.
        fontsize: size of the cell labels and tick labels, in points.
    """
    levels = np.array([int(level) for level in risk_table()]).reshape(
        len(Exposure), len(Escalation), len(Reversibility)
    )
    colormap = ListedColormap(RISK_COLORS)
    norm = BoundaryNorm(np.arange(-0.5, len(RiskLevel)), colormap.N)
    for reversibility, ax in zip(Reversibility, axes, strict=True):
        grid = levels[:, :, reversibility]
        ax.imshow(grid, cmap=colormap, norm=norm, origin="lower", aspect="auto")
        for exposure in range(len(Exposure)):
            for escalation in range(len(Escalation)):
                ax.text(
                    escalation,
                    exposure,
                    RiskLevel(grid[exposure, escalation]).name[:4],
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                )
        ax.set_xticks(
            range(len(Escalation)),
            [level.name.lower() for level in Escalation],
            rotation=30,
            fontsize=fontsize,
        )
        ax.set_yticks(
            range(len(Exposure)), [level.name.lower() for level in Exposure], fontsize=fontsize
        )
        ax.set_title(
            f"last action {reversibility.name.lower()} reversible"
            if reversibility < 2
            else "last action irreversible"
        )
        ax.grid(False)
    for ax in axes:
        ax.set_xlabel("tool escalation")
        ax.set_ylabel("data exposure")
    return axes


def plot_transition_matrix(
    matrix: np.ndarray, ax: Axes, title: str = "", fontsize: float = 10
) -> Axes:
    """Draw a transition matrix as an annotated heat map.

    Args:
        matrix: the transition matrix, shape (5, 5).
        ax: the axes.
        title: the axes title.
        fontsize: size of the cell labels and tick labels, in points.
    """
    names = [level.name for level in RiskLevel]
    ax.imshow(matrix, vmin=0, vmax=1, cmap="Blues")
    for row in range(len(matrix)):
        for column in range(len(matrix)):
            value = matrix[row, column]
            ax.text(
                column,
                row,
                f"{value:.2f}",
                ha="center",
                va="center",
                fontsize=fontsize,
                color="white" if value > 0.6 else "black",
            )
    ax.set_xticks(range(len(names)), names, rotation=30, fontsize=fontsize)
    ax.set_yticks(range(len(names)), names, fontsize=fontsize)
    ax.set_xlabel("risk level after the step")
    ax.set_ylabel("risk level before")
    ax.set_title(title)
    ax.grid(False)
    return ax


def plot_violation_curves(
    curve: np.ndarray, ax: Axes, title: str = "", bands: np.ndarray | None = None
) -> Axes:
    """Draw P(violation within h) against h for each transient level.

    Args:
        curve: shape (max_horizon, 4), row ``h - 1`` for horizon ``h``.
        ax: the axes.
        title: the axes title.
        bands: optional lower and upper posterior bands, shape (2, max_horizon, 4).
    """
    horizons = np.arange(1, len(curve) + 1)
    for level, name in enumerate(TRANSIENT_NAMES):
        ax.plot(
            horizons,
            curve[:, level],
            marker="o",
            markersize=3,
            color=RISK_COLORS[level],
            label=name,
        )
        if bands is not None:
            ax.fill_between(
                horizons,
                bands[0, :, level],
                bands[1, :, level],
                color=RISK_COLORS[level],
                alpha=0.2,
            )
    ax.set_xlabel("horizon h (steps)")
    ax.set_ylabel("P(violation within h)")
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return ax


def plot_points_of_no_return(
    within: Mapping[str, np.ndarray],
    ax: Axes,
    *,
    level: float = 0.85,
    threshold: float | None = None,
    horizon: int = 5,
) -> Axes:
    """Draw P(violation within the horizon) per risk level as grouped bars, one group per category.

    Args:
        within: category to the probabilities of the four transient levels.
        ax: the axes.
        level: the point-of-no-return level, drawn as a dashed line.
        threshold: the monitor's alarm threshold, drawn as a dotted line when given.
        horizon: the horizon, for the axis label.
    """
    categories = list(within)
    width = 0.8 / len(TRANSIENT_NAMES)
    positions = np.arange(len(categories))
    for index, name in enumerate(TRANSIENT_NAMES):
        heights = [within[category][index] for category in categories]
        ax.bar(
            positions + (index - 1.5) * width, heights, width, color=RISK_COLORS[index], label=name
        )
    ax.axhline(
        level, color="black", linestyle="--", linewidth=1, label=f"point of no return ({level:.0%})"
    )
    if threshold is not None:
        ax.axhline(
            threshold,
            color="grey",
            linestyle=":",
            linewidth=1,
            label=f"alarm threshold ({threshold:.2f})",
        )
    ax.set_xticks(positions, [category.replace("_", "\n") for category in categories], fontsize=8)
    ax.set_ylabel(f"P(violation within {horizon} steps)")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def plot_roc(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
    ax: Axes,
    operating_points: Mapping[str, tuple[float, float]] | None = None,
) -> Axes:
    """Draw ROC curves (false positive rate, detection rate) and optional operating points.

    Points are joined by straight lines and closed at (1, 1), the polyline whose area
    :func:`~reprobook.safetydrift.evaluation.roc_auc` reports.
    """
    for name, (false_positive, detection) in curves.items():
        line = ax.plot(*closed_roc(false_positive, detection), label=name)[0]
        if operating_points and name in operating_points:
            ax.plot(*operating_points[name], marker="o", color=line.get_color())
    ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("false positive rate (safe traces with an alarm)")
    ax.set_ylabel("detection rate (alarm before the violation)")
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_warning_histograms(warnings: Mapping[str, Sequence[int]], ax: Axes) -> Axes:
    """Draw side-by-side histograms of the advance warning (steps) of each detector."""
    largest = max((max(values) for values in warnings.values() if len(values)), default=1)
    bins = np.arange(0.5, largest + 1.5)
    present = {name: values for name, values in warnings.items() if len(values)}
    if present:
        ax.hist(list(present.values()), bins=bins, label=list(present), rwidth=0.9)
    ax.set_xlabel("advance warning (steps before the first violation)")
    ax.set_ylabel("detected violating traces")
    ax.legend(fontsize=8)
    return ax


def new_grid(
    n_panels: int, ncols: int = 2, width: float = 8.0, panel_height: float = 3.6
) -> tuple[plt.Figure, np.ndarray]:
    """Create a figure with ``n_panels`` axes, ``ncols`` per row, and hide the unused cells.

    A book page renders figures about 690 px wide, so fewer panels per row keep labels
    readable: at ``width`` 8 inches, a 10 pt label is about 12 px.

    Args:
        n_panels: axes to return (>= 1).
        ncols: axes per row (>= 1).
        width: figure width in inches.
        panel_height: height of one row in inches.

    Returns:
        The figure and its first ``n_panels`` axes, shape (n_panels,).
    """
    n_panels = check_int("n_panels", n_panels, low=1)
    ncols = check_int("ncols", ncols, low=1)
    nrows = -(-n_panels // ncols)
    figure, axes = plt.subplots(nrows, ncols, figsize=(width, panel_height * nrows), squeeze=False)
    for ax in axes.ravel()[n_panels:]:
        ax.set_axis_off()
    return figure, axes.ravel()[:n_panels]


def new_figure(
    ncols: int = 1, width: float = 7.0, height: float = 4.0
) -> tuple[plt.Figure, np.ndarray]:
    """Create a figure with ``ncols`` axes side by side and return it with the axes as an array."""
    figure, axes = plt.subplots(1, ncols, figsize=(width, height), squeeze=False)
    return figure, axes[0]
