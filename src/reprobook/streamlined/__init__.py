"""Streamlined Inference for video diffusion: Feature Slicer, Operator Grouping and Step Rehash.

The chapter reproduces "Fast and Memory-Efficient Video Diffusion Using Streamlined
Inference" (NeurIPS 2024) on diffusers' video UNets. ``streamline(unet)`` installs the
slicing and grouping hooks and returns a handle whose ``remove()`` undoes them;
``StepRehash`` caches deep features between denoising steps.
"""

from reprobook.streamlined.memory import Latency, latency, peak_memory
from reprobook.streamlined.rehash import (
    StepRehash,
    adjacent_similarity,
    calibrate,
    check_key_steps,
    search_key_steps,
    similarity,
    uniform_key_steps,
)
from reprobook.streamlined.slicing import (
    Streamlining,
    check_slice_counts,
    is_streamlined,
    remove_streamlining,
    streamline,
)

__all__ = [
    "Latency",
    "StepRehash",
    "Streamlining",
    "adjacent_similarity",
    "calibrate",
    "check_key_steps",
    "check_slice_counts",
    "is_streamlined",
    "latency",
    "peak_memory",
    "remove_streamlining",
    "search_key_steps",
    "similarity",
    "streamline",
    "uniform_key_steps",
]
