"""Step Rehash: reuse the deep features of a video UNet between similar denoising steps.

Between adjacent denoising steps the outputs of a UNet's deep blocks change little. Step
Rehash computes the whole network only on *key steps*. On the other steps it runs the
outermost down and up blocks (whose skip connection carries the fresh detail) and reuses
the deep blocks' outputs cached at the last key step, as DeepCache does for image UNets.

The key steps come from a calibration run with full computation:

1. :func:`calibrate` records the output of chosen blocks at every step;
2. :func:`adjacent_similarity` turns the records into a (blocks x steps-1) similarity map;
3. :func:`search_key_steps` walks the steps and opens a new key step wherever the reused
   feature's similarity to the last key step's falls below a threshold (or a maximum gap
   is reached).

Similarity metrics (``metric``): ``"cosine"``, the cosine of the angle between the two
flattened features, averaged over samples; ``"relative_l1"``, one minus the mean absolute
difference divided by the mean absolute value of the earlier feature. Both are 1 for
identical features.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
from diffusers.hooks import HookRegistry, ModelHook

from reprobook.params import check_choice, check_float, check_int

METRICS = ("cosine", "relative_l1")
HOOK_NAME = "reprobook_step_rehash"


def similarity(earlier: torch.Tensor, later: torch.Tensor, metric: str = "cosine") -> float:
    """Return the similarity of two features of the same shape (1 means identical).

    Args:
        earlier: a feature ``(N, ...)`` from an earlier step; ``N`` is the sample axis.
        later: the same feature at a later step, same shape.
        metric: ``"cosine"`` or ``"relative_l1"`` (see the module docstring).
    """
    metric = check_choice("metric", metric, METRICS)
    if earlier.shape != later.shape:
        raise ValueError(f"features must have the same shape; got {tuple(earlier.shape)} and {tuple(later.shape)}")
    a = earlier.detach().double().reshape(earlier.shape[0], -1)
    b = later.detach().double().reshape(later.shape[0], -1)
    if metric == "cosine":
        return float(torch.nn.functional.cosine_similarity(a, b, dim=1).mean())
    return float(1.0 - (a - b).abs().mean() / a.abs().mean().clamp_min(1e-12))


def deep_modules(unet: torch.nn.Module) -> list[str]:
    """Name the modules that Step Rehash skips on non-key steps.

    These are every down block but the first, the mid block and every up block but the
    last: all the network below its outermost level.
    """
    for name in ("down_blocks", "up_blocks", "mid_block"):
        if not hasattr(unet, name):
            raise ValueError(f"unet must have down_blocks, mid_block and up_blocks; {type(unet).__name__} lacks {name}")
    if len(unet.down_blocks) < 2:
        raise ValueError(f"unet must have at least two levels for Step Rehash; got {len(unet.down_blocks)}")
    names = [f"down_blocks.{index}" for index in range(1, len(unet.down_blocks))]
    names.append("mid_block")
    names += [f"up_blocks.{index}" for index in range(len(unet.up_blocks) - 1)]
    return names


def reused_feature_module(unet: torch.nn.Module) -> str:
    """Name the block whose cached output the outermost up block consumes on non-key steps."""
    return f"up_blocks.{len(unet.up_blocks) - 2}"


def block_names(unet: torch.nn.Module) -> list[str]:
    """Name every down, mid and up block of a UNet, from input to output."""
    names = [f"down_blocks.{index}" for index in range(len(unet.down_blocks))]
    return names + ["mid_block"] + [f"up_blocks.{index}" for index in range(len(unet.up_blocks))]


def calibrate(
    unet: torch.nn.Module, run: Callable[[], object], names: Iterable[str] | None = None
) -> dict[str, list[torch.Tensor]]:
    """Record the output of chosen blocks at every call of ``unet`` during ``run()``.

    Args:
        unet: the denoiser.
        run: a callable that samples with full computation (one UNet call per step).
        names: qualified module names; every down, mid and up block by default.

    Returns:
        For each name, its output (first element when a block returns a tuple) at each
        step, as CPU tensors, in step order.
    """
    names = list(names) if names is not None else block_names(unet)
    modules = dict(unet.named_modules())
    records: dict[str, list[torch.Tensor]] = {name: [] for name in names}
    handles = []
    for name in names:
        if name not in modules:
            raise ValueError(f"names must name submodules of the unet; got {name!r}")

        def keep(module, inputs, output, name=name):
            tensor = output[0] if isinstance(output, tuple) else output
            records[name].append(tensor.detach().to("cpu", copy=True))

        handles.append(modules[name].register_forward_hook(keep))
    try:
        run()
    finally:
        for handle in handles:
            handle.remove()
    return records


def adjacent_similarity(records: dict[str, list[torch.Tensor]], metric: str = "cosine") -> torch.Tensor:
    """Return the similarity of each block's output between steps ``t`` and ``t+1``.

    Returns:
        A float64 tensor ``(n_blocks, n_steps - 1)`` in the order of ``records``.
    """
    rows = []
    for features in records.values():
        rows.append([similarity(features[step], features[step + 1], metric) for step in range(len(features) - 1)])
    return torch.tensor(rows, dtype=torch.float64)


def search_key_steps(
    features: list[torch.Tensor], threshold: float, metric: str = "cosine", max_gap: int | None = None
) -> list[int]:
    """Choose key steps greedily from the reused feature's values at every step.

    Step 0 is always a key step. Step ``t`` becomes one when the feature's similarity to
    its value at the last key step is below ``threshold``, or when ``t`` is ``max_gap``
    steps after it.

    Args:
        features: the reused feature at each step, from :func:`calibrate`.
        threshold: the lowest similarity at which a cached feature is reused, in [0, 1].
        metric: a name in :data:`METRICS`.
        max_gap: the largest distance between key steps (>= 1); unbounded if None.

    Returns:
        The key steps, ascending.
    """
    threshold = check_float("threshold", threshold, low=-1.0, high=1.0)
    if max_gap is not None:
        max_gap = check_int("max_gap", max_gap, low=1)
    if not features:
        raise ValueError("features must hold at least one step; got none")
    keys = [0]
    for step in range(1, len(features)):
        too_far = max_gap is not None and step - keys[-1] >= max_gap
        if too_far or similarity(features[keys[-1]], features[step], metric) < threshold:
            keys.append(step)
    return keys


def uniform_key_steps(n_steps: int, interval: int) -> list[int]:
    """Return every ``interval``-th step of ``n_steps`` as key steps (DeepCache's schedule)."""
    n_steps = check_int("n_steps", n_steps, low=1)
    interval = check_int("interval", interval, low=1)
    return list(range(0, n_steps, interval))


def check_key_steps(key_steps: Iterable[int], n_steps: int) -> list[int]:
    """Validate a key-step schedule and return it sorted.

    Raises:
        ValueError: if a step lies outside ``[0, n_steps)``, repeats, or step 0 is missing
            (the first step has no cache to reuse).
    """
    n_steps = check_int("n_steps", n_steps, low=1)
    steps = [check_int("key_steps[i]", step) for step in key_steps]
    outside = [step for step in steps if not 0 <= step < n_steps]
    if outside:
        raise ValueError(f"key_steps must lie in [0, {n_steps - 1}]; got {outside}")
    if len(set(steps)) != len(steps):
        raise ValueError(f"key_steps must not repeat; got {steps}")
    if 0 not in steps:
        raise ValueError(f"key_steps must include step 0, which has no cache to reuse; got {sorted(steps)}")
    return sorted(steps)


@dataclass
class _RehashState:
    key_steps: set[int]
    step: int = 0
    is_key: bool = True
    skipped_calls: int = 0


class _StepCounterHook(ModelHook):
    def __init__(self, state: _RehashState) -> None:
        super().__init__()
        self.state = state

    def pre_forward(self, module, *args, **kwargs):
        self.state.is_key = self.state.step in self.state.key_steps
        return args, kwargs

    def post_forward(self, module, output):
        self.state.step += 1
        return output


class _CachedBlockHook(ModelHook):
    def __init__(self, state: _RehashState) -> None:
        super().__init__()
        self.state = state
        self.cached = None

    def new_forward(self, module, *args, **kwargs):
        if self.state.is_key or self.cached is None:
            self.cached = self.fn_ref.original_forward(*args, **kwargs)
        else:
            self.state.skipped_calls += 1
        return self.cached


class StepRehash:
    """Cached execution of a UNet for one sampling run with a fixed key-step schedule.

    Use as a context manager around one sampling loop of ``n_steps`` UNet calls; the
    hooks are removed on exit.

    Args:
        unet: a UNet with down_blocks, mid_block and up_blocks (two levels or more).
        key_steps: the steps computed in full; validated with :func:`check_key_steps`.
        n_steps: the number of UNet calls in the sampling loop.
    """

    def __init__(self, unet: torch.nn.Module, key_steps: Iterable[int], n_steps: int) -> None:
        self.unet = unet
        self.n_steps = check_int("n_steps", n_steps, low=1)
        self.key_steps = check_key_steps(key_steps, self.n_steps)
        self.state = _RehashState(set(self.key_steps))
        self._modules = deep_modules(unet)

    def __enter__(self) -> StepRehash:
        self.state.step = 0
        HookRegistry.check_if_exists_or_initialize(self.unet).register_hook(_StepCounterHook(self.state), HOOK_NAME)
        modules = dict(self.unet.named_modules())
        for name in self._modules:
            HookRegistry.check_if_exists_or_initialize(modules[name]).register_hook(_CachedBlockHook(self.state), HOOK_NAME)
        return self

    def __exit__(self, *exc) -> None:
        for module in self.unet.modules():
            registry = getattr(module, "_diffusers_hook", None)
            if registry is not None and registry.get_hook(HOOK_NAME) is not None:
                registry.remove_hook(HOOK_NAME, recurse=False)
        if exc[0] is None and self.state.step != self.n_steps:
            raise ValueError(f"the sampling loop called the unet {self.state.step} times; n_steps was {self.n_steps}")
