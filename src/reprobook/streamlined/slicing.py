"""Feature Slicer and Operator Grouping for diffusers' video UNets.

A video UNet works on hidden states of shape ``(B*F, C, H, W)``: batch times frames,
channels, height, width. Its *spatial* operators (resnets, spatial and cross attention,
up- and downsamplers) treat every frame on its own, so they can run on slices of the
``B*F`` axis. Its *temporal* transformers mix the frames at each pixel, so they can run
on slices of a spatial axis (here the height) once their group norm, whose statistics
span frames and pixels, has seen the whole tensor. That is the **Feature Slicer**.

**Operator Grouping** runs each slice through a run of consecutive spatial operators
(for example resnet, then spatial attention) before writing it into the output, so only
one slice's intermediates are alive at a time. Without grouping (``grouping=False``,
the *naive slicing* baseline) every operator is sliced on its own and its full output
is assembled before the next operator starts.

Both are installed with diffusers' hook registry (``diffusers.hooks.HookRegistry``),
which swaps a module's ``forward`` for a new one and restores it on removal, so
diffusers' source is not edited. Supported models: ``UNetMotionModel`` (AnimateDiff) and
``UNet3DConditionModel``. In ``UNet3DConditionModel`` the temporal convolutions
(``TemporalConvLayer``) stay whole, because each of their four group norms spans frames
and pixels.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from diffusers import UNet3DConditionModel, UNetMotionModel
from diffusers.hooks import HookRegistry, ModelHook
from diffusers.models.transformers.transformer_temporal import (
    TransformerTemporalModel,
    TransformerTemporalModelOutput,
)
from diffusers.models.unets import unet_3d_blocks, unet_motion_model

from reprobook.params import check_bool, check_int

HOOK_NAME = "reprobook_streamlined"
SUPPORTED_UNETS = (UNetMotionModel, UNet3DConditionModel)
TEMPORAL_MODULES = (unet_motion_model.AnimateDiffTransformer3D, TransformerTemporalModel)
BLOCK_CLASSES = (
    unet_motion_model.DownBlockMotion,
    unet_motion_model.CrossAttnDownBlockMotion,
    unet_motion_model.UpBlockMotion,
    unet_motion_model.CrossAttnUpBlockMotion,
    unet_motion_model.UNetMidBlockCrossAttnMotion,
    unet_3d_blocks.DownBlock3D,
    unet_3d_blocks.CrossAttnDownBlock3D,
    unet_3d_blocks.UpBlock3D,
    unet_3d_blocks.CrossAttnUpBlock3D,
    unet_3d_blocks.UNetMidBlock3DCrossAttn,
)

SPATIAL, TEMPORAL, RECORD = "spatial", "temporal", "record"


def slice_bounds(length: int, n_slices: int, what: str, parameter: str = "n_slices") -> list[slice]:
    """Split ``range(length)`` into ``n_slices`` equal, consecutive slices.

    Args:
        length: the size of the axis to slice.
        n_slices: the number of slices; must divide ``length``.
        what: names the axis in the error message.
        parameter: names the setting that gave ``n_slices`` in the error message.

    Returns:
        The slices, in order.

    Raises:
        ValueError: if ``n_slices`` exceeds ``length`` or does not divide it.
    """
    if n_slices > length or length % n_slices != 0:
        raise ValueError(
            f"{parameter} must divide the {what} ({length}) and be at most {length}; got {n_slices}"
        )
    size = length // n_slices
    return [slice(start, start + size) for start in range(0, length, size)]


def _divisors(number: int) -> list[int]:
    """Return the positive divisors of ``number``, ascending."""
    return [candidate for candidate in range(1, number + 1) if number % candidate == 0]


def check_slice_counts(
    spatial_slices: int, temporal_slices: int, batch: int, frames_list: list[int], sizes: list[int], n_levels: int
) -> None:
    """Check before any forward pass that the slice counts divide every axis they will slice.

    Args:
        spatial_slices: slices of the batch x frames axis.
        temporal_slices: slices of the feature-map height in temporal layers.
        batch: videos per UNet call.
        frames_list: every number of frames the model will see.
        sizes: every input height (= width), in (latent) pixels.
        n_levels: levels of the UNet; level ``i`` has height ``size // 2**i``.

    Raises:
        ValueError: naming ``spatial_slices`` or ``temporal_slices`` and the counts that
            would work, if a count does not divide one of the lengths.
    """
    lengths = sorted({batch * frames for frames in frames_list})
    common = math.gcd(*lengths)
    if common % spatial_slices != 0:
        raise ValueError(
            f"spatial_slices must divide batch x frames ({', '.join(map(str, lengths))}); "
            f"got {spatial_slices}; choose one of {_divisors(common)}"
        )
    heights = sorted({size // 2**level for size in sizes for level in range(n_levels)})
    common = math.gcd(*heights)
    if common % temporal_slices != 0:
        raise ValueError(
            f"temporal_slices must divide the feature-map height of every level ({', '.join(map(str, heights))}); "
            f"got {temporal_slices}; choose one of {_divisors(common)}"
        )


def _fill_slices(pieces: Callable[[slice], torch.Tensor], bounds: list[slice]) -> torch.Tensor:
    """Concatenate ``pieces(bound)`` along dimension 0 into one preallocated tensor."""
    output = None
    for index, bound in enumerate(bounds):
        piece = pieces(bound)
        if output is None:
            output = piece.new_empty((piece.shape[0] * len(bounds),) + piece.shape[1:])
        size = piece.shape[0]
        output[index * size : (index + 1) * size] = piece
        del piece
    return output


def _run_spatial(operators: list[Callable], hidden: torch.Tensor, n_slices: int, where: str) -> torch.Tensor:
    """Run spatial operators in order on each ``B*F`` slice of ``hidden`` (one group)."""
    bounds = slice_bounds(hidden.shape[0], n_slices, f"batch x frames axis of {where}", "spatial_slices")

    def piece(bound: slice) -> torch.Tensor:
        part = hidden[bound]
        for operator in operators:
            part = operator(part, bound)
        return part

    return _fill_slices(piece, bounds)


def run_plan(plan: list[tuple[str, Callable]], hidden: torch.Tensor, n_slices: int, grouping: bool, where: str):
    """Execute a block's operator plan with sliced spatial operators.

    Args:
        plan: ``(kind, operator)`` pairs: spatial operators take ``(part, bound)`` (a slice
            of the ``B*F`` axis and its bounds), temporal ones the whole tensor, and
            ``record`` entries mark where the block emits a skip connection.
        hidden: the block's input, ``(B*F, C, H, W)``.
        n_slices: slices of the ``B*F`` axis.
        grouping: run consecutive spatial operators per slice (Operator Grouping), or
            each operator on its own (naive slicing).
        where: the block's name, for error messages.

    Returns:
        ``(hidden, records)``: the block's output and the recorded skip tensors.
    """
    records = []
    group: list[Callable] = []
    for kind, operator in plan + [(RECORD, None)]:
        if kind == SPATIAL:
            group.append(operator)
            if grouping:
                continue
        if group:
            hidden = _run_spatial(group, hidden, n_slices, where)
            group = []
        if kind == TEMPORAL:
            hidden = operator(hidden)
        elif kind == RECORD and operator is not None:
            records.append(hidden)
    return hidden, records


def _rows(tensor: torch.Tensor | None, bound: slice) -> torch.Tensor | None:
    """Slice a per-frame tensor (time embedding, text condition) like the hidden states.

    A tensor with a single row is shared by every frame and is returned whole.
    """
    if tensor is None or tensor.dim() < 2 or tensor.shape[0] == 1:
        return tensor
    return tensor[bound]


def _resnet_op(resnet, temb):
    return SPATIAL, lambda part, bound: resnet(part, _rows(temb, bound))


def _attention_op(attention, encoder_hidden_states, cross_attention_kwargs):
    def run(part, bound):
        states = _rows(encoder_hidden_states, bound)
        return attention(part, encoder_hidden_states=states, cross_attention_kwargs=cross_attention_kwargs, return_dict=False)[0]

    return SPATIAL, run


def _concat_op(residual):
    return SPATIAL, lambda part, bound: torch.cat([part, residual[bound]], dim=1)


def _sampler_op(sampler, **kwargs):
    return SPATIAL, lambda part, bound: sampler(part, **kwargs)


def _temporal_op(module, num_frames, cross_attention_kwargs=None):
    if isinstance(module, unet_motion_model.AnimateDiffTransformer3D):
        return TEMPORAL, lambda hidden: module(hidden, num_frames=num_frames)
    if isinstance(module, TransformerTemporalModel):
        return TEMPORAL, lambda hidden: module(
            hidden, num_frames=num_frames, cross_attention_kwargs=cross_attention_kwargs, return_dict=False
        )[0]
    return TEMPORAL, lambda hidden: module(hidden, num_frames=num_frames)


def _block_plan(block, arguments: dict[str, Any]) -> list[tuple[str, Callable]]:
    """List a block's operators in execution order, mirroring its diffusers ``forward``."""
    temb = arguments.get("temb")
    frames = arguments.get("num_frames", 1)
    states = arguments.get("encoder_hidden_states")
    extra = arguments.get("cross_attention_kwargs")
    residuals = list(arguments.get("res_hidden_states_tuple") or ())
    attentions = list(getattr(block, "attentions", None) or [])
    is_motion = hasattr(block, "motion_modules")
    is_mid = isinstance(block, (unet_motion_model.UNetMidBlockCrossAttnMotion, unet_3d_blocks.UNetMidBlock3DCrossAttn))
    is_up = "res_hidden_states_tuple" in arguments

    plan = []
    if is_mid:
        plan.append(_resnet_op(block.resnets[0], temb))
        if not is_motion:
            plan.append(_temporal_op(block.temp_convs[0], frames))
        for index, attention in enumerate(attentions):
            plan.append(_attention_op(attention, states, extra))
            if is_motion:
                plan.append(_temporal_op(block.motion_modules[index], frames))
                plan.append(_resnet_op(block.resnets[index + 1], temb))
            else:
                plan.append(_temporal_op(block.temp_attentions[index], frames, extra))
                plan.append(_resnet_op(block.resnets[index + 1], temb))
                plan.append(_temporal_op(block.temp_convs[index + 1], frames))
        return plan

    for index, resnet in enumerate(block.resnets):
        if is_up:
            plan.append(_concat_op(residuals.pop()))
        plan.append(_resnet_op(resnet, temb))
        if not is_motion:
            plan.append(_temporal_op(block.temp_convs[index], frames))
        if attentions:
            plan.append(_attention_op(attentions[index], states, extra))
        if is_motion:
            plan.append(_temporal_op(block.motion_modules[index], frames))
        elif hasattr(block, "temp_attentions"):
            plan.append(_temporal_op(block.temp_attentions[index], frames, extra))
        if not is_up:
            plan.append((RECORD, True))
    if not is_up and getattr(block, "downsamplers", None) is not None:
        plan.extend(_sampler_op(sampler) for sampler in block.downsamplers)
        plan.append((RECORD, True))
    if is_up and getattr(block, "upsamplers", None) is not None:
        size = arguments.get("upsample_size")
        plan.extend(_sampler_op(sampler, output_size=size) for sampler in block.upsamplers)
    return plan


