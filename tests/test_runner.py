"""The papermill runner and the ``reprobook`` command, on small notebooks made here."""

import json
from pathlib import Path

import pytest

from notebook_helpers import make_notebook
from reprobook.cli import main
from reprobook.runner import (
    check_overrides,
    parse_value,
    read_parameters,
    resolve_notebook,
    run_notebook,
    validate_parameters,
)

PARAMETERS = '''import os

profile = os.environ.get("REPROBOOK_PROFILE", "book")  # size of the run
base = 10  # base of the numbers
rate = 0.5  # a rate in [0, 1]
label = "x"  # a label
'''

RECORD_CLAIM = '''from reprobook.claims import Scorecard, REPRODUCED
card = Scorecard("demo", "run", profile)
card.add("base", paper="10", measured=base * 2, setting="s", verdict=REPRODUCED, reason="r")
card.show()
'''


@pytest.fixture
def book(tmp_path: Path) -> Path:
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\n")
    make_notebook(tmp_path / "book" / "demo" / "run.ipynb", PARAMETERS, RECORD_CLAIM)
    make_notebook(tmp_path / "book" / "demo" / "fails.ipynb", PARAMETERS, "checked = True", "raise RuntimeError('boom')")
    return tmp_path


def test_read_parameters_names(book):
    parameters = read_parameters(book / "book/demo/run.ipynb")
    assert list(parameters) == ["profile", "base", "rate", "label"]


def test_read_parameters_comment(book):
    assert read_parameters(book / "book/demo/run.ipynb")["base"].comment == "base of the numbers"


def test_read_parameters_profile_is_not_literal(book):
    assert read_parameters(book / "book/demo/run.ipynb")["profile"].literal is False


def test_read_parameters_requires_tagged_cell(tmp_path):
    path = make_notebook(tmp_path / "nb.ipynb", "x = 1")
    notebook = path.read_text().replace('"parameters"', '"other"')
    path.write_text(notebook)
    with pytest.raises(ValueError, match="must be tagged 'parameters'"):
        read_parameters(path)


@pytest.mark.parametrize(
    ("text", "value"), [("16", 16), ("0.5", 0.5), ("true", True), ("None", None), ("[2, 3]", [2, 3]), ("book", "book")]
)
def test_parse_value(text, value):
    assert parse_value(text) == value


def test_check_overrides_rejects_unknown_name(book):
    parameters = read_parameters(book / "book/demo/run.ipynb")
    with pytest.raises(ValueError, match="unknown parameter 'bse'; this notebook has: base, label, profile, rate"):
        check_overrides(parameters, {"bse": 16})


def test_check_overrides_rejects_wrong_type(book):
    parameters = read_parameters(book / "book/demo/run.ipynb")
    with pytest.raises(ValueError, match="parameter base must be of type int"):
        check_overrides(parameters, {"base": "sixteen"})


def test_check_overrides_accepts_int_for_float(book):
    parameters = read_parameters(book / "book/demo/run.ipynb")
    assert check_overrides(parameters, {"rate": 1}) == {"rate": 1}


def test_check_overrides_rejects_unknown_profile(book):
    parameters = read_parameters(book / "book/demo/run.ipynb")
    with pytest.raises(ValueError, match="profile must be one of"):
        check_overrides(parameters, {"profile": "fast"})


def test_resolve_notebook_lists_available(book):
    with pytest.raises(FileNotFoundError, match="available: demo/fails, demo/run"):
        resolve_notebook("demo/missing", book)


@pytest.mark.slow
def test_run_notebook_records_claims(book):
    result = run_notebook(book / "book/demo/run.ipynb", {"base": 16, "profile": "smoke"}, root=book)
    record = json.loads((result.run_dir / "run.json").read_text())
    assert record["status"] == "succeeded"
    assert record["claims"][0]["claims"][0]["measured"] == "32"
    assert record["parameters"]["profile"] == "smoke"
    assert (result.run_dir / "run.ipynb").is_file()


@pytest.mark.slow
def test_run_notebook_failure_marks_folder(book):
    result = run_notebook(book / "book/demo/fails.ipynb", {}, root=book)
    assert result.run_dir.name.endswith("-failed")
    assert "RuntimeError: boom" in json.loads((result.run_dir / "run.json").read_text())["error"]


def test_cli_rejects_unknown_parameter_before_running(book, capsys):
    status = main(["--root", str(book), "run", "demo/run", "-p", "bse", "16"])
    assert status == 2
    assert "unknown parameter 'bse'" in capsys.readouterr().err
    assert not (book / "runs").exists()


def test_cli_rejects_wrong_type_before_running(book, capsys):
    status = main(["--root", str(book), "run", "demo/run", "-p", "base", "sixteen"])
    assert status == 2
    assert "parameter base must be of type int" in capsys.readouterr().err
    assert not (book / "runs").exists()


def test_cli_list_shows_parameters(book, capsys):
    assert main(["--root", str(book), "list", "--json"]) == 0
    catalogue = json.loads(capsys.readouterr().out)
    assert catalogue["demo/run"]["base"] == {"default": "10", "comment": "base of the numbers"}


def test_cli_rejects_out_of_range_before_running(book, capsys):
    make_notebook(
        book / "book/demo/checked.ipynb",
        PARAMETERS,
        "from reprobook.params import check_int\nbase = check_int('base', base, low=2)",
    )
    status = main(["--root", str(book), "run", "demo/checked", "-p", "base", "1"])
    assert status == 2
    assert "base must be an integer >= 2; got 1" in capsys.readouterr().err
    assert not (book / "runs").exists()


def test_cli_rejects_repeated_parameter(book, capsys):
    assert main(["--root", str(book), "run", "demo/run", "-p", "base", "16", "-p", "base", "8"]) == 2
    assert "parameter base is given twice" in capsys.readouterr().err


def test_cli_rejects_conflicting_profile(book, capsys):
    assert main(["--root", str(book), "run", "demo/run", "-p", "profile", "smoke", "--profile", "book"]) == 2
    assert "--profile book conflicts with -p profile smoke" in capsys.readouterr().err


def test_validate_parameters_resolves_values(book):
    path = make_notebook(
        book / "book/demo/resolved.ipynb",
        PARAMETERS + "size = None  # picked by profile\n",
        "size = 3 if size is None else size",
    )
    assert validate_parameters(path, {"base": 16})["size"] == 3
