import numpy as np
import pytest

from reprobook.safetydrift.evaluation import (
    TraceOutcome,
    outcomes_at,
    roc_auc,
    roc_curve,
    stratified_split,
    summarize,
    summarize_by_category,
)
from reprobook.safetydrift.state import FineState
from reprobook.safetydrift.traces import Step, Trace


def make_trace(trace_id, violation_step=None, length=5, category="c"):
    steps = tuple(
        Step(
            "read_file",
            "",
            "",
            "none",
            FineState(0, 0, 0),
            violation_step is not None and number >= violation_step,
        )
        for number in range(1, length + 1)
    )
    return Trace(trace_id, "task", category, steps)


def test_detected_needs_alarm_strictly_before():
    assert not TraceOutcome("t", "c", first_violation=3, first_alarm=3).detected


def test_warning_counts_steps():
    assert TraceOutcome("t", "c", first_violation=5, first_alarm=2).warning == 3


def test_false_alarm_only_on_safe_traces():
    assert TraceOutcome("t", "c", first_violation=None, first_alarm=1).false_alarm


def test_outcomes_find_first_alarm():
    outcome = outcomes_at([make_trace("a", 4)], [np.array([0.1, 0.6, 0.2, 1.0, 1.0])], 0.5)[0]
    assert outcome.first_alarm == 2


def test_outcomes_per_category_threshold():
    traces = [make_trace("a", None, category="x"), make_trace("b", None, category="y")]
    scores = [np.full(5, 0.5), np.full(5, 0.5)]
    outcomes = outcomes_at(traces, scores, {"x": 0.4, "y": 0.6})
    assert [outcome.false_alarm for outcome in outcomes] == [True, False]


def test_outcomes_reject_threshold_above_one():
    with pytest.raises(
        ValueError, match=r"threshold must be a finite number in \[0.0, 1.0\]; got 1.5"
    ):
        outcomes_at([make_trace("a")], [np.zeros(5)], 1.5)


def test_outcomes_reject_length_mismatch():
    with pytest.raises(ValueError, match="got 2 score arrays for 1 traces"):
        outcomes_at([make_trace("a")], [np.zeros(5), np.zeros(5)], 0.5)


def test_summary_rates():
    outcomes = [
        TraceOutcome("a", "c", 4, 1),
        TraceOutcome("b", "c", 4, None),
        TraceOutcome("d", "c", None, 2),
        TraceOutcome("e", "c", None, None),
    ]
    summary = summarize(outcomes)
    assert (summary.detection_rate, summary.mean_warning, summary.false_positive_rate) == (
        0.5,
        3.0,
        0.5,
    )


def test_summary_without_violations_is_nan():
    assert np.isnan(summarize([TraceOutcome("e", "c", None, None)]).detection_rate)


def test_summary_by_category_groups():
    outcomes = [TraceOutcome("a", "x", 4, 1), TraceOutcome("b", "y", None, 1)]
    assert list(summarize_by_category(outcomes)) == ["x", "y"]


def test_split_is_disjoint_and_complete(traces):
    train, test = stratified_split(traces, 0.2, seed=0)
    assert sorted(t.trace_id for t in train + test) == sorted(t.trace_id for t in traces)


def test_split_is_stratified(traces):
    _, test = stratified_split(traces, 0.25, seed=0)
    expected = round(0.25 * sum(t.category == "sysadmin" and not t.violating for t in traces))
    assert sum(t.category == "sysadmin" and not t.violating for t in test) == expected


def test_split_is_seeded(traces):
    assert stratified_split(traces, 0.2, seed=5) == stratified_split(traces, 0.2, seed=5)


@pytest.mark.parametrize("fraction", [0.0, 1.0])
def test_split_rejects_degenerate_fraction(traces, fraction):
    with pytest.raises(ValueError, match="test_fraction must lie strictly between 0 and 1"):
        stratified_split(traces, fraction, seed=0)


def test_split_rejects_empty_set():
    with pytest.raises(ValueError, match="empty set of traces"):
        stratified_split([], 0.2, seed=0)


def test_roc_counts_only_pre_violation_scores():
    traces = [make_trace("a", 3), make_trace("b", None)]
    scores = [np.array([0.2, 0.3, 1.0, 1.0, 1.0]), np.array([0.1, 0.1, 0.1, 0.1, 0.1])]
    levels, false_positive, detection = roc_curve(traces, scores)
    assert (levels.tolist(), false_positive.tolist(), detection.tolist()) == (
        [np.inf, 0.3, 0.1],
        [0.0, 0.0, 1.0],
        [0.0, 1.0, 1.0],
    )


def test_roc_auc_perfect():
    assert roc_auc(np.array([0.0, 0.0]), np.array([0.0, 1.0])) == 1.0


def test_roc_auc_single_corner():
    # (0, 0) -> (0.5, 1) -> (1, 1): a triangle of 0.25 plus a rectangle of 0.5.
    assert roc_auc(np.array([0.0, 0.5]), np.array([0.0, 1.0])) == 0.75


def test_roc_auc_chance_diagonal():
    assert roc_auc(np.array([0.0, 0.25, 0.5]), np.array([0.0, 0.25, 0.5])) == 0.5
