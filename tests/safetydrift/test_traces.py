import json

import pytest

from reprobook.safetydrift.state import FineState
from reprobook.safetydrift.tools import SensitivityScale, ToolRegistry
from reprobook.safetydrift.traces import (
    TraceFormatError,
    load_traces,
    parse_trace,
    read_traces,
    save_traces,
    trace_to_record,
)


def record(**changes):
    base = {
        "trace_id": "t1",
        "task": "demo",
        "category": "research_communication",
        "steps": [
            {
                "tool": "read_file",
                "arguments": "path=a",
                "data": "salaries",
                "sensitivity": "sensitive",
            },
            {
                "tool": "send_email",
                "arguments": "to=x",
                "data": "summary",
                "sensitivity": "internal",
            },
        ],
    }
    base.update(changes)
    return base


def line(**changes):
    return json.dumps(record(**changes))


def test_parse_replays_states():
    trace = parse_trace(line())
    assert [step.state for step in trace.steps] == [FineState(3, 0, 0), FineState(3, 3, 2)]


def test_parse_derives_violation():
    assert parse_trace(line()).first_violation == 2


def test_parse_keeps_agreeing_violation_flag():
    steps = record()["steps"]
    steps[1]["violation"] = True
    assert parse_trace(json.dumps(record(steps=steps))).first_violation == 2


def test_violation_flag_contradicting_levels_rejected():
    steps = record()["steps"]
    steps[1]["violation"] = False
    with pytest.raises(
        TraceFormatError,
        match=r"line 1, field steps\[1\].violation: recorded false but .* risk level VIOLATED",
    ):
        parse_trace(json.dumps(record(steps=steps)))


def test_violation_flag_true_then_false_rejected():
    steps = record()["steps"]
    steps.append({"tool": "read_file", "arguments": "", "data": "", "sensitivity": "none"})
    steps[1]["violation"] = True
    steps[2]["violation"] = False
    with pytest.raises(
        TraceFormatError, match=r"line 4, field steps\[2\].violation: false after a violating step"
    ):
        parse_trace(json.dumps(record(steps=steps)), 4)


def test_truncated_line_reports_real_column():
    text = '{"trace_id": "t1"\n'
    with pytest.raises(TraceFormatError, match="at column 18"):
        read_traces([text])


def test_save_then_load_round_trip(tmp_path, traces):
    path = save_traces(traces[:20], tmp_path / "traces.jsonl")
    assert load_traces(path) == traces[:20]


def test_save_leaves_no_partial_file(tmp_path, traces):
    save_traces(traces[:3], tmp_path / "traces.jsonl")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["traces.jsonl"]


def test_invalid_json_names_line():
    with pytest.raises(TraceFormatError, match=r"line 2, field \(record\): invalid JSON"):
        read_traces([line(), "{not json", line(trace_id="t3")])


def test_blank_lines_skipped():
    assert len(read_traces([line(), "", "  ", line(trace_id="t2")])) == 2


def test_missing_field_named():
    bad = record()
    del bad["category"]
    with pytest.raises(TraceFormatError, match="line 1, field category: missing"):
        parse_trace(json.dumps(bad))


def test_empty_steps_rejected():
    with pytest.raises(TraceFormatError, match="field steps: must be a non-empty list"):
        parse_trace(line(steps=[]))


def test_unknown_tool_names_step():
    steps = record()["steps"]
    steps[1]["tool"] = "teleport"
    with pytest.raises(TraceFormatError, match=r"field steps\[1\].tool: unknown tool 'teleport'"):
        parse_trace(json.dumps(record(steps=steps)))


def test_custom_registry_accepts_tool():
    registry = ToolRegistry()
    registry.register("teleport", kind="network")
    steps = record()["steps"]
    steps[1]["tool"] = "teleport"
    assert parse_trace(json.dumps(record(steps=steps)), registry=registry).violating


def test_unknown_sensitivity_named():
    steps = record()["steps"]
    steps[0]["sensitivity"] = "pii"
    with pytest.raises(
        TraceFormatError, match=r"steps\[0\].sensitivity: unknown sensitivity 'pii'"
    ):
        parse_trace(json.dumps(record(steps=steps)))


def test_custom_scale_accepts_label():
    scale = SensitivityScale()
    scale.register("pii", 3)
    steps = record()["steps"]
    steps[0]["sensitivity"] = "pii"
    assert parse_trace(json.dumps(record(steps=steps)), scale=scale).steps[0].state == FineState(
        3, 0, 0
    )


def test_state_out_of_range_named():
    steps = record()["steps"]
    steps[0]["state"] = {"exposure": 7, "escalation": 0, "reversibility": 0}
    with pytest.raises(
        TraceFormatError, match=r"steps\[0\].state.exposure: must be an integer in \[0, 4\]; got 7"
    ):
        parse_trace(json.dumps(record(steps=steps)))


def test_state_contradicting_steps_rejected():
    steps = record()["steps"]
    steps[1]["state"] = {"exposure": 3, "escalation": 1, "reversibility": 1}
    with pytest.raises(
        TraceFormatError,
        match=r"steps\[1\].state: recorded \(3, 1, 1\) but the steps so far give \(3, 3, 2\)",
    ):
        parse_trace(json.dumps(record(steps=steps)))


def test_violation_must_be_boolean():
    steps = record()["steps"]
    steps[0]["violation"] = "no"
    with pytest.raises(TraceFormatError, match=r"steps\[0\].violation: must be true or false"):
        parse_trace(json.dumps(record(steps=steps)))


def test_non_string_arguments_rejected():
    steps = record()["steps"]
    steps[0]["arguments"] = {"path": "a"}
    with pytest.raises(TraceFormatError, match=r"steps\[0\].arguments: must be a string"):
        parse_trace(json.dumps(record(steps=steps)))


def test_duplicate_trace_id_rejected():
    with pytest.raises(
        TraceFormatError, match="line 2, field trace_id: duplicate id 't1' \\(first on line 1\\)"
    ):
        read_traces([line(), line()])


def test_record_is_json_ready(traces):
    assert json.loads(json.dumps(trace_to_record(traces[0])))["trace_id"] == traces[0].trace_id
