import pytest

from reprobook.safetydrift.state import (
    INITIAL_STATE,
    FineState,
    RiskLevel,
    all_fine_states,
    fine_state_index,
    next_state,
    risk_level,
    risk_path,
    risk_table,
)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ((3, 3, 2), RiskLevel.VIOLATED),
        ((4, 3, 2), RiskLevel.VIOLATED),
        ((4, 2, 0), RiskLevel.CRITICAL),
        ((3, 3, 0), RiskLevel.CRITICAL),
        ((3, 3, 1), RiskLevel.CRITICAL),
        ((4, 0, 0), RiskLevel.ELEVATED),
        ((3, 2, 1), RiskLevel.ELEVATED),
        ((3, 1, 2), RiskLevel.ELEVATED),
        ((3, 0, 0), RiskLevel.MILD),
        ((3, 1, 1), RiskLevel.MILD),
        ((2, 1, 0), RiskLevel.MILD),
        ((2, 3, 2), RiskLevel.MILD),
        ((2, 0, 2), RiskLevel.SAFE),
        ((1, 3, 2), RiskLevel.SAFE),
        ((0, 0, 0), RiskLevel.SAFE),
    ],
)
def test_risk_level_cascade(state, expected):
    assert risk_level(state) == expected


def test_fine_states_count():
    assert len(all_fine_states()) == 60


def test_fine_state_index_matches_order():
    assert [fine_state_index(state) for state in all_fine_states()] == list(range(60))


def test_risk_table_has_every_level():
    assert set(risk_table()) == set(RiskLevel)


def test_violated_needs_network_and_irreversible():
    violated = [state for state in all_fine_states() if risk_level(state) == RiskLevel.VIOLATED]
    assert violated == [FineState(3, 3, 2), FineState(4, 3, 2)]


def test_next_state_keeps_maxima():
    assert next_state(FineState(3, 2, 1), 1, 0, 0) == FineState(3, 2, 0)


def test_next_state_raises_levels():
    assert next_state(INITIAL_STATE, 2, 1, 1) == FineState(2, 1, 1)


def test_next_state_rejects_exposure_out_of_range():
    with pytest.raises(ValueError, match=r"exposure must be an integer in \[0, 4\]; got 5"):
        next_state(INITIAL_STATE, 5, 0, 0)


def test_risk_level_rejects_bad_reversibility():
    with pytest.raises(ValueError, match="reversibility"):
        risk_level((0, 0, 3))


def test_risk_path_keeps_violated_absorbing():
    path = risk_path([(3, 0, 0), (3, 3, 2), (3, 3, 0)])
    assert path == [RiskLevel.MILD, RiskLevel.VIOLATED, RiskLevel.VIOLATED]
