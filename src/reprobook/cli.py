"""The reprobook command: list the book's notebooks and run one with other parameters.

Examples::

    reprobook list
    reprobook run kaprekar/02_computational_study -p base 16 --profile smoke
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from reprobook.params import PROFILES
from reprobook.runner import (
    find_root,
    list_notebooks,
    notebook_name,
    parse_value,
    read_parameters,
    resolve_notebook,
    run_notebook,
)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reprobook", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, help="the book's folder (default: found from the working directory)")
    commands = parser.add_subparsers(dest="command", required=True)

    listing = commands.add_parser("list", help="list chapters, notebooks and their parameters with defaults")
    listing.add_argument("--json", action="store_true", help="print JSON instead of text")

    run = commands.add_parser("run", help="execute one notebook through papermill into runs/")
    run.add_argument("notebook", help="short name such as kaprekar/02_computational_study, or a path")
    run.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="set a parameter (repeatable); VALUE is read as a Python literal, else as text",
    )
    run.add_argument("--profile", choices=PROFILES, help="shortcut for -p profile PROFILE")
    run.add_argument("--runs-dir", type=Path, help="where runs go (default: runs/ in the book's folder)")
    run.add_argument("--kernel", default="python3", help="Jupyter kernel name (default: python3)")
    return parser


def _list(root: Path, as_json: bool) -> int:
    catalogue = {}
    for path in list_notebooks(root):
        parameters = read_parameters(path)
        catalogue[notebook_name(path, root)] = {
            name: {"default": parameter.source, "comment": parameter.comment} for name, parameter in parameters.items()
        }
    if as_json:
        print(json.dumps(catalogue, indent=2))
        return 0

    chapter = None
    for name, parameters in catalogue.items():
        if name.split("/")[0] != chapter:
            chapter = name.split("/")[0]
            print(f"{chapter}")
        print(f"  {name}")
        for parameter, info in parameters.items():
            print(f"      {parameter} = {info['default']}    # {info['comment']}")
    return 0


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    overrides: dict[str, object] = {}
    for name, value in args.parameter:
        if name in overrides:
            raise ValueError(f"parameter {name} is given twice (-p {name} ...); give it once")
        overrides[name] = parse_value(value)
    if args.profile:
        if "profile" in overrides and overrides["profile"] != args.profile:
            raise ValueError(f"--profile {args.profile} conflicts with -p profile {overrides['profile']}; give one")
        overrides["profile"] = args.profile
    return overrides


def _run(root: Path, args: argparse.Namespace) -> int:
    notebook = resolve_notebook(args.notebook, root)
    overrides = _overrides(args)

    result = run_notebook(notebook, overrides, root=root, runs_dir=args.runs_dir, kernel_name=args.kernel)
    if result.succeeded:
        print(f"succeeded in {result.record['seconds']:.1f} s: {result.run_dir}")
        return 0
    print(f"failed ({result.record['error']}): {result.run_dir}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (2 for invalid input)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = _build_parser().parse_args(argv)
    try:
        root = find_root(args.root)
        if args.command == "list":
            return _list(root, args.json)
        return _run(root, args)
    except (ValueError, FileNotFoundError) as error:
        print(f"reprobook: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader of the output closed it early (as in "reprobook list | head"), which is fine.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
