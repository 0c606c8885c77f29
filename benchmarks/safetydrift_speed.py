"""Time the SafetyDrift monitor per step, and fitting plus analysing a chain from many traces.

Measured in one run:

1. the monitor's cost per agent step with its precomputed lookup, against the obvious
   per-step computation (rule cascade, then the VIOLATED column of ``P^h``) with NumPy's
   matrix power and in pure Python (target: a few microseconds per monitor step);
2. fitting a Laplace-smoothed chain to 10^5 synthetic traces (10^4 with ``--quick``)
   and computing P(violation within h) with the package's vectorised path, against a
   pure-Python loop that runs the cascade on every step and multiplies lists. Both
   paths must give the same probabilities.

Only ratios measured in one run are comparable across machines.

Usage: python benchmarks/safetydrift_speed.py [--quick] [--record] [--repeats N]
"""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any

import numpy as np

from reprobook.benchmarking import best_time, write_record
from reprobook.safetydrift.absorption import violation_within
from reprobook.safetydrift.chain import (
    POOLED,
    count_transitions,
    encode_traces,
    estimate_matrix,
    fit_chains,
)
from reprobook.safetydrift.generator import generate_traces
from reprobook.safetydrift.monitor import SafetyMonitor
from reprobook.safetydrift.speed import (
    fit_and_analyse,
    fit_and_analyse_loop,
    matrix_power_lookup,
    python_power_lookup,
)

logger = logging.getLogger("safetydrift_speed")

HORIZON = 5
TRACES, QUICK_TRACES = 100_000, 10_000
STEP_TRACES = 2_000  # traces whose steps feed the per-step timings
PER_STEP_TARGET_SECONDS = 5e-6


def time_monitor_steps(repeats: int, seed: int) -> dict[str, Any]:
    """Time one monitor step against per-step matrix powers (NumPy and pure Python).

    Args:
        repeats: timed passes over the step stream; the fastest is kept.
        seed: seed of the traces.

    Returns:
        Microseconds per step of each method and the ratios to the monitor.
    """
    traces = generate_traces(STEP_TRACES, seed)
    chains = fit_chains(traces)
    monitor = SafetyMonitor.from_chains(chains, horizon=HORIZON)
    stream = [
        (trace.category, [(step.tool, step.sensitivity, step.state) for step in trace.steps])
        for trace in traces
    ]
    n_steps = sum(len(steps) for _, steps in stream)
    matrices = {name: chain.matrix for name, chain in chains.items()}
    lists = {name: matrix.tolist() for name, matrix in matrices.items()}

    def run_monitor() -> None:
        for category, steps in stream:
            monitor.start(category)
            for tool, sensitivity, _ in steps:
                monitor.observe(tool, sensitivity)

    def run_numpy_power() -> None:
        for category, steps in stream:
            for _, _, state in steps:
                matrix_power_lookup(matrices[category], state, HORIZON)

    def run_python_power() -> None:
        for category, steps in stream[: len(stream) // 10]:
            for _, _, state in steps:
                python_power_lookup(lists[category], state, HORIZON)

    python_steps = sum(len(steps) for _, steps in stream[: len(stream) // 10])
    monitor_us = best_time(run_monitor, repeats)[0] / n_steps * 1e6
    numpy_us = best_time(run_numpy_power, repeats)[0] / n_steps * 1e6
    python_us = best_time(run_python_power, repeats)[0] / python_steps * 1e6
    return {
        "steps": n_steps,
        "monitor_us_per_step": round(monitor_us, 3),
        "numpy_matrix_power_us_per_step": round(numpy_us, 2),
        "python_matrix_power_us_per_step": round(python_us, 2),
        "ratio_numpy_power_to_monitor": round(numpy_us / monitor_us, 1),
        "ratio_python_power_to_monitor": round(python_us / monitor_us, 1),
        "meets_target": monitor_us * 1e-6 <= PER_STEP_TARGET_SECONDS,
    }


def time_fit_and_analyse(n_traces: int, repeats: int, seed: int) -> dict[str, Any]:
    """Time fitting and analysing a chain from ``n_traces`` traces, vectorised against a pure-Python loop.

    Args:
        n_traces: number of synthetic traces.
        repeats: timed calls of the vectorised path; the loop runs once.
        seed: seed of the traces.

    Returns:
        Seconds of each path, their ratio and whether they agree.
    """
    start = time.perf_counter()
    traces = generate_traces(n_traces, seed)
    generate_seconds = time.perf_counter() - start

    vectorised_seconds = best_time(lambda: fit_and_analyse(traces, HORIZON), repeats)[0]
    encoded = encode_traces(traces)
    from_encoded_seconds = best_time(
        lambda: violation_within(
            estimate_matrix(count_transitions(encoded), smoothing="laplace"), HORIZON
        ),
        repeats,
    )[0]
    start = time.perf_counter()
    loop = fit_and_analyse_loop(traces, HORIZON)
    loop_seconds = time.perf_counter() - start
    return {
        "traces": n_traces,
        "steps": len(encoded.levels),
        "generate_seconds": round(generate_seconds, 2),
        "vectorised_seconds": round(vectorised_seconds, 4),
        "from_encoded_seconds": round(from_encoded_seconds, 5),
        "python_loop_seconds": round(loop_seconds, 3),
        "ratio_loop_to_vectorised": round(loop_seconds / vectorised_seconds, 1),
        "ratio_loop_to_from_encoded": round(loop_seconds / from_encoded_seconds, 1),
        "same_results": bool(np.allclose(loop, fit_and_analyse(traces, HORIZON))),
        "pooled_violation_within_horizon": [
            round(float(value), 4)
            for value in violation_within(fit_chains(encoded)[POOLED].matrix, HORIZON)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"fit {QUICK_TRACES} traces instead of {TRACES}"
    )
    parser.add_argument(
        "--record", action="store_true", help="write benchmarks/records/safetydrift_speed.json"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed passes per measurement (best kept)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic traces")
    arguments = parser.parse_args()
    if arguments.repeats < 1:
        parser.error(f"--repeats must be an integer >= 1; got {arguments.repeats}")
    if arguments.seed < 0:
        parser.error(f"--seed must be an integer >= 0; got {arguments.seed}")
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    results = {
        "monitor_step": time_monitor_steps(arguments.repeats, arguments.seed),
        "fit_and_analyse": time_fit_and_analyse(
            QUICK_TRACES if arguments.quick else TRACES, arguments.repeats, arguments.seed
        ),
    }
    for name, value in results.items():
        logger.info("%s: %s", name, value)
    if not results["fit_and_analyse"]["same_results"]:
        raise SystemExit("the vectorised path and the pure-Python loop disagree")
    if arguments.record:
        logger.info("record written to %s", write_record("safetydrift_speed", results))


if __name__ == "__main__":
    main()
