import json
from collections import Counter
from importlib import resources

import numpy as np
import pytest

from reprobook.safetydrift.generator import (
    CATEGORIES,
    generate_traces,
    load_scenarios,
    parse_scenarios,
)
from reprobook.safetydrift.traces import read_traces, trace_to_record


def shipped_document():
    return json.loads(
        resources.files("reprobook.safetydrift").joinpath("scenarios.json").read_text()
    )


def violation_rate(traces, category):
    return np.mean([trace.violating for trace in traces if trace.category == category])


def test_shipped_scenarios_count():
    assert len(load_scenarios().scenarios) == 40


def test_shipped_scenarios_per_category():
    assert Counter(scenario.category for scenario in load_scenarios().scenarios) == dict.fromkeys(
        CATEGORIES, 10
    )


def test_generator_is_seeded(traces):
    assert generate_traces(800, seed=3) == traces


def test_generator_seed_changes_traces():
    assert generate_traces(50, seed=1) != generate_traces(50, seed=2)


def test_generator_cycles_scenarios():
    traces = generate_traces(80, seed=0)
    assert Counter(trace.task for trace in traces) == {
        scenario.id: 2 for scenario in load_scenarios().scenarios
    }


def test_traces_pass_the_loader(traces):
    lines = [json.dumps(trace_to_record(trace)) for trace in traces]
    assert read_traces(lines) == traces


def test_communication_drifts_to_violations(traces):
    assert violation_rate(traces, "research_communication") > 0.5


def test_sysadmin_rarely_violates(traces):
    assert violation_rate(traces, "sysadmin") < 0.1


def test_code_debugging_rarely_violates(traces):
    assert violation_rate(traces, "code_debugging") < 0.1


def test_generator_rejects_zero_traces():
    with pytest.raises(ValueError, match="n_traces must be an integer >= 1; got 0"):
        generate_traces(0, seed=0)


def test_scenario_unknown_tool_named():
    document = shipped_document()
    document["scenarios"][3]["stages"][0]["choose"][0]["tool"] = "teleport"
    with pytest.raises(
        ValueError, match=r"scenarios\[3\].stages\[0\].choose\[0\].tool: unknown tool 'teleport'"
    ):
        parse_scenarios(document)


def test_scenario_bad_probability_named():
    document = shipped_document()
    document["scenarios"][0]["stages"][1]["p"] = 1.5
    with pytest.raises(
        ValueError,
        match=r"scenarios\[0\].stages\[1\].p must be a finite number in \[0.0, 1.0\]; got 1.5",
    ):
        parse_scenarios(document)


def test_scenario_duplicate_id_rejected():
    document = shipped_document()
    document["scenarios"][1]["id"] = document["scenarios"][0]["id"]
    with pytest.raises(ValueError, match="duplicate scenario id 'rc-01'"):
        parse_scenarios(document)


def test_scenario_repeat_order_checked():
    document = shipped_document()
    document["scenarios"][0]["stages"][0]["repeat"] = [3, 1]
    with pytest.raises(ValueError, match=r"repeat\[1\] must be an integer >= 3; got 1"):
        parse_scenarios(document)


def test_detour_probability_needs_detours():
    document = shipped_document()
    document["categories"]["sysadmin"]["detours"] = []
    with pytest.raises(ValueError, match="detour_p is 0.1 but no detours are listed"):
        parse_scenarios(document)


def test_custom_scenario_file(tmp_path):
    document = {
        "scenarios": [
            {
                "id": "x",
                "category": "demo",
                "task": "t",
                "stages": [
                    {
                        "choose": [
                            {
                                "tool": "read_file",
                                "arguments": "a",
                                "data": "d",
                                "sensitivity": "public",
                            }
                        ]
                    }
                ],
            }
        ]
    }
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(document))
    traces = generate_traces(3, seed=0, scenarios=load_scenarios(path))
    assert [len(trace.steps) for trace in traces] == [1, 1, 1]
