"""Fidelity of generated frames to a reference, and verdicts for the scorecard.

PSNR and SSIM come from torchmetrics' functional image metrics. Videos ``(N, C, F, H, W)``
in [-1, 1] are rescaled to [0, 1], and their frames are scored as a batch of images.
"""

from __future__ import annotations

import torch
from torchmetrics.functional.image import peak_signal_noise_ratio, structural_similarity_index_measure

from reprobook.claims import NOT_REPRODUCED, REPRODUCED, SAME_DIRECTION


def _frames(videos: torch.Tensor) -> torch.Tensor:
    if videos.dim() != 5:
        raise ValueError(f"videos must have shape (N, C, F, H, W); got {tuple(videos.shape)}")
    batch, channels, frames, height, width = videos.shape
    images = videos.permute(0, 2, 1, 3, 4).reshape(batch * frames, channels, height, width)
    return ((images.double() + 1.0) / 2.0).clamp(0.0, 1.0)


def video_psnr(generated: torch.Tensor, reference: torch.Tensor) -> float:
    """Return the PSNR in dB of ``generated`` against ``reference`` (videos in [-1, 1]).

    Identical videos give ``inf``.
    """
    generated_frames, reference_frames = _frames(generated), _frames(reference)
    if torch.equal(generated_frames, reference_frames):
        return float("inf")
    return float(peak_signal_noise_ratio(generated_frames, reference_frames, data_range=1.0))


def video_ssim(generated: torch.Tensor, reference: torch.Tensor) -> float:
    """Return the mean SSIM (Gaussian window 11, sigma 1.5) of the frames, in [-1, 1]."""
    return float(structural_similarity_index_measure(_frames(generated), _frames(reference), data_range=1.0))


def ratio_verdict(measured: float, paper: float, target: float) -> str:
    """Judge a ratio where larger is better (memory saving, speed-up).

    Args:
        measured: the ratio measured here.
        paper: the ratio the paper reports.
        target: the smallest ratio counted as a reproduction (for example 90% of ``paper``).

    Returns:
        ``reproduced`` if ``measured >= target``, ``same direction`` if it exceeds 1,
        else ``not reproduced``.
    """
    if measured >= target:
        return REPRODUCED
    if measured > 1.0:
        return SAME_DIRECTION
    return NOT_REPRODUCED

