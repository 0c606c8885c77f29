"""Devices and seeding for the torch chapters.

Notebooks take a ``device`` parameter: ``"auto"`` picks the first CUDA device when one is
present, else the CPU; ``"cpu"``, ``"cuda"``, ``"cuda:N"`` and ``"mps"`` name one. Code
never assumes a single device: tensors follow the module they feed.
"""

from __future__ import annotations

import random
import re

import numpy as np

_DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


def resolve_device(device: str = "auto"):
    """Turn a device name into a ``torch.device``.

    Raises:
        ValueError: if the name is not one of auto, cpu, mps, cuda, cuda:N, or names a
            device that this machine does not have.
    """
    import torch

    if not isinstance(device, str) or not _DEVICE_PATTERN.match(device):
        raise ValueError(f"device must be 'auto', 'cpu', 'mps', 'cuda' or 'cuda:N'; got {device!r}")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda"):
        count = torch.cuda.device_count()
        index = int(device.split(":")[1]) if ":" in device else 0
        if index >= count:
            raise ValueError(f"device {device!r} is not available: this machine has {count} CUDA device(s)")
    if device == "mps" and not torch.backends.mps.is_available():
        raise ValueError("device 'mps' is not available on this machine")
    return torch.device(device)


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's global generators (all devices) with ``seed``.

    Prefer explicit generators in library code; this is for notebooks and scripts whose
    libraries draw from the global ones (weight initialisation, dropout).
    """
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
