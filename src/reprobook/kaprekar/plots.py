"""Figures of the Kaprekar chapter."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm
from matplotlib.ticker import MaxNLocator


def plot_iteration_matrix(matrix: pd.DataFrame, ax: plt.Axes | None = None, title: str = "") -> plt.Axes:
    """Draw an iteration matrix (index = base, columns = iteration count) as a log-scaled heatmap.

    Cells with no inputs stay blank.
    """
    ax = ax or plt.gca()
    values = matrix.to_numpy(dtype=float)
    masked = np.ma.masked_less_equal(values, 0)
    image = ax.imshow(
        masked,
        aspect="auto",
        origin="lower",
        interpolation="nearest",
        norm=LogNorm(vmin=1, vmax=max(values.max(), 2)),
        extent=(matrix.columns[0] - 0.5, matrix.columns[-1] + 0.5, matrix.index[0] - 0.5, matrix.index[-1] + 0.5),
    )
    ax.set_xlabel("iteration count k")
    ax.set_ylabel("base b")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title)
    ax.grid(False)
    plt.colorbar(image, ax=ax, label="inputs needing k steps")
    return ax


def plot_step_distributions(tables: dict[str, pd.DataFrame], ax: plt.Axes | None = None) -> plt.Axes:
    """Draw side-by-side bars of the share of inputs per iteration count.

    Args:
        tables: label -> the table of ``KaprekarStudy.counts_table()``.
        ax: the axes to draw on (default: the current axes).
    """
    ax = ax or plt.gca()
    width = 0.8 / max(len(tables), 1)
    for position, (label, table) in enumerate(tables.items()):
        offset = (position - (len(tables) - 1) / 2) * width
        ax.bar(table.index + offset, table["share"], width=width, label=label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("iteration count k")
    ax.set_ylabel("share of inputs")
    return ax



def plot_attractor_counts(summary: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """Draw the number of attractors per base and digit count as an annotated grid.

    Args:
        summary: the table of :func:`reprobook.kaprekar.analysis.summarise_atlas`.
        ax: the axes to draw on (default: the current axes).

    A cell whose routine has a Kaprekar constant is marked with a star.
    """
    ax = ax or plt.gca()
    counts = summary["attractors"].unstack("base")
    constants = summary["has_constant"].unstack("base")
    ax.imshow(np.log2(counts.to_numpy(dtype=float)), origin="lower", aspect="auto", cmap="Blues")
    for row, digits in enumerate(counts.index):
        for column, base in enumerate(counts.columns):
            mark = "*" if constants.loc[digits, base] else ""
            ax.text(column, row, f"{int(counts.loc[digits, base])}{mark}", ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(counts.columns)), counts.columns)
    ax.set_yticks(range(len(counts.index)), counts.index)
    ax.set_xlabel("base b")
    ax.set_ylabel("digits d")
    ax.grid(False)
    return ax