def _check_block_arguments(block, arguments: dict[str, Any], where: str) -> None:
    for name in ("attention_mask", "encoder_attention_mask", "additional_residuals"):
        if arguments.get(name) is not None:
            raise ValueError(f"{name} is not supported by the streamlined {where}; got a tensor, expected None")
    if all(getattr(block, name, None) for name in ("s1", "s2", "b1", "b2")):
        raise ValueError(f"FreeU is enabled on {where}; disable it (unet.disable_freeu()) before streamlining")


def _sliced_block_forward(where: str, n_slices: int, grouping: bool):
    def forward(block, *args, **kwargs):
        signature = inspect.signature(type(block).forward)
        bound_arguments = signature.bind(block, *args, **kwargs)
        arguments = dict(bound_arguments.arguments)
        arguments.update(arguments.pop("kwargs", {}) or {})
        _check_block_arguments(block, arguments, where)
        plan = _block_plan(block, arguments)
        hidden, records = run_plan(plan, arguments["hidden_states"], n_slices, grouping, where)
        is_down = hasattr(block, "downsamplers") and not isinstance(
            block, (unet_motion_model.UNetMidBlockCrossAttnMotion, unet_3d_blocks.UNetMidBlock3DCrossAttn)
        )
        return (hidden, tuple(records)) if is_down else hidden

    return forward


