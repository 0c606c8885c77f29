"""A real Jupyter Book build of a two-page book with the reprobook extension."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from notebook_helpers import make_notebook

CONFIG = """title: test book
only_build_toc_files: true
execute:
  execute_notebooks: cache
  raise_on_error: true
sphinx:
  extra_extensions:
    - reprobook.sphinxext
"""

TOC = """format: jb-book
root: book/intro
chapters:
  - file: book/demo
  - file: book/scorecard
"""

PARAMETERS = '''import os

profile = os.environ.get("REPROBOOK_PROFILE", "book")  # size of the run
seed = 0  # seed
'''


def record_claim(counter: Path) -> str:
    return f'''from pathlib import Path
from reprobook.claims import Scorecard, REPRODUCED
counter = Path({str(counter)!r})
counter.write_text(counter.read_text() + "x" if counter.exists() else "x")
card = Scorecard("demo", "only", profile)
card.add("an answer", paper="42", measured=6 * 7, setting="none", verdict=REPRODUCED, reason="equal")
card.show()
'''


def build(root: Path) -> subprocess.CompletedProcess:
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    return subprocess.run([str(jupyter_book), "build", str(root)], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("book")
    (root / "_config.yml").write_text(CONFIG)
    (root / "_toc.yml").write_text(TOC)
    (root / "book").mkdir()
    (root / "book/intro.md").write_text("# Intro\n")
    (root / "book/scorecard.md").write_text("# Scorecard\n\n```{reprobook-scorecard}\n```\n")
    make_notebook(root / "book/demo.ipynb", PARAMETERS, record_claim(root / "executions.txt"))
    return root


def scorecard_html(root: Path) -> str:
    return (root / "_build/html/book/scorecard.html").read_text()


@pytest.mark.slow
def test_first_build_shows_claim(book):
    result = build(book)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "<td>an answer</td>" in scorecard_html(book)


@pytest.mark.slow
def test_claims_record_page_name(book):
    record = json.loads((book / "_build/reprobook-claims/demo--only.json").read_text())
    assert record["docname"] == "book/demo"


@pytest.mark.slow
def test_rebuild_uses_cache_and_keeps_claim(book):
    (book / "book/intro.md").write_text("# Intro, edited\n")
    result = build(book)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (book / "executions.txt").read_text() == "x"
    assert "<td>an answer</td>" in scorecard_html(book)


@pytest.mark.slow
def test_changed_fingerprint_reexecutes(book):
    (book / "_build/reprobook-fingerprint.txt").write_text("an older package\n")
    result = build(book)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (book / "executions.txt").read_text() == "xx"


@pytest.mark.slow
def test_failing_cell_fails_build(tmp_path):
    (tmp_path / "_config.yml").write_text(CONFIG)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/broken\n")
    (tmp_path / "book").mkdir()
    (tmp_path / "book/intro.md").write_text("# Intro\n")
    make_notebook(tmp_path / "book/broken.ipynb", PARAMETERS, "raise RuntimeError('broken cell')")
    assert build(tmp_path).returncode != 0
