"""Peak memory, latency and exactness of one UNet call under each memory-saving method.

Methods (``METHODS``):

- ``original``: the unmodified model;
- ``forward_chunking``: diffusers' ``enable_forward_chunking`` (feed-forward layers of
  the transformers run on chunks of four tokens along the sequence axis);
- ``split_inference``: diffusers' FreeNoise split inference (``SplitInferenceModule``
  around every resnet, attention, sampler and motion-module transformer), applied to a
  copy because it replaces submodules; only for ``UNetMotionModel``;
- ``naive_slicing``: our Feature Slicer without Operator Grouping;
- ``streamlined``: Feature Slicer with Operator Grouping.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from diffusers import UNetMotionModel
from diffusers.pipelines.free_noise_utils import AnimateDiffFreeNoiseMixin

from reprobook.params import check_choice, check_int
from reprobook.streamlined.memory import latency, peak_memory
from reprobook.streamlined.slicing import streamline
from reprobook.streamlined.video import empty_condition

FORWARD_CHUNK = 4
METHODS = ("original", "forward_chunking", "split_inference", "naive_slicing", "streamlined")


class _SplitInferenceHost(AnimateDiffFreeNoiseMixin):
    """Carries a UNet so that diffusers' pipeline mixin can install split inference on it."""

    def __init__(self, unet: torch.nn.Module) -> None:
        self.unet = unet


@contextmanager
def applied(
    unet: torch.nn.Module, method: str, spatial_slices: int, temporal_slices: int, split_sizes: tuple[int, int] = (1, 1)
) -> Iterator[torch.nn.Module]:
    """Yield ``unet`` prepared with ``method``, and undo the change on exit.

    Args:
        unet: a ``UNetMotionModel`` or ``UNet3DConditionModel``.
        method: a name in :data:`METHODS`.
        spatial_slices: slices of the batch x frames axis in spatial operators.
        temporal_slices: slices of the height in temporal transformers.
        split_sizes: for ``split_inference`` only: rows per split of the batch x frames
            axis and of the batch x height x width axis (diffusers takes sizes, not counts).
    """
    method = check_choice("method", method, METHODS)
    if method == "original":
        yield unet
    elif method == "forward_chunking":
        unet.enable_forward_chunking(chunk_size=FORWARD_CHUNK, dim=1)
        try:
            yield unet
        finally:
            unet.disable_forward_chunking()
    elif method == "split_inference":
        if not isinstance(unet, UNetMotionModel):
            raise ValueError(f"method 'split_inference' needs a UNetMotionModel; got {type(unet).__name__}")
        host = _SplitInferenceHost(copy.deepcopy(unet))
        frames_split, pixels_split = split_sizes
        host.enable_free_noise_split_inference(spatial_split_size=pixels_split, temporal_split_size=frames_split)
        yield host.unet
    else:
        handle = streamline(unet, spatial_slices, temporal_slices, grouping=method == "streamlined")
        try:
            yield unet
        finally:
            handle.remove()


@dataclass(frozen=True)
class Measurement:
    """One method at one input size.

    Attributes:
        method: a name in :data:`METHODS`.
        n_frames: frames per video.
        size: height and width of the input, in pixels (latent pixels for a latent UNet).
        peak_bytes: peak memory of the call above the memory held before it.
        seconds: fastest of the timed calls (the least disturbed by other load).
        max_abs_difference: largest absolute difference to the original model's output.
        identical: whether the output equals the original's bit for bit.
    """

    method: str
    n_frames: int
    size: int
    peak_bytes: int
    seconds: float
    max_abs_difference: float
    identical: bool


def unet_inputs(unet: torch.nn.Module, batch: int, n_frames: int, size: int, seed: int) -> tuple:
    """Draw a noisy input ``(batch, C, n_frames, size, size)``, a timestep and an empty condition."""
    parameter = next(unet.parameters())
    generator = torch.Generator().manual_seed(seed)
    sample = torch.randn((batch, unet.config.in_channels, n_frames, size, size), generator=generator)
    timestep = torch.tensor([500])
    return sample.to(parameter.device), timestep.to(parameter.device), empty_condition(unet, batch, n_frames)


def measure(
    unet: torch.nn.Module,
    methods: list[str],
    n_frames: int,
    size: int,
    spatial_slices: int,
    temporal_slices: int,
    device: torch.device | str = "cpu",
    repeats: int = 1,
    seed: int = 0,
) -> list[Measurement]:
    """Measure every method on one input of ``n_frames`` frames of ``size`` x ``size``.

    Returns:
        One :class:`Measurement` per method, in the order given.
    """
    n_frames = check_int("n_frames", n_frames, low=1)
    size = check_int("size", size, low=8)
    inputs = unet_inputs(unet, 1, n_frames, size, seed)
    split_sizes = (max(1, n_frames // spatial_slices), max(1, size * size // temporal_slices))
    results = []
    with torch.no_grad():
        reference = unet(*inputs).sample
        for method in methods:
            with applied(unet, method, spatial_slices, temporal_slices, split_sizes) as model:
                peak, output = peak_memory(lambda: model(*inputs).sample, device)
                timing = latency(lambda: model(*inputs), device, repeats=repeats, warmup=0)
            difference = (output - reference).abs().max().item()
            results.append(
                Measurement(method, n_frames, size, peak, timing.best, difference, torch.equal(output, reference))
            )
    return results


def sweep(
    unet: torch.nn.Module,
    methods: list[str],
    frames_list: list[int],
    sizes: list[int],
    spatial_slices: int,
    temporal_slices: int,
    device: torch.device | str = "cpu",
    repeats: int = 1,
    seed: int = 0,
):
    """Measure every method at every (frames, size) pair.

    Returns:
        A ``pandas.DataFrame`` with one row per measurement (the fields of
        :class:`Measurement`) plus ``memory_ratio`` and ``speedup``: the original's peak
        memory and latency divided by the method's at the same size.
    """
    import pandas as pd

    rows = []
    for n_frames in frames_list:
        for size in sizes:
            rows += [vars(m) for m in measure(unet, methods, n_frames, size, spatial_slices, temporal_slices, device, repeats, seed)]
    frame = pd.DataFrame(rows)
    original = frame[frame.method == "original"].set_index(["n_frames", "size"])
    keys = list(zip(frame.n_frames, frame["size"]))
    frame["memory_ratio"] = [original.loc[key, "peak_bytes"] for key in keys] / frame.peak_bytes
    frame["speedup"] = [original.loc[key, "seconds"] for key in keys] / frame.seconds
    return frame
