"""Peak-memory and latency meters for one call of a model.

The *peak memory* of a call is the largest number of bytes held, at any moment during
the call, by tensors that the call itself allocated. Weights and inputs that existed
before the call are not counted, as with ``torch.cuda.max_memory_allocated`` minus the
memory allocated before the call. On CUDA the allocator's own peak counter gives it. On the CPU
the meter follows every tensor storage that an operator returns (through a
``TorchDispatchMode``) and sums the storages still alive after each operator; that count
is deterministic, unlike the process's resident memory. It misses scratch buffers that a
kernel allocates and frees inside one operator, so it is a lower bound of what the
allocator sees.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch.multiprocessing.reductions import StorageWeakRef
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

from reprobook.params import check_int


class _StorageTracker(TorchDispatchMode):
    """Track the storages returned by every operator and the peak of their total size."""

    def __init__(self) -> None:
        super().__init__()
        self.live: dict[int, tuple[StorageWeakRef, int]] = {}
        self.current = 0
        self.peak = 0

    def _sweep(self) -> None:
        expired = [key for key, (ref, _) in self.live.items() if ref.expired()]
        for key in expired:
            self.current -= self.live.pop(key)[1]

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        output = func(*args, **(kwargs or {}))
        self._sweep()
        for leaf in tree_leaves(output):
            if not isinstance(leaf, torch.Tensor) or leaf.device.type != "cpu":
                continue
            storage = leaf.untyped_storage()
            key = storage.data_ptr()
            if key == 0 or key in self.live:
                continue
            self.live[key] = (StorageWeakRef(storage), storage.nbytes())
            self.current += storage.nbytes()
        self.peak = max(self.peak, self.current)
        return output


def peak_memory(function: Callable[[], Any], device: torch.device | str = "cpu") -> tuple[int, Any]:
    """Run ``function()`` once and measure the peak memory its new tensors held.

    Args:
        function: a callable without arguments, for example a closure over a model call.
        device: where the computation runs; ``"cpu"`` counts live tensor storage,
            a CUDA device reads the caching allocator's peak.

    Returns:
        ``(peak_bytes, result)``: the peak in bytes above what was allocated before the
        call, and what ``function`` returned.
    """
    device = torch.device(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        result = function()
        torch.cuda.synchronize(device)
        return torch.cuda.max_memory_allocated(device) - before, result
    if device.type != "cpu":
        raise ValueError(f"device must be a CPU or CUDA device; got {device}")
    tracker = _StorageTracker()
    with tracker:
        result = function()
    return tracker.peak, result


@dataclass(frozen=True)
class Latency:
    """Wall-clock times of repeated calls, in seconds.

    Attributes:
        median: the median of the timed calls.
        best: the fastest timed call.
        times: every timed call, in order.
    """

    median: float
    best: float
    times: tuple[float, ...]


def latency(
    function: Callable[[], Any], device: torch.device | str = "cpu", repeats: int = 3, warmup: int = 1
) -> Latency:
    """Time ``repeats`` calls of ``function()`` after ``warmup`` untimed ones.

    Args:
        function: a callable without arguments.
        device: where the computation runs; CUDA work is synchronised before each clock read.
        repeats: timed calls (>= 1).
        warmup: untimed calls first (>= 0), to fill caches and pick kernels.

    Returns:
        The median, the best and every timed call, in seconds.
    """
    repeats = check_int("repeats", repeats, low=1)
    warmup = check_int("warmup", warmup, low=0)
    device = torch.device(device)

    def synchronise() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        synchronise()
        start = time.perf_counter()
        function()
        synchronise()
        times.append(time.perf_counter() - start)
    return Latency(median=statistics.median(times), best=min(times), times=tuple(times))
