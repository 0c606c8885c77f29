"""Kronecker-factored Gauss-Newton curvature (K-FAC and EK-FAC) and the exact GGN product.

For a model with outputs ``f(x; theta)`` (logits) and a loss whose Hessian in output space
is ``H`` (``diag(p) - p p^T`` for softmax cross-entropy), the generalised Gauss-Newton
matrix averaged over the ``N`` loss positions is ``G = (1/N) sum_n J_n^T H_n J_n``. For
softmax cross-entropy it equals the Fisher information, and ``1/2 d^T G d`` is the mean
KL divergence between the outputs before and after a small weight change ``d``.

K-FAC approximates the block of ``G`` that belongs to one linear layer ``y = W x`` by the
Kronecker product ``A (x) B``, which is ``kron(B, A)`` in the row-major order of
``W.flatten()``. Here ``A = mean x x^T`` is taken over the loss positions of the layer
inputs, and ``B = mean g g^T`` over the gradients at the layer outputs. These gradients
are back-propagated from pseudo-errors ``e`` with ``E[e e^T] = H``: labels sampled from
the model, or the exact square root of ``H``. Sequence positions count as separate examples ("expand") and
positions whose label is masked (prompt, padding) are left out. EK-FAC keeps K-FAC's
eigenbasis ``Q_B (x) Q_A`` but re-fits one eigenvalue per coordinate from per-sequence
gradients. Inverse-vector products go through the eigendecompositions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from tqdm import tqdm

from reprobook.kfade.models import IGNORE_INDEX, to_device
from reprobook.params import check_choice, check_float, check_int

logger = logging.getLogger(__name__)

KINDS = ("kfac", "ekfac")
FISHER_TYPES = ("mc", "exact")
LIKELIHOODS = ("categorical", "gaussian")
DAMPING_MODES = ("relative", "absolute")

OutputsFn = Callable[[nn.Module, dict], tuple[torch.Tensor, torch.Tensor]]


def lm_outputs(model: nn.Module, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the logits ``[B, T, V]`` of a causal LM and the mask ``[B, T]`` of loss positions.

    Position ``t`` predicts token ``t + 1``, so it is a loss position when ``labels[:, t + 1]``
    is not ignored.
    """
    device = model.get_input_embeddings().weight.device
    batch = to_device(batch, device)
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    labels = batch["labels"].to(logits.device)
    valid = torch.zeros_like(labels, dtype=torch.bool)
    valid[:, :-1] = labels[:, 1:] != IGNORE_INDEX
    return logits, valid


