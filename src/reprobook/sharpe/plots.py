"""Figures of the SharpeRatio@k chapter: metrics against the budget k, and risk against return.

Every estimator keeps one marker and one line style across a figure's panels, so six
lines stay distinguishable in print and for colour-blind readers, not by colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":")


def line_style(index: int) -> dict[str, str]:
    """Return the marker and line style of the ``index``-th estimator (cycling), for ``ax.plot``."""
    return {"marker": MARKERS[index % len(MARKERS)], "linestyle": LINESTYLES[index % len(LINESTYLES)]}


def plot_metric_vs_k(ax: Axes, ks: Sequence[int], values: np.ndarray, names: Sequence[str], ylabel: str) -> Axes:
    """Draw one line per estimator of a top-k metric against the budget k.

    Args:
        ax: the axes to draw on.
        ks: budgets, shape ``(n_k,)``.
        values: the metric, shape ``(n_estimators, n_k)``; NaN entries are left out.
        names: estimator labels, one per row.
        ylabel: label of the vertical axis.

    Returns:
        ``ax``.
    """
    for index, (row, name) in enumerate(zip(np.asarray(values, dtype=float), names, strict=True)):
        ax.plot(ks, row, markersize=5, label=name, **line_style(index))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("budget k (policies deployed online)")
    ax.set_ylabel(ylabel)
    return ax


def plot_top_k_panels(
    ks: Sequence[int], panels: Sequence[tuple[np.ndarray, str]], names: Sequence[str], title: str = ""
) -> tuple[Figure, np.ndarray]:
    """Stack one metric-vs-k panel per row, sharing the budget axis, with one legend on top.

    One panel per row keeps each panel the full width of the page, so six estimators'
    lines and the tick labels stay readable where three panels side by side would not.

    Args:
        ks: budgets, shape ``(n_k,)``.
        panels: ``(values, ylabel)`` pairs, values of shape ``(n_estimators, n_k)``.
        names: estimator labels, one per row of every ``values``.
        title: figure title, or ``""`` for none.

    Returns:
        The figure and its axes, shape ``(len(panels),)``, top to bottom.
    """
    figure, axes = plt.subplots(len(panels), 1, figsize=(7.0, 2.6 * len(panels) + 0.6), sharex=True, squeeze=False)
    axes = axes[:, 0]
    for ax, (values, ylabel) in zip(axes, panels, strict=True):
        plot_metric_vs_k(ax, ks, values, names, ylabel)
    for ax in axes[:-1]:
        ax.set_xlabel("")
    axes[0].legend(fontsize=8, ncol=min(len(names), 4), loc="lower left", bbox_to_anchor=(0.0, 1.02))
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure, axes


def data_limits(values: np.ndarray, margin: float = 0.08) -> tuple[float, float]:
    """Return axis limits that span the finite ``values`` with a relative ``margin`` on each side.

    A range of (nearly) zero width is widened to 1% of the magnitude (or 1e-3), so a set of
    equal values still gets an axis around them rather than one from 0.

    Args:
        values: any shape; NaN and infinite entries are ignored.
        margin: share of the data range added below and above (>= 0).

    Returns:
        ``(low, high)``.
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    pad = max((high - low) * margin, 0.01 * max(abs(low), abs(high)), 1e-3)
    return low - pad, high + pad


def plot_risk_return(
    ax: Axes,
    risk: np.ndarray,
    excess_return: np.ndarray,
    names: Sequence[str],
    ks: Sequence[int],
    labelled_ks: Sequence[int] = (),
) -> Axes:
    """Draw each estimator's path through (std@k, best@k - J(pi_b)) as k grows.

    An estimator whose path lies up and to the left gets more return for less risk. Both
    axes span the data (see :func:`data_limits`), not 0, so paths that differ little stay
    apart; the line of zero excess return is drawn only when it falls inside.

    Args:
        ax: the axes to draw on.
        risk: std@k, shape ``(n_estimators, n_k)``.
        excess_return: best@k - J(pi_b), shape ``(n_estimators, n_k)``.
        names: estimator labels.
        ks: budgets of the columns.
        labelled_ks: budgets whose points get a "k=..." label.

    Returns:
        ``ax``.
    """
    ks = list(ks)
    rows = zip(np.asarray(risk), np.asarray(excess_return), names, strict=True)
    for index, (x_values, y_values, name) in enumerate(rows):
        (line,) = ax.plot(x_values, y_values, markersize=5, label=name, **line_style(index))
        for k in labelled_ks:
            column = ks.index(k)
            ax.annotate(f"k={k}", (x_values[column], y_values[column]), fontsize=8, color=line.get_color())
    ax.set_xlim(*data_limits(risk))
    low, high = data_limits(excess_return)
    ax.set_ylim(low, high)
    if low < 0.0 < high:
        ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.set_xlabel("risk: std@k of the portfolio's true values")
    ax.set_ylabel("return: best@k - J(pi_b)")
    return ax


def plot_estimates_vs_truth(
    ax: Axes,
    true_values: np.ndarray,
    estimates: np.ndarray,
    names: Sequence[str],
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    value_limits: tuple[float, float] | None = None,
) -> Axes:
    """Scatter each estimator's estimates against the true values, with optional intervals.

    Args:
        ax: the axes to draw on.
        true_values: shape ``(n_policies,)``.
        estimates: shape ``(n_estimators, n_policies)``.
        names: estimator labels.
        lower, upper: interval bounds of the same shape as ``estimates``, or ``None``.
        value_limits: ``(low, high)`` of the estimate axis, or ``None`` to fit everything.
            Where a point or bar runs past a limit it is cut there and a triangle on the
            edge points the way it goes, so one wild estimate does not squash the rest.

    Returns:
        ``ax``.
    """
    offsets = np.linspace(-0.3, 0.3, len(names)) * np.ptp(true_values) / max(len(true_values), 1)
    for index, name in enumerate(names):
        x_values = true_values + offsets[index]
        marker = line_style(index)["marker"]
        if lower is not None and upper is not None:
            errors = np.vstack([estimates[index] - lower[index], upper[index] - estimates[index]])
            drawn = ax.errorbar(
                x_values, estimates[index], yerr=errors, fmt=marker, markersize=4, capsize=2, label=name
            )
            colour = drawn.lines[0].get_color()
            below, above = lower[index], upper[index]
        else:
            (line,) = ax.plot(x_values, estimates[index], marker, markersize=4, linestyle="none", label=name)
            colour = line.get_color()
            below = above = estimates[index]
        if value_limits is not None:
            low, high = value_limits
            ax.plot(x_values[below < low], np.full(np.count_nonzero(below < low), low), "v", color=colour, clip_on=False)
            ax.plot(x_values[above > high], np.full(np.count_nonzero(above > high), high), "^", color=colour, clip_on=False)
    span = [true_values.min(), true_values.max()]
    ax.plot(span, span, color="grey", linewidth=0.8, linestyle="--", label="exact")
    if value_limits is not None:
        ax.set_ylim(*value_limits)
    ax.set_xlabel("true policy value")
    ax.set_ylabel("estimated policy value")
    return ax
