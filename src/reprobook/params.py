"""Profiles and parameter validation shared by every notebook.

A notebook's first code cell (tagged ``parameters``) assigns every knob it exposes.
The cell right after it validates them with the ``check_*`` functions below, so a bad
value stops the notebook at once with one message that names the parameter, the value
received and the accepted range.

Profiles size the work of a notebook:

- ``smoke``: seconds, for CI (``REPROBOOK_PROFILE=smoke pytest --nbmake book``);
- ``book``: minutes on two CPU cores, for the rendered book;
- ``full``: the paper-scale setting, which may need a GPU.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable
from typing import Any, TypeVar

PROFILES = ("smoke", "book", "full")
PROFILE_ENV = "REPROBOOK_PROFILE"
DEFAULT_PROFILE = "book"

T = TypeVar("T")


def check_profile(profile: Any) -> str:
    """Validate a profile name and return it."""
    return check_choice("profile", profile, PROFILES)


def default_profile() -> str:
    """Return the profile named by ``REPROBOOK_PROFILE``, else ``"book"``.

    Raises:
        ValueError: if the environment variable names no known profile.
    """
    value = os.environ.get(PROFILE_ENV, DEFAULT_PROFILE)
    if value not in PROFILES:
        raise ValueError(
            f"environment variable {PROFILE_ENV} must be one of {', '.join(PROFILES)}; got {value!r}"
        )
    return value


def by_profile(profile: str, *, smoke: T, book: T, full: T) -> T:
    """Return the value that belongs to ``profile``."""
    choices = {"smoke": smoke, "book": book, "full": full}
    return choices[check_profile(profile)]


def _range_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"in [{low}, {high}]"
    if low is not None:
        return f">= {low}"
    if high is not None:
        return f"<= {high}"
    return ""


def check_int(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """Validate an integer parameter and return it as a Python ``int``.

    Booleans and floats are rejected, even integral ones such as ``16.0``, because they
    usually mean that the wrong value was passed.

    Raises:
        ValueError: if ``value`` is not an integer or lies outside ``[low, high]``.
    """
    accepted = f"an integer {_range_text(low, high)}".rstrip()
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be {accepted}; got {value!r} ({type(value).__name__})")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be {accepted}; got {value}")
    return value


def check_float(
    name: str, value: Any, *, low: float | None = None, high: float | None = None
) -> float:
    """Validate a finite real parameter in ``[low, high]`` and return it as a ``float``.

    Raises:
        ValueError: if ``value`` is not a real number, is NaN or infinite, or is out of range.
    """
    accepted = f"a finite number {_range_text(low, high)}".rstrip()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {accepted}; got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be {accepted}; got {value}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be {accepted}; got {value}")
    return value


def check_choice(name: str, value: T, choices: Iterable[T]) -> T:
    """Validate that ``value`` is one of ``choices`` and return it.

    Raises:
        ValueError: naming the parameter, the value and the accepted choices.
    """
    choices = tuple(choices)
    if value not in choices:
        listed = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """Validate a boolean parameter and return it.

    Raises:
        ValueError: if ``value`` is not ``True`` or ``False``.
    """
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False; got {value!r} ({type(value).__name__})")
    return value


def check_int_list(
    name: str, values: Any, *, low: int | None = None, high: int | None = None
) -> list[int]:
    """Validate a non-empty list of integers, each in ``[low, high]``, and return it.

    Raises:
        ValueError: naming the parameter and the first invalid element.
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValueError(f"{name} must be a non-empty list of integers; got {values!r}")
    values = list(values)
    if not values:
        raise ValueError(f"{name} must be a non-empty list of integers; got an empty list")
    return [check_int(f"{name}[{index}]", value, low=low, high=high) for index, value in enumerate(values)]
