"""Small notebooks written by the tests of the book's infrastructure."""

from __future__ import annotations

from pathlib import Path

import nbformat


def make_notebook(path: Path, parameters: str, *cells: str) -> Path:
    """Write a notebook whose first code cell (tagged ``parameters``) is ``parameters``."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells.append(nbformat.v4.new_markdown_cell("# A test notebook"))
    notebook.cells.append(nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    notebook.cells.extend(nbformat.v4.new_code_cell(source) for source in cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path
