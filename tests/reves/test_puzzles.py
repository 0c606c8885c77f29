import numpy as np
import pytest

from reprobook.reves.puzzles import (
    Puzzle,
    all_queens_solutions,
    all_sudoku_grids,
    corrupt_answer,
    is_correct,
    make_puzzles,
    make_queens,
    make_sudoku,
    queens_completions,
    sudoku_solutions,
    validate_sudoku,
)


def test_sudoku_grid_count():
    assert len(all_sudoku_grids()) == 288


def test_six_queens_solution_count():
    assert len(all_queens_solutions(6)) == 4


def test_eight_queens_solution_count():
    assert len(all_queens_solutions(8)) == 92


def test_sudoku_has_requested_blanks():
    assert make_sudoku(np.random.default_rng(1), 12).blanks == 12


def test_sudoku_unique():
    puzzle = make_sudoku(np.random.default_rng(2), 10)
    assert sudoku_solutions(puzzle.cells) == [puzzle.solution]


def test_sudoku_solution_verifies():
    puzzle = make_sudoku(np.random.default_rng(3), 8)
    assert is_correct(puzzle, puzzle.solution)


def test_queens_any_completion_correct():
    puzzle = Puzzle("queens", "......", all_queens_solutions()[0])
    assert all(is_correct(puzzle, board) for board in all_queens_solutions())


def test_queens_removed_count():
    assert make_queens(np.random.default_rng(4), 3).blanks == 3


def test_queens_completions_include_solution():
    puzzle = make_queens(np.random.default_rng(5), 2)
    assert puzzle.solution in queens_completions(puzzle.cells)


@pytest.mark.parametrize("answer", ["", "2412132", "12343412214343211", "1a34341221434321", "1.34341221434321"])
def test_malformed_answer_rejected(answer):
    puzzle = Puzzle("sudoku", "1.3.34..2.4.43.1", "1234341221434321")
    assert not is_correct(puzzle, answer)


def test_wrong_answer_rejected():
    puzzle = Puzzle("sudoku", "1.3.34..2.4.43.1", "1234341221434321")
    assert not is_correct(puzzle, "1234341221434312")


def test_changed_given_rejected():
    puzzle = Puzzle("sudoku", "1.3.34..2.4.43.1", "1234341221434321")
    assert not is_correct(puzzle, "2143432112343412")


def test_corrupted_answer_wrong():
    puzzle = make_sudoku(np.random.default_rng(6), 8)
    assert not is_correct(puzzle, corrupt_answer(np.random.default_rng(0), puzzle, 2))


def test_corrupted_answer_keeps_givens():
    puzzle = make_sudoku(np.random.default_rng(6), 8)
    corrupted = corrupt_answer(np.random.default_rng(0), puzzle, 1)
    assert all(cell in (".", symbol) for cell, symbol in zip(puzzle.cells, corrupted, strict=True))


def test_make_puzzles_repeatable():
    assert make_puzzles(9, "sudoku", 5, (6, 12)) == make_puzzles(9, "sudoku", 5, (6, 12))


def test_make_puzzles_blank_range():
    blanks = {puzzle.blanks for puzzle in make_puzzles(9, "sudoku", 30, (6, 7))}
    assert blanks <= {6, 7}


@pytest.mark.parametrize("cells", ["1234", "1.3.34..2.4.43.9", "1.3.34..2.4.43.1x", 12])
def test_validator_rejects_malformed(cells):
    with pytest.raises(ValueError, match="sudoku cells must be 16 symbols"):
        validate_sudoku(cells)


def test_validator_rejects_unsolvable():
    with pytest.raises(ValueError, match="has no solution"):
        validate_sudoku("11..............")


def test_validator_rejects_non_unique():
    with pytest.raises(ValueError, match="solutions; a puzzle needs exactly one"):
        validate_sudoku("1...............")


def test_validator_returns_solution():
    assert validate_sudoku("1.3.34..2.4.43.1") == "1234341221434321"


def test_too_many_blanks_raises():
    with pytest.raises(ValueError, match=r"empty must be an integer in \[1, 12\]; got 13"):
        make_sudoku(np.random.default_rng(0), 13)


def test_zero_count_raises():
    with pytest.raises(ValueError, match="count must be an integer >= 1; got 0"):
        make_puzzles(0, "sudoku", 0, (6, 12))


def test_unknown_family_raises():
    with pytest.raises(ValueError, match="family must be one of"):
        make_puzzles(0, "kakuro", 1, (1, 2))
