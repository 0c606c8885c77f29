"""K-FADE and the first-order unlearning baselines under one interface.

"The paper" is *Gauss-Newton Unlearning for the LLM Era* (K-FADE).

*Unlearning* changes a trained model so that the loss on a forget set rises while its
outputs on a retain set change as little as possible. Every method here returns an
:class:`UnlearnResult`: the weight change as an :class:`UpdateDelta` (which can be saved
and added to another model) and the forget loss and retain KL after every step.

K-FADE (reconstructed; the paper's method section is not available) takes uphill
Gauss-Newton steps ``d = alpha (G_R + lambda I)^-1 grad L_F`` with ``G_R`` the K-FAC or
EK-FAC curvature of the retain set, so a bound on the retain outputs' KL becomes a bound
on the weights. The step size ``alpha`` is chosen by a line search on the *measured*
retain KL, and the gradient (and optionally the curvature) is recomputed at each step.
"""

from __future__ import annotations

import logging
import math
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from reprobook.kfade.curvature import fit_curvature, linear_layers, lm_outputs
from reprobook.kfade.models import to_device
from reprobook.params import check_choice, check_float, check_int

logger = logging.getLogger(__name__)

METHODS = ("kfade", "gradient_ascent", "gradient_difference", "npo", "simnpo", "rmu")


@dataclass
class UpdateDelta:
    """A weight change that can be stored and (re)applied to a model with the same layout.

    Attributes:
        changes: parameter name -> change (kept on the CPU).
        method: the method that produced it.
    """

    changes: dict[str, torch.Tensor]
    method: str

    def apply(self, model: nn.Module, scale: float = 1.0) -> nn.Module:
        """Add ``scale`` x the change to the model's weights in place and return the model.

        Raises:
            ValueError: if the model lacks a parameter or its shape differs.
        """
        params = dict(model.named_parameters())
        for name, change in self.changes.items():
            if name not in params or params[name].shape != change.shape:
                raise ValueError(f"model must have a parameter {name!r} of shape {tuple(change.shape)}")
        with torch.no_grad():
            for name, change in self.changes.items():
                params[name].add_(change.to(params[name].device, params[name].dtype), alpha=scale)
        return model

    def norm(self) -> float:
        """Return the Euclidean norm of the whole change."""
        return math.sqrt(sum(float((change.double() ** 2).sum()) for change in self.changes.values()))

    def save(self, path: str | Path) -> Path:
        """Write the change to ``path`` (``torch.save``, written under a temporary name first)."""
        path = Path(path)
        partial = path.with_name(path.name + ".tmp")
        torch.save({"method": self.method, "changes": self.changes}, partial)
        partial.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> UpdateDelta:
        """Read a change written by :meth:`save`.

        Raises:
            FileNotFoundError: if ``path`` does not exist.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"update file must exist; got {str(path)!r}")
        content = torch.load(path, map_location="cpu", weights_only=True)
        return cls(content["changes"], content["method"])


@dataclass(frozen=True)
class StepRecord:
    """The state after one unlearning step.

    Attributes:
        step: step number (0 = before unlearning).
        forget_nll: mean NLL per forget answer token (nats).
        retain_kl: mean KL(original || current) per retain token (nats).
        step_size: the step size used (learning rate or line-search alpha).
    """

    step: int
    forget_nll: float
    retain_kl: float
    step_size: float


@dataclass
class UnlearnResult:
    """The outcome of an unlearning run.

    Attributes:
        method: the method's name.
        delta: the total weight change.
        history: one record per step, starting with step 0.
        wall_s: wall time of the run (seconds).
        peak_memory_mb: peak memory growth during the run (MiB; CUDA allocator on GPU,
            resident set size on CPU, 0 when the process had reached that peak before).
    """

    method: str
    delta: UpdateDelta
    history: list[StepRecord] = field(default_factory=list)
    wall_s: float = 0.0
    peak_memory_mb: float = 0.0


class RetainReference:
    """The original model's log-probabilities on the retain loss positions, kept to measure KL."""

    def __init__(self, model: nn.Module, batches: list[dict]):
        self.batches = batches
        with torch.no_grad():
            self.log_probs = [self._log_probs(model, batch).cpu() for batch in batches]

    @staticmethod
    def _log_probs(model, batch):
        logits, valid = lm_outputs(model, batch)
        return torch.log_softmax(logits[valid].float(), dim=-1)

    def kl(self, model: nn.Module) -> float:
        """Return the mean KL(original || model) per retain loss position (nats)."""
        total, count = 0.0, 0
        with torch.no_grad():
            for batch, reference in zip(self.batches, self.log_probs):
                current = self._log_probs(model, batch)
                reference = reference.to(current.device)
                total += float((reference.exp() * (reference - current)).sum())
                count += reference.shape[0]
        return total / count


