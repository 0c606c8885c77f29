import pytest

from reprobook.reves.prompts import (
    REVISE,
    SOLVE,
    VERIFY,
    CharTokenizer,
    Task,
    encode_prompt,
    parse_completion,
    sanitize_answer,
    target_text,
    verdict_of,
)
from reprobook.reves.puzzles import Puzzle

SUDOKU = Puzzle("sudoku", "1.3.34..2.4.43.1", "1234341221434321")


def test_solve_prompt():
    assert encode_prompt(Task(SOLVE, SUDOKU)) == "Sm1.3.34..2.4.43.1="


def test_revise_prompt():
    assert encode_prompt(Task(REVISE, SUDOKU, "1234341221434312")) == "Rm1.3.34..2.4.43.1|1234341221434312|x="


def test_verify_prompt():
    assert encode_prompt(Task(VERIFY, Puzzle("queens", "2.6..5", "246135"), "246135")) == "Vq2.6..5|246135="


def test_sanitize_drops_markers():
    assert sanitize_answer("12;x=T") == "12"


def test_malformed_cells_raise():
    with pytest.raises(ValueError, match="sudoku cells must be 16 symbols"):
        encode_prompt(Task(SOLVE, Puzzle("sudoku", "1.3", "123")))


def test_unknown_kind_raises():
    with pytest.raises(ValueError, match="kind must be one of"):
        encode_prompt(Task("explain", SUDOKU))


def test_parse_cuts_at_end():
    assert parse_completion("1234;99") == "1234"


def test_parse_without_end_is_none():
    assert parse_completion("1234") is None


def test_target_of_solve():
    assert target_text(Task(SOLVE, SUDOKU)) == "1234341221434321;"


def test_verdict_true():
    assert verdict_of("T;") is True


def test_verdict_malformed():
    assert verdict_of("TT;") is None


def test_tokenizer_round_trip():
    tokenizer = CharTokenizer()
    assert tokenizer.decode(tokenizer.encode("Rm1.3.|12|x=T;")) == "Rm1.3.|12|x=T;"


def test_tokenizer_unknown_character():
    with pytest.raises(ValueError, match="'#', which is not in the vocabulary"):
        CharTokenizer().encode("1#")
