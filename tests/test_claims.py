import json

import pytest

from reprobook.claims import REPRODUCED, Scorecard, load_scorecards, render_html, render_markdown


def make_card() -> Scorecard:
    card = Scorecard("kaprekar", "theory", "smoke")
    card.add("constant in base 10", paper="495", measured=495, setting="same", verdict=REPRODUCED, reason="equal")
    return card


def test_add_rejects_unknown_verdict():
    card = Scorecard("kaprekar", "theory", "smoke")
    with pytest.raises(ValueError, match="verdict must be one of"):
        card.add("x", paper="1", measured=1, setting="s", verdict="confirmed", reason="r")


def test_add_rejects_empty_reason():
    card = Scorecard("kaprekar", "theory", "smoke")
    with pytest.raises(ValueError, match="reason of the claim 'x' must not be empty"):
        card.add("x", paper="1", measured=1, setting="s", verdict=REPRODUCED, reason=" ")


def test_scorecard_rejects_bad_section_name():
    with pytest.raises(ValueError, match="section must be a non-empty name"):
        Scorecard("kaprekar", "a/b", "smoke")


def test_measured_value_is_formatted_as_text():
    assert make_card().claims[0].measured == "495"


def test_save_without_directory_writes_nothing(monkeypatch, tmp_path):
    monkeypatch.delenv("REPROBOOK_CLAIMS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert make_card().save() is None
    assert list(tmp_path.iterdir()) == []


def test_show_writes_to_environment_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("REPROBOOK_CLAIMS_DIR", str(tmp_path))
    make_card().show()
    data = json.loads((tmp_path / "kaprekar--theory.json").read_text())
    assert data["claims"][0]["measured"] == "495"


def test_save_leaves_no_partial_file(tmp_path):
    make_card().save(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["kaprekar--theory.json"]


def test_load_scorecards_sorts_by_chapter(tmp_path):
    Scorecard("sharpe", "toy", "smoke").save(tmp_path)
    make_card().save(tmp_path)
    assert [card["chapter"] for card in load_scorecards(tmp_path)] == ["kaprekar", "sharpe"]


def test_render_html_escapes_text():
    card = Scorecard("kaprekar", "theory", "smoke")
    card.add("a < b", paper="1", measured=1, setting="s", verdict=REPRODUCED, reason="r")
    assert "a &lt; b" in render_html(card.claims)


def test_render_markdown_escapes_pipes():
    card = Scorecard("kaprekar", "theory", "smoke")
    card.add("a | b", paper="1", measured=1, setting="s", verdict=REPRODUCED, reason="r")
    assert "a \\| b" in render_markdown(card.claims)
