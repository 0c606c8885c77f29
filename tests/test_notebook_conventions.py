"""Every notebook of the book follows the conventions that papermill, nbmake and the book rely on."""

from pathlib import Path

import nbformat
import pytest

from reprobook.runner import list_notebooks, parameters_cell, read_parameters

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = list_notebooks(ROOT)
IDS = [path.relative_to(ROOT / "book").as_posix() for path in NOTEBOOKS]
PROFILE_SOURCE = 'os.environ.get("REPROBOOK_PROFILE", "book")'


def code_cells(path: Path) -> list:
    return [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


def test_book_has_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_outputs_stripped(path):
    cells = code_cells(path)
    assert [cell.execution_count for cell in cells if cell.outputs or cell.execution_count] == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_code_cell_tagged_parameters(path):
    assert parameters_cell(nbformat.read(path, as_version=4)) is not None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_profile_defaults_from_environment(path):
    assert read_parameters(path)["profile"].source == PROFILE_SOURCE


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_parameter_has_comment(path):
    missing = [name for name, parameter in read_parameters(path).items() if not parameter.comment]
    assert missing == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_parameters_cell_only_assigns(path):
    source = code_cells(path)[0].source
    statements = [line for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert [line for line in statements if "=" not in line and line != "import os"] == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_bad_profile_stops_validation_cell(path, monkeypatch):
    monkeypatch.chdir(path.parent)
    parameters, validation = code_cells(path)[:2]
    namespace: dict = {}
    exec(parameters.source, namespace)
    namespace["profile"] = "fast"
    with pytest.raises(ValueError, match="profile must be one of 'smoke', 'book', 'full'; got 'fast'"):
        exec(validation.source, namespace)


@pytest.mark.parametrize("chapter", sorted({path.parent for path in NOTEBOOKS}), ids=lambda path: path.name)
def test_chapter_records_scorecard(chapter):
    sources = [cell.source for path in sorted(chapter.glob("*.ipynb")) for cell in code_cells(path)]
    assert any("Scorecard(" in source for source in sources)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_papermill_sees_every_parameter(path):
    import papermill

    assert set(papermill.inspect_notebook(str(path))) == set(read_parameters(path))
