import numpy as np
import pytest

from reprobook.safetydrift.absorption import violation_within
from reprobook.safetydrift.chain import POOLED
from reprobook.safetydrift.monitor import SafetyMonitor
from reprobook.safetydrift.state import FineState, RiskLevel, risk_path
from reprobook.safetydrift.tools import ToolRegistry

TABLE = {POOLED: [0.1, 0.4, 0.6, 0.9], "research_communication": [0.2, 0.85, 0.9, 0.95]}


def test_from_chains_uses_closed_form(chains):
    monitor = SafetyMonitor.from_chains(chains, horizon=5)
    assert np.allclose(
        monitor.probabilities["sysadmin"][:4], violation_within(chains["sysadmin"].matrix, 5)
    )


def test_observe_follows_cascade():
    monitor = SafetyMonitor(TABLE).start(POOLED)
    readings = [
        monitor.observe(tool, label)
        for tool, label in [
            ("read_file", "internal"),
            ("write_file", "none"),
            ("read_file", "sensitive"),
        ]
    ]
    assert [reading.risk for reading in readings] == [
        RiskLevel.SAFE,
        RiskLevel.MILD,
        RiskLevel.MILD,
    ]


def test_observe_tracks_state():
    monitor = SafetyMonitor(TABLE).start(POOLED)
    monitor.observe("run_shell", "public")
    assert monitor.observe("read_file", "none").state == FineState(1, 2, 0)


def test_probability_from_category_table():
    monitor = SafetyMonitor(TABLE).start("research_communication")
    assert monitor.observe("read_file", "sensitive").probability == 0.85


def test_alarm_at_threshold():
    monitor = SafetyMonitor(TABLE, thresholds=0.85).start("research_communication")
    assert monitor.observe("read_file", "sensitive").alarm


def test_no_alarm_below_threshold():
    monitor = SafetyMonitor(TABLE, thresholds=0.86).start("research_communication")
    assert not monitor.observe("read_file", "sensitive").alarm


def test_per_category_thresholds():
    monitor = SafetyMonitor(
        TABLE, thresholds={POOLED: 0.95, "research_communication": 0.5}, pooled_fallback=True
    )
    assert monitor.threshold_for("sysadmin") == 0.95


def test_violation_is_absorbing():
    monitor = SafetyMonitor(TABLE).start(POOLED)
    monitor.observe("read_file", "sensitive")
    monitor.observe("send_email", "internal")
    reading = monitor.observe("read_file", "none")
    assert (reading.risk, reading.probability, reading.alarm) == (RiskLevel.VIOLATED, 1.0, True)


def test_start_resets_run():
    monitor = SafetyMonitor(TABLE).start(POOLED)
    monitor.observe("read_file", "sensitive")
    monitor.observe("send_email", "internal")
    monitor.start(POOLED)
    assert monitor.observe("read_file", "none").risk == RiskLevel.SAFE


def test_unknown_category_without_pooled_rejected():
    with pytest.raises(ValueError, match="unknown category 'gardening'"):
        SafetyMonitor({"a": [0.1, 0.2, 0.3, 0.4]}).start("gardening")


def test_unknown_tool_rejected():
    with pytest.raises(ValueError, match="unknown tool 'teleport'"):
        SafetyMonitor(TABLE).observe("teleport", "none")


def test_unknown_sensitivity_rejected():
    with pytest.raises(ValueError, match="unknown sensitivity 'vague'"):
        SafetyMonitor(TABLE).observe("read_file", "vague")


def test_custom_tool_registry():
    registry = ToolRegistry()
    registry.register("slack_post", kind="network")
    monitor = SafetyMonitor(TABLE, registry=registry).start(POOLED)
    monitor.observe("read_file", "credentials")
    assert monitor.observe("slack_post", "none").risk == RiskLevel.VIOLATED


@pytest.mark.parametrize("threshold", [-0.1, 1.5])
def test_threshold_outside_unit_interval_rejected(threshold):
    with pytest.raises(ValueError, match=r"threshold must be a finite number in \[0.0, 1.0\]"):
        SafetyMonitor(TABLE, thresholds=threshold)


def test_missing_category_threshold_rejected():
    with pytest.raises(ValueError, match="no value for category 'c'"):
        SafetyMonitor({"a": [0.1, 0.2, 0.3, 0.4], "c": [0.1, 0.2, 0.3, 0.4]}, thresholds={"a": 0.5})


def test_unknown_threshold_key_named():
    with pytest.raises(ValueError, match="unknown category 'nope'"):
        SafetyMonitor(TABLE, thresholds={"nope": 0.5})


def test_unknown_category_rejected_by_default():
    with pytest.raises(ValueError, match="known: pooled, research_communication"):
        SafetyMonitor(TABLE).start("research_comunication")


def test_unknown_category_threshold_rejected_by_default():
    with pytest.raises(ValueError, match="unknown category 'sysadmin'"):
        SafetyMonitor(TABLE).threshold_for("sysadmin")


def test_pooled_fallback_opt_in():
    monitor = SafetyMonitor(TABLE, pooled_fallback=True).start("sysadmin")
    assert monitor.category == POOLED


def test_pooled_fallback_needs_pooled_table():
    with pytest.raises(ValueError, match="needs a 'pooled' entry"):
        SafetyMonitor({"a": [0.1, 0.2, 0.3, 0.4]}, pooled_fallback=True)


def test_probability_outside_unit_interval_rejected():
    with pytest.raises(ValueError, match="probability of 'a' at MILD"):
        SafetyMonitor({"a": [0.1, 1.2, 0.3, 0.4]})


def test_horizon_below_one_rejected(chains):
    with pytest.raises(ValueError, match="horizon must be an integer >= 1; got 0"):
        SafetyMonitor.from_chains(chains, horizon=0)


def test_streaming_matches_recorded_states(traces, chains):
    monitor = SafetyMonitor.from_chains(chains)
    for trace in traces[:100]:
        monitor.start(trace.category)
        streamed = [monitor.observe(step.tool, step.sensitivity).risk for step in trace.steps]
        assert streamed == risk_path([step.state for step in trace.steps])


def test_score_matches_observe(traces, chains):
    monitor = SafetyMonitor.from_chains(chains)
    trace = next(trace for trace in traces if trace.violating)
    monitor.start(trace.category)
    scores = [monitor.score(step) for step in trace.steps]
    monitor.start(trace.category)
    assert scores == [
        monitor.observe(step.tool, step.sensitivity).probability for step in trace.steps
    ]
