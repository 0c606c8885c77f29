"""Synthetic moving-shape videos and a tiny video diffusion model trained on them.

A *moving-shapes video* shows one filled square or disk of a random colour that slides
at constant speed across a dark background and bounces off the borders. Pixels lie in
[-1, 1], the range the diffusion model is trained on. The denoiser is a small
``UNetMotionModel`` (AnimateDiff's architecture) that works directly on pixels, with an
empty text condition. It predicts the noise (epsilon) of a DDPM forward process and
samples with DDIM.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import torch
from diffusers import DDIMScheduler, DDPMScheduler, UNet3DConditionModel, UNetMotionModel
from tqdm import tqdm

from reprobook.params import check_float, check_int

logger = logging.getLogger(__name__)

CROSS_ATTENTION_DIM = 32


def moving_shapes(n_videos: int, n_frames: int, size: int, seed: int) -> np.ndarray:
    """Draw moving-shape videos.

    Args:
        n_videos: videos to draw (>= 1).
        n_frames: frames per video (>= 1).
        size: height and width in pixels (>= 8).
        seed: seed of the numpy generator.

    Returns:
        A float32 array ``(n_videos, 3, n_frames, size, size)`` with values in [-1, 1].
    """
    n_videos = check_int("n_videos", n_videos, low=1)
    n_frames = check_int("n_frames", n_frames, low=1)
    size = check_int("size", size, low=8)
    rng = np.random.default_rng(seed)
    videos = np.full((n_videos, 3, n_frames, size, size), -0.8, dtype=np.float32)
    rows, columns = np.mgrid[0:size, 0:size].astype(np.float32)

    for video in range(n_videos):
        half = rng.uniform(0.12, 0.22) * size
        position = rng.uniform(half, size - half, size=2)
        velocity = rng.uniform(-0.08, 0.08, size=2) * size
        colour = rng.uniform(-0.2, 1.0, size=3).astype(np.float32)
        is_disk = rng.random() < 0.5
        for frame in range(n_frames):
            dy, dx = rows - position[0], columns - position[1]
            inside = dy**2 + dx**2 <= half**2 if is_disk else (np.abs(dy) <= half) & (np.abs(dx) <= half)
            videos[video, :, frame][:, inside] = colour[:, None]
            position = position + velocity
            for axis in range(2):
                if not half <= position[axis] <= size - half:
                    velocity[axis] = -velocity[axis]
                    position[axis] = np.clip(position[axis], half, size - half)
    return videos


def tiny_motion_unet(channels: tuple[int, ...] = (32, 64), in_channels: int = 3, sample_size: int = 16) -> UNetMotionModel:
    """Build a small AnimateDiff UNet (random weights) with one layer per block.

    Args:
        channels: block output channels, one per level (multiples of 8).
        in_channels: channels of the video (3 for pixel space, 4 for latents).
        sample_size: nominal height and width.
    """
    levels = len(channels)
    return UNetMotionModel(
        block_out_channels=tuple(channels),
        layers_per_block=1,
        down_block_types=("CrossAttnDownBlockMotion",) * (levels - 1) + ("DownBlockMotion",),
        up_block_types=("UpBlockMotion",) + ("CrossAttnUpBlockMotion",) * (levels - 1),
        cross_attention_dim=CROSS_ATTENTION_DIM,
        norm_num_groups=8,
        in_channels=in_channels,
        out_channels=in_channels,
        num_attention_heads=2,
        motion_num_attention_heads=2,
        motion_max_seq_length=32,
        sample_size=sample_size,
    )


def tiny_unet3d(channels: tuple[int, ...] = (32, 64), in_channels: int = 4, sample_size: int = 16) -> UNet3DConditionModel:
    """Build a small ``UNet3DConditionModel`` (ModelScope's architecture, random weights)."""
    levels = len(channels)
    return UNet3DConditionModel(
        block_out_channels=tuple(channels),
        layers_per_block=1,
        down_block_types=("CrossAttnDownBlock3D",) * (levels - 1) + ("DownBlock3D",),
        up_block_types=("UpBlock3D",) + ("CrossAttnUpBlock3D",) * (levels - 1),
        cross_attention_dim=CROSS_ATTENTION_DIM,
        norm_num_groups=8,
        in_channels=in_channels,
        out_channels=in_channels,
        attention_head_dim=8,
        sample_size=sample_size,
    )


def empty_condition(unet: torch.nn.Module, batch: int, n_frames: int) -> torch.Tensor:
    """Return the all-zero text condition for ``batch`` videos, laid out as ``unet`` expects.

    ``UNetMotionModel`` takes it repeated per frame, ``(batch * n_frames, 1, D)``;
    ``UNet3DConditionModel`` repeats it itself and takes ``(batch, 1, D)``.
    """
    parameter = next(unet.parameters())
    rows = batch * n_frames if isinstance(unet, UNetMotionModel) else batch
    return torch.zeros(rows, 1, unet.config.cross_attention_dim, dtype=parameter.dtype, device=parameter.device)


def train_denoiser(
    unet: torch.nn.Module,
    videos: np.ndarray,
    n_iterations: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
    progress: bool = False,
) -> list[float]:
    """Train ``unet`` to predict the noise added to ``videos`` (DDPM, 1000 steps).

    Args:
        unet: the denoiser; trained in place.
        videos: ``(N, C, F, H, W)`` in [-1, 1], from :func:`moving_shapes`.
        n_iterations: optimiser steps (>= 1).
        batch_size: videos per step (>= 1).
        learning_rate: AdamW learning rate (> 0).
        seed: seeds the batch draws, the noise and the timesteps.
        progress: show a progress bar.

    Returns:
        The mean-squared-error loss of every step.
    """
    n_iterations = check_int("n_iterations", n_iterations, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    learning_rate = check_float("learning_rate", learning_rate, low=1e-8)
    parameter = next(unet.parameters())
    device = parameter.device
    scheduler = DDPMScheduler(num_train_timesteps=1000)
    data = torch.from_numpy(videos)
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.AdamW(unet.parameters(), lr=learning_rate)
    condition = empty_condition(unet, batch_size, videos.shape[2])
    losses = []

    unet.train()
    for _ in tqdm(range(n_iterations), disable=not progress, desc="training"):
        index = torch.randint(0, data.shape[0], (batch_size,), generator=generator)
        clean = data[index]
        noise = torch.randn(clean.shape, generator=generator)
        timesteps = torch.randint(0, 1000, (batch_size,), generator=generator)
        noisy = scheduler.add_noise(clean, noise, timesteps)
        predicted = unet(noisy.to(device), timesteps.to(device), condition).sample
        loss = torch.nn.functional.mse_loss(predicted, noise.to(device))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    unet.eval()
    return losses


def sample_videos(
    unet: torch.nn.Module,
    n_videos: int,
    n_frames: int,
    size: int,
    n_steps: int,
    seed: int,
    on_step: Callable[[int, int], None] | None = None,
) -> torch.Tensor:
    """Sample videos with DDIM (eta 0) from a noise drawn with ``seed``.

    Args:
        unet: the trained denoiser.
        n_videos, n_frames, size: the shape of the videos.
        n_steps: DDIM steps; one UNet call each.
        seed: seed of the initial noise (drawn on the CPU, so identical on every device).
        on_step: called with the step index and the timestep before each UNet call.

    Returns:
        Videos ``(n_videos, C, n_frames, size, size)`` on the CPU, clipped to [-1, 1].
    """
    n_steps = check_int("n_steps", n_steps, low=1)
    parameter = next(unet.parameters())
    scheduler = DDIMScheduler(num_train_timesteps=1000, clip_sample=True)
    scheduler.set_timesteps(n_steps)
    generator = torch.Generator().manual_seed(seed)
    channels = unet.config.in_channels
    sample = torch.randn((n_videos, channels, n_frames, size, size), generator=generator).to(parameter.device)
    condition = empty_condition(unet, n_videos, n_frames)

    with torch.no_grad():
        for step, timestep in enumerate(scheduler.timesteps):
            if on_step is not None:
                on_step(step, int(timestep))
            noise = unet(sample, timestep.to(parameter.device), condition).sample
            sample = scheduler.step(noise, timestep, sample).prev_sample
    return sample.clamp(-1.0, 1.0).cpu()
