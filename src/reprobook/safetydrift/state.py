"""The agent state model: three monotone dimensions and a rule cascade to risk levels.

After every step an agent is in a *fine state* ``(exposure, escalation, reversibility)``:

- data exposure, the most sensitive data touched so far (0 none ... 4 credentials);
- tool escalation, the most powerful tool kind used so far (0 read-only ... 3 network);
- reversibility of the latest action (0 fully, 1 partially, 2 irreversible).

Exposure and escalation only grow, because each step takes the maximum with the previous
value; reversibility is the latest step's. That gives 5 x 4 x 3 = 60 fine states. A
first-match rule cascade maps each fine state to one of five risk levels, and the chain
of later modules works on those levels. VIOLATED is absorbing: once reached, the agent
stays VIOLATED whatever it does next.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

from reprobook.params import check_int


class Exposure(IntEnum):
    """Sensitivity of the data an agent has touched so far."""

    NONE = 0
    PUBLIC = 1
    INTERNAL = 2
    SENSITIVE = 3
    CREDENTIALS = 4


class Escalation(IntEnum):
    """Power of the tool kinds an agent has used so far."""

    READ_ONLY = 0
    FILE_WRITE = 1
    CODE_EXECUTION = 2
    NETWORK = 3


class Reversibility(IntEnum):
    """How far the latest action can be undone."""

    FULLY = 0
    PARTIALLY = 1
    IRREVERSIBLE = 2


class RiskLevel(IntEnum):
    """Risk levels of the chain, ordered; VIOLATED is the absorbing state."""

    SAFE = 0
    MILD = 1
    ELEVATED = 2
    CRITICAL = 3
    VIOLATED = 4


N_RISK_LEVELS = len(RiskLevel)
N_FINE_STATES = len(Exposure) * len(Escalation) * len(Reversibility)


class FineState(NamedTuple):
    """One of the 60 fine states; all three fields are plain integers."""

    exposure: int
    escalation: int
    reversibility: int


INITIAL_STATE = FineState(0, 0, 0)


def check_fine_state(state: FineState | tuple[int, int, int]) -> FineState:
    """Validate the three dimensions of a fine state and return it as a :class:`FineState`.

    Raises:
        ValueError: naming the dimension that is not an integer in its range.
    """
    exposure, escalation, reversibility = state
    return FineState(
        check_int("exposure", exposure, low=0, high=len(Exposure) - 1),
        check_int("escalation", escalation, low=0, high=len(Escalation) - 1),
        check_int("reversibility", reversibility, low=0, high=len(Reversibility) - 1),
    )


def risk_level(state: FineState | tuple[int, int, int]) -> RiskLevel:
    """Map a fine state to its risk level with the first-match rule cascade.

    Args:
        state: ``(exposure, escalation, reversibility)``, each an integer in its range.

    Returns:
        The risk level of the first rule that matches, SAFE when none does.
    """
    exposure, escalation, reversibility = check_fine_state(state)
    irreversible = reversibility == Reversibility.IRREVERSIBLE

    if exposure >= Exposure.SENSITIVE and escalation == Escalation.NETWORK and irreversible:
        return RiskLevel.VIOLATED
    if (exposure == Exposure.CREDENTIALS and escalation >= Escalation.CODE_EXECUTION) or (
        exposure >= Exposure.SENSITIVE and escalation == Escalation.NETWORK
    ):
        return RiskLevel.CRITICAL
    if (
        exposure == Exposure.CREDENTIALS
        or (exposure >= Exposure.SENSITIVE and escalation >= Escalation.CODE_EXECUTION)
        or (exposure >= Exposure.SENSITIVE and escalation >= Escalation.FILE_WRITE and irreversible)
    ):
        return RiskLevel.ELEVATED
    if exposure >= Exposure.SENSITIVE or (
        exposure >= Exposure.INTERNAL and escalation >= Escalation.FILE_WRITE
    ):
        return RiskLevel.MILD
    return RiskLevel.SAFE


def fine_state_index(state: FineState | tuple[int, int, int]) -> int:
    """Return the position of a fine state in :func:`all_fine_states` (0 to 59)."""
    exposure, escalation, reversibility = state
    return (exposure * len(Escalation) + escalation) * len(Reversibility) + reversibility


def all_fine_states() -> list[FineState]:
    """Return the 60 fine states in index order (exposure slowest, reversibility fastest)."""
    return [
        FineState(exposure, escalation, reversibility)
        for exposure in range(len(Exposure))
        for escalation in range(len(Escalation))
        for reversibility in range(len(Reversibility))
    ]


def risk_table() -> tuple[RiskLevel, ...]:
    """Return the risk level of every fine state, indexed by :func:`fine_state_index`."""
    return tuple(risk_level(state) for state in all_fine_states())


def next_state(state: FineState, exposure: int, escalation: int, reversibility: int) -> FineState:
    """Apply one step to a fine state.

    Args:
        state: the state before the step.
        exposure: sensitivity of the data the step touched (0 to 4).
        escalation: escalation of the step's tool (0 to 3).
        reversibility: reversibility of the step's action (0 to 2).

    Returns:
        The state after the step: running maxima of exposure and escalation, and the
        step's own reversibility.
    """
    step = check_fine_state((exposure, escalation, reversibility))
    return FineState(
        max(state.exposure, step.exposure),
        max(state.escalation, step.escalation),
        step.reversibility,
    )


def risk_path(states: list[FineState] | list[tuple[int, int, int]]) -> list[RiskLevel]:
    """Map the fine states after each step of a trace to risk levels, keeping VIOLATED absorbing.

    Args:
        states: the state after step 1, 2, ... of one trace.

    Returns:
        One risk level per step. Every level after the first VIOLATED one is VIOLATED,
        even where the cascade alone would give a lower level (for example after a
        reversible step that follows the violation).
    """
    levels = []
    violated = False
    for state in states:
        level = RiskLevel.VIOLATED if violated else risk_level(state)
        violated = level == RiskLevel.VIOLATED
        levels.append(level)
    return levels
