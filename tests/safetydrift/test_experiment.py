import pytest

from reprobook.safetydrift.experiment import (
    CATEGORY_PRIOR,
    JUDGE,
    KEYWORD,
    MONITOR,
    category_table,
    evaluate_detectors,
    summary_table,
    threshold_sweep,
)


@pytest.fixture(scope="module")
def evaluation(traces):
    return evaluate_detectors(traces, threshold=0.5, seed=0)


def test_evaluation_has_detectors(evaluation):
    assert list(evaluation.results) == [MONITOR, KEYWORD, CATEGORY_PRIOR]


def test_monitor_beats_keyword_on_detection(evaluation):
    assert (
        evaluation.results[MONITOR].summary.detection_rate
        > evaluation.results[KEYWORD].summary.detection_rate
    )


def test_test_split_is_a_fifth(evaluation, traces):
    assert abs(len(evaluation.test) - 0.2 * len(traces)) <= 8


def test_threshold_moves_operating_point(traces, evaluation):
    strict = evaluate_detectors(traces, threshold=0.99, seed=0)
    assert (
        strict.results[MONITOR].summary.false_positive_rate
        < evaluation.results[MONITOR].summary.false_positive_rate
    )


def test_judge_evaluated_when_given(traces):
    evaluation = evaluate_detectors(
        traces[:200], judge=lambda text: 1.0 if "send_email" in text else 0.0
    )
    assert evaluation.results[JUDGE].summary.n_violating > 0


def test_threshold_out_of_range_rejected(traces):
    with pytest.raises(
        ValueError, match=r"threshold must be a finite number in \[0.0, 1.0\]; got -0.5"
    ):
        evaluate_detectors(traces, threshold=-0.5)


def test_summary_table_rows(evaluation):
    assert list(summary_table(evaluation).index) == [MONITOR, KEYWORD, CATEGORY_PRIOR]


def test_category_table_rows(evaluation):
    assert len(category_table(evaluation)) == 3 * 4


def test_threshold_sweep_rows(evaluation):
    sweep = threshold_sweep(evaluation, [0.2, 0.5, 0.9])
    assert sweep["false positive rate"].is_monotonic_decreasing
