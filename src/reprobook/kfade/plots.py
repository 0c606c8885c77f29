"""Plots of the unlearning chapter: trade-off curves and step-by-step histories."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from reprobook.kfade.unlearning import StepRecord


def plot_tradeoff(histories: dict[tuple[str, int], list[StepRecord]], ax=None, max_kl: float | None = None):
    """Draw forget-NLL rise against retain KL along each run (one colour per method).

    Args:
        histories: ``{(label, seed): history}`` as returned by ``compare_methods``.
        ax: the axes (a new figure when ``None``).
        max_kl: right end of the x axis (nats per token), or ``None`` for all points.

    Returns:
        The axes.
    """
    ax = ax or plt.subplots(figsize=(6, 4))[1]
    labels = sorted({label for label, _ in histories})
    colours = dict(zip(labels, plt.rcParams["axes.prop_cycle"].by_key()["color"] * 3))
    for (label, seed), history in sorted(histories.items()):
        kl = np.array([record.retain_kl for record in history])
        gain = np.array([record.forget_nll - history[0].forget_nll for record in history])
        keep = kl <= max_kl * 1.5 if max_kl else np.ones_like(kl, dtype=bool)
        ax.plot(kl[keep], gain[keep], marker="o", ms=3, color=colours[label], label=label if seed == min(
            s for l, s in histories if l == label) else None)
    if max_kl:
        ax.axvline(max_kl, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("retain KL to the original (nats per token)")
    ax.set_ylabel("rise of the forget NLL (nats per token)")
    ax.legend(fontsize=8)
    return ax
