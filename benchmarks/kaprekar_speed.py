"""Time full Kaprekar iteration-count tables: the multiset engine against the per-number loop.

Measured in one run:

1. the iteration-count table of 3 digits in every base 2..200 and of 4 digits in every
   base 2..64 with :func:`reprobook.kaprekar.study.iteration_matrix` (target: seconds);
2. :func:`~reprobook.kaprekar.study.study` against
   :func:`~reprobook.kaprekar.study.brute_force_study` at 4 digits in base 36, or base 16
   with ``--quick`` (target: at least 100 times faster, with identical results);
3. the cost of one study against the base for 3 and 4 digits, with the exponent of a
   log-log fit. The number of multisets, C(b + d - 1, d), grows like b**d.

Usage: python benchmarks/kaprekar_speed.py [--quick] [--record] [--repeats N]
"""

from __future__ import annotations

import argparse
import logging
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from reprobook.benchmarking import best_time, write_record
from reprobook.kaprekar.study import brute_force_study, iteration_matrix, study

logger = logging.getLogger("kaprekar_speed")

TABLE_CASES = ((3, range(2, 201)), (4, range(2, 65)))
SPEEDUP_DIGITS = 4
SPEEDUP_BASE, QUICK_SPEEDUP_BASE = 36, 16
GROWTH_BASES = {3: (50, 100, 200, 300), 4: (24, 48, 72, 96)}
SPEEDUP_TARGET = 100.0


def time_tables(repeats: int) -> dict[str, Any]:
    """Time the full iteration-count tables of :data:`TABLE_CASES`.

    Args:
        repeats: timed calls per table; the fastest is kept.

    Returns:
        Per table: the bases, the seconds and the largest step count found.
    """
    results = {}
    for digits, bases in TABLE_CASES:
        seconds, matrix = best_time(iteration_matrix, repeats, bases, digits)
        results[f"table_{digits}_digits"] = {
            "bases": f"{bases.start}..{bases.stop - 1}",
            "seconds": round(seconds, 3),
            "max_steps": int(matrix.columns.max()),
        }
    return results


def time_speedup(base: int, digits: int, repeats: int) -> dict[str, Any]:
    """Time the multiset engine and the per-number loop on the same study.

    Args:
        base: the base.
        digits: the number of digits.
        repeats: timed calls of the engine; the per-number loop runs once.

    Returns:
        The two times, their ratio and whether the two studies are equal.
    """
    engine_seconds, fast = best_time(study, repeats, base, digits)
    loop_seconds, reference = best_time(brute_force_study, 1, base, digits)
    return {
        "base": base,
        "digits": digits,
        "inputs": reference.n_inputs,
        "multisets": math.comb(base + digits - 1, digits),
        "engine_seconds": round(engine_seconds, 4),
        "per_number_loop_seconds": round(loop_seconds, 2),
        "speedup": round(loop_seconds / engine_seconds, 1),
        "meets_target": loop_seconds / engine_seconds >= SPEEDUP_TARGET,
        "same_results": fast == reference,
    }


def fitted_exponent(bases: Sequence[int], seconds: Sequence[float]) -> float:
    """Fit seconds ~ c * base**p by least squares on the logarithms.

    Args:
        bases: the bases, at least two distinct.
        seconds: the time of one study per base, same length.

    Returns:
        The exponent p.
    """
    slope, _ = np.polyfit(np.log(bases), np.log(seconds), 1)
    return float(slope)


def time_growth(repeats: int) -> dict[str, Any]:
    """Time one study per base of :data:`GROWTH_BASES` and fit the growth exponent.

    Args:
        repeats: timed calls per base; the fastest is kept.

    Returns:
        Per digit count: the bases, the seconds and the fitted exponent.
    """
    results = {}
    for digits, bases in GROWTH_BASES.items():
        seconds = [best_time(study, repeats, base, digits)[0] for base in bases]
        results[f"growth_{digits}_digits"] = {
            "bases": list(bases),
            "seconds": [round(value, 4) for value in seconds],
            "exponent": round(fitted_exponent(bases, seconds), 2),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"time the per-number loop in base {QUICK_SPEEDUP_BASE} instead of {SPEEDUP_BASE}",
    )
    parser.add_argument(
        "--record", action="store_true", help="write benchmarks/records/kaprekar.json"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed calls of the engine per case (best kept)"
    )
    arguments = parser.parse_args()
    if arguments.repeats < 1:
        parser.error(f"--repeats must be an integer >= 1; got {arguments.repeats}")
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    results: dict[str, Any] = {}
    results.update(time_tables(arguments.repeats))
    speedup_base = QUICK_SPEEDUP_BASE if arguments.quick else SPEEDUP_BASE
    results["speedup"] = time_speedup(speedup_base, SPEEDUP_DIGITS, arguments.repeats)
    results.update(time_growth(arguments.repeats))

    for name, value in results.items():
        logger.info("%s: %s", name, value)
    if not results["speedup"]["same_results"]:
        raise SystemExit("the multiset engine and the per-number loop disagree")
    if arguments.record:
        logger.info("record written to %s", write_record("kaprekar", results))


if __name__ == "__main__":
    main()
