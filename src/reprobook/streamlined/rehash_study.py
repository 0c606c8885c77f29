"""Speed-up against fidelity for Step Rehash and for diffusers' pyramid attention broadcast.

Every cached method samples the same videos from the same noise as the full computation;
fidelity is the PSNR and SSIM of its frames against the full computation's, and speed-up
is the full computation's sampling time divided by the method's, each the fastest of
``repeats`` runs, since on a shared machine the slower runs measure other load.

Pyramid attention broadcast (PAB, diffusers' ``apply_pyramid_attention_broadcast``)
reuses the output of every attention layer for ``skip_range - 1`` of each ``skip_range``
calls while the timestep lies in its window; it is the diffusers cache hook that applies
to ``UNetMotionModel`` (first-block cache and FasterCache expect transformer models).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from diffusers.hooks import PyramidAttentionBroadcastConfig, apply_pyramid_attention_broadcast

from reprobook.params import check_int
from reprobook.streamlined.memory import latency
from reprobook.streamlined.quality import video_psnr, video_ssim
from reprobook.streamlined.rehash import StepRehash, calibrate, reused_feature_module, search_key_steps
from reprobook.streamlined.video import sample_videos

PAB_HOOK_NAME = "pyramid_attention_broadcast"


@contextmanager
def pyramid_attention_broadcast(
    unet: torch.nn.Module, skip_range: int, timestep_range: tuple[int, int] = (100, 800)
) -> Iterator[dict[str, int]]:
    """Install diffusers' pyramid attention broadcast on every attention layer of ``unet``.

    Yields a dict whose ``"timestep"`` entry the sampling loop must update before each
    UNet call (PAB reads the current timestep from it). The hooks are removed on exit.

    Args:
        unet: the denoiser.
        skip_range: compute attention once every ``skip_range`` calls (>= 2).
        timestep_range: timesteps (of 1000) inside which attention outputs are reused.
    """
    skip_range = check_int("skip_range", skip_range, low=2)
    current = {"timestep": 999}
    config = PyramidAttentionBroadcastConfig(
        spatial_attention_block_skip_range=skip_range,
        spatial_attention_timestep_skip_range=timestep_range,
        spatial_attention_block_identifiers=("transformer_blocks",),
        current_timestep_callback=lambda: current["timestep"],
    )
    apply_pyramid_attention_broadcast(unet, config)
    try:
        yield current
    finally:
        for module in unet.modules():
            registry = getattr(module, "_diffusers_hook", None)
            if registry is not None and registry.get_hook(PAB_HOOK_NAME) is not None:
                registry.remove_hook(PAB_HOOK_NAME, recurse=False)


@dataclass(frozen=True)
class CacheResult:
    """One cached sampling method against the full computation.

    Attributes:
        method: ``"step_rehash"`` or ``"pab"``.
        setting: the thresholds that chose the key steps, joined by "/" (Step Rehash), or
            the skip range (PAB), as text.
        key_steps: the steps computed in full (Step Rehash), else empty.
        seconds: fastest of the timed sampling runs (the least disturbed by other load).
        speedup: full sampling time divided by ``seconds``.
        psnr: PSNR of the frames against the full computation, dB.
        ssim: mean SSIM against the full computation.
    """

    method: str
    setting: str
    key_steps: tuple[int, ...]
    seconds: float
    speedup: float
    psnr: float
    ssim: float


def distinct_key_steps(
    features: list[torch.Tensor], thresholds: list[float], metric: str = "cosine"
) -> list[tuple[list[int], str]]:
    """Search key steps at every threshold and keep each distinct key-step set once.

    Thresholds that select the same key steps describe the same computation, so timing
    them separately would only measure noise.

    Args:
        features: the reused feature at every sampling step, as recorded by ``calibrate``.
        thresholds: similarity thresholds, in the order to try.
        metric: ``"cosine"`` or ``"relative_l1"``.

    Returns:
        ``(key_steps, setting)`` per distinct set, in order of first appearance; ``setting``
        lists the thresholds that chose it, for example ``"0.99/0.98/0.95"``.
    """
    groups: dict[tuple[int, ...], list[str]] = {}
    for threshold in thresholds:
        key_steps = tuple(search_key_steps(features, threshold, metric))
        groups.setdefault(key_steps, []).append(f"{threshold:g}")
    return [(list(key_steps), "/".join(names)) for key_steps, names in groups.items()]


def compare_caches(
    unet: torch.nn.Module,
    n_videos: int,
    n_frames: int,
    size: int,
    n_steps: int,
    thresholds: list[float],
    pab_skip_ranges: list[int],
    seed: int,
    metric: str = "cosine",
    repeats: int = 1,
) -> tuple[list[CacheResult], dict[str, list[torch.Tensor]], torch.Tensor]:
    """Calibrate, then run Step Rehash once per distinct key-step set and PAB at each skip range.

    Returns:
        ``(results, records, reference)``: one :class:`CacheResult` per setting, the
        calibration records of every block, and the fully computed videos.
    """
    def full() -> torch.Tensor:
        return sample_videos(unet, n_videos, n_frames, size, n_steps, seed)

    device = next(unet.parameters()).device
    reference = full()
    full_seconds = latency(full, device, repeats=repeats, warmup=0).best
    records = calibrate(unet, full)
    features = records[reused_feature_module(unet)]
    results = []

    for key_steps, setting in distinct_key_steps(features, thresholds, metric):
        outputs = []

        def cached() -> None:
            with StepRehash(unet, key_steps, n_steps):
                outputs.append(full())

        seconds = latency(cached, device, repeats=repeats, warmup=0).best
        results.append(_result("step_rehash", setting, key_steps, seconds, full_seconds, outputs[-1], reference))

    for skip_range in pab_skip_ranges:
        outputs = []

        def broadcast() -> None:
            with pyramid_attention_broadcast(unet, skip_range) as current:
                def on_step(step: int, timestep: int) -> None:
                    current["timestep"] = timestep

                outputs.append(sample_videos(unet, n_videos, n_frames, size, n_steps, seed, on_step=on_step))

        seconds = latency(broadcast, device, repeats=repeats, warmup=0).best
        results.append(_result("pab", str(skip_range), [], seconds, full_seconds, outputs[-1], reference))
    return results, records, reference


def _result(method, setting, key_steps, seconds, full_seconds, output, reference) -> CacheResult:
    return CacheResult(
        method, setting, tuple(key_steps), seconds, full_seconds / seconds, video_psnr(output, reference), video_ssim(output, reference)
    )
