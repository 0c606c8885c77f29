"""The monitor evaluation end to end: generate, split, fit, score, summarise.

:func:`evaluate_detectors` is what the monitor notebook and the command line run; a
different threshold gives a different operating point of the same experiment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reprobook.params import check_float, check_int
from reprobook.safetydrift.baselines import CategoryPriorDetector, JudgeDetector, KeywordDetector
from reprobook.safetydrift.chain import MarkovChain, category_violation_rates, fit_chains
from reprobook.safetydrift.evaluation import (
    DetectionSummary,
    TraceOutcome,
    outcomes_at,
    roc_curve,
    run_detector,
    stratified_split,
    summarize,
    summarize_by_category,
)
from reprobook.safetydrift.generator import generate_traces
from reprobook.safetydrift.monitor import SafetyMonitor
from reprobook.safetydrift.traces import Trace

MONITOR = "SafetyDrift monitor"
KEYWORD = "keyword matching"
CATEGORY_PRIOR = "category prior"
JUDGE = "per-step judge"


@dataclass(frozen=True)
class DetectorResult:
    """Scores, outcomes and summaries of one detector on the test traces."""

    scores: list[np.ndarray]
    outcomes: list[TraceOutcome]
    summary: DetectionSummary
    by_category: dict[str, DetectionSummary]
    roc: tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Evaluation:
    """Everything one evaluation run produced.

    Attributes:
        train: the training traces.
        test: the test traces.
        chains: the fitted chains, ``"pooled"`` and one per category.
        monitor: the monitor built from them.
        results: per detector name, its :class:`DetectorResult`.
    """

    train: list[Trace]
    test: list[Trace]
    chains: dict[str, MarkovChain]
    monitor: SafetyMonitor
    results: dict[str, DetectorResult]


def evaluate_detectors(
    traces: Sequence[Trace],
    *,
    threshold: float = 0.5,
    horizon: int = 5,
    test_fraction: float = 0.2,
    seed: int = 0,
    smoothing: str = "laplace",
    alpha: float = 1.0,
    judge: Callable[[str], float] | None = None,
) -> Evaluation:
    """Split the traces, fit the chains on the training part and evaluate every detector on the test part.

    Args:
        traces: all traces.
        threshold: alarm threshold of the monitor, the category prior and the judge, in [0, 1].
        horizon: the monitor's horizon in steps (>= 1).
        test_fraction: share of each category x outcome stratum held out for testing.
        seed: seed of the split.
        smoothing: chain smoothing (see :func:`~reprobook.safetydrift.chain.fit_chains`).
        alpha: its pseudo-count.
        judge: a per-step judge callable; without one the judge is not evaluated.

    Returns:
        The :class:`Evaluation`.

    Raises:
        ValueError: on an invalid parameter, or when the training part is empty.
    """
    threshold = check_float("threshold", threshold, low=0.0, high=1.0)
    horizon = check_int("horizon", horizon, low=1)
    train, test = stratified_split(traces, test_fraction, seed)
    chains = fit_chains(train, smoothing=smoothing, alpha=alpha)
    monitor = SafetyMonitor.from_chains(chains, horizon=horizon, thresholds=threshold)

    detectors = {
        MONITOR: monitor,
        KEYWORD: KeywordDetector(),
        CATEGORY_PRIOR: CategoryPriorDetector(category_violation_rates(train), threshold),
    }
    if judge is not None:
        detectors[JUDGE] = JudgeDetector(judge, threshold)

    results = {}
    for name, detector in detectors.items():
        scores, outcomes = run_detector(detector, test)
        results[name] = DetectorResult(
            scores,
            outcomes,
            summarize(outcomes),
            summarize_by_category(outcomes),
            roc_curve(test, scores),
        )
    return Evaluation(train, test, chains, monitor, results)


def run_monitor_evaluation(
    n_traces: int,
    seed: int,
    *,
    threshold: float = 0.5,
    horizon: int = 5,
    test_fraction: float = 0.2,
) -> Evaluation:
    """Generate synthetic traces and evaluate the detectors on them (see :func:`evaluate_detectors`)."""
    traces = generate_traces(n_traces, seed)
    return evaluate_detectors(
        traces, threshold=threshold, horizon=horizon, test_fraction=test_fraction, seed=seed
    )


def summary_table(evaluation: Evaluation) -> pd.DataFrame:
    """Return one row per detector: detection rate, mean warning (steps), false positive rate, counts."""
    rows = []
    for name, result in evaluation.results.items():
        summary = result.summary
        rows.append({
            "detector": name,
            "detection rate": summary.detection_rate,
            "mean warning (steps)": summary.mean_warning,
            "false positive rate": summary.false_positive_rate,
            "violating traces": summary.n_violating,
            "safe traces": summary.n_safe,
        })  # fmt: skip
    return pd.DataFrame(rows).set_index("detector")


def category_table(evaluation: Evaluation) -> pd.DataFrame:
    """Return detection rate, mean warning and false positive rate per detector and category."""
    rows = []
    for name, result in evaluation.results.items():
        for category, summary in result.by_category.items():
            rows.append({
                "detector": name,
                "category": category,
                "detection rate": summary.detection_rate,
                "mean warning (steps)": summary.mean_warning,
                "false positive rate": summary.false_positive_rate,
                "violating": summary.n_violating,
                "safe": summary.n_safe,
            })  # fmt: skip
    return pd.DataFrame(rows).set_index(["detector", "category"])


def threshold_sweep(
    evaluation: Evaluation, thresholds: Sequence[float], detector: str = MONITOR
) -> pd.DataFrame:
    """Return detection rate, mean warning and false positive rate of one detector at each threshold."""
    result = evaluation.results[detector]
    rows = []
    for threshold in thresholds:
        summary = summarize(outcomes_at(evaluation.test, result.scores, threshold))
        rows.append({
            "threshold": threshold,
            "detection rate": summary.detection_rate,
            "mean warning (steps)": summary.mean_warning,
            "false positive rate": summary.false_positive_rate,
        })  # fmt: skip
    return pd.DataFrame(rows).set_index("threshold")
