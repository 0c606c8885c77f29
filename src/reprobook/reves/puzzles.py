"""Constraint puzzles with exact verifiers: 4x4 mini-sudoku and n-queens.

"The paper" is *REVES: REvision and VErification-Augmented Training for Test-Time Scaling*.

A puzzle is a string of cells in which ``.`` marks a blank; an *answer* is the full board,
the puzzle with every blank filled. (Writing the whole board lets a small model copy
each given from a fixed distance instead of counting blanks.) A verifier checks an
answer against the givens and the constraints only, so any consistent completion is
correct:

- mini-sudoku: 16 cells (row-major) of ``1``-``4``; every row, column and 2x2 box of the
  filled grid holds each digit once. Generated puzzles have a unique solution.
- n-queens: one cell per row holding the column (``1``-``n``) of that row's queen. The
  filled board must place no two queens on one column or diagonal. Puzzles remove a few
  queens from a solution, so several completions may be correct.

Malformed answers (wrong length, foreign symbols) are rejected, never repaired.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np

from reprobook.params import check_choice, check_int

BLANK = "."
SUDOKU = "sudoku"
QUEENS = "queens"
FAMILIES = (SUDOKU, QUEENS)
SUDOKU_CELLS = 16
SUDOKU_DIGITS = "1234"
QUEENS_SIZE = 6


@dataclass(frozen=True)
class Puzzle:
    """One puzzle instance.

    Attributes:
        family: ``"sudoku"`` or ``"queens"``.
        cells: the puzzle string, ``.`` for blanks.
        solution: one full solution (the only one for mini-sudoku).
    """

    family: str
    cells: str
    solution: str

    @property
    def blanks(self) -> int:
        """Return the number of blank cells."""
        return self.cells.count(BLANK)


def keeps_givens(cells: str, full: str) -> bool:
    """Return whether a board of the puzzle's length agrees with every given cell."""
    return len(full) == len(cells) and all(cell in (BLANK, symbol) for cell, symbol in zip(cells, full, strict=True))


# --- mini-sudoku -----------------------------------------------------------------------

_SUDOKU_UNITS = (
    [[4 * row + col for col in range(4)] for row in range(4)]
    + [[4 * row + col for row in range(4)] for col in range(4)]
    + [[4 * (2 * br + r) + 2 * bc + c for r in range(2) for c in range(2)] for br in range(2) for bc in range(2)]
)


def sudoku_grid_valid(grid: str) -> bool:
    """Return whether a full 16-symbol grid satisfies every row, column and box."""
    if len(grid) != SUDOKU_CELLS or any(symbol not in SUDOKU_DIGITS for symbol in grid):
        return False
    return all(sorted(grid[i] for i in unit) == list(SUDOKU_DIGITS) for unit in _SUDOKU_UNITS)


