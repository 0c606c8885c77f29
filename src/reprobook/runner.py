"""Run a book notebook with other parameters through papermill, with provenance.

A notebook's parameters are the assignments of its first code cell, the one tagged
``parameters``. They are read statically (with :mod:`ast`), so unknown names and values
of the wrong type are rejected before anything runs: papermill itself only warns about
an unknown name and injects it anyway. Values out of range are caught next, by running
the parameters and validation cells in a fresh Python process before the kernel starts.

Each run goes to ``runs/<chapter>/<notebook>/<UTC time>/`` and contains the executed
notebook, the scorecard files it wrote under ``claims/`` and ``run.json`` (parameters,
status, git commit, package versions, device, start and end time, claims). A run that
fails is renamed ``<UTC time>-failed`` and its ``run.json`` holds the error.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import logging
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat

from reprobook.claims import CLAIMS_DIR_ENV, load_scorecards
from reprobook.params import check_profile

logger = logging.getLogger(__name__)

ROOT_ENV = "REPROBOOK_ROOT"
BOOK_FOLDER = "book"
VERSIONED_PACKAGES = (
    "reprobook", "numpy", "scipy", "sympy", "pandas", "matplotlib", "papermill",
    "torch", "transformers", "diffusers",
)


@dataclass(frozen=True)
class Parameter:
    """One assignment of a notebook's parameters cell.

    Attributes:
        name: the variable name.
        default: the literal value, or ``None`` when the expression is not a literal.
        source: the expression as written in the cell.
        comment: the comment at the end of the line (meaning and unit).
        literal: whether ``default`` is the evaluated literal.
    """

    name: str
    default: Any
    source: str
    comment: str
    literal: bool

    @property
    def kind(self) -> type | None:
        """The type a new value must have, or ``None`` when any value is accepted."""
        if self.name == "profile":
            return str
        if not self.literal or self.default is None:
            return None
        return type(self.default)


def find_root(start: Path | None = None) -> Path:
    """Return the book's root folder (the one holding ``_toc.yml`` and ``book/``).

    Looks at ``$REPROBOOK_ROOT``, then at ``start`` (default: the working directory) and
    its parents, then at the checkout the package was installed from.

    Raises:
        FileNotFoundError: if no such folder is found.
    """
    if os.environ.get(ROOT_ENV):
        candidates = [Path(os.environ[ROOT_ENV])]
    else:
        here = (start or Path.cwd()).resolve()
        candidates = [here, *here.parents, Path(__file__).resolve().parents[2]]
    for candidate in candidates:
        if (candidate / "_toc.yml").is_file() and (candidate / BOOK_FOLDER).is_dir():
            return candidate
    raise FileNotFoundError(
        "no book found: run reprobook inside a clone of the book or set "
        f"{ROOT_ENV} to the folder that holds _toc.yml and book/"
    )


def list_notebooks(root: Path) -> list[Path]:
    """Return every notebook under ``root/book``, sorted by path."""
    book = root / BOOK_FOLDER
    return sorted(path for path in book.rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts)


def notebook_name(path: Path, root: Path) -> str:
    """Return the short name of a notebook, for example ``kaprekar/02_computational_study``."""
    return path.relative_to(root / BOOK_FOLDER).with_suffix("").as_posix()


def resolve_notebook(name: str, root: Path) -> Path:
    """Find a notebook by short name, path relative to ``book/`` or file path.

    Raises:
        FileNotFoundError: listing the available notebooks.
    """
    candidates = [Path(name), root / name, root / BOOK_FOLDER / name]
    for candidate in list(candidates):
        if candidate.suffix != ".ipynb":
            candidates.append(candidate.with_name(candidate.name + ".ipynb"))
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    available = ", ".join(notebook_name(path, root) for path in list_notebooks(root))
    raise FileNotFoundError(f"notebook {name!r} not found; available: {available}")


def parameters_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    """Return the first code cell if it is tagged ``parameters``, else ``None``."""
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if code_cells and "parameters" in code_cells[0].get("metadata", {}).get("tags", []):
        return code_cells[0]
    return None


def read_parameters(path: Path) -> dict[str, Parameter]:
    """Read the parameters of a notebook from its ``parameters`` cell.

    Raises:
        ValueError: if the notebook has no parameters cell as its first code cell.
    """
    notebook = nbformat.read(path, as_version=4)
    cell = parameters_cell(notebook)
    if cell is None:
        raise ValueError(f"{path}: the first code cell must be tagged 'parameters'")

    lines = cell.source.splitlines()
    parameters = {}
    for statement in ast.parse(cell.source).body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
            continue
        target = statement.targets[0]
        if not isinstance(target, ast.Name):
            continue
        source = ast.get_source_segment(cell.source, statement.value) or ""
        line = lines[statement.end_lineno - 1]
        comment = line.split("#", 1)[1].strip() if "#" in line[statement.end_col_offset :] else ""
        try:
            default, literal = ast.literal_eval(statement.value), True
        except ValueError:
            default, literal = None, False
        parameters[target.id] = Parameter(target.id, default, source, comment, literal)
    return parameters


def parse_value(text: str) -> Any:
    """Turn a command-line value into a Python value.

    Python literals (``16``, ``0.5``, ``True``, ``None``, ``[2, 3]``, ``'text'``) are
    evaluated; ``true`` and ``false`` are booleans; anything else stays a string.
    """
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _matches(value: Any, kind: type) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in (list, tuple):
        return isinstance(value, (list, tuple))
    return isinstance(value, kind)


def check_overrides(parameters: dict[str, Parameter], overrides: dict[str, Any]) -> dict[str, Any]:
    """Reject unknown parameter names and values of the wrong type; return the overrides.

    Raises:
        ValueError: naming the parameter, the value, and the known names or expected type.
    """
    for name, value in overrides.items():
        if name not in parameters:
            known = ", ".join(sorted(parameters))
            raise ValueError(f"unknown parameter {name!r}; this notebook has: {known}")
        kind = parameters[name].kind
        if kind is not None and not _matches(value, kind):
            raise ValueError(
                f"parameter {name} must be of type {kind.__name__} "
                f"(default {parameters[name].source}); got {value!r} ({type(value).__name__})"
            )
    if "profile" in overrides:
        check_profile(overrides["profile"])
    return overrides


# Runs in a fresh interpreter: the parameters cell, then the overrides, then the validation
# cell. It prints one JSON line, {"values": {...}} or {"error": "..."}.
_VALIDATION_SCRIPT = """
import json, sys
request = json.load(sys.stdin)
namespace = {"__name__": "__main__"}
try:
    exec(compile(request["parameters"], "<parameters cell>", "exec"), namespace)
    namespace.update(request["overrides"])
    exec(compile(request["validation"], "<validation cell>", "exec"), namespace)
