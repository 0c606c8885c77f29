"""Figures of the SharpeRatio@k chapter: metrics against the budget k, and risk against return."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes


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
    for row, name in zip(np.asarray(values, dtype=float), names, strict=True):
        ax.plot(ks, row, marker="o", markersize=3, label=name)
    ax.set_xlabel("budget k (policies deployed online)")
    ax.set_ylabel(ylabel)
    return ax


def plot_risk_return(
    ax: Axes,
    risk: np.ndarray,
    excess_return: np.ndarray,
    names: Sequence[str],
    ks: Sequence[int],
    labelled_ks: Sequence[int] = (),
) -> Axes:
    """Draw each estimator's path through (std@k, best@k - J(pi_b)) as k grows.

    An estimator whose path lies up and to the left gets more return for less risk.

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
    for x_values, y_values, name in zip(np.asarray(risk), np.asarray(excess_return), names, strict=True):
        (line,) = ax.plot(x_values, y_values, marker="o", markersize=3, label=name)
        for k in labelled_ks:
            column = ks.index(k)
            ax.annotate(f"k={k}", (x_values[column], y_values[column]), fontsize=7, color=line.get_color())
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
) -> Axes:
    """Scatter each estimator's estimates against the true values, with optional intervals.

    Args:
        ax: the axes to draw on.
        true_values: shape ``(n_policies,)``.
        estimates: shape ``(n_estimators, n_policies)``.
        names: estimator labels.
        lower, upper: interval bounds of the same shape as ``estimates``, or ``None``.

    Returns:
        ``ax``.
    """
    offsets = np.linspace(-0.3, 0.3, len(names)) * np.ptp(true_values) / max(len(true_values), 1)
    for index, name in enumerate(names):
        x_values = true_values + offsets[index]
        if lower is not None and upper is not None:
            errors = np.vstack([estimates[index] - lower[index], upper[index] - estimates[index]])
            ax.errorbar(x_values, estimates[index], yerr=errors, fmt="o", markersize=3, capsize=2, label=name)
        else:
            ax.plot(x_values, estimates[index], "o", markersize=3, label=name)
    span = [true_values.min(), true_values.max()]
    ax.plot(span, span, color="grey", linewidth=0.8, linestyle="--", label="exact")
    ax.set_xlabel("true policy value")
    ax.set_ylabel("estimated policy value")
    return ax