def _sliced_temporal_forward(where: str, n_slices: int):
    def forward(
        module,
        hidden_states: torch.Tensor,
        encoder_hidden_states: torch.Tensor | None = None,
        timestep=None,
        class_labels=None,
        num_frames: int = 1,
        cross_attention_kwargs: dict[str, Any] | None = None,
        return_dict: bool = True,
    ):
        if encoder_hidden_states is not None:
            raise ValueError(f"encoder_hidden_states is not supported by the sliced temporal layer {where}; got a tensor")
        batch_frames, channels, height, width = hidden_states.shape
        batch = batch_frames // num_frames
        bounds = slice_bounds(height, n_slices, f"height of {where}", "temporal_slices")

        video = hidden_states.reshape(batch, num_frames, channels, height, width).permute(0, 2, 1, 3, 4)
        normed = module.norm(video)
        output = torch.empty_like(hidden_states)
        output_video = output.view(batch, num_frames, channels, height, width)

        for bound in bounds:
            rows = bound.stop - bound.start
            part = normed[:, :, :, bound, :].permute(0, 3, 4, 2, 1).reshape(batch * rows * width, num_frames, channels)
            part = module.proj_in(part)
            for block in module.transformer_blocks:
                part = block(part, timestep=timestep, cross_attention_kwargs=cross_attention_kwargs, class_labels=class_labels)
            part = module.proj_out(part)
            output_video[:, :, :, bound, :] = part.reshape(batch, rows, width, num_frames, channels).permute(0, 3, 4, 1, 2)
            del part

        del normed
        output += hidden_states
        if isinstance(module, unet_motion_model.AnimateDiffTransformer3D):
            return output
        return TransformerTemporalModelOutput(sample=output) if return_dict else (output,)

    return forward


