import numpy as np

from reprobook.safetydrift.chain import POOLED, count_transitions, encode_traces
from reprobook.safetydrift.monitor import SafetyMonitor
from reprobook.safetydrift.speed import (
    count_transitions_loop,
    fit_and_analyse,
    fit_and_analyse_loop,
    matrix_power_lookup,
    python_power_lookup,
)
from reprobook.safetydrift.state import FineState


def test_loop_counts_match(traces):
    assert np.array_equal(
        np.array(count_transitions_loop(traces)), count_transitions(encode_traces(traces))
    )


def test_loop_analysis_matches(traces):
    assert np.allclose(fit_and_analyse_loop(traces, 5), fit_and_analyse(traces, 5))


def test_matrix_power_lookup_matches_monitor(chains):
    monitor = SafetyMonitor.from_chains(chains).start(POOLED)
    state = FineState(3, 1, 1)
    assert np.isclose(
        matrix_power_lookup(chains[POOLED].matrix, state, 5),
        monitor.observe_state(state).probability,
    )


def test_python_power_lookup_matches_numpy(chains):
    matrix = chains[POOLED].matrix
    state = FineState(2, 1, 0)
    assert np.isclose(
        python_power_lookup(matrix.tolist(), state, 5), matrix_power_lookup(matrix, state, 5)
    )
