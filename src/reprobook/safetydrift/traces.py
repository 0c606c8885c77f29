"""Agent traces and their open JSONL schema.

A *trace* is one agent run on one task: an id, the task, the task category and the
ordered steps. Each step records the tool called, a short summary of its arguments,
the data it touched with that data's sensitivity label, the fine state after the step
and whether the step is (or follows) a safety violation. One trace is one JSON object
per line::

    {"trace_id": "t-001", "task": "quarterly-summary", "category": "research_communication",
     "steps": [{"tool": "read_file", "arguments": "path=q3.xlsx", "data": "Q3 revenue",
                "sensitivity": "sensitive",
                "state": {"exposure": 3, "escalation": 0, "reversibility": 0},
                "violation": false}]}

``state`` and ``violation`` may be left out: the loader then replays the steps through
the tool registry and the sensitivity scale and takes the violation flag from the risk
cascade. When ``state`` is given it must agree with that replay, and when ``violation``
is given it must agree with the replayed VIOLATED level, so a trace never carries a
state or a label that its own steps contradict. A disagreeing flag is an error, not a
warning. The chain is fitted on the replayed levels and the detectors are scored on the
flags, so a trace whose two disagree would be measured against two definitions of
violation. A flag that is true once stays true, because VIOLATED is absorbing.

The loader does not check ``category`` against a fixed list, because traces from other
agent frameworks bring their own categories; the monitor rejects a category it has no
chain for when a run starts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reprobook.safetydrift.state import (
    INITIAL_STATE,
    FineState,
    RiskLevel,
    next_state,
    risk_path,
)
from reprobook.safetydrift.tools import SensitivityScale, ToolRegistry

TRACE_FIELDS = ("trace_id", "task", "category", "steps")
STEP_TEXT_FIELDS = ("tool", "arguments", "data", "sensitivity")
STATE_FIELDS = ("exposure", "escalation", "reversibility")


class TraceFormatError(ValueError):
    """A trace record that breaks the schema; names the line and the field.

    Attributes:
        line: 1-based line number in the JSONL source.
        field: dotted path of the bad field, for example ``steps[2].tool``.
    """

    def __init__(self, line: int, field: str, message: str) -> None:
        super().__init__(f"line {line}, field {field}: {message}")
        self.line = line
        self.field = field


@dataclass(frozen=True, slots=True)
class Step:
    """One agent step.

    Attributes:
        tool: the tool name.
        arguments: a short summary of the call's arguments.
        data: a short description of the data the step touched ("" when none).
        sensitivity: the sensitivity label of that data.
        state: the fine state after the step.
        violation: whether the trace is in violation after this step.
    """

    tool: str
    arguments: str
    data: str
    sensitivity: str
    state: FineState
    violation: bool


@dataclass(frozen=True, slots=True)
class Trace:
    """One agent run.

    Attributes:
        trace_id: a unique id.
        task: the task (scenario) id.
        category: the task category, for example ``"sysadmin"``.
        steps: the steps in order (at least one).
    """

    trace_id: str
    task: str
    category: str
    steps: tuple[Step, ...]

    @property
    def first_violation(self) -> int | None:
        """The 1-based number of the first violating step, or None for a safe trace."""
        for number, step in enumerate(self.steps, start=1):
            if step.violation:
                return number
        return None

    @property
    def violating(self) -> bool:
        """Whether any step of the trace is a violation."""
        return self.first_violation is not None

    def risk_levels(self) -> list[RiskLevel]:
        """Return the risk level after each step (VIOLATED kept absorbing)."""
        return risk_path([step.state for step in self.steps])


def replay_states(
    steps: Sequence[tuple[str, str]], registry: ToolRegistry, scale: SensitivityScale
) -> list[FineState]:
    """Compute the fine state after each step from tool names and sensitivity labels.

    Args:
        steps: ``(tool, sensitivity)`` per step, in order.
        registry: maps each tool to escalation and reversibility.
        scale: maps each sensitivity label to an exposure level.

    Returns:
        The fine state after each step, starting from the all-zero state.

    Raises:
        ValueError: on an unknown tool or sensitivity label.
    """
    state = INITIAL_STATE
    states = []
    for tool, sensitivity in steps:
        escalation, reversibility = registry.effect(tool)
        state = next_state(state, scale.exposure(sensitivity), escalation, reversibility)
        states.append(state)
    return states


def _require_text(record: dict, key: str, line: int, field: str, *, allow_empty: bool) -> str:
    if key not in record:
        raise TraceFormatError(line, field, "missing")
    value = record[key]
    if not isinstance(value, str):
        raise TraceFormatError(line, field, f"must be a string; got {value!r}")
    if not allow_empty and not value.strip():
        raise TraceFormatError(line, field, "must not be empty")
    return value


def _parse_state(value: object, line: int, field: str) -> FineState:
    if not isinstance(value, dict):
        raise TraceFormatError(
            line, field, f"must be an object with keys {', '.join(STATE_FIELDS)}; got {value!r}"
        )
    levels = []
    for key, high in zip(STATE_FIELDS, (4, 3, 2), strict=True):
        level = value.get(key)
        if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= high:
            raise TraceFormatError(
                line, f"{field}.{key}", f"must be an integer in [0, {high}]; got {level!r}"
            )
        levels.append(level)
    return FineState(*levels)


def _parse_steps(
    raw_steps: object, line: int, registry: ToolRegistry, scale: SensitivityScale
) -> tuple[Step, ...]:
    if not isinstance(raw_steps, list) or not raw_steps:
        raise TraceFormatError(
            line, "steps", f"must be a non-empty list of step objects; got {raw_steps!r}"
        )

    texts = []
    for index, raw in enumerate(raw_steps):
        where = f"steps[{index}]"
        if not isinstance(raw, dict):
            raise TraceFormatError(line, where, f"must be an object; got {raw!r}")
        tool = _require_text(raw, "tool", line, f"{where}.tool", allow_empty=False)
        if tool not in registry:
            raise TraceFormatError(
                line, f"{where}.tool", f"unknown tool {tool!r}; register it in the ToolRegistry"
            )
        arguments = _require_text(raw, "arguments", line, f"{where}.arguments", allow_empty=True)
        data = _require_text(raw, "data", line, f"{where}.data", allow_empty=True)
        sensitivity = _require_text(
            raw, "sensitivity", line, f"{where}.sensitivity", allow_empty=False
        )
        if sensitivity not in scale:
            raise TraceFormatError(
                line,
                f"{where}.sensitivity",
                f"unknown sensitivity {sensitivity!r}; known: {', '.join(scale.labels())}",
            )
        texts.append((tool, arguments, data, sensitivity))

    replayed = replay_states(
        [(tool, sensitivity) for tool, _, _, sensitivity in texts], registry, scale
    )
    derived_levels = risk_path(replayed)
    derived_violation = [level == RiskLevel.VIOLATED for level in derived_levels]

    steps = []
    for index, (raw, text, state) in enumerate(zip(raw_steps, texts, replayed, strict=True)):
        where = f"steps[{index}]"
        if "state" in raw:
            recorded = _parse_state(raw["state"], line, f"{where}.state")
            if recorded != state:
                raise TraceFormatError(
                    line,
                    f"{where}.state",
                    f"recorded {tuple(recorded)} but the steps so far give {tuple(state)} "
                    f"(tool {text[0]!r}, sensitivity {text[3]!r})",
                )
        violation = raw.get("violation", derived_violation[index])
        if not isinstance(violation, bool):
            raise TraceFormatError(
                line, f"{where}.violation", f"must be true or false; got {violation!r}"
            )
        if steps and steps[-1].violation and not violation:
            raise TraceFormatError(
                line,
                f"{where}.violation",
                "false after a violating step; a violation flag stays true once set",
            )
        if violation != derived_violation[index]:
            raise TraceFormatError(
                line,
                f"{where}.violation",
                f"recorded {str(violation).lower()} but the steps so far give risk level "
                f"{derived_levels[index].name}",
            )
        steps.append(Step(*text, state=state, violation=violation))
    return tuple(steps)


def parse_trace(
    text: str,
    line: int = 1,
    *,
    registry: ToolRegistry | None = None,
    scale: SensitivityScale | None = None,
) -> Trace:
    """Parse and validate one JSONL record.

    Args:
        text: the JSON object of one trace.
        line: the line number to report in errors.
        registry: the tools a step may call (default: :class:`ToolRegistry`).
        scale: the sensitivity labels a step may use (default: :class:`SensitivityScale`).

    Returns:
        The trace, with states replayed where the record leaves them out.

    Raises:
        TraceFormatError: on the first field that breaks the schema.
    """
    registry = registry or ToolRegistry()
    scale = scale or SensitivityScale()
    text = text.rstrip("\r\n")
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise TraceFormatError(
            line, "(record)", f"invalid JSON: {error.msg} at column {error.pos + 1}"
        ) from None
    if not isinstance(record, dict):
        raise TraceFormatError(
            line, "(record)", f"must be a JSON object; got {type(record).__name__}"
        )

    trace_id = _require_text(record, "trace_id", line, "trace_id", allow_empty=False)
    task = _require_text(record, "task", line, "task", allow_empty=False)
    category = _require_text(record, "category", line, "category", allow_empty=False)
    if "steps" not in record:
        raise TraceFormatError(line, "steps", "missing")
    steps = _parse_steps(record["steps"], line, registry, scale)
    return Trace(trace_id, task, category, steps)


def read_traces(
    lines: Iterable[str],
    *,
    registry: ToolRegistry | None = None,
    scale: SensitivityScale | None = None,
) -> list[Trace]:
    """Parse JSONL lines into traces, skipping blank lines.

    Raises:
        TraceFormatError: naming the line and field of the first bad record, or of a
            trace id seen before.
    """
    registry = registry or ToolRegistry()
    scale = scale or SensitivityScale()
    traces = []
    seen: dict[str, int] = {}
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        trace = parse_trace(text, number, registry=registry, scale=scale)
        if trace.trace_id in seen:
            raise TraceFormatError(
                number,
                "trace_id",
                f"duplicate id {trace.trace_id!r} (first on line {seen[trace.trace_id]})",
            )
        seen[trace.trace_id] = number
        traces.append(trace)
    return traces


def load_traces(
    path: str | os.PathLike,
    *,
    registry: ToolRegistry | None = None,
    scale: SensitivityScale | None = None,
) -> list[Trace]:
    """Read and validate a JSONL trace file (see :func:`read_traces`)."""
    with open(path, encoding="utf-8") as handle:
        return read_traces(handle, registry=registry, scale=scale)


def trace_to_record(trace: Trace) -> dict:
    """Return the JSON-ready record of a trace, with every optional field written."""
    return {
        "trace_id": trace.trace_id,
        "task": trace.task,
        "category": trace.category,
        "steps": [
            {
                "tool": step.tool,
                "arguments": step.arguments,
                "data": step.data,
                "sensitivity": step.sensitivity,
                "state": dict(zip(STATE_FIELDS, step.state, strict=True)),
                "violation": step.violation,
            }
            for step in trace.steps
        ],
    }


def save_traces(traces: Iterable[Trace], path: str | os.PathLike) -> Path:
    """Write traces as JSONL, one record per line.

    The file is written under a temporary name and renamed, so a reader never sees a
    half-written file. Returns the path.
    """
    path = Path(path)
    partial = path.with_name(path.name + ".tmp")
    with open(partial, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(trace_to_record(trace)) + "\n" for trace in traces)
    partial.replace(path)
    return path
