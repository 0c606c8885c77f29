"""The streaming SafetyDrift monitor.

The monitor follows one agent run step by step. After each step it updates the fine
state, maps it to a risk level and looks up the precomputed probability of a violation
within the horizon from that level, using the chain of the run's task category. It
raises an alarm when that probability reaches the category's threshold. All lookups are
precomputed, so a step costs a few dictionary and tuple look-ups and no matrix algebra.

Typical use from any agent framework::

    monitor = SafetyMonitor.from_chains(fit_chains(training_traces), horizon=5, thresholds=0.5)
    monitor.start("research_communication")
    reading = monitor.observe("read_file", "sensitive")
    if reading.alarm:
        ...  # pause the agent, ask a human
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from reprobook.params import check_bool, check_float, check_int
from reprobook.safetydrift.absorption import violation_within
from reprobook.safetydrift.chain import POOLED, MarkovChain
from reprobook.safetydrift.state import (
    INITIAL_STATE,
    N_FINE_STATES,
    N_RISK_LEVELS,
    FineState,
    RiskLevel,
    all_fine_states,
    check_fine_state,
    fine_state_index,
    risk_table,
)
from reprobook.safetydrift.tools import SensitivityScale, ToolRegistry
from reprobook.safetydrift.traces import Step


class MonitorReading(NamedTuple):
    """The reading the monitor returns after one step.

    Attributes:
        risk: the risk level after the step.
        probability: P(violation within the horizon | risk level); 1 once VIOLATED.
        alarm: whether the probability reached the category's threshold.
        state: the fine state after the step.
    """

    risk: RiskLevel
    probability: float
    alarm: bool
    state: FineState


def _check_thresholds(
    thresholds: float | Mapping[str, float], categories: Sequence[str]
) -> dict[str, float]:
    if isinstance(thresholds, Mapping):
        unknown = [key for key in thresholds if key not in categories and key != POOLED]
        if unknown:
            raise ValueError(
                f"thresholds names unknown categor{'y' if len(unknown) == 1 else 'ies'} "
                f"{', '.join(map(repr, unknown))}; known: {', '.join(categories)}"
            )
        fallback = thresholds.get(POOLED)
        resolved = {}
        for category in categories:
            value = thresholds.get(category, fallback)
            if value is None:
                raise ValueError(
                    f"thresholds gives no value for category {category!r} and no {POOLED!r} fallback"
                )
            resolved[category] = check_float(f"threshold of {category!r}", value, low=0.0, high=1.0)
        return resolved
    value = check_float("threshold", thresholds, low=0.0, high=1.0)
    return dict.fromkeys(categories, value)


class SafetyMonitor:
    """A streaming monitor over one agent run at a time.

    Args:
        probabilities: per category, P(violation within the horizon) from each
            transient risk level SAFE, MILD, ELEVATED, CRITICAL (4 values in [0, 1]).
            A ``"pooled"`` entry serves runs started with ``None``, and, with
            ``pooled_fallback``, categories without their own.
        thresholds: one alarm threshold in [0, 1], or one per category (a
            ``"pooled"`` entry is the fallback).
        horizon: the horizon the probabilities were computed for, in steps (kept for reports).
        registry: tool effects for :meth:`observe` (default: :class:`ToolRegistry`).
        scale: sensitivity levels for :meth:`observe` (default: :class:`SensitivityScale`).
        pooled_fallback: whether a category without its own table uses the
            ``"pooled"`` one. Off by default, so a misspelt category raises instead of
            being monitored with the wrong chain.
    """

    def __init__(
        self,
        probabilities: Mapping[str, Sequence[float]],
        *,
        thresholds: float | Mapping[str, float] = 0.5,
        horizon: int = 5,
        registry: ToolRegistry | None = None,
        scale: SensitivityScale | None = None,
        pooled_fallback: bool = False,
    ) -> None:
        if not probabilities:
            raise ValueError("probabilities must name at least one category; got none")
        self.horizon = check_int("horizon", horizon, low=1)
        self.pooled_fallback = check_bool("pooled_fallback", pooled_fallback)
        if self.pooled_fallback and POOLED not in probabilities:
            raise ValueError(
                f"pooled_fallback=True needs a {POOLED!r} entry in probabilities; "
                f"got {', '.join(map(repr, probabilities))}"
            )
        self.probabilities: dict[str, tuple[float, ...]] = {}
        for category, values in probabilities.items():
            values = [float(value) for value in values]
            if len(values) != N_RISK_LEVELS - 1:
                raise ValueError(
                    f"probabilities of {category!r} must have {N_RISK_LEVELS - 1} values; got {len(values)}"
                )
            for level, value in zip(RiskLevel, values):
                check_float(
                    f"probability of {category!r} at {level.name}", value, low=0.0, high=1.0
                )
            self.probabilities[category] = (*values, 1.0)
        self.thresholds = _check_thresholds(thresholds, list(self.probabilities))

        self.registry = registry or ToolRegistry()
        self.scale = scale or SensitivityScale()
        self._tool_effects = self.registry.as_dict()
        self._exposures = self.scale.as_dict()
        self._tables = {category: self._build_table(category) for category in self.probabilities}
        self._table: tuple[MonitorReading, ...] = ()
        self.category: str | None = None
        self.start(next(iter(self.probabilities)))

    @classmethod
    def from_chains(
        cls,
        chains: Mapping[str, MarkovChain],
        *,
        horizon: int = 5,
        thresholds: float | Mapping[str, float] = 0.5,
        registry: ToolRegistry | None = None,
        scale: SensitivityScale | None = None,
        pooled_fallback: bool = False,
    ) -> SafetyMonitor:
        """Build a monitor from fitted chains (see :func:`~reprobook.safetydrift.chain.fit_chains`)."""
        horizon = check_int("horizon", horizon, low=1)
        probabilities = {
            category: violation_within(chain.matrix, horizon) for category, chain in chains.items()
        }
        return cls(
            probabilities,
            thresholds=thresholds,
            horizon=horizon,
            registry=registry,
            scale=scale,
            pooled_fallback=pooled_fallback,
        )

    def _build_table(self, category: str) -> tuple[MonitorReading, ...]:
        """Precompute the reading of every fine state, first as reached, then after a violation.

        Entry ``index`` is the fine state with that index; entry ``60 + index`` is the same
        state in a run that has already violated.
        """
        probabilities = self.probabilities[category]
        threshold = self.thresholds[category]
        readings = []
        for violated_before in (False, True):
            for state, level in zip(all_fine_states(), risk_table(), strict=True):
                level = RiskLevel.VIOLATED if violated_before else level
                probability = probabilities[level]
                readings.append(MonitorReading(level, probability, probability >= threshold, state))
        return tuple(readings)

    def _resolve(self, category: str | None) -> str:
        """Return the table name serving ``category``, raising on an unknown one without fallback."""
        if category in self._tables:
            return category
        if POOLED in self._tables and (category is None or self.pooled_fallback):
            return POOLED
        raise ValueError(
            f"unknown category {category!r}; known: {', '.join(self._tables)} "
            "(pass pooled_fallback=True to monitor unknown categories with the pooled chain)"
        )

    def start(self, category: str | None = None) -> SafetyMonitor:
        """Begin a new run of the given category (``None`` asks for the ``"pooled"`` chain).

        Raises:
            ValueError: if the category has no chain, unless the monitor was built with
                ``pooled_fallback=True`` and has a pooled chain; the message lists the
                known categories.
        """
        category = self._resolve(category)
        self.category = category
        self._table = self._tables[category]
        self._exposure = INITIAL_STATE.exposure
        self._escalation = INITIAL_STATE.escalation
        self._offset = 0
        self.last = self._table[fine_state_index(INITIAL_STATE)]
        return self

    def _read(self, index: int) -> MonitorReading:
        reading = self._table[self._offset + index]
        if reading.risk is RiskLevel.VIOLATED:
            self._offset = N_FINE_STATES
        self.last = reading
        return reading

    def observe(self, tool: str, sensitivity: str = "none") -> MonitorReading:
        """Consume one step given by its tool name and the sensitivity of the data it touched.

        Raises:
            ValueError: on an unknown tool or sensitivity label.
        """
        try:
            escalation, reversibility = self._tool_effects[tool]
        except KeyError:
            raise ValueError(
                f"unknown tool {tool!r}; register it with ToolRegistry.register(name, kind=...)"
            ) from None
        try:
            exposure = self._exposures[sensitivity]
        except KeyError:
            raise ValueError(
                f"unknown sensitivity {sensitivity!r}; known: {', '.join(self.scale.labels())}"
            ) from None

        self._exposure = max(self._exposure, exposure)
        self._escalation = max(self._escalation, escalation)
        # fine_state_index, inlined because this line runs once per agent step.
        return self._read((self._exposure * 4 + self._escalation) * 3 + reversibility)

    def observe_state(self, state: FineState | tuple[int, int, int]) -> MonitorReading:
        """Consume one step given by the fine state after it (for traces that record states).

        The state replaces the monitor's own; exposure and escalation are not re-maximised.
        """
        state = check_fine_state(state)
        self._exposure, self._escalation = state.exposure, state.escalation
        return self._read(fine_state_index(state))

    def score(self, step: Step) -> float:
        """Consume a recorded trace step and return P(violation within the horizon)."""
        return self.observe_state(step.state).probability

    def threshold_for(self, category: str) -> float:
        """Return the alarm threshold used for runs of ``category``.

        Raises:
            ValueError: on a category :meth:`start` would reject.
        """
        return self.thresholds[self._resolve(category)]
