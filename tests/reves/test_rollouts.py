import pytest
import torch

from reprobook.reves.prompts import SOLVE, VERIFY, Task
from reprobook.reves.puzzles import Puzzle
from reprobook.reves.rollouts import answer_text, revision_chains, reward, self_verdicts

SUDOKU = Puzzle("sudoku", "1.3.34..2.4.43.1", "1234341221434321")


def test_reward_correct_answer():
    assert reward(Task(SOLVE, SUDOKU), "1234341221434321;") == 1.0


def test_reward_without_end_marker():
    assert reward(Task(SOLVE, SUDOKU), "1234341221434321") == 0.0


def test_reward_verdict_matches_label():
    assert reward(Task(VERIFY, SUDOKU, "1234341221434312", label=False), "F;") == 1.0


def test_reward_verdict_mismatch():
    assert reward(Task(VERIFY, SUDOKU, "1234341221434312", label=False), "T;") == 0.0


def test_answer_without_end_is_malformed():
    assert answer_text("2412") == "?"


def run(policy, tokenizer, sudokus, stop, budget=3):
    return revision_chains(
        policy, tokenizer, sudokus, budget=budget, temperature=1.0, generator=torch.Generator().manual_seed(0), stop=stop
    )[0]


def test_never_stop_uses_budget(policy, tokenizer, sudokus):
    assert {len(chain.answers) for chain in run(policy, tokenizer, sudokus, "never")} == {4}


def test_oracle_stops_at_success(policy, tokenizer, sudokus):
    chains = run(policy, tokenizer, sudokus, "oracle")
    assert all(chain.correct[-1] or len(chain.answers) == 4 for chain in chains)


def test_self_stop_records_verdicts(policy, tokenizer, sudokus):
    chains = run(policy, tokenizer, sudokus, "self")
    assert all(len(chain.verdicts) == len(chain.answers) for chain in chains)


def test_budget_zero_raises(policy, tokenizer, sudokus):
    with pytest.raises(ValueError, match="budget must be an integer >= 1; got 0"):
        run(policy, tokenizer, sudokus, "oracle", budget=0)


def test_unknown_stop_raises(policy, tokenizer, sudokus):
    with pytest.raises(ValueError, match="stop must be 'oracle', 'self' or 'never'"):
        run(policy, tokenizer, sudokus, "sometimes")


def test_self_verdicts_are_probabilities(policy, tokenizer, sudokus):
    scores = self_verdicts(policy, tokenizer, sudokus, ["12"] * len(sudokus))
    assert bool(((scores > 0) & (scores < 1)).all())