@functools.cache
def all_sudoku_grids() -> np.ndarray:
    """Enumerate every valid 4x4 sudoku grid.

    Returns:
        Array of shape (288, 16), dtype uint8, digits 1-4 in row-major order.
    """
    rows = ["".join(order) for order in itertools.permutations(SUDOKU_DIGITS)]
    grids: list[list[int]] = []

    def extend(prefix: str) -> None:
        if len(prefix) == SUDOKU_CELLS:
            if sudoku_grid_valid(prefix):
                grids.append([int(symbol) for symbol in prefix])
            return
        row = len(prefix) // 4
        for candidate in rows:
            columns_free = all(candidate[c] not in prefix[c::4] for c in range(4))
            box_free = row % 2 == 0 or all(
                candidate[c] not in prefix[4 * (row - 1) + 2 * (c // 2): 4 * (row - 1) + 2 * (c // 2) + 2]
                for c in range(4)
            )
            if columns_free and box_free:
                extend(prefix + candidate)

    extend("")
    return np.array(grids, dtype=np.uint8)


def check_sudoku_cells(cells: str) -> str:
    """Validate a mini-sudoku puzzle string and return it.

    Raises:
        ValueError: if it is not 16 symbols of ``1``-``4`` and ``.``.
    """
    if not isinstance(cells, str) or len(cells) != SUDOKU_CELLS or any(c not in SUDOKU_DIGITS + BLANK for c in cells):
        raise ValueError(f"sudoku cells must be 16 symbols of '1234.'; got {cells!r}")
    return cells


def sudoku_solutions(cells: str) -> list[str]:
    """Return every full grid consistent with the givens of a mini-sudoku puzzle.

    Raises:
        ValueError: if the puzzle string is malformed.
    """
    check_sudoku_cells(cells)
    grids = all_sudoku_grids()
    given = np.array([cell != BLANK for cell in cells])
    values = np.array([int(cell) if cell != BLANK else 0 for cell in cells], dtype=np.uint8)
    matches = np.all(grids[:, given] == values[given], axis=1)
    return ["".join(map(str, grid)) for grid in grids[matches]]


def validate_sudoku(cells: str) -> str:
    """Check that a mini-sudoku puzzle is well formed and has exactly one solution.

    Returns:
        The unique solution.

    Raises:
        ValueError: if the puzzle is malformed, unsolvable or has several solutions.
    """
    solutions = sudoku_solutions(cells)
    if not solutions:
        raise ValueError(f"sudoku {cells!r} has no solution")
    if len(solutions) > 1:
        raise ValueError(f"sudoku {cells!r} has {len(solutions)} solutions; a puzzle needs exactly one")
    return solutions[0]


def make_sudoku(rng: np.random.Generator, empty: int, max_tries: int = 200) -> Puzzle:
    """Draw a mini-sudoku with ``empty`` blanks and a unique solution.

    A random grid is drawn from all 288; blanks are then removed one at a time in random
    order, skipping any removal that would make the solution non-unique.

    Args:
        rng: the random generator.
        empty: the number of blanks, 1 to 12 (12 is the most a unique 4x4 puzzle allows).
        max_tries: fresh grids to try before giving up.

    Raises:
        ValueError: if ``empty`` is outside [1, 12].
        RuntimeError: if no puzzle was found in ``max_tries`` grids.
    """
    check_int("empty", empty, low=1, high=12)
    grids = all_sudoku_grids()
    for _ in range(max_tries):
        grid = "".join(map(str, grids[rng.integers(len(grids))]))
        cells = list(grid)
        for index in rng.permutation(SUDOKU_CELLS):
            if sum(cell == BLANK for cell in cells) == empty:
                break
            cells[index] = BLANK
            if len(sudoku_solutions("".join(cells))) != 1:
                cells[index] = grid[index]
        if sum(cell == BLANK for cell in cells) == empty:
            return Puzzle(SUDOKU, "".join(cells), grid)
    raise RuntimeError(f"no unique sudoku with {empty} blanks found in {max_tries} tries")


# --- n-queens --------------------------------------------------------------------------

def queens_board_valid(board: str, size: int = QUEENS_SIZE) -> bool:
    """Return whether a full board (one column digit per row) places non-attacking queens."""
    if len(board) != size or any(not symbol.isdigit() or not 1 <= int(symbol) <= size for symbol in board):
        return False
    columns = [int(symbol) for symbol in board]
    if len(set(columns)) != size:
        return False
    return all(abs(columns[a] - columns[b]) != b - a for a in range(size) for b in range(a + 1, size))


@functools.cache
def all_queens_solutions(size: int = QUEENS_SIZE) -> tuple[str, ...]:
    """Return every n-queens solution as strings of column digits (4 for n = 6)."""
    check_int("size", size, low=4, high=9)
    digits = "".join(str(column) for column in range(1, size + 1))
    return tuple(
        "".join(order) for order in itertools.permutations(digits) if queens_board_valid("".join(order), size)
    )


def check_queens_cells(cells: str, size: int = QUEENS_SIZE) -> str:
    """Validate an n-queens puzzle string and return it.

    Raises:
        ValueError: if it is not ``size`` symbols of column digits and ``.``.
    """
    allowed = "".join(str(column) for column in range(1, size + 1)) + BLANK
    if not isinstance(cells, str) or len(cells) != size or any(cell not in allowed for cell in cells):
        raise ValueError(f"queens cells must be {size} symbols of {allowed!r}; got {cells!r}")
    return cells


def queens_completions(cells: str, size: int = QUEENS_SIZE) -> list[str]:
    """Return every solution consistent with the queens already placed.

    Raises:
        ValueError: if the puzzle string is malformed.
    """
    check_queens_cells(cells, size)
    return [
        board for board in all_queens_solutions(size)
        if all(cell == BLANK or cell == symbol for cell, symbol in zip(cells, board, strict=True))
    ]


def make_queens(rng: np.random.Generator, removed: int, size: int = QUEENS_SIZE) -> Puzzle:
    """Draw an n-queens solution and remove ``removed`` of its queens.

    Raises:
        ValueError: if ``removed`` is outside [1, size].
    """
    check_int("removed", removed, low=1, high=size)
    solutions = all_queens_solutions(size)
    board = solutions[rng.integers(len(solutions))]
    rows = set(rng.choice(size, size=removed, replace=False).tolist())
    cells = "".join(BLANK if row in rows else symbol for row, symbol in enumerate(board))
    return Puzzle(QUEENS, cells, board)


# --- shared ----------------------------------------------------------------------------

def is_correct(puzzle: Puzzle, answer: str) -> bool:
    """Verify an answer: a full board that keeps the givens and solves the puzzle.

    Args:
        puzzle: the puzzle.
        answer: the full board (no end marker).

    Returns:
        True only for a board of the right length that keeps every given and meets
        every constraint.
    """
    if not isinstance(answer, str) or not keeps_givens(puzzle.cells, answer):
        return False
    if puzzle.family == SUDOKU:
        return sudoku_grid_valid(answer)
    return queens_board_valid(answer, len(puzzle.cells))


def make_puzzle(rng: np.random.Generator, family: str, blanks: int) -> Puzzle:
    """Draw one puzzle of a family with ``blanks`` blank cells."""
    check_choice("family", family, FAMILIES)
    if family == SUDOKU:
        return make_sudoku(rng, blanks)
    return make_queens(rng, blanks)


def make_puzzles(seed: int, family: str, count: int, blanks: tuple[int, int]) -> list[Puzzle]:
    """Draw ``count`` puzzles with a number of blanks uniform in ``blanks`` (inclusive).

    Args:
        seed: the seed of the generator.
        family: ``"sudoku"`` or ``"queens"``.
        count: how many puzzles, at least 1.
        blanks: (fewest, most) blanks; the paper uses (6, 12) for sudoku, (1, 3) for queens.

    Raises:
        ValueError: for an unknown family, count < 1 or a bad range of blanks.
    """
    check_choice("family", family, FAMILIES)
    check_int("count", count, low=1)
    high = 12 if family == SUDOKU else QUEENS_SIZE
    low_blanks = check_int("blanks[0]", blanks[0], low=1, high=high)
    check_int("blanks[1]", blanks[1], low=low_blanks, high=high)
    rng = np.random.default_rng(seed)
    return [make_puzzle(rng, family, int(rng.integers(blanks[0], blanks[1] + 1))) for _ in range(count)]


def corrupt_answer(rng: np.random.Generator, puzzle: Puzzle, changes: int = 1) -> str:
    """Return a wrong but well-formed answer: the solution with a few blank cells changed.

    Args:
        rng: the random generator.
        puzzle: the puzzle.
        changes: how many blanks get another symbol (at most the number of blanks).

    Returns:
        An answer of the right length that :func:`is_correct` rejects.
    """
    answer = list(puzzle.solution)
    blanks = [index for index, cell in enumerate(puzzle.cells) if cell == BLANK]
    symbols = SUDOKU_DIGITS if puzzle.family == SUDOKU else "".join(str(c) for c in range(1, len(puzzle.cells) + 1))
    for _ in range(100):
        candidate = answer.copy()
        for index in rng.choice(blanks, size=min(changes, len(blanks)), replace=False):
            others = [symbol for symbol in symbols if symbol != candidate[index]]
            candidate[index] = others[rng.integers(len(others))]
        text = "".join(candidate)
        if not is_correct(puzzle, text):
            return text
    raise RuntimeError(f"could not corrupt the answer of {puzzle.cells!r}")
