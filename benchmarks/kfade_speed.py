"""Time and size the K-FADE computations against one gradient-ascent step, at two model widths.

Measured in one run, for each width (each case in a fresh process, so that the peak memory
of one case does not hide another's):

1. one gradient-ascent step (forward and backward over the forget set, one Adam step);
2. fitting the EK-FAC curvature of every linear layer on the retain set (one label sample);
3. one K-FADE step: curvature, forget gradient, inverse-curvature product and the line
   search on the measured retain KL.

Printed: wall seconds, peak memory growth (MiB: the CUDA allocator on a GPU, the resident
set size on a CPU) and the ratios of 2 and 3 to 1. The retain set is four times the
forget set, as in the chapter; the models are randomly initialised (timing only).

Usage: python benchmarks/kfade_speed.py [--quick] [--record] [--device auto]
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

logger = logging.getLogger("kfade_speed")

WIDTHS, QUICK_WIDTHS = (64, 256), (32, 64)
CASES = ("gradient_ascent_step", "ekfac_fit", "kfade_step")


def _setup(width: int, device: str):
    import torch

    from reprobook.devices import resolve_device
    from reprobook.kfade.data import items_of, make_benchmark, split_authors
    from reprobook.kfade.models import build_model, build_tokenizer, make_batches, qa_examples, text_examples

    torch.set_num_threads(1)
    benchmark = make_benchmark(n_authors=100, n_attributes=6, n_world=400, seed=0)
    split = split_authors(benchmark, 0.1, seed=0)
    tokenizer = build_tokenizer(benchmark)
    model = build_model(tokenizer, width=width, depth=2, heads=4, seed=0, device=resolve_device(device))
    forget = make_batches(tokenizer, qa_examples(items_of(benchmark, split.forget_authors)), 32)
    retain_items = items_of(benchmark, split.retain_authors)[: 4 * len(items_of(benchmark, split.forget_authors))]
    retain = make_batches(tokenizer, qa_examples(retain_items) + text_examples(benchmark.world[:60]), 64)
    return model, forget, retain


def _peak_bytes(device) -> int:
    import torch

    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(case: str, width: int, device: str) -> dict[str, float]:
    """Run one case once (after a warm-up of the model) and return seconds and peak MiB growth."""
    import torch

    from reprobook.kfade.curvature import fit_curvature
    from reprobook.kfade.unlearning import RetainReference, first_order_unlearn, kfade, token_nll

    model, forget, retain = _setup(width, device)
    place = next(model.parameters()).device
    token_nll(model, forget)
    reference = RetainReference(model, retain)
    if place.type == "cuda":
        torch.cuda.synchronize(place)
        torch.cuda.reset_peak_memory_stats(place)
    before = torch.cuda.memory_allocated(place) if place.type == "cuda" else _peak_bytes(place)
    started = time.perf_counter()
    if case == "gradient_ascent_step":
        first_order_unlearn("gradient_ascent", model, forget, retain, n_steps=1, reference=reference)
    elif case == "ekfac_fit":
        fit_curvature(model, retain, kind="ekfac", mc_samples=1)
    else:
        kfade(model, forget, retain, n_steps=1, kl_budget=0.05, mc_samples=1, reference=reference)
    if place.type == "cuda":
        torch.cuda.synchronize(place)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mib": max(0.0, (_peak_bytes(place) - before) / 2**20),
            "parameters": sum(p.numel() for p in model.parameters())}


def run(widths, device: str) -> dict[str, Any]:
    """Measure every case at every width, each in a fresh process, and add the ratios."""
    results: dict[str, Any] = {}
    context = multiprocessing.get_context("spawn")
    for width in widths:
        row: dict[str, Any] = {}
        for case in CASES:
            with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                row[case] = pool.submit(measure, case, width, device).result()
        base = row["gradient_ascent_step"]
        row["parameters"] = base["parameters"]
        for case in CASES[1:]:
            row[f"{case}_time_ratio"] = round(row[case]["seconds"] / base["seconds"], 1)
            row[f"{case}_memory_ratio"] = (
                round(row[case]["peak_mib"] / base["peak_mib"], 1) if base["peak_mib"] > 0 else None
            )
        results[f"width_{width}"] = row
    first, last = (results[f"width_{w}"] for w in (widths[0], widths[-1]))
    results["growth_with_width"] = {
        case: round(last[case]["seconds"] / first[case]["seconds"], 1) for case in CASES
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"widths {QUICK_WIDTHS} instead of {WIDTHS}")
    parser.add_argument("--record", action="store_true", help="write benchmarks/records/kfade.json")
    parser.add_argument("--device", default="auto", help="'auto', 'cpu', 'cuda' or 'cuda:N'")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    results = run(QUICK_WIDTHS if arguments.quick else WIDTHS, arguments.device)
    for name, value in results.items():
        logger.info("%s: %s", name, value)
    if arguments.record:
        from reprobook.benchmarking import write_record

        logger.info("record written to %s", write_record("kfade", results))


if __name__ == "__main__":
    main()
