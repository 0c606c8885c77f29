"""Text encodings of the three tasks and the character-level tokenizer.

Every task is a *prompt* the policy continues with a *completion* that ends with the end
marker ``;``. The three prompt kinds:

- solve: ``S<f><cells>=`` -> the answer (the full board);
- revise: ``R<f><cells>|<previous answer>|x=`` -> a new answer, where ``x`` is the binary
  feedback "incorrect";
- verify: ``V<f><cells>|<candidate answer>=`` -> ``T`` (correct) or ``F`` (incorrect).

``<f>`` is ``m`` for mini-sudoku and ``q`` for queens. A completion is cut at the first
``;``; one without it is malformed and fails every verifier.
"""

from __future__ import annotations

from dataclasses import dataclass

from reprobook.params import check_choice
from reprobook.reves.puzzles import QUEENS, SUDOKU, Puzzle, check_queens_cells, check_sudoku_cells

END = ";"
PAD = "_"
FEEDBACK_INCORRECT = "x"
TRUE, FALSE = "T", "F"
FAMILY_MARKS = {SUDOKU: "m", QUEENS: "q"}
VOCABULARY = PAD + END + ".0123456789SRVmq|x=TF"
SOLVE, REVISE, VERIFY = "solve", "revise", "verify"
KINDS = (SOLVE, REVISE, VERIFY)
MAX_ANSWER = 16


@dataclass(frozen=True)
class Task:
    """One prompt with what its reward is checked against.

    Attributes:
        kind: ``"solve"``, ``"revise"`` or ``"verify"``.
        puzzle: the puzzle the prompt is about.
        previous: the answer under revision or verification (empty for solve).
        label: for verify prompts, whether ``previous`` is correct.
    """

    kind: str
    puzzle: Puzzle
    previous: str = ""
    label: bool = False

    @property
    def prompt(self) -> str:
        """Return the prompt text."""
        return encode_prompt(self)


def sanitize_answer(answer: str) -> str:
    """Keep an answer embeddable in a prompt: at most 16 symbols, none of the markers."""
    return "".join(symbol for symbol in answer if symbol in "0123456789.")[:MAX_ANSWER]


def encode_prompt(task: Task) -> str:
    """Write a task as prompt text.

    Raises:
        ValueError: for an unknown kind or a malformed puzzle string.
    """
    check_choice("kind", task.kind, KINDS)
    if task.puzzle.family == SUDOKU:
        check_sudoku_cells(task.puzzle.cells)
    else:
        check_queens_cells(task.puzzle.cells)
    head = FAMILY_MARKS[task.puzzle.family] + task.puzzle.cells
    if task.kind == SOLVE:
        return f"S{head}="
    previous = sanitize_answer(task.previous)
    if task.kind == REVISE:
        return f"R{head}|{previous}|{FEEDBACK_INCORRECT}="
    return f"V{head}|{previous}="


def parse_completion(text: str) -> str | None:
    """Return the completion up to its end marker, or ``None`` when the marker is missing."""
    if END not in text:
        return None
    return text.split(END, 1)[0]


def target_text(task: Task) -> str:
    """Return the reference completion of a task (what supervised warm-up teaches)."""
    if task.kind == VERIFY:
        return (TRUE if task.label else FALSE) + END
    return task.puzzle.solution + END


def verdict_of(text: str) -> bool | None:
    """Read a verify completion: True for ``T;``, False for ``F;``, None when malformed."""
    body = parse_completion(text)
    if body == TRUE:
        return True
    if body == FALSE:
        return False
    return None


class CharTokenizer:
    """A character-level tokenizer over :data:`VOCABULARY`; id 0 is padding.

    The vocabulary is fixed, so a saved checkpoint needs only the model's config.
    """

    def __init__(self, vocabulary: str = VOCABULARY) -> None:
        if len(set(vocabulary)) != len(vocabulary):
            raise ValueError(f"vocabulary must not repeat characters; got {vocabulary!r}")
        self.vocabulary = vocabulary
        self.index = {symbol: position for position, symbol in enumerate(vocabulary)}
        self.pad_id = self.index[PAD]
        self.end_id = self.index[END]

    def __len__(self) -> int:
        return len(self.vocabulary)

    def encode(self, text: str) -> list[int]:
        """Return the token ids of ``text``.

        Raises:
            ValueError: naming the first character outside the vocabulary.
        """
        try:
            return [self.index[symbol] for symbol in text]
        except KeyError as error:
            raise ValueError(f"text contains {error.args[0]!r}, which is not in the vocabulary") from None

    def decode(self, ids: list[int]) -> str:
        """Return the text of token ids, dropping padding."""
        return "".join(self.vocabulary[i] for i in ids if i != self.pad_id)