class _ForwardHook(ModelHook):
    """A diffusers hook that replaces a module's forward with ``forward(module, *args, **kwargs)``."""

    def __init__(self, forward: Callable) -> None:
        super().__init__()
        self._forward = forward

    def new_forward(self, module, *args, **kwargs):
        return self._forward(module, *args, **kwargs)


@dataclass
class Streamlining:
    """The hooks that :func:`streamline` installed on one UNet.

    Attributes:
        unet: the streamlined model.
        spatial_slices: slices of the ``B*F`` axis in spatial operator groups.
        temporal_slices: slices of the height axis in temporal transformers.
        grouping: whether consecutive spatial operators run per slice.
        modules: qualified names of the hooked modules.
    """

    unet: torch.nn.Module
    spatial_slices: int
    temporal_slices: int
    grouping: bool
    modules: list[str] = field(default_factory=list)

    def remove(self) -> None:
        """Remove every hook and restore the original forwards."""
        remove_streamlining(self.unet)


def is_streamlined(unet: torch.nn.Module) -> bool:
    """Return whether any submodule of ``unet`` carries the streamlining hook."""
    return any(
        hasattr(module, "_diffusers_hook") and module._diffusers_hook.get_hook(HOOK_NAME) is not None
        for module in unet.modules()
    )


def streamline(
    unet: torch.nn.Module, spatial_slices: int = 4, temporal_slices: int = 4, grouping: bool = True
) -> Streamlining:
    """Install Feature Slicer and Operator Grouping on a diffusers video UNet.

    Args:
        unet: a ``UNetMotionModel`` or ``UNet3DConditionModel``.
        spatial_slices: slices of the ``B*F`` axis; must divide ``batch * frames`` at run time.
        temporal_slices: slices of the height axis in temporal transformers; must divide the
            height of every level's feature map at run time. The input sizes are unknown
            here, so call :func:`check_slice_counts` first to fail before the first forward.
        grouping: True for Operator Grouping, False for naive slicing (each operator alone).

    Returns:
        A handle whose ``remove()`` restores the model.

    Raises:
        ValueError: for an unsupported model, slice counts below 1, or a model that is
            already streamlined.
    """
    if not isinstance(unet, SUPPORTED_UNETS):
        names = ", ".join(model.__name__ for model in SUPPORTED_UNETS)
        raise ValueError(f"unet must be one of {names}; got {type(unet).__name__}")
    spatial_slices = check_int("spatial_slices", spatial_slices, low=1)
    temporal_slices = check_int("temporal_slices", temporal_slices, low=1)
    grouping = check_bool("grouping", grouping)
    if is_streamlined(unet):
        raise ValueError("unet is already streamlined; call remove_streamlining(unet) first")

    handle = Streamlining(unet, spatial_slices, temporal_slices, grouping)
    for name, module in unet.named_modules():
        if isinstance(module, BLOCK_CLASSES):
            forward = _sliced_block_forward(name, spatial_slices, grouping)
        elif isinstance(module, TEMPORAL_MODULES):
            forward = _sliced_temporal_forward(name, temporal_slices)
        else:
            continue
        HookRegistry.check_if_exists_or_initialize(module).register_hook(_ForwardHook(forward), HOOK_NAME)
        handle.modules.append(name)
    return handle


def remove_streamlining(unet: torch.nn.Module) -> None:
    """Remove the hooks that :func:`streamline` installed (a no-op if there are none)."""
    for module in unet.modules():
        registry = getattr(module, "_diffusers_hook", None)
        if registry is not None and registry.get_hook(HOOK_NAME) is not None:
            registry.remove_hook(HOOK_NAME, recurse=False)