def token_nll(model: nn.Module, batches: list[dict]) -> float:
    """Return the mean NLL per loss position over the batches (nats)."""
    total, count = 0.0, 0
    with torch.no_grad():
        for batch in batches:
            loss, n = _summed_nll(model, batch)
            total += float(loss)
            count += n
    return total / count


def _summed_nll(model, batch) -> tuple[torch.Tensor, int]:
    logits, valid = lm_outputs(model, batch)
    targets = batch["labels"].to(logits.device)[:, 1:][valid[:, :-1]]
    loss = nn.functional.cross_entropy(logits[valid].float(), targets, reduction="sum")
    return loss, int(valid.sum())


def sequence_nll(model: nn.Module, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the summed NLL ``[B]`` and the number of loss positions ``[B]`` per sequence."""
    logits, valid = lm_outputs(model, batch)
    labels = batch["labels"].to(logits.device)
    targets = torch.where(valid[:, :-1], labels[:, 1:], torch.zeros_like(labels[:, 1:]))
    nll = nn.functional.cross_entropy(logits[:, :-1].float().transpose(1, 2), targets, reduction="none")
    mask = valid[:, :-1].float()
    return (nll * mask).sum(1), mask.sum(1)


def weight_names(model: nn.Module, exclude: tuple[str, ...] = ()) -> list[str]:
    """Return the names of the weights every method updates (those of :func:`linear_layers`)."""
    return [f"{name}.weight" for name in linear_layers(model, exclude)]


def forget_gradient(model: nn.Module, batches: list[dict], names: list[str]) -> dict[str, torch.Tensor]:
    """Return the gradient of the mean forget NLL per token with respect to the named weights."""
    params = dict(model.named_parameters())
    chosen = [params[name] for name in names]
    count = sum(int(lm_outputs_mask_count(batch)) for batch in batches)
    grads = [torch.zeros_like(p) for p in chosen]
    for batch in batches:
        loss, _ = _summed_nll(model, batch)
        for total, grad in zip(grads, torch.autograd.grad(loss / count, chosen)):
            total += grad
    return dict(zip(names, grads))


def lm_outputs_mask_count(batch: dict) -> int:
    """Return the number of loss positions of a batch (labels that are not ignored)."""
    return int((batch["labels"][:, 1:] != -100).sum())


def _snapshot(model, names) -> dict[str, torch.Tensor]:
    params = dict(model.named_parameters())
    return {name: params[name].detach().clone() for name in names}


def _delta(model, start, method) -> UpdateDelta:
    params = dict(model.named_parameters())
    return UpdateDelta({name: (params[name].detach() - value).cpu() for name, value in start.items()}, method)


def add_to_weights(model: nn.Module, vectors: dict[str, torch.Tensor], scale: float) -> None:
    """Add ``scale`` x each vector to the weight of the same name, in place."""
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, vector in vectors.items():
            params[name].add_(vector, alpha=scale)


def line_search(model, direction, reference: RetainReference, target_kl: float, start: float,
                max_steps: int = 30) -> tuple[float, float]:
    """Find the largest step size along ``direction`` whose measured retain KL stays <= ``target_kl``.

    Doubles or halves from ``start`` until the target is bracketed, then bisects in log scale.

    Returns:
        ``(alpha, measured KL at alpha)``; alpha is 0 when even a tiny step exceeds the target.
    """

    def measure(alpha):
        add_to_weights(model, direction, alpha)
        value = reference.kl(model)
        add_to_weights(model, direction, -alpha)
        return value

    low, high = 0.0, None
    alpha = start
    for _ in range(max_steps):
        value = measure(alpha)
        if value <= target_kl:
            low = alpha
            if high is not None:
                break
            alpha *= 2.0
        else:
            high = alpha
            if low > 0:
                break
            alpha /= 2.0
    if high is not None and low > 0:
        for _ in range(6):
            middle = math.sqrt(low * high)
            if measure(middle) <= target_kl:
                low = middle
            else:
                high = middle
    if low == 0:
        logger.warning("line search found no step within retain KL %.3g; the step is skipped", target_kl)
    return low, (measure(low) if low > 0 else 0.0)


class _PeakMemory:
    def __init__(self, device: torch.device):
        self.device = device

    def __enter__(self):
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(self.device)
            self.start = torch.cuda.memory_allocated(self.device)
        else:
            self.start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return self

    def __exit__(self, *exc):
        if self.device.type == "cuda":
            peak = torch.cuda.max_memory_allocated(self.device)
        else:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        self.peak_mb = max(0.0, (peak - self.start) / 2**20)


def kfade(
    model: nn.Module,
    forget_batches: list[dict],
    retain_batches: list[dict],
    *,
    n_steps: int = 3,
    kl_budget: float = 0.05,
    kind: str = "ekfac",
    mc_samples: int = 4,
    damping: float = 0.1,
    refit: bool = False,
    seed: int = 0,
    exclude: tuple[str, ...] = (),
    reference: RetainReference | None = None,
) -> UnlearnResult:
    """Unlearn with uphill Gauss-Newton steps preconditioned by the retain-set curvature.

    Step ``k`` (of ``n_steps``) moves along ``(G_R + lambda I)^-1 grad L_F`` as far as the
    measured retain KL stays below ``kl_budget * k / n_steps``.

    Args:
        model: the model, changed in place.
        forget_batches: the forget set.
        retain_batches: the retain set (curvature and KL).
        n_steps: Gauss-Newton steps (>= 1).
        kl_budget: mean KL per retain token allowed at the end (nats, > 0).
        kind: ``"kfac"`` or ``"ekfac"``.
        mc_samples: sampled labels per position for the curvature.
        damping: relative damping (x the layer's mean eigenvalue), > 0.
        refit: refit the curvature at every step (else once, at the start).
        seed: seed of the sampled labels.
        exclude: substrings of layer names to leave unchanged.
        reference: the original model's retain outputs (computed here when ``None``).

    Returns:
        The result, with one history record per step.
    """
    n_steps = check_int("n_steps", n_steps, low=1)
    kl_budget = check_float("kl_budget", kl_budget, low=0.0)
    if kl_budget <= 0:
        raise ValueError(f"kl_budget must be a number > 0; got {kl_budget}")
    device = next(model.parameters()).device
    started = time.perf_counter()
    with _PeakMemory(device) as memory:
        reference = reference or RetainReference(model, retain_batches)
        names = weight_names(model, exclude)
        start = _snapshot(model, names)
        history = [StepRecord(0, token_nll(model, forget_batches), 0.0, 0.0)]
        curvature = None
        for step in range(1, n_steps + 1):
            if curvature is None or refit:
                curvature = fit_curvature(model, retain_batches, kind=kind, mc_samples=mc_samples,
                                          damping=damping, seed=seed + step, exclude=exclude)
            gradient = forget_gradient(model, forget_batches, names)
            direction = curvature.inverse_vector_product(gradient)
            predicted = curvature.quadratic_form(direction)
            target = kl_budget * step / n_steps
            guess = math.sqrt(max(target - history[-1].retain_kl, 1e-12) / max(predicted, 1e-30))
            alpha, _ = line_search(model, direction, reference, target, guess)
            add_to_weights(model, direction, alpha)
            history.append(StepRecord(step, token_nll(model, forget_batches), reference.kl(model), alpha))
    result = UnlearnResult("kfade", _delta(model, start, "kfade"), history)
    result.wall_s = time.perf_counter() - started
    result.peak_memory_mb = memory.peak_mb
    return result


def _npo_loss(model, batch, reference_nll, beta):
    nll, _ = sequence_nll(model, batch)
    return (-2.0 / beta * nn.functional.logsigmoid(beta * (nll - reference_nll))).mean()


def _simnpo_loss(model, batch, beta, gamma):
    nll, length = sequence_nll(model, batch)
    return (-2.0 / beta * nn.functional.logsigmoid(beta * nll / length.clamp_min(1) - gamma)).mean()


def _hidden(model, batch, layer):
    batch = to_device(batch, next(model.parameters()).device)
    out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], output_hidden_states=True)
    mask = batch["attention_mask"].bool()
    return out.hidden_states[layer][mask]


def first_order_unlearn(
    method: str,
    model: nn.Module,
    forget_batches: list[dict],
    retain_batches: list[dict],
    *,
    n_steps: int = 20,
    lr: float = 1e-3,
    beta: float = 0.1,
    simnpo_beta: float = 2.5,
    retain_weight: float = 1.0,
    rmu_layer: int | None = None,
    rmu_coefficient: float = 5.0,
    seed: int = 0,
    exclude: tuple[str, ...] = (),
    reference: RetainReference | None = None,
) -> UnlearnResult:
    """Unlearn with one of the first-order baselines, one Adam step per forget pass.

    Losses (mean over forget sequences or tokens):

    - ``gradient_ascent``: minus the forget NLL;
    - ``gradient_difference``: minus the forget NLL plus ``retain_weight`` x the retain NLL;
    - ``npo``: ``-(2/beta) log sigmoid(beta (nll - nll_ref))`` per forget sequence;
    - ``simnpo``: ``-(2/simnpo_beta) log sigmoid(simnpo_beta nll / length)`` (reference-free);
    - ``rmu``: push the hidden states of layer ``rmu_layer`` on forget data towards a fixed
      random direction of norm ``rmu_coefficient`` x their mean norm, keep those of retain data.

    Args:
        method: one of the names above.
        model: the model, changed in place.
        forget_batches, retain_batches: the data.
        n_steps: optimiser steps (>= 1).
        lr: Adam learning rate (> 0).
        beta: inverse temperature of NPO.
        simnpo_beta: inverse temperature of SimNPO.
        retain_weight: weight of the retain term (gradient difference, RMU).
        rmu_layer: hidden-state index for RMU (default: the middle block).
        rmu_coefficient: steering scale for RMU.
        seed: seed of RMU's random direction.
        exclude: substrings of layer names to leave unchanged.
        reference: the original model's retain outputs (computed here when ``None``).

    Returns:
        The result, with one history record per step.
    """
    check_choice("method", method, METHODS[1:])
    n_steps = check_int("n_steps", n_steps, low=1)
    lr = check_float("lr", lr, low=0.0)
    device = next(model.parameters()).device
    started = time.perf_counter()
    with _PeakMemory(device) as memory:
        reference = reference or RetainReference(model, retain_batches)
        names = weight_names(model, exclude)
        params = dict(model.named_parameters())
        if method == "rmu":
            n_hidden = model.config.num_hidden_layers
            rmu_layer = n_hidden // 2 if rmu_layer is None else check_int("rmu_layer", rmu_layer, low=1, high=n_hidden)
            names = [n for n in names if _block_index(n) is not None and _block_index(n) < rmu_layer]
            if not names:
                raise ValueError(f"rmu_layer must leave at least one block to update; got {rmu_layer}")
        start = _snapshot(model, names)
        optimizer = torch.optim.Adam([params[n] for n in names], lr=lr)
        history = [StepRecord(0, token_nll(model, forget_batches), 0.0, lr)]

        with torch.no_grad():
            reference_nll = [sequence_nll(model, b)[0] for b in forget_batches]
            if method == "rmu":
                frozen = [_hidden(model, b, rmu_layer) for b in retain_batches]
                scale = float(torch.cat([_hidden(model, b, rmu_layer) for b in forget_batches]).norm(dim=-1).mean())
                generator = torch.Generator().manual_seed(seed)
                target = torch.rand(model.config.hidden_size, generator=generator)
                target = (target / target.norm() * rmu_coefficient * scale).to(device)

        for step in range(1, n_steps + 1):
            optimizer.zero_grad(set_to_none=True)
            for index, batch in enumerate(forget_batches):
                if method == "gradient_ascent" or method == "gradient_difference":
                    loss = -_summed_nll(model, batch)[0] / lm_outputs_mask_count(batch) / len(forget_batches)
                elif method == "npo":
                    loss = _npo_loss(model, batch, reference_nll[index].to(device), beta) / len(forget_batches)
                elif method == "simnpo":
                    loss = _simnpo_loss(model, batch, simnpo_beta, 0.0) / len(forget_batches)
                else:
                    hidden = _hidden(model, batch, rmu_layer)
                    loss = ((hidden - target) ** 2).sum(-1).mean() / len(forget_batches)
                loss.backward()
            if method in ("gradient_difference", "rmu"):
                retain = retain_batches[(step - 1) % len(retain_batches)]
                if method == "gradient_difference":
                    term = _summed_nll(model, retain)[0] / lm_outputs_mask_count(retain)
                else:
                    hidden = _hidden(model, retain, rmu_layer)
                    term = ((hidden - frozen[(step - 1) % len(retain_batches)]) ** 2).sum(-1).mean()
                (retain_weight * term).backward()
            optimizer.step()
            history.append(StepRecord(step, token_nll(model, forget_batches), reference.kl(model), lr))
    result = UnlearnResult(method, _delta(model, start, method), history)
    result.wall_s = time.perf_counter() - started
    result.peak_memory_mb = memory.peak_mb
    return result


def _block_index(name: str) -> int | None:
    """Return the transformer block number in a parameter name (``layers.3`` or ``h.3``), else None."""
    parts = name.split(".")
    for before, after in zip(parts, parts[1:]):
        if before in ("layers", "h") and after.isdigit():
            return int(after)
    return None


def unlearn(method: str, model: nn.Module, forget_batches: list[dict], retain_batches: list[dict],
            **options) -> UnlearnResult:
    """Run any method of :data:`METHODS` with its options (see :func:`kfade`, :func:`first_order_unlearn`)."""
    check_choice("method", method, METHODS)
    if not forget_batches:
        raise ValueError("forget_batches must not be empty; got no batches")
    if not retain_batches:
        raise ValueError("retain_batches must not be empty; got no batches")
    if method == "kfade":
        return kfade(model, forget_batches, retain_batches, **options)
    return first_order_unlearn(method, model, forget_batches, retain_batches, **options)


def forget_gain_at_kl(history: list[StepRecord], kl_level: float) -> float:
    """Return the largest rise of the forget NLL over the steps whose retain KL <= ``kl_level``.

    A run whose first step already went past the level never reached it: its gain there is
    unknown, not zero, so the result is NaN.

    Args:
        history: the run's records, the first one before unlearning.
        kl_level: retain KL to the original (nats per token).

    Returns:
        The rise of the forget NLL (nats per token), or NaN when no step after the first
        record stays within ``kl_level``.
    """
    start = history[0].forget_nll
    reached = [record.forget_nll - start for record in history[1:] if record.retain_kl <= kl_level]
    return max(reached) if reached else math.nan
