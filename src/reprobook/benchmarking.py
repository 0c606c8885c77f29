"""Records of the benchmark scripts under ``benchmarks/``.

A record is a JSON file ``benchmarks/records/<name>.json`` with the measured results, the
machine they were measured on and the date. The book's benchmarks page renders every
record, so compare ratios between records rather than seconds.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RECORDS_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "records"


def describe_machine() -> str:
    """Return one line naming the processor, core count, Python and NumPy versions."""
    processor = platform.processor() or platform.machine()
    return (
        f"{processor}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"NumPy {importlib.metadata.version('numpy')}, {platform.system()}"
    )


def write_record(name: str, results: dict[str, Any], directory: Path | None = None) -> Path:
    """Write the results of one benchmark script as ``<directory>/<name>.json`` and return the path.

    The file is written under a temporary name and renamed, so a reader never sees half of it.
    """
    directory = directory or RECORDS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    record = {"machine": describe_machine(), "date": datetime.now(UTC).date().isoformat(), "results": results}
    path = directory / f"{name}.json"
    partial = path.with_suffix(".json.tmp")
    partial.write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
    partial.replace(path)
    return path


def best_time(function: Callable[..., Any], repeats: int, *args: Any) -> tuple[float, Any]:
    """Call ``function(*args)`` ``repeats`` times and keep the fastest wall time.

    Returns:
        (seconds of the fastest call, result of the last call).

    Raises:
        ValueError: if ``repeats`` is below 1.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be an integer >= 1; got {repeats}")
    fastest, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function(*args)
        fastest = min(fastest, time.perf_counter() - started)
    return fastest, result
