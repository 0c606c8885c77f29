"""A seeded, scenario-driven generator of synthetic agent traces.

A *scenario* is one task of one category, written as data: an ordered list of stages.
A stage happens with probability ``p``, repeats a number of times drawn uniformly from
``repeat`` and, at each repetition, calls one action (tool, arguments, data touched,
sensitivity) picked by weight. Each category adds its *opening* stage in front of every
scenario (the agent finding its way around) and may add one *detour*, an unplanned
read the agent makes on its own, with the category's ``detour_p``, at a uniformly
drawn position. The shipped scenarios (``scenarios.json``,
40 tasks in four categories) make communication tasks drift into violations often and
technical tasks rarely. The traces are synthetic: they model agent behaviour and are
not recordings of any agent.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_right
from dataclasses import dataclass
from importlib import resources
from itertools import accumulate

import numpy as np

from reprobook.params import check_float, check_int
from reprobook.safetydrift.state import FineState, RiskLevel, fine_state_index, risk_table
from reprobook.safetydrift.tools import SensitivityScale, ToolRegistry
from reprobook.safetydrift.traces import Step, Trace

CATEGORIES = ("data_handling", "sysadmin", "research_communication", "code_debugging")
COMMUNICATION_CATEGORIES = ("research_communication",)
TECHNICAL_CATEGORIES = ("sysadmin", "code_debugging")


@dataclass(frozen=True)
class Action:
    """One tool call a scenario can make."""

    tool: str
    arguments: str
    data: str
    sensitivity: str


@dataclass(frozen=True)
class Stage:
    """One stage of a scenario.

    Attributes:
        probability: chance that the stage happens at all.
        repeat: inclusive range ``(low, high)`` of the number of calls.
        actions: the actions to pick from.
        cumulative_weights: running sums of the action weights, normalised to end at 1.
    """

    probability: float
    repeat: tuple[int, int]
    actions: tuple[Action, ...]
    cumulative_weights: tuple[float, ...]


@dataclass(frozen=True)
class Scenario:
    """One task: its id, category, description and stages."""

    id: str
    category: str
    task: str
    stages: tuple[Stage, ...]


@dataclass(frozen=True)
class CategoryBehaviour:
    """What a category adds to each of its scenarios.

    Attributes:
        description: one line on the category.
        opening: a stage run before every scenario of the category, or None.
        detour_p: chance that a trace gets one detour action.
        detours: the detour actions, picked with equal weight.
    """

    description: str
    opening: Stage | None
    detour_p: float
    detours: tuple[Action, ...]


@dataclass(frozen=True)
class ScenarioSet:
    """A validated set of scenarios with the behaviour of their categories."""

    categories: dict[str, CategoryBehaviour]
    scenarios: tuple[Scenario, ...]


def _parse_action(
    raw: object, where: str, registry: ToolRegistry, scale: SensitivityScale
) -> tuple[Action, float]:
    if not isinstance(raw, dict):
        raise ValueError(
            f"{where} must be an object with tool, arguments, data, sensitivity; got {raw!r}"
        )
    missing = [
        key
        for key in ("tool", "arguments", "data", "sensitivity")
        if not isinstance(raw.get(key), str)
    ]
    if missing:
        raise ValueError(f"{where}: missing or non-string field(s) {', '.join(missing)}")
    if raw["tool"] not in registry:
        raise ValueError(
            f"{where}.tool: unknown tool {raw['tool']!r}; register it in the ToolRegistry"
        )
    if raw["sensitivity"] not in scale:
        raise ValueError(f"{where}.sensitivity: unknown sensitivity {raw['sensitivity']!r}")
    weight = check_float(f"{where}.weight", raw.get("weight", 1.0), low=0.0)
    return Action(raw["tool"], raw["arguments"], raw["data"], raw["sensitivity"]), weight


def _parse_stage(raw: object, where: str, registry: ToolRegistry, scale: SensitivityScale) -> Stage:
    if not isinstance(raw, dict) or not isinstance(raw.get("choose"), list) or not raw["choose"]:
        raise ValueError(f"{where} must be an object with a non-empty list 'choose'; got {raw!r}")
    probability = check_float(f"{where}.p", raw.get("p", 1.0), low=0.0, high=1.0)
    repeat = raw.get("repeat", [1, 1])
    if not isinstance(repeat, list) or len(repeat) != 2:
        raise ValueError(f"{where}.repeat must be a list [low, high]; got {repeat!r}")
    low = check_int(f"{where}.repeat[0]", repeat[0], low=1)
    high = check_int(f"{where}.repeat[1]", repeat[1], low=low)

    parsed = [
        _parse_action(action, f"{where}.choose[{index}]", registry, scale)
        for index, action in enumerate(raw["choose"])
    ]
    total = sum(weight for _, weight in parsed)
    if total <= 0:
        raise ValueError(f"{where}: the action weights must have a positive sum; got {total}")
    cumulative = tuple(value / total for value in accumulate(weight for _, weight in parsed))
    return Stage(probability, (low, high), tuple(action for action, _ in parsed), cumulative)


def parse_scenarios(
    document: dict, *, registry: ToolRegistry | None = None, scale: SensitivityScale | None = None
) -> ScenarioSet:
    """Validate a scenario document (the structure of ``scenarios.json``).

    Raises:
        ValueError: naming the first bad field, for example
            ``scenarios[3].stages[1].choose[0].tool: unknown tool 'foo'``.
    """
    registry = registry or ToolRegistry()
    scale = scale or SensitivityScale()
    if not isinstance(document, dict) or not isinstance(document.get("scenarios"), list):
        raise ValueError("scenario document must be an object with a list 'scenarios'")

    categories = {}
    for name, raw in (document.get("categories") or {}).items():
        where = f"categories.{name}"
        detour_p = check_float(f"{where}.detour_p", raw.get("detour_p", 0.0), low=0.0, high=1.0)
        detours = tuple(
            _parse_action(action, f"{where}.detours[{index}]", registry, scale)[0]
            for index, action in enumerate(raw.get("detours", []))
        )
        if detour_p > 0 and not detours:
            raise ValueError(f"{where}: detour_p is {detour_p} but no detours are listed")
        opening = (
            _parse_stage(raw["opening"], f"{where}.opening", registry, scale)
            if "opening" in raw
            else None
        )
        categories[name] = CategoryBehaviour(
            str(raw.get("description", "")), opening, detour_p, detours
        )

    scenarios = []
    seen = set()
    for index, raw in enumerate(document["scenarios"]):
        where = f"scenarios[{index}]"
        for key in ("id", "category", "task"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise ValueError(f"{where}.{key} must be a non-empty string; got {raw.get(key)!r}")
        if raw["id"] in seen:
            raise ValueError(f"{where}.id: duplicate scenario id {raw['id']!r}")
        seen.add(raw["id"])
        if not isinstance(raw.get("stages"), list) or not raw["stages"]:
            raise ValueError(f"{where}.stages must be a non-empty list")
        stages = tuple(
            _parse_stage(stage, f"{where}.stages[{number}]", registry, scale)
            for number, stage in enumerate(raw["stages"])
        )
        if all(stage.probability == 0 for stage in stages):
            raise ValueError(
                f"{where}: every stage has p = 0, so the scenario would make empty traces"
            )
        categories.setdefault(raw["category"], CategoryBehaviour("", None, 0.0, ()))
        scenarios.append(Scenario(raw["id"], raw["category"], raw["task"], stages))

    if not scenarios:
        raise ValueError("scenario document lists no scenarios")
    return ScenarioSet(categories, tuple(scenarios))


def load_scenarios(
    path: str | os.PathLike | None = None,
    *,
    registry: ToolRegistry | None = None,
    scale: SensitivityScale | None = None,
) -> ScenarioSet:
    """Load and validate a scenario file; by default the 40 shipped scenarios."""
    if path is None:
        text = (
            resources.files("reprobook.safetydrift")
            .joinpath("scenarios.json")
            .read_text(encoding="utf-8")
        )
    else:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    return parse_scenarios(json.loads(text), registry=registry, scale=scale)


def _stages_of(scenario: Scenario, behaviour: CategoryBehaviour) -> tuple[Stage, ...]:
    """Return the stages one trace runs: the category's opening, then the scenario's."""
    return ((behaviour.opening,) if behaviour.opening else ()) + scenario.stages


def _draws_needed(stages: tuple[Stage, ...]) -> int:
    """Return an upper bound on the uniforms one trace consumes (three go to the detour)."""
    return sum(2 + stage.repeat[1] for stage in stages) + 3


def _sample_actions(
    stages: tuple[Stage, ...], behaviour: CategoryBehaviour, uniforms: list[float]
) -> list[Action]:
    """Draw the actions of one trace, consuming ``uniforms`` from the front."""
    position = 0
    actions: list[Action] = []
    for stage in stages:
        happens = uniforms[position] < stage.probability
        low, high = stage.repeat
        count = low + min(int(uniforms[position + 1] * (high - low + 1)), high - low)
        position += 2
        if not happens:
            continue
        for _ in range(count):
            choice = min(
                bisect_right(stage.cumulative_weights, uniforms[position]), len(stage.actions) - 1
            )
            actions.append(stage.actions[choice])
            position += 1

    if behaviour.detours and uniforms[position] < behaviour.detour_p:
        detour = behaviour.detours[
            min(int(uniforms[position + 1] * len(behaviour.detours)), len(behaviour.detours) - 1)
        ]
        insert_at = min(int(uniforms[position + 2] * (len(actions) + 1)), len(actions))
        actions.insert(insert_at, detour)
    return actions


def generate_traces(
    n_traces: int,
    seed: int,
    *,
    scenarios: ScenarioSet | None = None,
    registry: ToolRegistry | None = None,
    scale: SensitivityScale | None = None,
) -> list[Trace]:
    """Generate synthetic traces, cycling through the scenarios so that each gets an equal share.

    Args:
        n_traces: number of traces (>= 1). Trace ``k`` runs scenario ``k mod S``.
        seed: seed of the numpy random generator.
        scenarios: the scenario set (default: the shipped one).
        registry: tool effects used to compute states (default: :class:`ToolRegistry`).
        scale: sensitivity levels used to compute states (default: :class:`SensitivityScale`).

    Returns:
        The traces; the violation flag of each step comes from the risk cascade, with
        VIOLATED absorbing. Traces whose draws leave no step are redrawn.
    """
    n_traces = check_int("n_traces", n_traces, low=1)
    seed = check_int("seed", seed, low=0)
    registry = registry or ToolRegistry()
    scale = scale or SensitivityScale()
    scenarios = scenarios or load_scenarios(registry=registry, scale=scale)
    rng = np.random.default_rng(seed)

    tool_effects = registry.as_dict()
    exposures = scale.as_dict()
    risks = risk_table()
    plans = [
        _stages_of(scenario, scenarios.categories[scenario.category])
        for scenario in scenarios.scenarios
    ]
    width = max(_draws_needed(stages) for stages in plans)

    traces = []
    for number in range(n_traces):
        scenario = scenarios.scenarios[number % len(scenarios.scenarios)]
        behaviour = scenarios.categories[scenario.category]
        stages = plans[number % len(scenarios.scenarios)]
        actions: list[Action] = []
        while not actions:
            actions = _sample_actions(stages, behaviour, rng.random(width).tolist())

        exposure = escalation = 0
        violated = False
        steps = []
        for action in actions:
            step_escalation, reversibility = tool_effects[action.tool]
            exposure = max(exposure, exposures[action.sensitivity])
            escalation = max(escalation, step_escalation)
            state = FineState(exposure, escalation, reversibility)
            violated = violated or risks[fine_state_index(state)] == RiskLevel.VIOLATED
            steps.append(
                Step(
                    action.tool, action.arguments, action.data, action.sensitivity, state, violated
                )
            )

        trace_id = f"{scenario.id}-{number // len(scenarios.scenarios):05d}"
        traces.append(Trace(trace_id, scenario.id, scenario.category, tuple(steps)))
    return traces
