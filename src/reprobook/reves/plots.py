"""Figures of the REVES chapter: warm-up, training curves, revision-budget curves, near misses."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from reprobook.reves.study import RATE_BOUNDS, interval

ARM_COLORS = {
    "warm_up": "0.4", "single_turn": "C0", "multi_turn": "C1", "reves": "C3",
    "revision_only": "C4", "verification_only": "C2",
}


def arm_color(arm: str) -> str:
    """Return the colour of an arm, the same in every figure of the chapter."""
    return ARM_COLORS.get(arm, "C7")


def plot_warmup(record: dict, ax=None):
    """Plot the warm-up loss per step and the held-out pass@1 checks on a second axis.

    Args:
        record: the warm-up record of :func:`~reprobook.reves.study.warmed_up_policy`.
        ax: the axes (a new figure when None).

    Returns:
        The axes of the loss.
    """
    ax = ax or plt.subplots(figsize=(7, 3.5))[1]
    ax.plot(np.arange(1, len(record["losses"]) + 1), record["losses"], color="C0", lw=0.8)
    ax.set(xlabel="supervised step", ylabel="cross-entropy per token", yscale="log")
    if record["checks"]:
        steps, scores = zip(*record["checks"], strict=True)
        other = ax.twinx()
        other.plot(steps, scores, "o-", color="C3")
        other.set(ylabel="held-out pass@1", ylim=(0, 1))
    return ax


def _smoothed(values: np.ndarray, window: int) -> np.ndarray:
    """Return the moving average over ``window`` values (length len(values) - window + 1)."""
    return np.convolve(values, np.ones(window) / window, mode="valid")


def plot_training_curves(curves: pd.DataFrame, window: int = 5, axes=None):
    """Plot each arm's solve success (mean over seeds, moving average) against step and tokens.

    Args:
        curves: the ``curves`` table of a study.
        window: moving-average window in steps.
        axes: two axes (a new figure when None).

    Returns:
        The two axes.
    """
    axes = axes if axes is not None else plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)[1]
    for arm, group in curves.groupby("arm", sort=False):
        mean = group.groupby("step")[["solve_success", "sampled_tokens"]].mean()
        width = max(1, min(window, len(mean)))
        success = _smoothed(mean["solve_success"].to_numpy(), width)
        axes[0].plot(mean.index[width - 1 :], success, label=arm, color=arm_color(arm))
        axes[1].plot(mean["sampled_tokens"].to_numpy()[width - 1 :], success, label=arm, color=arm_color(arm))
    axes[0].set(xlabel="policy-gradient step", ylabel="solve success on training prompts")
    axes[1].set(xlabel="sampled tokens (incl. augmentation)")
    axes[0].legend(fontsize=8)
    return axes


def plot_budget_curves(metrics: pd.DataFrame, set_name: str, budgets, prefix: str = "oracle", ax=None):
    """Plot success against the revision budget t per arm, with 95% intervals over seeds.

    The error bars are Student-t intervals of the mean over the seeds, clipped to [0, 1].

    Args:
        metrics: the ``metrics`` table of a study.
        set_name: which evaluation set.
        budgets: the budgets t; t = 0 is pass@1.
        prefix: ``"oracle"`` or ``"self"`` (the stop rule).
        ax: the axes (a new figure when None).

    Returns:
        The axes.
    """
    ax = ax or plt.subplots(figsize=(7, 4))[1]
    table = metrics[metrics["set"] == set_name]
    ts = [0, *budgets]
    for offset, (arm, group) in enumerate(table.groupby("arm", sort=False)):
        columns = ["pass@1"] + [f"{prefix}@{t}" for t in budgets]
        estimates = [interval(group[column], bounds=RATE_BOUNDS) for column in columns]
        means = np.array([mean for mean, _, _ in estimates])
        errors = np.array([[mean - low, high - mean] for mean, low, high in estimates]).T
        errors = np.nan_to_num(errors)
        ax.errorbar(
            np.array(ts) + 0.04 * offset, means, yerr=errors, marker="o", capsize=3, label=arm, color=arm_color(arm)
        )
    ax.set(xlabel="revision budget t", ylabel="success", xscale="symlog", xticks=ts, xticklabels=[str(t) for t in ts])
    ax.legend(fontsize=8)
    return ax


def plot_near_misses(rounds: pd.DataFrame, ax=None):
    """Plot near misses and recovered chains per augmentation round (mean over seeds).

    Returns:
        The axes.
    """
    ax = ax or plt.subplots(figsize=(7, 3.5))[1]
    for arm, group in rounds.groupby("arm", sort=False):
        mean = group.groupby("round")[["near_misses", "recovered"]].mean()
        ax.plot(mean.index, mean["near_misses"], marker="o", color=arm_color(arm), label=f"{arm}: near misses")
        ax.plot(
            mean.index, mean["recovered"], marker="x", ls="--", color=arm_color(arm), label=f"{arm}: recovered chains"
        )
    ax.set(xlabel="augmentation round", ylabel="count per round")
    ax.legend(fontsize=8)
    return ax