def regression_outputs(model: nn.Module, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the outputs ``[B, 1, C]`` of a model on ``batch["x"]`` and an all-true mask."""
    x = batch["x"].to(next(model.parameters()).device)
    outputs = model(x).unsqueeze(1)
    return outputs, torch.ones(outputs.shape[:2], dtype=torch.bool, device=outputs.device)


def linear_layers(model: nn.Module, exclude: tuple[str, ...] = ()) -> dict[str, nn.Module]:
    """Return the layers K-FAC covers: every ``nn.Linear`` and GPT-2 ``Conv1D`` by module name.

    Layers whose weight is tied to the input embedding are skipped (their gradient mixes
    in the embedding's), and so are those whose name contains one of ``exclude``.

    Raises:
        ValueError: if the model has no such layer.
    """
    from transformers.pytorch_utils import Conv1D

    embedding = model.get_input_embeddings() if hasattr(model, "get_input_embeddings") else None
    tied = embedding.weight if embedding is not None else None
    layers = {}
    for name, module in model.named_modules():
        if not isinstance(module, (nn.Linear, Conv1D)):
            continue
        if tied is not None and module.weight is tied:
            continue
        if any(part in name for part in exclude):
            continue
        layers[name] = module
    if not layers:
        raise ValueError("the model must contain at least one nn.Linear (or Conv1D) layer; found none")
    return layers


def is_transposed(module: nn.Module) -> bool:
    """Tell whether a layer stores its weight as ``[in, out]`` (GPT-2's ``Conv1D``)."""
    return not isinstance(module, nn.Linear)


@dataclass
class LayerCurvature:
    """The Kronecker factors of one layer and their eigendecompositions.

    Attributes:
        param_name: name of the layer's weight in ``model.named_parameters()``.
        transposed: the weight is stored ``[in, out]``; vectors are handled ``[out, in]``.
        a_factor: ``[in, in]`` covariance of the layer inputs.
        b_factor: ``[out, out]`` covariance of the output gradients.
        a_eigenvalues, a_eigenvectors: eigendecomposition of ``a_factor``.
        b_eigenvalues, b_eigenvectors: eigendecomposition of ``b_factor``.
        corrected_eigenvalues: ``[out, in]`` EK-FAC eigenvalues, or ``None`` for K-FAC.
    """

    param_name: str
    transposed: bool
    a_factor: torch.Tensor
    b_factor: torch.Tensor
    a_eigenvalues: torch.Tensor
    a_eigenvectors: torch.Tensor
    b_eigenvalues: torch.Tensor
    b_eigenvectors: torch.Tensor
    corrected_eigenvalues: torch.Tensor | None = None

    def eigenvalues(self) -> torch.Tensor:
        """Return the ``[out, in]`` eigenvalues in the Kronecker eigenbasis."""
        if self.corrected_eigenvalues is not None:
            return self.corrected_eigenvalues
        return torch.outer(self.b_eigenvalues, self.a_eigenvalues).clamp_min(0.0)

    def dense(self) -> torch.Tensor:
        """Return the ``[out*in, out*in]`` matrix in the order of the ``[out, in]`` flattening."""
        basis = torch.kron(self.b_eigenvectors, self.a_eigenvectors)
        return basis @ torch.diag(self.eigenvalues().flatten()) @ basis.T


@dataclass
class KroneckerCurvature:
    """K-FAC or EK-FAC curvature of a set of layers, with damping.

    Attributes:
        layers: one :class:`LayerCurvature` per weight name.
        kind: ``"kfac"`` or ``"ekfac"``.
        damping: damping value (relative: multiple of the layer's mean eigenvalue).
        damping_mode: ``"relative"`` or ``"absolute"``.
        n_positions: number of loss positions the factors were averaged over.
    """

    layers: dict[str, LayerCurvature]
    kind: str
    damping: float
    damping_mode: str
    n_positions: int

    def damping_of(self, name: str) -> float:
        """Return the absolute damping added to the eigenvalues of layer ``name``."""
        if self.damping_mode == "absolute":
            return self.damping
        return self.damping * float(self.layers[name].eigenvalues().mean())

    def _apply(self, vectors: dict[str, torch.Tensor], power: int) -> dict[str, torch.Tensor]:
        result = {}
        for name, vector in vectors.items():
            layer = self.layers[name]
            matrix = vector.T if layer.transposed else vector
            qa, qb = layer.a_eigenvectors, layer.b_eigenvectors
            rotated = qb.T @ matrix.to(qa.dtype) @ qa
            scale = layer.eigenvalues() + self.damping_of(name)
            rotated = rotated * scale if power > 0 else rotated / scale
            back = (qb @ rotated @ qa.T).to(vector.dtype)
            result[name] = back.T if layer.transposed else back
        return result

    def inverse_vector_product(self, vectors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Return ``(G + damping I)^-1 v`` per layer; ``vectors`` maps weight names to tensors."""
        return self._apply(vectors, power=-1)

    def vector_product(self, vectors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Return ``(G + damping I) v`` per layer."""
        return self._apply(vectors, power=1)

    def quadratic_form(self, vectors: dict[str, torch.Tensor], damped: bool = False) -> float:
        """Return ``1/2 v^T G v``: the mean KL that K-FAC predicts for the change ``v`` (nats)."""
        total = 0.0
        for name, vector in vectors.items():
            layer = self.layers[name]
            matrix = vector.T if layer.transposed else vector
            rotated = layer.b_eigenvectors.T @ matrix.to(layer.a_eigenvectors.dtype) @ layer.a_eigenvectors
            scale = layer.eigenvalues() + (self.damping_of(name) if damped else 0.0)
            total += 0.5 * float((scale * rotated**2).sum())
        return total


def _signs(valid: torch.Tensor, generator: torch.Generator, dtype: torch.dtype) -> torch.Tensor:
    """Draw a random sign per position (``[B, T, 1]``) so that positions do not correlate."""
    bits = torch.randint(0, 2, valid.shape, generator=generator, device=valid.device)
    return (2 * bits - 1).to(dtype).unsqueeze(-1)


def _pseudo_errors(outputs, valid, likelihood, fisher, mc_samples, generator):
    """Yield ``(e, weight)``: output-space vectors with ``sum weight * E[e e^T] = H``."""
    mask = valid.unsqueeze(-1).to(outputs.dtype)
    if likelihood == "categorical":
        probs = torch.softmax(outputs.detach().float(), dim=-1)
        if fisher == "mc":
            flat = probs.reshape(-1, probs.shape[-1])
            for _ in range(mc_samples):
                labels = torch.multinomial(flat, 1, generator=generator).squeeze(-1)
                onehot = torch.nn.functional.one_hot(labels, probs.shape[-1]).reshape(probs.shape)
                yield (probs - onehot).to(outputs.dtype) * mask, 1.0 / mc_samples
        else:
            root = probs.sqrt()
            for c in range(probs.shape[-1]):
                column = -probs * root[..., c : c + 1]
                column[..., c] += root[..., c]
                yield column.to(outputs.dtype) * mask * _signs(valid, generator, outputs.dtype), 1.0
    else:
        if fisher == "mc":
            for _ in range(mc_samples):
                noise = torch.randn(outputs.shape, generator=generator, device=outputs.device, dtype=outputs.dtype)
                yield noise * mask, 1.0 / mc_samples
        else:
            for c in range(outputs.shape[-1]):
                unit = torch.zeros_like(outputs)
                unit[..., c] = 1.0
                yield unit * mask * _signs(valid, generator, outputs.dtype), 1.0


class _Recorder:
    """Forward hooks that keep the inputs and outputs of the chosen layers."""

    def __init__(self, layers: dict[str, nn.Module]):
        self.inputs: dict[str, torch.Tensor] = {}
        self.outputs: dict[str, torch.Tensor] = {}
        self.handles = [module.register_forward_hook(self._hook(name)) for name, module in layers.items()]

    def _hook(self, name):
        def hook(module, args, output):
            self.inputs[name] = args[0].detach()
            self.outputs[name] = output
        return hook

    def close(self) -> None:
        for handle in self.handles:
            handle.remove()


def _positions(tensor: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Reshape a layer tensor to ``[B, T, dim]`` like ``valid`` and zero the masked positions."""
    shaped = tensor.reshape(*valid.shape, tensor.shape[-1])
    return shaped * valid.to(tensor.device).unsqueeze(-1).to(shaped.dtype)


def _accumulate_dtype(weight: torch.Tensor) -> torch.dtype:
    return torch.float64 if weight.dtype == torch.float64 else torch.float32


def fit_curvature(
    model: nn.Module,
    batches: list[dict],
    *,
    kind: str = "ekfac",
    fisher: str = "mc",
    mc_samples: int = 1,
    likelihood: str = "categorical",
    damping: float = 0.1,
    damping_mode: str = "relative",
    seed: int = 0,
    exclude: tuple[str, ...] = (),
    outputs_fn: OutputsFn = lm_outputs,
    progress: bool = False,
) -> KroneckerCurvature:
    """Fit K-FAC (one pass) or EK-FAC (a second pass) for every linear layer of a model.

    Each layer's statistics are accumulated on that layer's device.

    Args:
        model: the model; its weights are not changed.
        batches: the data (for unlearning: the retain set).
        kind: ``"kfac"`` or ``"ekfac"``.
        fisher: ``"mc"`` (labels sampled from the model) or ``"exact"`` (one backward pass
            per output class with the exact square root of ``H``, for small outputs only).
            With ``"exact"`` each position gets a random sign, so positions that share a
            layer output through attention add no cross terms in expectation. It is exact
            when positions do not mix, and a sampled estimate when they do.
        mc_samples: sampled labels per position when ``fisher="mc"`` (>= 1).
        likelihood: ``"categorical"`` (softmax cross-entropy) or ``"gaussian"`` (squared error).
        damping: added to every eigenvalue (> 0); see ``damping_mode``.
        damping_mode: ``"relative"`` (``damping`` x the layer's mean eigenvalue) or ``"absolute"``.
        seed: seed of the sampled labels.
        exclude: substrings of layer names to leave out.
        outputs_fn: returns ``(outputs [B, T, C], loss-position mask [B, T])`` for a batch.
        progress: show a progress bar.

    Returns:
        The curvature, averaged over all loss positions of all batches.

    Raises:
        ValueError: for an unknown option, ``damping <= 0``, no linear layer or no loss position.
    """
    check_choice("kind", kind, KINDS)
    check_choice("fisher", fisher, FISHER_TYPES)
    check_choice("likelihood", likelihood, LIKELIHOODS)
    check_choice("damping_mode", damping_mode, DAMPING_MODES)
    mc_samples = check_int("mc_samples", mc_samples, low=1)
    damping = check_float("damping", damping)
    if damping <= 0:
        raise ValueError(f"damping must be a number > 0; got {damping}")
    if not batches:
        raise ValueError("batches must not be empty; got no batches")
    layers = linear_layers(model, exclude)
    param_names = {name: f"{name}.weight" if name else "weight" for name in layers}

    a_sums = {n: 0.0 for n in layers}
    b_sums = {n: 0.0 for n in layers}
    n_positions = 0
    recorder = _Recorder(layers)
    generators: dict[torch.device, torch.Generator] = {}

    def generator_for(device):
        if device not in generators:
            generators[device] = torch.Generator(device=device).manual_seed(seed)
        return generators[device]

    try:
        for batch in tqdm(batches, disable=not progress, desc=f"{kind} factors"):
            outputs, valid = outputs_fn(model, batch)
            n_positions += int(valid.sum())
            layer_outputs = [recorder.outputs[n] for n in layers]
            for name, module in layers.items():
                dtype = _accumulate_dtype(module.weight)
                a = _positions(recorder.inputs[name].to(dtype), valid).flatten(0, 1)
                a_sums[name] = a_sums[name] + a.T @ a
            draws = _pseudo_errors(outputs, valid, likelihood, fisher, mc_samples, generator_for(outputs.device))
            for errors, weight in draws:
                grads = torch.autograd.grad(outputs, layer_outputs, grad_outputs=errors, retain_graph=True)
                for (name, module), grad in zip(layers.items(), grads):
                    g = _positions(grad.to(_accumulate_dtype(module.weight)), valid).flatten(0, 1)
                    b_sums[name] = b_sums[name] + weight * (g.T @ g)
        if n_positions == 0:
            raise ValueError("the batches must contain at least one loss position; all labels are masked")

        curvature = {}
        for name, module in layers.items():
            a_factor, b_factor = a_sums[name] / n_positions, b_sums[name] / n_positions
            a_values, a_vectors = torch.linalg.eigh(a_factor)
            b_values, b_vectors = torch.linalg.eigh(b_factor)
            curvature[param_names[name]] = LayerCurvature(
                param_names[name], is_transposed(module), a_factor, b_factor,
                a_values.clamp_min(0.0), a_vectors, b_values.clamp_min(0.0), b_vectors,
            )

        if kind == "ekfac":
            _fit_corrected_eigenvalues(
                model, batches, layers, param_names, curvature, recorder, n_positions,
                likelihood, fisher, mc_samples, generator_for, outputs_fn, progress,
            )
    finally:
        recorder.close()
    return KroneckerCurvature(curvature, kind, damping, damping_mode, n_positions)


def _fit_corrected_eigenvalues(
    model, batches, layers, param_names, curvature, recorder, n_positions,
    likelihood, fisher, mc_samples, generator_for, outputs_fn, progress,
) -> None:
    """Re-fit the eigenvalues in the K-FAC eigenbasis from per-sequence gradients (EK-FAC)."""
    sums = {name: 0.0 for name in layers}
    for batch in tqdm(batches, disable=not progress, desc="ekfac eigenvalues"):
        outputs, valid = outputs_fn(model, batch)
        layer_outputs = [recorder.outputs[n] for n in layers]
        rotated_inputs = {}
        for name, module in layers.items():
            layer = curvature[param_names[name]]
            a = _positions(recorder.inputs[name].to(layer.a_eigenvectors.dtype), valid)
            rotated_inputs[name] = a @ layer.a_eigenvectors
        draws = _pseudo_errors(outputs, valid, likelihood, fisher, mc_samples, generator_for(outputs.device))
        for errors, weight in draws:
            grads = torch.autograd.grad(outputs, layer_outputs, grad_outputs=errors, retain_graph=True)
            for name, grad in zip(layers, grads):
                layer = curvature[param_names[name]]
                g = _positions(grad.to(layer.b_eigenvectors.dtype), valid) @ layer.b_eigenvectors
                per_sequence = torch.einsum("bto,bti->boi", g, rotated_inputs[name])
                sums[name] = sums[name] + weight * (per_sequence**2).sum(0)
    for name in layers:
        curvature[param_names[name]].corrected_eigenvalues = sums[name] / n_positions


class _OutputsOnly(nn.Module):
    """Wrap a model so that ``forward(batch)`` returns only the outputs of ``outputs_fn``."""

    def __init__(self, model: nn.Module, outputs_fn: OutputsFn):
        super().__init__()
        self.model = model
        self.outputs_fn = outputs_fn

    def forward(self, batch):
        return self.outputs_fn(self.model, batch)[0]


def ggn_vector_product(
    model: nn.Module,
    batches: list[dict],
    vectors: dict[str, torch.Tensor],
    *,
    likelihood: str = "categorical",
    outputs_fn: OutputsFn = lm_outputs,
) -> dict[str, torch.Tensor]:
    """Return the exact ``G v`` (GGN averaged over loss positions) for the named weights.

    Uses a Jacobian-vector product, the output-space Hessian and a vector-Jacobian
    product per batch (``torch.func``). Transformers need eager attention here.

    Args:
        model: the model.
        batches: the data.
        vectors: weight name -> tensor of that weight's shape.
        likelihood: ``"categorical"`` or ``"gaussian"``.
        outputs_fn: as in :func:`fit_curvature`.

    Returns:
        Weight name -> ``(G v)`` block, same shapes as ``vectors``.
    """
    check_choice("likelihood", likelihood, LIKELIHOODS)
    wrapper = _OutputsOnly(model, outputs_fn)
    params = {f"model.{name}": p.detach() for name, p in model.named_parameters() if name in vectors}
    missing = sorted(set(vectors) - {name[len("model."):] for name in params})
    if missing:
        raise ValueError(f"vectors must name weights of the model; unknown: {missing}")
    tangents = {f"model.{name}": vectors[name].to(params[f"model.{name}"].dtype) for name in vectors}

    total = {name: torch.zeros_like(p) for name, p in params.items()}
    n_positions = 0
    for batch in batches:
        _, valid = outputs_fn(model, batch)
        n_positions += int(valid.sum())

        def function(p, batch=batch):
            return torch.func.functional_call(wrapper, p, (batch,))

        outputs, jv = torch.func.jvp(function, (params,), (tangents,))
        mask = valid.to(outputs.device).unsqueeze(-1).to(outputs.dtype)
        if likelihood == "categorical":
            probs = torch.softmax(outputs, dim=-1)
            hjv = probs * jv - probs * (probs * jv).sum(-1, keepdim=True)
        else:
            hjv = jv
        _, pullback = torch.func.vjp(function, params)
        (product,) = pullback(hjv * mask)
        for name in total:
            total[name] += product[name].detach()
    if n_positions == 0:
        raise ValueError("the batches must contain at least one loss position; all labels are masked")
    return {name[len("model."):]: value / n_positions for name, value in total.items()}


def dense_ggn_block(
    model: nn.Module, batches: list[dict], weight_name: str, *, likelihood: str = "categorical",
    outputs_fn: OutputsFn = lm_outputs,
) -> torch.Tensor:
    """Return the exact GGN block of one weight as a dense ``[out*in, out*in]`` matrix.

    Built column by column from :func:`ggn_vector_product`; for small layers only. The
    order is the row-major flattening of the weight seen as ``[out, in]``.
    """
    weight = dict(model.named_parameters())[weight_name]
    transposed = is_transposed(dict(model.named_modules())[weight_name.rsplit(".", 1)[0]])
    shape = weight.shape
    columns = []
    for index in range(weight.numel()):
        unit = torch.zeros(shape[::-1] if transposed else shape, dtype=weight.dtype, device=weight.device)
        unit.view(-1)[index] = 1.0
        vector = unit.T if transposed else unit
        product = ggn_vector_product(model, batches, {weight_name: vector}, likelihood=likelihood,
                                     outputs_fn=outputs_fn)[weight_name]
        columns.append((product.T if transposed else product).flatten())
    return torch.stack(columns, dim=1)