except Exception as error:
    print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
    sys.exit(1)
values = {}
for name in request["names"]:
    try:
        values[name] = json.loads(json.dumps(namespace[name]))
    except (TypeError, ValueError, KeyError):
        values[name] = repr(namespace.get(name))
print(json.dumps({"values": values}))
"""


def validate_parameters(path: Path, overrides: dict[str, Any], timeout: float = 600.0) -> dict[str, Any]:
    """Run a notebook's parameters and validation cells with ``overrides``, without a kernel.

    The second code cell of every book notebook validates the parameters. Running the
    first two cells in a fresh Python process therefore catches an out-of-range value
    before papermill starts. It also returns the value each parameter resolves to, so a
    ``None`` that means "pick by profile" becomes the picked value.

    Returns:
        The resolved value of each parameter (its ``repr`` when it is not JSON data).

    Raises:
        ValueError: with the validation cell's message when a value is rejected.
    """
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if len(code) < 2 or parameters_cell(notebook) is None:
        raise ValueError(f"{path}: expected a parameters cell followed by a validation cell")
    request = {
        "parameters": code[0].source,
        "validation": code[1].source,
        "overrides": overrides,
        "names": list(read_parameters(path)),
    }
    result = subprocess.run(
        [sys.executable, "-c", _VALIDATION_SCRIPT],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=path.parent,
        timeout=timeout,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    try:
        reply = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        raise RuntimeError(f"validating the parameters of {path.name} failed:\n{result.stderr[-2000:]}") from None
    if "error" in reply:
        raise ValueError(f"invalid parameter for {path.name}: {reply['error']}")
    return reply["values"]


def _git_commit(root: Path) -> dict[str, Any]:
    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        return result.stdout.strip() if result.returncode == 0 else ""

    return {"commit": git("rev-parse", "HEAD") or None, "dirty": bool(git("status", "--porcelain"))}


def _versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for package in VERSIONED_PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def _device() -> dict[str, Any]:
    device: dict[str, Any] = {"platform": platform.platform(), "cpu_count": os.cpu_count()}
    try:
        import torch
    except ImportError:
        return device
    device["cuda"] = torch.cuda.is_available()
    if device["cuda"]:
        device["gpus"] = [torch.cuda.get_device_name(index) for index in range(torch.cuda.device_count())]
    return device


@dataclass
class RunResult:
    """The outcome of :func:`run_notebook`.

    Attributes:
        run_dir: the folder of this run.
        succeeded: whether every cell ran without error.
        record: the content of ``run.json``.
    """

    run_dir: Path
    succeeded: bool
    record: dict[str, Any] = field(default_factory=dict)


def run_notebook(
    path: Path,
    overrides: dict[str, Any],
    *,
    root: Path,
    runs_dir: Path | None = None,
    kernel_name: str = "python3",
) -> RunResult:
    """Execute one notebook with papermill and record its results and provenance.

    Args:
        path: the notebook.
        overrides: parameter values that replace the defaults; checked first with
            :func:`check_overrides`.
        root: the book's root folder (for the git commit and the default ``runs`` folder).
        runs_dir: where runs go (default: ``root/runs``).
        kernel_name: the Jupyter kernel to execute with.

    Returns:
        The run's folder, whether it succeeded, and the provenance record.
    """
    import papermill

    check_overrides(read_parameters(path), overrides)
    resolved = validate_parameters(path, overrides)
    name = notebook_name(path, root) if path.is_relative_to(root / BOOK_FOLDER) else path.stem
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    base = (runs_dir or root / "runs") / name
    partial = base / f"{stamp}.partial"
    claims_dir = partial / "claims"
    claims_dir.mkdir(parents=True)

    record: dict[str, Any] = {
        "notebook": name,
        "overrides": overrides,
        "parameters": resolved,
        "git": _git_commit(root),
        "versions": _versions(),
        "device": _device(),
        "started": datetime.now(UTC).isoformat(),
    }
    previous_claims_dir = os.environ.get(CLAIMS_DIR_ENV)
    os.environ[CLAIMS_DIR_ENV] = str(claims_dir)
    started = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(path),
            str(partial / path.name),
            parameters=overrides,
            cwd=str(path.parent),
            kernel_name=kernel_name,
            progress_bar=False,
        )
        record["status"] = "succeeded"
    except papermill.PapermillExecutionError as error:
        record["status"] = "failed"
        record["error"] = f"{error.ename}: {error.evalue}"
    finally:
        if previous_claims_dir is None:
            os.environ.pop(CLAIMS_DIR_ENV)
        else:
            os.environ[CLAIMS_DIR_ENV] = previous_claims_dir

    record["finished"] = datetime.now(UTC).isoformat()
    record["seconds"] = round(time.perf_counter() - started, 3)
    record["claims"] = load_scorecards(claims_dir)
    succeeded = record["status"] == "succeeded"
    (partial / "run.json").write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
    final = base / (stamp if succeeded else f"{stamp}-failed")
    partial.rename(final)
    return RunResult(final, succeeded, record)
