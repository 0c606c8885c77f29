"""Figures of the Streamlined Inference chapter."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

METHOD_LABELS = {
    "original": "original",
    "forward_chunking": "diffusers forward chunking",
    "split_inference": "diffusers split inference",
    "naive_slicing": "naive slicing",
    "streamlined": "slicing + grouping (ours)",
}


def plot_memory_and_latency(frame, title: str = ""):
    """Plot peak memory (MiB) and latency (s) against frames, one line per method and size.

    Args:
        frame: the table from :func:`reprobook.streamlined.study.sweep`.
        title: the figure title.

    Returns:
        The matplotlib figure.
    """
    figure, (memory_axis, time_axis) = plt.subplots(1, 2, figsize=(11, 4))
    for (method, size), rows in frame.groupby(["method", "size"], sort=False):
        rows = rows.sort_values("n_frames")
        label = f"{METHOD_LABELS[method]}, {size}x{size}"
        memory_axis.plot(rows.n_frames, rows.peak_bytes / 2**20, marker="o", label=label)
        time_axis.plot(rows.n_frames, rows.seconds, marker="o", label=label)
    memory_axis.set(xlabel="frames", ylabel="peak memory (MiB)")
    time_axis.set(xlabel="frames", ylabel="latency of one UNet call (s)")
    memory_axis.legend(fontsize=7)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_ratios(frame, title: str = ""):
    """Plot the original's peak memory and latency divided by each method's, per setting."""
    settings = frame[["n_frames", "size"]].drop_duplicates().values.tolist()
    labels = [f"{frames} fr\n{size}x{size}" for frames, size in settings]
    methods = [method for method in frame.method.unique() if method != "original"]
    positions = np.arange(len(settings))
    width = 0.8 / len(methods)
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for axis, column, name in zip(axes, ["memory_ratio", "speedup"], ["peak-memory reduction (x)", "speed-up (x)"]):
        for index, method in enumerate(methods):
            rows = frame[frame.method == method].set_index(["n_frames", "size"])
            values = [rows.loc[tuple(setting), column] for setting in settings]
            axis.bar(positions + index * width, values, width, label=METHOD_LABELS[method])
        axis.axhline(1.0, color="black", linewidth=0.8)
        axis.set(xticks=positions + width * (len(methods) - 1) / 2, xticklabels=labels, ylabel=name)
    axes[0].legend(fontsize=7)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_frames(videos: torch.Tensor, title: str = "", max_videos: int = 4):
    """Show the frames of up to ``max_videos`` videos ``(N, 3, F, H, W)`` in [-1, 1], one row each."""
    videos = videos[:max_videos]
    count, _, frames = videos.shape[:3]
    figure, axes = plt.subplots(count, frames, figsize=(1.2 * frames, 1.3 * count), squeeze=False)
    for row in range(count):
        for column in range(frames):
            image = ((videos[row, :, column].permute(1, 2, 0) + 1) / 2).clamp(0, 1).numpy()
            axes[row, column].imshow(image, interpolation="nearest")
            axes[row, column].axis("off")
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_similarity(matrix: torch.Tensor, names: list[str], key_steps: list[int] | None = None, metric: str = ""):
    """Draw the blocks x steps similarity map of adjacent denoising steps; mark key steps."""
    figure, axis = plt.subplots(figsize=(9, 0.45 * len(names) + 1.5))
    image = axis.imshow(matrix.numpy(), aspect="auto", cmap="viridis")
    axis.set(yticks=range(len(names)), yticklabels=names, xlabel="step t (similarity of steps t and t+1)")
    for step in key_steps or []:
        axis.axvline(step - 0.5, color="white", linewidth=1.0, linestyle="--")
    figure.colorbar(image, ax=axis, label=f"{metric} similarity")
    figure.tight_layout()
    return figure


def plot_tradeoff(results):
    """Plot speed-up against PSNR for each cached sampling method and setting."""
    figure, axis = plt.subplots(figsize=(6, 4))
    for method, marker in (("step_rehash", "o"), ("pab", "s")):
        chosen = [result for result in results if result.method == method]
        axis.scatter([r.psnr for r in chosen], [r.speedup for r in chosen], marker=marker, label=method)
        for result in chosen:
            axis.annotate(result.setting, (result.psnr, result.speedup), fontsize=7)
    axis.axvline(30.0, color="grey", linestyle=":", label="30 dB")
    axis.axhline(1.0, color="black", linewidth=0.8)
    axis.set(xlabel="PSNR against full computation (dB)", ylabel="speed-up of sampling (x)")
    axis.legend()
    figure.tight_layout()
    return figure
